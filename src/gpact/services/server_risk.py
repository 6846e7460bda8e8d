"""Systemic-risk records in the server, read and computed by gpact.risk (as the CLI does).

Each model keeps versioned copies of the four files ``gpact risk`` reads (``register``,
``evaluations``, ``incidents``, ``requests``), validated by the same schema and loader. The
incident actions of the web app (open an incident, record a report sent, resolve it) edit
the incident log and save a new version; clocks and documents (incident reports, the Safety
and Security Framework, the Model Report) come from ``gpact.risk``. Built documents are
stored like every other document (immutable, content-hashed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact.errors import InputError
from gpact.risk.clocks import Clock
from gpact.risk.documents import (
    REPORT_KINDS,
    framework_document,
    incident_report,
    model_report_document,
)
from gpact.risk.importers import import_evaluations
from gpact.risk.reports import Document as RiskDocument
from gpact.risk.reports import render
from gpact.risk.schema import EvaluationLog, Incident, IncidentLog, ReportSent, RequestLog
from gpact.risk.store import FILES, RiskRecords, load_file
from gpact.services import registry, server_documents
from gpact.services.accounts import Actor
from gpact.services.risk import ModelRisk, model_risk, risk_clocks
from gpact.services.server_errors import Invalid, NotFound, TooLarge
from gpact.store import audit
from gpact.store.models import Document, Model, RiskRecordVersion

KINDS = tuple(FILES)
MAX_RECORD_BYTES = 1024 * 1024
BUILDS = ("framework", "model_report")
FORMATS = ("md", "html", "json")


def _latest(session: Session, model: Model, kind: str) -> RiskRecordVersion | None:
    return session.scalars(select(RiskRecordVersion).where(
        RiskRecordVersion.model_id == model.id, RiskRecordVersion.kind == kind)
        .order_by(RiskRecordVersion.number.desc()).limit(1)).first()


def parse(kind: str, text: str) -> BaseModel:
    """Validate a record with gpact.risk's loader; problems name the file kind and field."""
    if kind not in FILES:
        raise Invalid([f"kind: one of {', '.join(KINDS)}"])
    if len(text.encode()) > MAX_RECORD_BYTES:
        raise TooLarge(f"{kind}: larger than {MAX_RECORD_BYTES // 1024} KiB")
    with tempfile.TemporaryDirectory(prefix="gpact-risk-") as tmp:
        path = Path(tmp) / f"{FILES[kind][0]}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_file(path, FILES[kind][1])
        except InputError as exc:
            raise Invalid([exc.message().replace(str(path), f"{kind}.yaml")]) from None


def records(session: Session, model: Model) -> RiskRecords:
    loaded: dict[str, Any] = {}
    present = set()
    for kind in KINDS:
        row = _latest(session, model, kind)
        if row is not None:
            present.add(kind)
            loaded[kind] = parse(kind, row.text)
        else:
            loaded[kind] = FILES[kind][1]()
    return RiskRecords(folder=Path("."), register=loaded["register"],
                       evaluations=loaded["evaluations"], incidents=loaded["incidents"],
                       requests=loaded["requests"], present=frozenset(present))


def open_risk(session: Session, actor: Actor, model_id: int,
              as_of: dt.date | None = None) -> tuple[Model, ModelRisk]:
    registry.require(actor, "read")
    model = registry.get_model(session, actor, model_id)
    loaded = registry.parse(registry.latest_profile(session, model).text)
    try:
        return model, model_risk(loaded, records(session, model), as_of or dt.date.today())
    except InputError as exc:
        raise Invalid([exc.message()]) from None


def clocks(m: ModelRisk) -> list[Clock]:
    return risk_clocks(m)


def save(session: Session, actor: Actor, model_id: int, kind: str, text: str,
         expected_version: int, action: str = "risk.save") -> RiskRecordVersion:
    """Save a new version of one risk record (a change of the model: its version moves)."""
    registry.require(actor, "write")
    model = registry.get_model(session, actor, model_id)
    parse(kind, text)
    old = _latest(session, model, kind)
    registry.bump_version(session, model, expected_version)
    row = RiskRecordVersion(model_id=model.id, kind=kind, number=(old.number + 1) if old else 1,
                            text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                            created_by=actor.label)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.label, action=action, entity="model",
                 entity_id=model.id, org_id=actor.org_id,
                 before=None if old is None else {kind: old.number, "sha256": old.sha256},
                 after={kind: row.number, "sha256": row.sha256}, detail={"kind": kind})
    return row


def _dump(record: BaseModel) -> str:
    return yaml.safe_dump(record.model_dump(mode="json", exclude_none=True), sort_keys=False,
                          allow_unicode=True)


def _incidents(session: Session, actor: Actor, model_id: int) -> IncidentLog:
    model = registry.get_model(session, actor, model_id)
    row = _latest(session, model, "incidents")
    log = parse("incidents", row.text) if row else IncidentLog()
    assert isinstance(log, IncidentLog)
    return log


def _validated_log(data: dict[str, Any]) -> IncidentLog:
    try:
        return IncidentLog.model_validate(data)
    except ValidationError as exc:
        raise Invalid([".".join(str(p) for p in e["loc"]) + ": " + e["msg"]
                       for e in exc.errors()]) from None


def open_incident(session: Session, actor: Actor, model_id: int, version: int, *,
                  incident_id: str, title: str, category: str, aware_on: dt.date,
                  harm: str = "") -> RiskRecordVersion:
    """Record a serious incident and the day the provider became aware (starts the clocks)."""
    log = _incidents(session, actor, model_id)
    if any(i.id == incident_id for i in log.incidents):
        raise Invalid([f"id: an incident {incident_id!r} is recorded already"])
    if aware_on > dt.date.today():
        raise Invalid([f"aware_on: {aware_on} is in the future"])
    data = log.model_dump(mode="json", exclude_none=True)
    data["incidents"].append({"id": incident_id, "title": title, "category": category,
                              "aware_on": aware_on.isoformat(), **({"harm": harm} if harm
                                                                   else {})})
    return save(session, actor, model_id, "incidents", _dump(_validated_log(data)), version,
                "incident.open")


def _change_incident(session: Session, actor: Actor, model_id: int, version: int,
                     incident_id: str, change: dict[str, Any], action: str
                     ) -> RiskRecordVersion:
    log = _incidents(session, actor, model_id)
    data = log.model_dump(mode="json", exclude_none=True)
    found = next((i for i in data["incidents"] if i["id"] == incident_id), None)
    if found is None:
        raise NotFound(f"model {model_id} has no incident {incident_id!r}")
    for key, value in change.items():
        if key == "reports":
            found.setdefault("reports", []).append(value)
        else:
            found[key] = value
    return save(session, actor, model_id, "incidents", _dump(_validated_log(data)), version,
                action)


def report_sent(session: Session, actor: Actor, model_id: int, version: int,
                incident_id: str, kind: str, sent_on: dt.date, reference: str = ""
                ) -> RiskRecordVersion:
    if kind not in REPORT_KINDS:
        raise Invalid([f"kind: one of {', '.join(REPORT_KINDS)}"])
    if sent_on > dt.date.today():
        raise Invalid([f"sent_on: {sent_on} is in the future"])
    sent = ReportSent.model_validate({"kind": kind, "sent_on": sent_on,
                                      "reference": reference or None})
    return _change_incident(session, actor, model_id, version, incident_id,
                            {"reports": sent.model_dump(mode="json", exclude_none=True)},
                            "incident.report_sent")


def resolve(session: Session, actor: Actor, model_id: int, version: int, incident_id: str,
            resolved_on: dt.date) -> RiskRecordVersion:
    if resolved_on > dt.date.today():
        raise Invalid([f"resolved_on: {resolved_on} is in the future"])
    return _change_incident(session, actor, model_id, version, incident_id,
                            {"resolved_on": resolved_on.isoformat()}, "incident.resolve")


def _requests(session: Session, actor: Actor, model_id: int) -> dict[str, Any]:
    model = registry.get_model(session, actor, model_id)
    row = _latest(session, model, "requests")
    log = parse("requests", row.text) if row else RequestLog()
    return log.model_dump(mode="json", exclude_none=True)


def _validated(model: type[BaseModel], data: dict[str, Any]) -> str:
    try:
        return _dump(model.model_validate(data))
    except ValidationError as exc:
        raise Invalid([".".join(str(p) for p in e["loc"][2:] or e["loc"]) + ": "
                       + e["msg"].removeprefix("Value error, ") for e in exc.errors()]
                      ) from None


def open_request(session: Session, actor: Actor, model_id: int, version: int, *,
                 request_id: str, kind: str, received_on: dt.date,
                 deadline: dt.date | None = None, requester: str = "",
                 subject: str = "") -> RiskRecordVersion:
    """Record a request from the AI Office, a downstream provider or a rightsholder; its
    answer clock comes from gpact.risk (the request's deadline, or the Code's 14 days)."""
    data = _requests(session, actor, model_id)
    if any(r["id"] == request_id for r in data["requests"]):
        raise Invalid([f"id: a request {request_id!r} is recorded already"])
    entry = {"id": request_id, "kind": kind, "received_on": received_on.isoformat(),
             "deadline": deadline.isoformat() if deadline else None,
             "requester": requester or None, "subject": subject or None}
    data["requests"].append({k: v for k, v in entry.items() if v is not None})
    return save(session, actor, model_id, "requests",
                _validated(RequestLog, data), version, "request.open")


def answer_request(session: Session, actor: Actor, model_id: int, version: int,
                   request_id: str, answered_on: dt.date, answer: str = ""
                   ) -> RiskRecordVersion:
    if answered_on > dt.date.today():
        raise Invalid([f"answered_on: {answered_on} is in the future"])
    data = _requests(session, actor, model_id)
    found = next((r for r in data["requests"] if r["id"] == request_id), None)
    if found is None:
        raise NotFound(f"model {model_id} has no request {request_id!r}")
    found.update(status="answered", answered_on=answered_on.isoformat(),
                 **({"answer": answer} if answer else {}))
    return save(session, actor, model_id, "requests",
                _validated(RequestLog, data), version, "request.answer")


def import_evaluation(session: Session, actor: Actor, model_id: int, version: int,
                      filename: str, content: bytes, harness: str = "auto"
                      ) -> RiskRecordVersion:
    """Add the runs of an Inspect log or lm-evaluation-harness results file (the formats of
    ``gpact risk import-eval``, read by the same importer) to the evaluations record."""
    if len(content) > MAX_RECORD_BYTES * 10:
        raise TooLarge(f"file: larger than {MAX_RECORD_BYTES * 10 // 1024**2} MiB")
    model = registry.get_model(session, actor, model_id)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename.rsplit("/", 1)[-1]) or "eval.json"
    with tempfile.TemporaryDirectory(prefix="gpact-eval-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            runs = import_evaluations(path, harness, actor.email)
        except InputError as exc:
            raise Invalid([exc.message().replace(str(path), name)]) from None
    row = _latest(session, model, "evaluations")
    log = parse("evaluations", row.text) if row else EvaluationLog()
    assert isinstance(log, EvaluationLog)
    known = {e.id for e in log.evaluations}
    new = [r for r in runs if r.id not in known]
    if not new:
        raise Invalid([f"file: {name}: its runs are in the evaluations record already"])
    text = _dump(EvaluationLog(evaluations=[*log.evaluations, *new]))
    return save(session, actor, model_id, "evaluations", text, version, "evaluation.import")


def incident(m: ModelRisk, incident_id: str) -> Incident:
    found = next((i for i in m.records.incidents.incidents if i.id == incident_id), None)
    if found is None:
        raise NotFound(f"no incident {incident_id!r}")
    return found


def build(session: Session, actor: Actor, model_id: int, what: str, fmt: str) -> Document:
    """Build an incident report (``incident:<id>:<kind>``), the Framework or the Model Report
    with gpact.risk, and keep it as a document."""
    registry.require(actor, "write")
    if fmt not in FORMATS:
        raise Invalid([f"format: one of {', '.join(FORMATS)}"])
    model, m = open_risk(session, actor, model_id)
    label = m.rulebook.label()
    try:
        if what.startswith("incident:"):
            _, incident_id, kind = [*what.split(":"), "", ""][:3]
            doc: RiskDocument = incident_report(incident(m, incident_id), kind, m.model,
                                                m.as_of, m.rules, label)
            kind_name = f"incident-{kind}-report"
        elif what in BUILDS:
            if "register" not in m.records.present:
                raise Invalid(["register: upload the risk register first"])
            doc = framework_document(m.records.register, m.model, m.as_of, m.rules, label) \
                if what == "framework" else model_report_document(
                    m.records.register, m.records.evaluations, m.model, m.as_of, m.rules,
                    label)
            kind_name = what.replace("_", "-")
        else:
            raise Invalid([f"what: one of {', '.join(BUILDS)} or incident:<id>:<kind>"])
    except InputError as exc:
        raise Invalid([exc.message().replace("--kind", "kind")]) from None
    content = render(doc, fmt).encode()
    digest = hashlib.sha256(content).hexdigest()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", model.name).strip("-") or "model"
    row = Document(model_id=model.id, assessment_id=model.latest_assessment_id, kind=kind_name,
                   format=fmt, media_type=server_documents.MEDIA_TYPES[fmt],
                   filename=f"{safe}-{kind_name}-{digest[:8]}.{fmt}", sha256=digest,
                   size=len(content), content=content,
                   completeness={"basis": "gaps", "gaps": doc.gaps[:50],
                                 "missing": doc.gaps[:50]}, created_by=actor.label)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.label, action="document.build", entity="document",
                 entity_id=row.id, org_id=actor.org_id, after={"sha256": digest},
                 detail={"model": model.id, "kind": kind_name, "format": fmt})
    return row


def org_clocks(session: Session, actor: Actor, today: dt.date) -> list[dict[str, Any]]:
    """Every dated risk clock of the organisation's models that keep risk records (for the
    calendar and the portfolio), soonest first."""
    registry.require(actor, "read")
    ids = session.scalars(select(RiskRecordVersion.model_id)
                          .join(Model, Model.id == RiskRecordVersion.model_id)
                          .where(Model.org_id == actor.org_id).distinct()).all()
    out = []
    for model_id in ids:
        try:
            model, m = open_risk(session, actor, model_id, today)
        except Invalid:
            continue  # a record that no longer validates shows on the model's risk page
        starts = _starts(m)
        for c in clocks(m):
            if c.due is not None:
                start = starts.get(c.id)
                out.append({"model_id": model.id, "model": model.name, "title": c.title,
                            "id": c.id, "period_days": (c.due - start).days if start else None,
                            "source": c.source, "due": c.due, "status": c.status(today),
                            "days_left": (c.due - today).days,
                            "overdue": c.status(today) == "overdue"})
    return sorted(out, key=lambda c: (c["due"], c["model"], c["title"]))


def _starts(m: ModelRisk) -> dict[str, dt.date]:
    """When each incident or request clock started, to fit its calendar alarm."""
    out = {f"incident:{i.id}:initial": i.aware_on for i in m.records.incidents.incidents}
    out.update({f"incident:{i.id}:final": i.resolved_on
                for i in m.records.incidents.incidents if i.resolved_on})
    out.update({f"request:{r.id}": r.received_on for r in m.records.requests.requests})
    return out
