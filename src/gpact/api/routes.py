"""REST API routes under /api. Every route but /api/health needs a bearer token.

A token belongs to one organisation: a request for another organisation's path, or for a
model, document or token of another organisation, gets 404 as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Connection, select, text

from gpact import __version__
from gpact.api import schemas as s
from gpact.api.portfolio_reads import PortfolioReads
from gpact.api.read_cache import ReadCache
from gpact.services import (
    accounts,
    calendar,
    org_transfer,
    portfolio_order,
    registry,
    server_documents,
    server_risk,
)
from gpact.services import server_ledgers as ledgers_service
from gpact.services.accounts import Actor
from gpact.services.input_limits import safe_filename
from gpact.services.server_errors import Forbidden, Invalid, NotFound, ServiceError
from gpact.store import views
from gpact.store.db import Database, Reader
from gpact.store.models import (
    ApiToken,
    Assessment,
    AuditEvent,
    ComputeLedger,
    Document,
    Model,
    RecordVersion,
)
from gpact.store.query import Query as StoreQuery

router = APIRouter(prefix="/api")
bearer = HTTPBearer(auto_error=False, description="An API token: `gpact_<id>_<secret>`.")

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Org = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]
T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.Problem} for code in (401, 403, 404, 409, 413, 415, 422, 428)}


def db_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


class Unauthorized(ServiceError):
    status = 401


def authenticate(request: Request, raw: str | None, session: Reader | None = None) -> Actor:
    """The actor of a bearer token, looked up in ``session`` or in a short one of its own."""
    if not raw:
        raise Unauthorized("authentication required: send 'Authorization: Bearer <token>'")
    if session is None:  # a bare pooled connection: no ORM session for one columns query
        with db_of(request).connection() as own:
            actor = accounts.resolve_token(own, raw)
    else:
        actor = accounts.resolve_token(session, raw)
    if actor is None:
        raise Unauthorized("invalid or revoked token")
    request.state.actor = actor.label
    return actor


def _in_org(actor: Actor, org: str) -> Actor:
    if actor.org_slug != org:
        raise NotFound(f"no organisation {org!r}")
    return actor


async def api_actor(request: Request, org: Org,
                    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                    ) -> Actor:
    """The token's actor, checked on the event loop: one indexed lookup costs less than
    handing the request to a worker thread and back (the route itself runs in one)."""
    return _in_org(authenticate(request, creds.credentials if creds else None), org)


ActorDep = Annotated[Actor, Depends(api_actor)]


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass(frozen=True)
class Reading:
    """The actor and the connection it was checked on, for the short reads that run on the
    event loop: one pooled connection per request instead of one for the token and one for
    the route."""

    actor: Actor
    session: Connection

    def views(self) -> int | None:
        """The version of the organisation's model pages, the key of their kept answers
        (``gpact.store.views``): read with the token, before the answer is built."""
        if self.actor.views is not None:
            return self.actor.views
        return self._versions()[0]

    def dues(self) -> int | None:
        """The version of the organisation's deadlines and obligations lists, likewise."""
        if self.actor.dues is not None:
            return self.actor.dues
        return self._versions()[1]

    def _versions(self) -> tuple[int | None, int | None]:
        return views.versions(self.session, self.actor.org_id) or (None, None)


def _kept(request: Request) -> tuple[ReadCache, PortfolioReads]:
    """The kept answers and the runner of the builds that are not kept
    (``gpact.api.portfolio_reads``). The route's pooled connection is back in the pool by
    then: a build that awaits must not hold one that the event loop may block on."""
    return request.app.state.read_cache, request.app.state.portfolio_reads


async def _whole(request: Request, dues: int | None, name: str,
                 query: Callable[[], StoreQuery[T]], org_id: int) -> T:
    """A kept read of the whole portfolio's order (``gpact.services.portfolio_order``): it
    moves with ``dues_version`` only, so the usual save keeps it; built off the loop."""
    cache, reads = _kept(request)

    async def build() -> T:
        return await reads.off_loop(query())

    return await cache.get(dues, (name, org_id), build)


@contextmanager
def reading(request: Request, org: str, creds: HTTPAuthorizationCredentials | None
            ) -> Iterator[Reading]:
    """Opened in the route's body rather than as a (generator) dependency, which FastAPI
    would run through an exit stack and a cancel scope on every request."""
    with db_of(request).connection() as conn:
        actor = authenticate(request, creds.credentials if creds else None, conn)
        yield Reading(_in_org(actor, org), conn)


async def require_json(request: Request) -> None:
    """The body must be JSON (``async``: FastAPI hands a plain function to a worker thread
    and back, 57-72 µs of CPU measured idle, more under load, for a header check)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise UnsupportedMediaType(f"send the body as application/json, not {kind or 'nothing'}")


class UnsupportedMediaType(ServiceError):
    status = 415


JSON_BODY: list[Any] = [Depends(require_json)]


def _etag(version: int) -> str:
    return f'"{version}"'


def _if_match(header: str | None, body_version: int | None) -> int:
    if body_version is not None:
        return body_version
    if header:
        value = header.strip().removeprefix("W/").strip('"')
        if value.isascii() and value.isdigit() and len(value) < 10:  # versions fit 32 bits
            return int(value)
        raise Invalid([f"If-Match: expected a model version such as '\"3\"', got {header!r}"])
    raise PreconditionRequired("send the version you edited (If-Match header or 'version')")


class PreconditionRequired(ServiceError):
    status = 428


def _json(body: BaseModel | bytes, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer serialised once, straight from the built model.

    The hot read routes run on the event loop (short indexed reads; no hand-off to a worker
    thread and back) and return this, so FastAPI does not dump, re-validate and dump the
    body again; ``response_model`` still documents it in the OpenAPI schema.
    """
    content = body if isinstance(body, bytes) else body.model_dump_json().encode()
    return Response(content, media_type="application/json", headers=headers)


_DEADLINES = TypeAdapter(list[s.DeadlineOut])
_OBLIGATIONS = TypeAdapter(list[s.ObligationOut])


def _model_out(model: Model | registry.ModelRow, summary: dict[str, Any] | None,
               as_of: dt.date | None) -> s.ModelOut:
    return s.ModelOut(id=model.id, name=model.name, version=model.version,
                      created_at=model.created_at, updated_at=model.updated_at,
                      assessed_as_of=as_of,
                      summary=s.Summary(**summary) if summary else None)


def _model_response(session: Any, model: Model) -> Response:
    """A saved model's answer, serialised here: returned as a model, FastAPI would validate
    it again and hand the dump to a worker thread and back."""
    summary, as_of = registry.latest_summary(session, model)
    return _json(_model_out(model, summary, as_of), {"ETag": _etag(model.version)})


def _assessment_out(row: Assessment, number: int, full: bool) -> s.AssessmentOut:
    return s.AssessmentOut(id=row.id, as_of=row.as_of, rulebook_version=row.rulebook_version,
                           gpact_version=row.gpact_version, profile_version=number,
                           created_by=row.created_by, created_at=row.created_at,
                           summary=s.Summary(**row.summary), result=row.result if full else None)


def _record_out(row: RecordVersion) -> s.RecordOut:
    return s.RecordOut(number=row.number, sha256=row.sha256, created_by=row.created_by,
                       created_at=row.created_at, text=row.text)


def _doc_out(doc: Document) -> s.DocumentOut:
    return s.DocumentOut(id=doc.id, model_id=doc.model_id, kind=doc.kind, format=doc.format,
                         media_type=doc.media_type, filename=doc.filename, sha256=doc.sha256,
                         size=doc.size, completeness=doc.completeness, created_by=doc.created_by,
                         created_at=doc.created_at)


def _ledger_out(c: ComputeLedger) -> s.LedgerOut:
    return s.LedgerOut(id=c.id, filename=c.filename, sha256=c.sha256, size=c.size,
                       total_flop=c.total_flop, summary=c.summary, created_by=c.created_by,
                       created_at=c.created_at)


def _token_out(t: ApiToken, secret: str | None = None) -> s.TokenOut:
    return s.TokenOut(id=t.id, name=t.name, scopes=t.scopes.split(","), created_at=t.created_at,
                      revoked_at=t.revoked_at, token=secret)


_PING = text("SELECT 1")


@router.get("/health", response_model=s.Health, tags=["operations"])
async def health(request: Request) -> s.Health:
    """Liveness and database reachability (no authentication); on the event loop like the
    other short reads."""
    with db_of(request).connection() as conn:
        conn.execute(_PING)
    return s.Health(status="ok", version=__version__, database="ok")


@router.get("/me", response_model=s.MeOut, responses=ERRORS, tags=["access"])
def me(request: Request,
       creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> s.MeOut:
    actor = authenticate(request, creds.credentials if creds else None)
    return s.MeOut(email=actor.email, organisation=actor.org_slug, role=actor.role,
                   scopes=list(actor.scopes))


@router.get("/orgs/{org}/models", response_model=s.ModelPage, responses=ERRORS, tags=["models"])
async def list_models(request: Request, org: Org, creds: Bearer, limit: Limit = 50,
                      offset: Offset = 0) -> Response:
    """One page of the portfolio (kept until the next change, as is the count of models
    that every page shows: see ``read_cache``)."""
    with reading(request, org, creds) as read:
        registry.require(read.actor, "read")
        actor, head, dues = read.actor, read.views(), read.dues()
    cache, reads = _kept(request)

    async def build() -> bytes:
        names = await _whole(request, dues, "names",
                             lambda: portfolio_order.names_query(actor), actor.org_id)
        page = reads.here(portfolio_order.model_page_query(actor, names, limit, offset))
        return s.model_page_json(page.items, page.total, page.limit, page.offset)

    return _json(await cache.get(head, ("models", actor.org_id, limit, offset), build))


@router.post("/orgs/{org}/models", response_model=s.ModelOut, status_code=201,
             responses=ERRORS, dependencies=JSON_BODY, tags=["models"])
def create_model(request: Request, actor: ActorDep, body: s.ProfileIn) -> Response:
    """Register a model from its profile; it is assessed at once."""
    ready = registry.prepare(actor, body.profile, body.as_of)  # before taking the write lock
    with db_of(request).write() as session:
        model = registry.create_model(session, actor, ready)
        answer = _model_response(session, model)
    answer.status_code = 201
    answer.headers["Location"] = f"/api/orgs/{actor.org_slug}/models/{model.id}"
    return answer


@router.get("/orgs/{org}/models/{model_id}", response_model=s.ModelOut, responses=ERRORS,
            tags=["models"])
async def get_model(request: Request, org: Org, creds: Bearer, model_id: Id) -> Response:
    with reading(request, org, creds) as read:
        registry.require(read.actor, "read")
        model, summary, as_of = registry.model_summary(read.session, read.actor, model_id)
    return _json(_model_out(model, summary, as_of), {"ETag": _etag(model.version)})


@router.put("/orgs/{org}/models/{model_id}/profile", response_model=s.ModelOut,
            responses=ERRORS, dependencies=JSON_BODY, tags=["models"])
def update_profile(request: Request, actor: ActorDep, model_id: Id, body: s.ProfileUpdate,
                   if_match: Annotated[str | None, Header()] = None) -> Response:
    """Save a new profile version. A stale version (someone saved in between) gets 409."""
    expected = _if_match(if_match, body.version)
    ready = registry.prepare(actor, body.profile, body.as_of)  # before taking the write lock
    with db_of(request).write() as session:
        model = registry.update_profile(session, actor, model_id, ready, expected)
        return _model_response(session, model)


@router.delete("/orgs/{org}/models/{model_id}", status_code=204, responses=ERRORS,
               tags=["models"])
def delete_model(request: Request, actor: ActorDep, model_id: Id,
                 if_match: Annotated[str | None, Header()] = None,
                 version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """Delete a model and everything recorded for it (admins only; the audit log keeps it)."""
    expected = _if_match(if_match, version)
    with db_of(request).write() as session:
        registry.delete_model(session, actor, model_id, expected)
    return Response(status_code=204)


@router.get("/orgs/{org}/models/{model_id}/profiles", response_model=list[s.ProfileVersionOut],
            responses=ERRORS, tags=["models"])
def list_profiles(request: Request, actor: ActorDep, model_id: Id) -> list[s.ProfileVersionOut]:
    with db_of(request).read() as session:
        return [s.ProfileVersionOut(number=p.number, sha256=p.sha256, created_by=p.created_by,
                                    created_at=p.created_at)
                for p in registry.profile_versions(session, actor, model_id)]


@router.get("/orgs/{org}/models/{model_id}/profiles/{number}",
            response_model=s.ProfileVersionOut, responses=ERRORS, tags=["models"])
def get_profile(request: Request, actor: ActorDep, model_id: Id,
                number: Id) -> s.ProfileVersionOut:
    with db_of(request).read() as session:
        for p in registry.profile_versions(session, actor, model_id):
            if p.number == number:
                return s.ProfileVersionOut(number=p.number, sha256=p.sha256, text=p.text,
                                           created_by=p.created_by, created_at=p.created_at)
    raise NotFound(f"model {model_id} has no profile version {number}")


@router.get("/orgs/{org}/models/{model_id}/record", response_model=s.RecordOut,
            responses=ERRORS, tags=["documents"])
def get_record(request: Request, actor: ActorDep, model_id: Id) -> s.RecordOut:
    """The model's current documentation record (the input of the document builders)."""
    with db_of(request).read() as session:
        registry.require(actor, "read")
        row = server_documents.latest_record(session, registry.get_model(session, actor,
                                                                         model_id))
    if row is None:
        raise NotFound(f"model {model_id} has no documentation record yet")
    return _record_out(row)


@router.put("/orgs/{org}/models/{model_id}/record", response_model=s.RecordOut,
            responses=ERRORS, dependencies=JSON_BODY, tags=["documents"])
def save_record(request: Request, response: Response, actor: ActorDep, model_id: Id,
                body: s.RecordIn,
                if_match: Annotated[str | None, Header()] = None) -> s.RecordOut:
    """Save a new version of the documentation record; a stale model version gets 409."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        row = server_documents.save_record(session, actor, model_id, body.record, expected)
        response.headers["ETag"] = _etag(expected + 1)
        return _record_out(row)


@router.post("/orgs/{org}/models/{model_id}/assessments", response_model=s.AssessmentOut,
             status_code=201, responses=ERRORS, dependencies=JSON_BODY, tags=["assessments"])
def run_assessment(request: Request, actor: ActorDep, model_id: Id,
                   body: s.AssessIn) -> s.AssessmentOut:
    with db_of(request).write() as session:
        registry.require(actor, "write")
        model = registry.get_model(session, actor, model_id)
        row = registry.run_assessment(session, actor, model, body.as_of)
        number = registry.latest_profile(session, model).number
        return _assessment_out(row, number, full=True)


@router.get("/orgs/{org}/models/{model_id}/assessments", response_model=list[s.AssessmentOut],
            responses=ERRORS, tags=["assessments"])
def list_assessments(request: Request, actor: ActorDep, model_id: Id) -> list[s.AssessmentOut]:
    with db_of(request).read() as session:
        rows = registry.assessments(session, actor, model_id)
        numbers = {p.id: p.number for p in registry.profile_versions(session, actor, model_id)}
    return [_assessment_out(r, numbers[r.profile_version_id], full=False) for r in rows]


@router.get("/orgs/{org}/models/{model_id}/assessments/latest",
            response_model=s.AssessmentOut, responses=ERRORS, tags=["assessments"])
async def latest_assessment(request: Request, org: Org, creds: Bearer,
                            model_id: Id) -> Response:
    """The full assessment: findings with reasons and sources, obligations and due dates."""
    with reading(request, org, creds) as read:
        registry.require(read.actor, "read")
        row = registry.latest_assessment_with_profile(read.session, read.actor, model_id)
    head = s.AssessmentOut(
        id=row.id, as_of=row.as_of, rulebook_version=row.rulebook_version,
        gpact_version=row.gpact_version, profile_version=row.profile_version,
        created_by=row.created_by, created_at=row.created_at, summary=s.Summary(**row.summary),
        ).model_dump_json(exclude={"result"}).encode()
    # the stored JSON of the result, sent as it is (the same object the schema describes)
    return _json(head[:-1] + b',"result":' + row.result_json.encode() + b"}")


@router.get("/orgs/{org}/deadlines", response_model=list[s.DeadlineOut], responses=ERRORS,
            tags=["portfolio"])
async def deadlines(request: Request, org: Org, creds: Bearer, limit: Limit = 100,
                    offset: Offset = 0) -> Response:
    """Dated obligations across the portfolio (latest assessment of each model), soonest first."""
    today = dt.date.today()
    with reading(request, org, creds) as read:
        registry.require(read.actor, "read")
        actor, head = read.actor, read.dues()
    cache, reads = _kept(request)

    async def build() -> bytes:
        rows = reads.here(registry.deadlines_query(actor, limit=limit, offset=offset))
        return _DEADLINES.dump_json([s.DeadlineOut(**d.as_dict(today)) for d in rows])

    return _json(await cache.get(head, ("deadlines", actor.org_id, limit, offset, today), build))


@router.get("/orgs/{org}/obligations", response_model=list[s.ObligationOut], responses=ERRORS,
            tags=["portfolio"])
async def obligations(request: Request, org: Org, creds: Bearer, limit: Limit = 100,
                      offset: Offset = 0) -> Response:
    """Every obligation of every model's latest assessment, whatever its status (a short
    indexed read, kept until the next change like the model pages)."""
    with reading(request, org, creds) as read:
        registry.require(read.actor, "read")
        actor, head = read.actor, read.dues()
    cache, reads = _kept(request)

    async def build() -> bytes:
        order = await _whole(request, head, "order",
                             lambda: portfolio_order.order_query(actor), actor.org_id)
        rows = reads.here(portfolio_order.obligations_query(actor, order, limit, offset))
        return _OBLIGATIONS.dump_json([s.ObligationOut(**row) for row in rows])

    return _json(await cache.get(head, ("obligations", actor.org_id, limit, offset), build))


@router.get("/orgs/{org}/calendar.ics", responses={200: {"content": {"text/calendar": {}}},
                                                   **ERRORS}, tags=["portfolio"])
def calendar_feed(request: Request, org: Org,
                  creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                  token: Annotated[str | None, Query(max_length=200,
                                                     description="For calendar apps that "
                                                     "cannot send headers.")] = None) -> Response:
    """All deadlines as an iCalendar feed (bearer token, or a read token in ``?token=``)."""
    actor = authenticate(request, creds.credentials if creds else token)
    if actor.org_slug != org:
        raise NotFound(f"no organisation {org!r}")
    with db_of(request).read() as session:
        rows = registry.deadlines(session, actor)
        risk = server_risk.org_clocks(session, actor, dt.date.today())
    feed = calendar.ical(actor.org_slug, rows, risk)
    return Response(feed, media_type="text/calendar")


@router.post("/orgs/{org}/models/{model_id}/ledgers", response_model=s.LedgerOut,
             status_code=201, responses=ERRORS, tags=["compute"])
async def upload_ledger(request: Request, actor: ActorDep, model_id: Id,
                        file: list[UploadFile]) -> s.LedgerOut:
    """Upload a compute ledger as multipart ``file`` fields (10 MiB together): a ledger YAML
    (``gpact_ledger: 1``) with the telemetry files it names, or telemetry files alone (CSV,
    TSV, JSON Lines, Parquet). Read by gpact.compute, as ``gpact compute`` reads them."""
    files = [(f.filename or "ledger.csv", await f.read(ledgers_service.MAX_LEDGER_BYTES + 1))
             for f in file[:ledgers_service.MAX_FILES + 1]]

    def store() -> s.LedgerOut:
        with db_of(request).write() as session:
            return _ledger_out(ledgers_service.upload(session, actor, model_id, files))

    return await anyio.to_thread.run_sync(store)


@router.get("/orgs/{org}/models/{model_id}/ledgers", response_model=list[s.LedgerOut],
            responses=ERRORS, tags=["compute"])
def list_ledgers(request: Request, actor: ActorDep, model_id: Id) -> list[s.LedgerOut]:
    with db_of(request).read() as session:
        return [_ledger_out(c) for c in ledgers_service.ledgers(session, actor, model_id)]


@router.post("/orgs/{org}/models/{model_id}/documents", response_model=s.DocumentOut,
             status_code=201, responses=ERRORS, dependencies=JSON_BODY, tags=["documents"])
def build_document(request: Request, actor: ActorDep, model_id: Id,
                   body: s.DocumentIn) -> s.DocumentOut:
    with db_of(request).write() as session:
        return _doc_out(server_documents.build(session, actor, model_id, body.kind,
                                               body.format))


@router.get("/orgs/{org}/models/{model_id}/documents", response_model=list[s.DocumentOut],
            responses=ERRORS, tags=["documents"])
def list_documents(request: Request, actor: ActorDep, model_id: Id) -> list[s.DocumentOut]:
    with db_of(request).read() as session:
        return [_doc_out(d) for d in server_documents.documents(session, actor, model_id)]


@router.get("/orgs/{org}/documents/{doc_id}", responses={
    200: {"content": {"text/markdown": {}, "text/html": {}, "application/json": {},
                      "application/pdf": {}}}, **ERRORS},
    tags=["documents"])
def download_document(request: Request, actor: ActorDep, doc_id: Id) -> Response:
    """The document's bytes; its ETag is its SHA-256, which never changes."""
    with db_of(request).read() as session:
        doc = server_documents.get_document(session, actor, doc_id)
    return Response(doc.content, media_type=doc.media_type, headers={
        "ETag": f'"{doc.sha256}"',
        "Content-Disposition": f'attachment; filename="{safe_filename(doc.filename)}"'})


@router.get("/orgs/{org}/audit", response_model=list[s.AuditEventOut], responses=ERRORS,
            tags=["audit"])
def audit_log(request: Request, actor: ActorDep, limit: Limit = 100,
              offset: Offset = 0) -> list[s.AuditEventOut]:
    """The organisation's audit events, newest first."""
    registry.require(actor, "read")
    with db_of(request).read() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.org_id == actor.org_id)
                               .order_by(AuditEvent.seq.desc()).limit(limit).offset(offset))
        return [s.AuditEventOut(seq=e.seq, at=e.at, actor=e.actor, action=e.action,
                                entity=e.entity, entity_id=e.entity_id,
                                before_hash=e.before_hash, after_hash=e.after_hash,
                                detail=e.detail, hash=e.hash) for e in rows]


@router.get("/orgs/{org}/export", responses=ERRORS, tags=["organisation"])
def export(request: Request, actor: ActorDep) -> JSONResponse:
    """The whole register of the organisation as one JSON file (admins only)."""
    with db_of(request).read() as session:
        data = org_transfer.export(session, actor)
    return JSONResponse(data, headers={
        "Content-Disposition": f'attachment; filename="gpact-{actor.org_slug}.json"'})


@router.post("/orgs/{org}/import", response_model=s.ImportOut, status_code=201,
             responses=ERRORS, dependencies=JSON_BODY, tags=["organisation"])
def import_(request: Request, actor: ActorDep, body: dict[str, Any]) -> s.ImportOut:
    """Load an export into this organisation, which must have no models yet (admins only)."""
    db = db_of(request)
    with db.write() as session:
        models = org_transfer.import_(session, actor, body)
    db.analyze()  # a bulk load: PostgreSQL's planner needs the tables' new statistics
    return s.ImportOut(models=models)


@router.get("/orgs/{org}/tokens", response_model=list[s.TokenOut], responses=ERRORS,
            tags=["access"])
def list_tokens(request: Request, actor: ActorDep) -> list[s.TokenOut]:
    """Your tokens in this organisation (admins see everyone's)."""
    registry.require(actor, "read")
    with db_of(request).read() as session:
        return [_token_out(t) for t in accounts.list_tokens(session, actor)]


@router.post("/orgs/{org}/tokens", response_model=s.TokenOut, status_code=201,
             responses=ERRORS, dependencies=JSON_BODY, tags=["access"])
def create_token(request: Request, actor: ActorDep, body: s.TokenIn) -> s.TokenOut:
    """A new token with at most the scopes of the token used to create it."""
    registry.require(actor, "read")
    if any(not actor.can(scope) for scope in body.scopes):
        raise Forbidden("a token cannot grant more than its creator has")
    with db_of(request).write() as session:
        secret, token = accounts.create_token(session, actor, body.name, list(body.scopes))
        return _token_out(token, secret)


@router.delete("/orgs/{org}/tokens/{token_id}", status_code=204, responses=ERRORS,
               tags=["access"])
def revoke_token(request: Request, actor: ActorDep, token_id: Id) -> Response:
    registry.require(actor, "read")
    with db_of(request).write() as session:
        accounts.revoke_token(session, actor, token_id)
    return Response(status_code=204)


@router.get("/orgs/{org}/members", response_model=list[s.MemberOut], responses=ERRORS,
            tags=["access"])
def list_members(request: Request, actor: ActorDep) -> list[s.MemberOut]:
    registry.require(actor, "read")
    with db_of(request).read() as session:
        return [s.MemberOut(email=e, role=r) for e, r in accounts.members(session, actor)]


@router.put("/orgs/{org}/members", response_model=s.MemberOut, responses=ERRORS,
            dependencies=JSON_BODY, tags=["access"])
def set_member(request: Request, actor: ActorDep, body: s.MemberIn) -> s.MemberOut:
    """Change a member's role, or invite someone (admins only): the answer is the same
    whether or not the address has an account elsewhere."""
    with db_of(request).write() as session:
        done = accounts.add_member(session, actor, body.email, body.role)
    return s.MemberOut(email=done.email, role=done.role, status=done.status,
                       invitation=done.secret, expires_at=done.expires_at)


# The workspace routes (obligation tracking, evidence) live in their own module, which uses
# the dependencies above; imported last so that module can import them from here.
from gpact.api.workspace_routes import router as _workspace  # noqa: E402

router.include_router(_workspace)
