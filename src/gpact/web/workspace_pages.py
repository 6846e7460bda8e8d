"""Web pages of the workspace: one obligation (state, evidence, sign-off, history) and the
tracking portfolio with filters. They call ``gpact.services.obligations`` like the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gpact.services import accounts, labels, record_form, registry, server_documents
from gpact.services import evidence_pack as packs
from gpact.services import obligations as service
from gpact.services.accounts import Actor
from gpact.services.server_errors import Conflict, Forbidden, Invalid, ServiceError
from gpact.store.models import SIGN_OFF_ROLES
from gpact.web.pages import Page, _db, _page, _write, form_action, problems_of

Text = Annotated[str, Form()]
MESSAGES = {"changed": "Saved.", "asked": "Sign-off asked for: a reviewer (not you) can now "
            "sign it off as met.", "signed": "Signed off as met.",
            "evidence": "Evidence added."}


def obligation_context(session: Session, page: Page, model_id: int,
                       obligation: str) -> dict[str, Any]:
    assert page.actor is not None
    track = service.get_track(session, page.actor, model_id, obligation)
    required, encouraged, source = service.publication_rules()
    model = registry.get_model(session, page.actor, model_id)
    today = dt.date.today()
    return {"model": model, "track": track, "bucket": service.bucket(track, today),
            "evidence": service.evidence_of(session, track),
            "history": service.history(session, page.actor, track),
            "documents": server_documents.documents(session, page.actor, model_id),
            "members": accounts.members(session, page.actor),
            "states": service.STATES, "must_publish": obligation in required,
            "should_publish": obligation in encouraged, "publication_source": source,
            "can_sign": page.actor.role in SIGN_OFF_ROLES and page.actor.can("write")
            and track.sign_off_requested_by not in (None, page.actor.email),
            "today": today.isoformat(), "kind_labels": labels.DOCUMENT_KIND}


def add_routes(router: APIRouter) -> None:
    """Add the workspace pages to the web app's router."""

    def _action(request: Request, org: str, model_id: int, obligation: str, csrf_token: str,
                action: Callable[[Session, Actor], Any], done: str) -> Response:
        def refused(page: Page, exc: ServiceError) -> Response:
            with _db(request).read() as session:
                ctx = obligation_context(session, page, model_id, obligation)
            return page.render("obligation.html", status=exc.status, problems=problems_of(exc),
                               problems_title="Nothing was changed:", **ctx)

        return form_action(request, org, csrf_token, action, (Invalid, Conflict, Forbidden),
                           refused, f"models/{model_id}/obligations/{obligation}", done)

    @router.get("/o/{org}/models/{model_id}/obligations/{obligation}")
    def obligation_page(request: Request, org: str, model_id: int, obligation: str,
                        msg: str = "") -> HTMLResponse:
        page = _page(request, org)
        with _db(request).read() as session:
            ctx = obligation_context(session, page, model_id, obligation)
        return page.render("obligation.html", message=MESSAGES.get(msg), **ctx)

    @router.post("/o/{org}/models/{model_id}/obligations/{obligation}")
    def change(request: Request, org: str, model_id: int, obligation: str,
               version: Annotated[int, Form()] = 0, state: Text = "", owner: Text = "",
               notes: Text = "", justification: Text = "", csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, obligation, csrf_token, lambda s, a: (
            service.change(s, a, model_id, obligation, version, state=state or None,
                           owner=owner, notes=notes, justification=justification)),
            "asked" if state == "met" else "changed")

    @router.post("/o/{org}/models/{model_id}/obligations/{obligation}/sign-off")
    def sign_off(request: Request, org: str, model_id: int, obligation: str,
                 version: Annotated[int, Form()] = 0, csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, obligation, csrf_token, lambda s, a: (
            service.sign_off(s, a, model_id, obligation, version)), "signed")

    @router.post("/o/{org}/models/{model_id}/obligations/{obligation}/evidence")
    def add_evidence(request: Request, org: str, model_id: int, obligation: str,
                     kind: Text = "", document_id: Text = "", url: Text = "",
                     published_on: Text = "", note: Text = "", csrf_token: Text = "",
                     file: Annotated[UploadFile | None, File()] = None) -> Response:
        content = file.file.read(service.MAX_EVIDENCE_BYTES + 1) if file is not None \
            and file.filename else b""
        name = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1] if file else ""

        def run(session: Session, actor: Actor) -> None:
            if kind == "document":
                if not document_id.isdigit():
                    raise Invalid(["document_id: choose a document built for this model"])
                service.add_document(session, actor, model_id, obligation, int(document_id),
                                     note)
            elif kind == "publication":
                try:
                    day = dt.date.fromisoformat(published_on)
                except ValueError:
                    raise Invalid([f"published_on: not a date (YYYY-MM-DD): "
                                   f"{published_on!r}"]) from None
                service.add_publication(session, actor, model_id, obligation, url, day, note)
            elif kind == "file":
                if not name:
                    raise Invalid(["file: choose a file to upload"])
                service.add_file(session, actor, model_id, obligation, name, content, note)
            else:
                raise Invalid(["kind: choose document, file or publication"])

        return _action(request, org, model_id, obligation, csrf_token, run, "evidence")

    @router.get("/o/{org}/evidence/{evidence_id}")
    def download_evidence(request: Request, org: str, evidence_id: int) -> Response:
        page = _page(request, org)
        assert page.actor is not None
        with _db(request).read() as session:
            row = service.get_evidence(session, page.actor, evidence_id)
        if row.content is None:
            raise Invalid(["evidence: a document or publication has no file of its own"])
        return Response(row.content, media_type=row.media_type, headers={
            "Content-Disposition": f'attachment; filename="{row.filename}"',
            "ETag": f'"{row.sha256}"'})

    @router.get("/o/{org}/models/{model_id}/evidence-pack")
    def evidence_pack(request: Request, org: str, model_id: int) -> Response:
        page = _page(request, org)
        assert page.actor is not None
        with _write(request) as session:
            name, content = packs.build(session, page.actor, model_id)
        return Response(content, media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{name}"'})

    @router.get("/o/{org}/models/{model_id}/record/form")
    def record_form_page(request: Request, org: str, model_id: int) -> HTMLResponse:
        page = _page(request, org)
        assert page.actor is not None
        with _db(request).read() as session:
            model = registry.get_model(session, page.actor, model_id)
            row = server_documents.latest_record(session, model)
        return page.render("record_form.html", model=model, record=row,
                           groups=record_form.groups(row.text if row else ""))

    @router.post("/o/{org}/models/{model_id}/record/form")
    async def save_record_form(request: Request, org: str, model_id: int) -> Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        page = _page(request, org)
        page.check_csrf(values.get("csrf_token"))
        assert page.actor is not None
        actor = page.actor
        version = int(values["version"]) if values.get("version", "").isdigit() else 0

        def store() -> Response:
            with _db(request).read() as session:
                model = registry.get_model(session, actor, model_id)
                row = server_documents.latest_record(session, model)
            current = row.text if row else "gpact_record: 1\n"
            try:
                text = record_form.apply(current, {k[2:]: v for k, v in values.items()
                                                   if k.startswith("f.")})
                with _write(request) as session:
                    server_documents.save_record(session, actor, model_id, text, version)
            except (Invalid, Conflict) as exc:
                problems = problems_of(exc)
                return page.render("record_form.html", status=exc.status, model=model,
                                   record=row, groups=record_form.groups(current),
                                   problems=problems, problems_title="Nothing was saved:")
            return page.back(f"models/{model_id}", "record")

        return await anyio.to_thread.run_sync(store)

    @router.get("/o/{org}/obligations")
    def tracking_page(request: Request, org: str, bucket: str = "", state: str = "",
                      model: str = "", offset: int = 0) -> HTMLResponse:
        page = _page(request, org)
        assert page.actor is not None
        model_id = int(model) if model.isdigit() else None
        with _db(request).read() as session:
            p = service.portfolio(session, page.actor, dt.date.today(), bucket_filter=bucket,
                                  state=state, model_id=model_id, limit=50,
                                  offset=max(offset, 0))
        query = "&".join(f"{k}={v}" for k, v in (("bucket", bucket), ("state", state),
                                                  ("model", model)) if v)
        return page.render("tracking.html", active="obligations", p=p, bucket=bucket,
                           state=state, model=model, query=query, buckets=service.BUCKETS,
                           states=service.STATES)
