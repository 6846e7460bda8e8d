"""The web pages: login, portfolio, model page, calendar, audit log, tokens and members.

Browser sessions are cookies holding a random secret (HttpOnly, SameSite=Lax, Secure when
served over HTTPS); every form and every htmx request carries the session's CSRF token. The
pages call the same services as the API, so a rule lives in one place.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.rulebook import default_rulebook
from gpact.services import (
    accounts,
    calendar,
    labels,
    obligations,
    registry,
    server_documents,
    server_inputs,
    server_ledgers,
    server_risk,
)
from gpact.services.accounts import Actor
from gpact.services.input_limits import safe_filename
from gpact.services.server_errors import Conflict, Forbidden, Invalid, ServiceError
from gpact.store.db import Database
from gpact.store.models import ROLES, AuditEvent, Organisation, User, WebSession

HERE = Path(__file__).parent
COOKIE = "gpact_session"
LOGIN_CSRF = "gpact_login_csrf"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(obligation=labels.obligation_label, title=labels.obligation_title,
                             status=labels.status_label, state=labels.state_label,
                             action=labels.action_label, role=labels.role_label,
                             due_in=labels.due_in)
MESSAGES = {"saved": "Saved a new profile version and reassessed the model.",
            "created": "Model added and assessed.", "assessed": "Assessment done.",
            "built": "Document built.", "uploaded": "Compute ledger uploaded.",
            "deleted": "Model deleted.", "record": "Saved a new documentation record version.",
            "input": "Uploaded: documents built from now on use it."}
Text = Annotated[str, Form()]
OptText = Annotated[str, Form()]


class LoginRequired(Exception):
    def __init__(self, expired: bool) -> None:
        self.expired = expired


class BadCsrf(Forbidden):
    def __init__(self) -> None:
        super().__init__("the form was stale or not sent from gpact (CSRF check failed); "
                         "reload the page and try again")


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


class Page:
    """One request's view of the logged-in user, and helpers to render and check CSRF."""

    def __init__(self, request: Request, web: WebSession, user: User,
                 actor: Actor | None = None, org_name: str = "") -> None:
        self.request, self.web, self.user, self.actor = request, web, user, actor
        self.org_name = org_name

    def render(self, template: str, /, status: int = 200, **ctx: Any) -> HTMLResponse:
        base: dict[str, Any] = {
                "version": __version__, "notice": NOT_LEGAL_ADVICE, "user": self.user.email,
                "csrf": self.web.csrf_token, "org": self.actor.org_slug if self.actor else None,
                "role": self.actor.role if self.actor else None, "org_name": self.org_name,
                "can_write": bool(self.actor and self.actor.can("write")),
                "can_admin": bool(self.actor and self.actor.can("admin")),
                "problems": [], "today": dt.date.today()}
        return templates.TemplateResponse(self.request, template, {**base, **ctx},
                                          status_code=status)

    def check_csrf(self, form_token: str | None) -> None:
        sent = form_token or self.request.headers.get("X-CSRF-Token") or ""
        if not secrets.compare_digest(sent.encode(), self.web.csrf_token.encode()):
            raise BadCsrf()

    def back(self, path: str, message: str | None = None) -> RedirectResponse:
        suffix = f"?msg={message}" if message else ""
        return RedirectResponse(f"/o/{self.org}/{path}{suffix}", status_code=303)

    @property
    def org(self) -> str:
        assert self.actor is not None
        return self.actor.org_slug


def _page(request: Request, org: str | None = None) -> Page:
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise LoginRequired(expired=False)
    with _db(request).read() as session:
        found = accounts.resolve_session(session, cookie)
        if found is None:
            raise LoginRequired(expired=True)
        web, user = found
        request.state.actor = user.email
        if org is None:
            return Page(request, web, user)
        actor = accounts.actor_for(session, user, org)
        org_row = session.get(Organisation, actor.org_id)
        return Page(request, web, user, actor, org_row.name if org_row else org)


@contextmanager
def _write(request: Request) -> Iterator[Session]:
    with _db(request).write() as session:
        yield session


def problems_of(exc: ServiceError) -> list[str]:
    """What a form shows for a refused change: the field problems, else the one message."""
    return exc.problems if isinstance(exc, Invalid) else [exc.message]


def form_action(request: Request, org: str, csrf_token: str,
                action: Callable[[Session, Actor], Any], refused: tuple[type[ServiceError], ...],
                on_refused: Callable[[Page, ServiceError], Response],
                done_path: str, done: str) -> Response:
    """The shape of every form post on a model's pages: check the CSRF token, run the change
    in one write transaction, and either go back to ``done_path`` with message ``done`` or,
    when the service refuses it (nothing was changed), let ``on_refused`` render the page
    again with the problems."""
    page = _page(request, org)
    page.check_csrf(csrf_token)
    assert page.actor is not None
    try:
        with _write(request) as session:
            action(session, page.actor)
    except refused as exc:
        return on_refused(page, exc)
    return page.back(done_path, done)


def _model_context(session: Session, page: Page, model_id: int) -> dict[str, Any]:
    assert page.actor is not None
    model = registry.get_model(session, page.actor, model_id)
    profile = registry.latest_profile(session, model)
    latest = registry.latest_assessment(session, model)
    tracks = obligations.tracks(session, page.actor, model_id)
    today = dt.date.today()
    return {"model": model, "tracks": tracks,
            "buckets": {t.id: obligations.bucket(t, today) for t in tracks},
            "evidence_counts": obligations.evidence_counts(session, [t.id for t in tracks]),
            "profile": profile, "profile_text": profile.text,
            "edit_version": model.version, "result": latest.result if latest else None,
            "record": server_documents.latest_record(session, model),
            "kinds": server_documents.KINDS, "formats": server_documents.formats("mdf"),
            "kind_labels": labels.DOCUMENT_KIND, "format_labels": labels.FORMAT,
            "versions": registry.profile_versions(session, page.actor, model_id),
            "documents": server_documents.documents(session, page.actor, model_id),
            "chart": _chart(server_ledgers.ledgers(session, page.actor, model_id)),
            "inputs": server_inputs.inputs(session, page.actor, model_id),
            "today": dt.date.today().isoformat()}


def _chart(ledgers: list[Any]) -> dict[str, Any] | None:
    """Bars of the latest uploaded ledger's counted FLOP by phase, scaled to the threshold."""
    if not ledgers:
        return None
    summary = ledgers[-1].summary
    by_phase: dict[str, float] = summary.get("flop_by_phase", {})
    rule = default_rulebook().at(dt.date.today()).rule("ai_act.art51.presumption_threshold_flop")
    threshold = float(rule.value)
    cumulative = summary.get("cumulative") or {"flop": sum(by_phase.values())}
    total = float(cumulative["flop"])
    scale = max(total, threshold, 1.0)
    bars = [{"label": phase.replace("_", " "), "width": round(250 * flop / scale, 1),
             "text": f"{flop:.2g} FLOP"} for phase, flop in by_phase.items()]
    bars.append({"label": "threshold", "width": round(250 * threshold / scale, 1),
                 "text": f"{threshold:.2g} FLOP"})
    low, high = cumulative.get("low"), cumulative.get("high")
    return {"bars": bars, "total": f"{total:.3g} FLOP",
            "range": f"{low:.3g}–{high:.3g} FLOP" if low is not None and high is not None
            else None, "threshold": f"{threshold:.2g} FLOP", "source": rule.source,
            "files": ", ".join(summary.get("files", [ledgers[-1].filename])),
            "warnings": summary.get("warnings", [])[:5],
            "unmeasured": summary.get("unmeasured_rows", 0)}


def _profile_from(profile: str, file: UploadFile | None) -> str:
    if file is not None and file.filename:
        raw = file.file.read(registry.MAX_PROFILE_BYTES + 1)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid([f"{file.filename}: not UTF-8 text"]) from None
    return profile


def mount(app: FastAPI, *, secure_cookies: bool = False, login_attempts: int = 5) -> None:
    """Add the pages, the static files and the HTML error handling to ``app``."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    per_account = accounts.LoginLimiter(attempts=login_attempts)
    per_address = accounts.LoginLimiter(attempts=login_attempts * 5)  # many e-mails, one host
    router = APIRouter(include_in_schema=False)

    def render_error(request: Request, exc: ServiceError) -> HTMLResponse:
        titles = {403: "Not allowed", 404: "Not found", 409: "Conflict", 413: "Too large",
                  422: "Invalid input"}
        return templates.TemplateResponse(request, "error.html", {
            "version": __version__, "notice": NOT_LEGAL_ADVICE, "status": exc.status,
            "title": titles.get(exc.status, "Error"), "detail": exc.message},
            status_code=exc.status)

    app.state.render_error = render_error

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        target = quote(request.url.path)
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={target}{'&expired=1' if exc.expired else ''}",
                                status_code=303)

    @router.get("/login")
    def login_form(request: Request, next: str = "/", expired: int = 0) -> HTMLResponse:
        token = secrets.token_urlsafe(24)
        response = _login_page(request, token, next, "", None,
                               "Your session has expired; please log in again." if expired
                               else None)
        response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                            secure=secure_cookies, max_age=3600)
        return response

    def _login_page(request: Request, token: str, next: str, email: str, error: str | None,
                    message: str | None = None, status: int = 200) -> HTMLResponse:
        return templates.TemplateResponse(request, "login.html", {
            "version": __version__, "notice": NOT_LEGAL_ADVICE, "login_csrf": token,
            "next": next, "email": email, "error": error, "message": message},
            status_code=status)

    @router.post("/login")
    def login(request: Request, email: Text = "", password: Text = "",
              csrf_token: Text = "", next: Text = "/") -> Response:
        cookie = request.cookies.get(LOGIN_CSRF, "")
        if not cookie or not secrets.compare_digest(cookie.encode(), csrf_token.encode()):
            return _login_page(request, cookie, next, email,
                               "The login form expired; please try again.", status=403)
        host = request.client.host if request.client else "?"
        key = f"{host}|{email.strip().lower()}"
        if per_account.blocked(key) or per_address.blocked(host):
            return _login_page(request, cookie, next, email, "Too many failed attempts: wait "
                               "a few minutes before trying again.", status=429)
        with _write(request) as session:
            user = accounts.authenticate(session, email, password)
            if user is None:
                per_account.failed(key)
                per_address.failed(host)
                return _login_page(request, cookie, next, email,
                                   "Wrong e-mail or password.", status=401)
            per_account.succeeded(key)
            secret, _ = accounts.start_session(session, user)
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, secret, httponly=True, samesite="lax", secure=secure_cookies,
                            max_age=int(accounts.SESSION_LIFETIME.total_seconds()))
        response.delete_cookie(LOGIN_CSRF)
        return response

    @router.post("/logout")
    def logout(request: Request, csrf_token: Text = "") -> Response:
        page = _page(request)
        page.check_csrf(csrf_token)
        with _write(request) as session:
            accounts.end_session(session, request.cookies[COOKIE])
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @router.get("/")
    def home(request: Request) -> Response:
        page = _page(request)
        with _db(request).read() as session:
            orgs = accounts.memberships(session, page.user.id)
        if len(orgs) == 1:
            return RedirectResponse(f"/o/{orgs[0][0].slug}/", status_code=303)
        return page.render("orgs.html", orgs=orgs, slug="", name="")

    @router.post("/orgs")
    def create_org(request: Request, slug: Text = "", name: Text = "",
                   csrf_token: Text = "") -> Response:
        page = _page(request)
        page.check_csrf(csrf_token)
        try:
            with _write(request) as session:
                org = accounts.create_organisation(session, slug.strip(), name.strip(),
                                                   page.user.email)
                user = session.get(User, page.user.id)
                assert user is not None
                accounts.set_role(session, org, user, "admin", page.user.email)
        except (Invalid, Conflict) as exc:
            with _db(request).read() as session:
                orgs = accounts.memberships(session, page.user.id)
            problems = problems_of(exc)
            return page.render("orgs.html", status=exc.status, orgs=orgs, slug=slug,
                               name=name, problems=problems)
        return RedirectResponse(f"/o/{org.slug}/", status_code=303)

    @router.get("/o/{org}/")
    def dashboard(request: Request, org: str, offset: int = 0) -> HTMLResponse:
        page = _page(request, org)
        assert page.actor is not None
        today = dt.date.today()
        with _db(request).read() as session:
            models = registry.list_models(session, page.actor, 50, max(offset, 0))
            upcoming = registry.deadlines(session, page.actor, limit=10, after=today)
            done = obligations.done_keys(session, page.actor)
            overdue = [d for d in registry.deadlines(session, page.actor, limit=50,
                                                     before=today)
                       if (d.model_id, d.obligation) not in done][:10]
            tracking = obligations.portfolio(session, page.actor, today, limit=0)
            risk_clocks = [c for c in server_risk.org_clocks(session, page.actor, today)
                           if c["status"] in ("open", "overdue")][:10]
        # Upcoming first; passed due dates of obligations not yet signed off as met are
        # listed apart: they must already be met.
        return page.render("dashboard.html", active="dashboard", page=models,
                           counts=tracking.counts, risk_clocks=risk_clocks,
                           per_model={m["model_id"]: m for m in tracking.per_model},
                           deadlines=[d.as_dict(today) for d in upcoming],
                           passed=[d.as_dict(today) for d in overdue])

    @router.get("/o/{org}/models/new")
    def new_model(request: Request, org: str) -> HTMLResponse:
        return _page(request, org).render("model_new.html", profile="")

    @router.post("/o/{org}/models")
    def create_model(request: Request, org: str, profile: OptText = "", csrf_token: Text = "",
                     file: Annotated[UploadFile | None, File()] = None) -> Response:
        page = _page(request, org)
        page.check_csrf(csrf_token)
        assert page.actor is not None
        text = profile
        try:
            text = _profile_from(profile, file)
            with _write(request) as session:
                model = registry.create_model(session, page.actor, text)
        except (Invalid, Conflict) as exc:
            problems = problems_of(exc)
            return page.render("model_new.html", status=exc.status, profile=text,
                               problems=problems)
        return page.back(f"models/{model.id}", "created")

    @router.post("/o/{org}/validate")
    def validate(request: Request, org: str, profile: OptText = "") -> HTMLResponse:
        page = _page(request, org)
        page.check_csrf(None)
        try:
            loaded = registry.parse(profile)
        except (Invalid, ServiceError) as exc:
            problems = problems_of(exc)
            return page.render("_validation.html", problems=problems, checked=True,
                               warnings=[])
        return page.render("_validation.html", checked=True, warnings=loaded.warnings)

    @router.get("/o/{org}/models/{model_id}")
    def model_page(request: Request, org: str, model_id: int, msg: str = "") -> HTMLResponse:
        page = _page(request, org)
        with _db(request).read() as session:
            ctx = _model_context(session, page, model_id)
        return page.render("model.html", message=MESSAGES.get(msg), **ctx)

    def _model_action(request: Request, org: str, model_id: int, csrf_token: str,
                      action: Callable[[Session, Actor], Any], done: str,
                      on_error: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                      ) -> Response:
        def refused(page: Page, exc: ServiceError) -> Response:
            with _db(request).read() as session:
                ctx = _model_context(session, page, model_id)
            if on_error:
                ctx.update(on_error(ctx))
            return page.render("model.html", status=exc.status,
                               problems=exc.problems if isinstance(exc, Invalid) else [],
                               message=exc.message if isinstance(exc, Conflict) else None,
                               **ctx)

        return form_action(request, org, csrf_token, action, (Invalid, Conflict), refused,
                           f"models/{model_id}", done)

    @router.post("/o/{org}/models/{model_id}/profile")
    def save_profile(request: Request, org: str, model_id: int, profile: OptText = "",
                     version: Annotated[int, Form()] = 0, csrf_token: Text = "") -> Response:
        return _model_action(
            request, org, model_id, csrf_token,
            lambda s, a: registry.update_profile(s, a, model_id, profile, version), "saved",
            lambda ctx: {"profile_text": profile,
                         "problems_title": "The profile was not saved:"})

    @router.post("/o/{org}/models/{model_id}/record")
    def save_record(request: Request, org: str, model_id: int, record: OptText = "",
                    version: Annotated[int, Form()] = 0, csrf_token: Text = "") -> Response:
        return _model_action(
            request, org, model_id, csrf_token,
            lambda s, a: server_documents.save_record(s, a, model_id, record, version),
            "record", lambda ctx: {"record_text": record,
                                   "problems_title": "The record was not saved:"})

    @router.post("/o/{org}/models/{model_id}/assess")
    def assess(request: Request, org: str, model_id: int, as_of: Text = "",
               csrf_token: Text = "") -> Response:
        def run(session: Session, actor: Actor) -> None:
            try:
                day = dt.date.fromisoformat(as_of) if as_of else None
            except ValueError:
                raise Invalid([f"as_of: not a date (YYYY-MM-DD): {as_of!r}"]) from None
            registry.require(actor, "write")
            registry.run_assessment(session, actor, registry.get_model(session, actor,
                                                                       model_id), day)
        return _model_action(request, org, model_id, csrf_token, run, "assessed")

    @router.post("/o/{org}/models/{model_id}/documents")
    def build_document(request: Request, org: str, model_id: int, format: Text = "md",
                       kind: Text = "assessment_report", csrf_token: Text = "") -> Response:
        return _model_action(request, org, model_id, csrf_token, lambda s, a: (
            server_documents.build(s, a, model_id, kind, format)), "built")

    @router.post("/o/{org}/models/{model_id}/ledgers")
    def upload_ledger(request: Request, org: str, model_id: int, file: Annotated[
            list[UploadFile], File()], csrf_token: Text = "") -> Response:
        files = [(f.filename or "ledger.csv", f.file.read(server_ledgers.MAX_LEDGER_BYTES + 1))
                 for f in file[:server_ledgers.MAX_FILES + 1] if f.filename]
        return _model_action(request, org, model_id, csrf_token, lambda s, a: (
            server_ledgers.upload(s, a, model_id, files)), "uploaded")

    @router.get("/o/{org}/models/{model_id}/delete")
    def confirm_delete(request: Request, org: str, model_id: int) -> HTMLResponse:
        page = _page(request, org)
        assert page.actor is not None
        registry.require(page.actor, "admin")
        with _db(request).read() as session:
            model = registry.get_model(session, page.actor, model_id)
        return page.render("model_delete.html", model=model)

    @router.post("/o/{org}/models/{model_id}/inputs")
    def upload_input(request: Request, org: str, model_id: int, file: Annotated[
            UploadFile, File()], kind: Text = "", csrf_token: Text = "") -> Response:
        content = file.file.read(server_inputs.MAX_BYTES + 1)
        return _model_action(request, org, model_id, csrf_token, lambda s, a: (
            server_inputs.upload(s, a, model_id, kind, file.filename or f"{kind}.json",
                                 content)), "input")

    @router.post("/o/{org}/models/{model_id}/delete")
    def delete(request: Request, org: str, model_id: int, version: Annotated[int, Form()] = 0,
               csrf_token: Text = "") -> Response:
        page = _page(request, org)
        page.check_csrf(csrf_token)
        assert page.actor is not None
        with _write(request) as session:
            registry.delete_model(session, page.actor, model_id, version)
        return page.back("", "deleted")

    @router.get("/o/{org}/documents/{doc_id}")
    def download(request: Request, org: str, doc_id: int) -> Response:
        page = _page(request, org)
        assert page.actor is not None
        with _db(request).read() as session:
            doc = server_documents.get_document(session, page.actor, doc_id)
        return Response(doc.content, media_type=doc.media_type, headers={
            "Content-Disposition": f'attachment; filename="{safe_filename(doc.filename)}"',
            "ETag": f'"{doc.sha256}"'})

    @router.get("/o/{org}/calendar")
    def calendar_page(request: Request, org: str) -> HTMLResponse:
        page = _page(request, org)
        assert page.actor is not None
        today = dt.date.today()
        with _db(request).read() as session:
            dues = registry.deadlines(session, page.actor)
            rows = [d.as_dict(today) for d in dues]
            rows += [c for c in server_risk.org_clocks(session, page.actor, today)
                     if c["status"] not in ("done", "done_late")]
        rows.sort(key=lambda d: str(d["due"]))
        months = [(month, list(items)) for month, items in
                  groupby(rows, key=lambda d: str(d["due"])[:7])]
        # obligation dates are as each model's latest assessment computed them: say under
        # which rulebook, so dates left from another rulebook are seen (reassess to update)
        versions = sorted(Counter(d.rulebook_version for d in dues if d.rulebook_version).items())
        return page.render("calendar.html", active="calendar", months=months,
                           versions=versions, rulebook=default_rulebook())

    @router.get("/o/{org}/calendar.ics")
    def calendar_file(request: Request, org: str) -> Response:
        page = _page(request, org)
        assert page.actor is not None
        with _db(request).read() as session:
            rows = registry.deadlines(session, page.actor)
            risk = server_risk.org_clocks(session, page.actor, dt.date.today())
        feed = calendar.ical(org, rows, risk)
        return Response(feed, media_type="text/calendar", headers={
            "Content-Disposition": f'attachment; filename="gpact-{org}.ics"'})

    @router.get("/o/{org}/audit")
    def audit_page(request: Request, org: str, offset: int = 0) -> HTMLResponse:
        page = _page(request, org)
        assert page.actor is not None
        limit = 100
        with _db(request).read() as session:
            events = session.scalars(select(AuditEvent).where(
                AuditEvent.org_id == page.actor.org_id).order_by(AuditEvent.seq.desc())
                .limit(limit).offset(max(offset, 0))).all()
        return page.render("audit.html", active="audit", events=events, offset=offset,
                           limit=limit)

    def _settings(page: Page, status: int = 200, **ctx: Any) -> HTMLResponse:
        assert page.actor is not None
        with _db(page.request).read() as session:
            tokens = accounts.list_tokens(session, page.actor)
            members = accounts.members(session, page.actor)
        return page.render("settings.html", status=status, active="settings", tokens=tokens,
                           members=members, scopes=accounts.SCOPES, roles=ROLES, **ctx)

    @router.get("/o/{org}/settings")
    def settings(request: Request, org: str) -> HTMLResponse:
        return _settings(_page(request, org))

    @router.post("/o/{org}/tokens")
    def create_token(request: Request, org: str, name: Text = "",
                     scopes: Annotated[list[str] | None, Form()] = None,
                     csrf_token: Text = "") -> HTMLResponse:
        page = _page(request, org)
        page.check_csrf(csrf_token)
        assert page.actor is not None
        wanted = scopes or []
        try:
            if any(s in accounts.SCOPES and not page.actor.can(s) for s in wanted):
                raise Invalid(["scopes: a token cannot have more rights than your role"])
            with _write(request) as session:
                secret, _ = accounts.create_token(session, page.actor, name, wanted)
        except Invalid as exc:
            return _settings(page, 422, problems=exc.problems)
        return _settings(page, new_token=secret)

    @router.post("/o/{org}/tokens/{token_id}/revoke")
    def revoke(request: Request, org: str, token_id: int, csrf_token: Text = "") -> Response:
        page = _page(request, org)
        page.check_csrf(csrf_token)
        assert page.actor is not None
        with _write(request) as session:
            accounts.revoke_token(session, page.actor, token_id)
        return page.back("settings")

    @router.post("/o/{org}/members")
    def set_member(request: Request, org: str, email: Text = "", role: Text = "viewer",
                   csrf_token: Text = "") -> Response:
        page = _page(request, org)
        page.check_csrf(csrf_token)
        assert page.actor is not None
        try:
            with _write(request) as session:
                done = accounts.add_member(session, page.actor, email, role)
        except (Invalid, Conflict) as exc:
            problems = problems_of(exc)
            return _settings(page, exc.status, problems=problems)
        if done.secret:  # not a member yet: an invitation link to pass on
            return _settings(page, invited=done.email, invitation=f"/invite/{done.secret}")
        return page.back("settings")

    from gpact.web import risk_pages, workspace_pages  # they import this module's helpers

    workspace_pages.add_routes(router)
    risk_pages.add_routes(router)
    app.include_router(router)
