"""Web pages for a model's systemic-risk work (clocks, incidents, records, documents); they
call ``gpact.services.server_risk`` like the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact.services import server_risk
from gpact.services.accounts import Actor
from gpact.services.server_errors import Conflict, Invalid, NotFound, ServiceError
from gpact.store.models import RiskRecordVersion
from gpact.tracking import hours_left
from gpact.web.pages import Page, _db, _page, form_action, problems_of

Text = Annotated[str, Form()]
LABELS = {"register": "Risk register", "evaluations": "Evaluations",
          "incidents": "Incident log", "requests": "Requests (AI Office, downstream)"}
CATEGORIES = (("critical_infrastructure", "Serious disruption of critical infrastructure"),
              ("cybersecurity", "Serious cybersecurity breach"), ("death", "Death of a person"),
              ("other_serious_harm", "Other serious harm (health, property, environment, "
                                     "fundamental rights)"))
MESSAGES = {"saved": "Saved a new version of the record.", "opened": "Incident opened: its "
            "clocks are running.", "sent": "Report marked as sent.", "resolved":
            "Resolution recorded: the final-report clock is running.",
            "built": "Document built: it is listed on the model page.",
            "request": "Request recorded: its answer clock is running.",
            "answered": "Request marked as answered.",
            "imported": "Evaluation runs added to the evaluations record."}


def _clocks(page: Page, session: Session, model_id: int) -> dict[str, Any]:
    assert page.actor is not None
    model, m = server_risk.open_risk(session, page.actor, model_id)
    now = dt.datetime.now(dt.UTC)
    clocks = [{**c.as_dict(m.as_of), "left": hours_left(c.due, now)}
              for c in server_risk.clocks(m)]
    return {"model": model, "m": m, "clocks": clocks, "now": now.strftime("%Y-%m-%d %H:%M")}


def risk_context(page: Page, session: Session, model_id: int) -> dict[str, Any]:
    ctx = _clocks(page, session, model_id)
    model, m = ctx["model"], ctx["m"]
    texts = {}
    for kind in server_risk.KINDS:
        row = session.scalars(select(RiskRecordVersion).where(
            RiskRecordVersion.model_id == model.id, RiskRecordVersion.kind == kind)
            .order_by(RiskRecordVersion.number.desc()).limit(1)).first()
        texts[kind] = row.text if row else ""
    return {**ctx, "incidents": m.records.incidents.incidents, "present": m.records.present,
            "requests": m.records.requests.requests,
            "evaluations": m.records.evaluations.evaluations,
            "records": [(k, LABELS[k], texts[k]) for k in server_risk.KINDS],
            "categories": CATEGORIES, "today": dt.date.today().isoformat(),
            "rulebook": m.rulebook.label()}


def _day(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid([f"{name}: not a date (YYYY-MM-DD): {value!r}"]) from None


def add_routes(router: APIRouter) -> None:
    base = "/o/{org}/models/{model_id}/risk"

    def _action(request: Request, org: str, model_id: int, csrf_token: str,
                action: Callable[[Session, Actor], Any], done: str) -> Response:
        def refused(page: Page, exc: ServiceError) -> Response:
            with _db(request).read() as session:
                ctx = risk_context(page, session, model_id)
            return page.render("risk.html", status=exc.status, problems=problems_of(exc),
                               problems_title="Nothing was changed:", **ctx)

        return form_action(request, org, csrf_token, action, (Invalid, Conflict, NotFound),
                           refused, f"models/{model_id}/risk", done)

    @router.get(base)
    def risk_page(request: Request, org: str, model_id: int, msg: str = "") -> HTMLResponse:
        page = _page(request, org)
        with _db(request).read() as session:
            ctx = risk_context(page, session, model_id)
        return page.render("risk.html", message=MESSAGES.get(msg), **ctx)

    @router.get(base + "/clocks")
    def clocks_fragment(request: Request, org: str, model_id: int) -> HTMLResponse:
        page = _page(request, org)
        with _db(request).read() as session:
            ctx = _clocks(page, session, model_id)
        return page.render("_clocks.html", **ctx)

    @router.post(base + "/records/{kind}")
    def save_record(request: Request, org: str, model_id: int, kind: str, text: Text = "",
                    version: Annotated[int, Form()] = 0, csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, csrf_token, lambda s, a: server_risk.save(
            s, a, model_id, kind, text, version), "saved")

    @router.post(base + "/incidents")
    def open_incident(request: Request, org: str, model_id: int, incident_id: Text = "",
                      title: Text = "", category: Text = "", aware_on: Text = "",
                      harm: Text = "", version: Annotated[int, Form()] = 0,
                      csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, csrf_token, lambda s, a: (
            server_risk.open_incident(s, a, model_id, version, incident_id=incident_id.strip(),
                                      title=title.strip(), category=category,
                                      aware_on=_day("aware_on", aware_on), harm=harm)),
            "opened")

    @router.post(base + "/incidents/{incident_id}/reports")
    def report_sent(request: Request, org: str, model_id: int, incident_id: str,
                    kind: Text = "", sent_on: Text = "", reference: Text = "",
                    version: Annotated[int, Form()] = 0, csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, csrf_token, lambda s, a: (
            server_risk.report_sent(s, a, model_id, version, incident_id, kind,
                                    _day("sent_on", sent_on), reference)), "sent")

    @router.post(base + "/incidents/{incident_id}/resolve")
    def resolve(request: Request, org: str, model_id: int, incident_id: str,
                resolved_on: Text = "", version: Annotated[int, Form()] = 0,
                csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, csrf_token, lambda s, a: (
            server_risk.resolve(s, a, model_id, version, incident_id,
                                _day("resolved_on", resolved_on))), "resolved")

    @router.post(base + "/requests")
    def open_request(request: Request, org: str, model_id: int, request_id: Text = "",
                     kind: Text = "", received_on: Text = "", deadline: Text = "",
                     subject: Text = "", version: Annotated[int, Form()] = 0,
                     csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, csrf_token, lambda s, a: (
            server_risk.open_request(s, a, model_id, version, request_id=request_id.strip(),
                                     kind=kind, received_on=_day("received_on", received_on),
                                     deadline=_day("deadline", deadline) if deadline else None,
                                     subject=subject)), "request")

    @router.post(base + "/requests/{request_id}/answer")
    def answer_request(request: Request, org: str, model_id: int, request_id: str,
                       answered_on: Text = "", version: Annotated[int, Form()] = 0,
                       csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, csrf_token, lambda s, a: (
            server_risk.answer_request(s, a, model_id, version, request_id,
                                       _day("answered_on", answered_on))), "answered")

    @router.post(base + "/evaluations")
    def import_evaluation(request: Request, org: str, model_id: int,
                          file: Annotated[UploadFile, File()],
                          version: Annotated[int, Form()] = 0,
                          csrf_token: Text = "") -> Response:
        content = file.file.read(server_risk.MAX_RECORD_BYTES * 10 + 1)
        return _action(request, org, model_id, csrf_token, lambda s, a: (
            server_risk.import_evaluation(s, a, model_id, version,
                                          file.filename or "eval.json", content)), "imported")

    @router.post(base + "/documents")
    def build(request: Request, org: str, model_id: int, what: Text = "",
              format: Text = "md", csrf_token: Text = "") -> Response:
        return _action(request, org, model_id, csrf_token, lambda s, a: (
            server_risk.build(s, a, model_id, what, format)), "built")
