"""REST routes of the workspace: obligation tracking, evidence, sign-off, the tracking portfolio.

Same rules as every route: a bearer token of the organisation in the path, 404 for anything of
another organisation, the lower of role and token scope, a stale version gets 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, cast

import anyio.to_thread
from fastapi import APIRouter, Form, Header, Path, Query, Request, Response, UploadFile
from sqlalchemy.orm import Session

from gpact.api import workspace_schemas as w
from gpact.api.risk_routes import router as risk_router
from gpact.api.routes import ERRORS, JSON_BODY, ActorDep, Id, Limit, Offset, _if_match, _json, db_of
from gpact.services import evidence_pack as packs
from gpact.services import labels
from gpact.services import obligations as service
from gpact.services import server_inputs as inputs_service
from gpact.services.server_errors import Invalid
from gpact.store.models import Evidence, ObligationTrack

router: APIRouter = APIRouter()
router.include_router(risk_router)
Obligation = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
BASE = "/orgs/{org}/models/{model_id}/obligations"


def evidence_out(e: Evidence) -> w.EvidenceOut:
    return w.EvidenceOut(id=e.id, kind=e.kind, document_id=e.document_id, filename=e.filename,
                         media_type=e.media_type, sha256=e.sha256, size=e.size, url=e.url,
                         published_on=e.published_on, note=e.note, created_by=e.created_by,
                         created_at=e.created_at)


def track_out(t: ObligationTrack, evidence: int, today: dt.date) -> w.TrackOut:
    required, _, _ = service.publication_rules(today)
    return w.TrackOut(
        model_id=t.model_id, obligation=t.obligation,
        label=labels.obligation_label(t.obligation, t.source), title=t.title, source=t.source,
        applies=t.applies, due=t.due, bucket=cast(w.Bucket, service.bucket(t, today)),
        state=cast(w.State, t.state),
        owner=t.owner, notes=t.notes, justification=t.justification,
        reopened_reason=t.reopened_reason, sign_off_requested_by=t.sign_off_requested_by,
        sign_off_requested_at=t.sign_off_requested_at, signed_off_by=t.signed_off_by,
        signed_off_at=t.signed_off_at, must_be_published=t.obligation in required,
        evidence_count=evidence, version=t.version, changed_by=t.changed_by,
        changed_at=t.changed_at)


def _detail(session: Session, t: ObligationTrack) -> w.TrackDetail:
    ev = service.evidence_of(session, t)
    base = track_out(t, len(ev), dt.date.today())
    return w.TrackDetail(**base.model_dump(), evidence=[evidence_out(e) for e in ev])


@router.get(BASE, response_model=list[w.TrackOut], responses=ERRORS, tags=["tracking"])
def list_tracks(request: Request, actor: ActorDep, model_id: Id,
                all: bool = False) -> list[w.TrackOut]:
    """Each obligation of the model with its state, owner, due date and evidence count
    (``all=true`` also lists obligations that no longer apply)."""
    today = dt.date.today()
    with db_of(request).read() as session:
        rows = service.tracks(session, actor, model_id, include_not_applying=all)
        counts = service.evidence_counts(session, [t.id for t in rows])
        return [track_out(t, counts.get(t.id, 0), today) for t in rows]


@router.get(BASE + "/{obligation}", response_model=w.TrackDetail, responses=ERRORS,
            tags=["tracking"])
def get_track(request: Request, response: Response, actor: ActorDep, model_id: Id,
              obligation: Obligation) -> w.TrackDetail:
    with db_of(request).read() as session:
        t = service.get_track(session, actor, model_id, obligation)
        response.headers["ETag"] = f'"{t.version}"'
        return _detail(session, t)


@router.patch(BASE + "/{obligation}", response_model=w.TrackDetail, responses=ERRORS,
              dependencies=JSON_BODY, tags=["tracking"])
def change_track(request: Request, actor: ActorDep, model_id: Id, obligation: Obligation,
                 body: w.TrackChange,
                 if_match: Annotated[str | None, Header()] = None) -> Response:
    """Change state, owner, notes or justification. ``state: met`` asks a reviewer for
    sign-off (needs evidence); ``not_applicable`` needs a justification."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        t = service.change(session, actor, model_id, obligation, expected, state=body.state,
                           owner=body.owner, notes=body.notes,
                           justification=body.justification)
        return _json(_detail(session, t), {"ETag": f'"{t.version}"'})


@router.post(BASE + "/{obligation}/sign-off", response_model=w.TrackDetail, responses=ERRORS,
             dependencies=JSON_BODY, tags=["tracking"])
def sign_off(request: Request, actor: ActorDep, model_id: Id, obligation: Obligation,
             body: w.SignOffIn,
             if_match: Annotated[str | None, Header()] = None) -> w.TrackDetail:
    """Sign the obligation off as met: a reviewer or admin other than the member who asked."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        t = service.sign_off(session, actor, model_id, obligation, expected)
        return _detail(session, t)


@router.post(BASE + "/{obligation}/evidence", response_model=w.EvidenceOut, status_code=201,
             responses=ERRORS, dependencies=JSON_BODY, tags=["tracking"])
def add_evidence(request: Request, actor: ActorDep, model_id: Id, obligation: Obligation,
                 body: w.EvidenceIn) -> w.EvidenceOut:
    """A document built in gpact (``document_id``) or a publication (``url``,
    ``published_on``) as evidence."""
    with db_of(request).write() as session:
        if body.kind == "document":
            if body.document_id is None:
                raise Invalid(["document_id: required for a document"])
            row = service.add_document(session, actor, model_id, obligation, body.document_id,
                                       body.note)
        else:
            if not body.url or body.published_on is None:
                raise Invalid(["url, published_on: both required for a publication"])
            row = service.add_publication(session, actor, model_id, obligation, body.url,
                                          body.published_on, body.note)
        return evidence_out(row)


@router.post(BASE + "/{obligation}/evidence/files", response_model=w.EvidenceOut,
             status_code=201, responses=ERRORS, tags=["tracking"])
async def upload_evidence(request: Request, actor: ActorDep, model_id: Id,
                          obligation: Obligation, file: UploadFile,
                          note: Annotated[str, Form(max_length=20000)] = "") -> w.EvidenceOut:
    """Upload a file as evidence (multipart ``file``, at most 10 MiB; its content must match
    its type: PDF, Markdown, text, CSV, JSON, YAML, HTML, PNG, JPEG, zip, docx, xlsx)."""
    content = await file.read(service.MAX_EVIDENCE_BYTES + 1)
    name = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1]

    def store() -> w.EvidenceOut:
        with db_of(request).write() as session:
            return evidence_out(service.add_file(session, actor, model_id, obligation, name,
                                                 content, note))

    return await anyio.to_thread.run_sync(store)


@router.get("/orgs/{org}/evidence/{evidence_id}", responses={
    200: {"content": {"application/octet-stream": {}}}, **ERRORS}, tags=["tracking"])
def download_evidence(request: Request, actor: ActorDep, evidence_id: Id) -> Response:
    """An evidence file's bytes (checked against its SHA-256), or the evidence as JSON."""
    with db_of(request).read() as session:
        row = service.get_evidence(session, actor, evidence_id)
    if row.content is None:
        return Response(evidence_out(row).model_dump_json(), media_type="application/json")
    return Response(row.content, media_type=row.media_type, headers={
        "ETag": f'"{row.sha256}"',
        "Content-Disposition": f'attachment; filename="{row.filename}"'})


@router.get("/orgs/{org}/models/{model_id}/evidence-pack", responses={
    200: {"content": {"application/zip": {}}}, **ERRORS}, tags=["tracking"])
def evidence_pack(request: Request, actor: ActorDep, model_id: Id) -> Response:
    """The model's evidence pack for an AI Office request (Art. 91): a zip with the current
    documents, evidence files, each obligation's state and sign-off, the audit events of the
    model, the chain head and a manifest of SHA-256 sums (check: ``gpact evidence verify``).
    Recorded in the audit log."""
    with db_of(request).write() as session:
        name, content = packs.build(session, actor, model_id)
    return Response(content, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/orgs/{org}/models/{model_id}/inputs/{kind}", status_code=201, responses=ERRORS,
             tags=["documents"])
async def upload_input(request: Request, actor: ActorDep, model_id: Id,
                       kind: Annotated[Literal["data_summary", "rights_audit"], Path()],
                       file: UploadFile) -> dict[str, Any]:
    """Upload the JSON of ``gpact data summarize`` (``data_summary``) or of ``gpact rights
    audit --summary`` (``rights_audit``): kept as a new version, it feeds the documents."""
    content = await file.read(inputs_service.MAX_BYTES + 1)

    def store() -> dict[str, Any]:
        with db_of(request).write() as session:
            row = inputs_service.upload(session, actor, model_id, kind,
                                        file.filename or f"{kind}.json", content)
            return {"kind": row.kind, "number": row.number, "filename": row.filename,
                    "sha256": row.sha256, "created_by": row.created_by,
                    "created_at": row.created_at.isoformat()}

    return await anyio.to_thread.run_sync(store)


@router.get("/orgs/{org}/tracking", response_model=w.TrackingPage, responses=ERRORS,
            tags=["tracking"])
def tracking(request: Request, actor: ActorDep, limit: Limit = 50, offset: Offset = 0,
             bucket: Annotated[w.Bucket | None, Query()] = None,
             state: Annotated[w.State | None, Query()] = None,
             model_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
             ) -> w.TrackingPage:
    """Met, due soon, overdue and open obligations per model and overall, and one page of
    them (filter by bucket, state or model)."""
    today = dt.date.today()
    with db_of(request).read() as session:
        p = service.portfolio(session, actor, today, bucket_filter=bucket or "",
                              state=state or "", model_id=model_id, limit=limit,
                              offset=offset)
        return w.TrackingPage(counts=p.counts,
                              models=[w.ModelCounts(**m) for m in p.per_model],
                              items=[track_out(r.track, r.evidence, today) for r in p.rows],
                              total=p.total, limit=p.limit, offset=p.offset)


@router.post("/orgs/{org}/reassess-outdated", response_model=w.ReassessOut, responses=ERRORS,
             dependencies=JSON_BODY, tags=["tracking"])
def reassess_outdated(request: Request, actor: ActorDep, body: dict[str, str]) -> w.ReassessOut:
    """Reassess every model last assessed under an older rulebook: obligations the new
    rulebook changed are reopened with the reason."""
    with db_of(request).write() as session:
        return w.ReassessOut(reassessed=service.reassess_outdated(session, actor))
