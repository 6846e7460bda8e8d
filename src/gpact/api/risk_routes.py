"""REST routes for a model's systemic-risk work: records, incident clocks, reports, documents.

The arithmetic and the documents are gpact.risk's; these routes only store the records
(versioned, with the model's version for lost-update protection) and serve the results.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Form, Header, Path, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from gpact.api.routes import ERRORS, JSON_BODY, ActorDep, Id, _if_match, db_of
from gpact.services import server_risk
from gpact.services.risk import ModelRisk
from gpact.tracking import hours_left

router: APIRouter = APIRouter()
BASE = "/orgs/{org}/models/{model_id}"
RecordKind = Annotated[Literal["register", "evaluations", "incidents", "requests"], Path()]
IncidentId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Version = Field(None, ge=1, le=2**31 - 1, description="The model version you edited; or "
                "`If-Match`.")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RiskRecordIn(_In):
    text: str = Field(max_length=1048576, description="The record as `gpact risk` reads it "
                      "(YAML or JSON).")
    version: int | None = Version


class IncidentIn(_In):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    title: str = Field(min_length=1, max_length=500)
    category: Literal["critical_infrastructure", "cybersecurity", "death",
                      "other_serious_harm"]
    aware_on: dt.date = Field(description="When the provider became aware: starts the clocks.")
    harm: str = Field("", max_length=20000)
    version: int | None = Version


class ReportSentIn(_In):
    kind: Literal["initial", "intermediate", "final"]
    sent_on: dt.date
    reference: str = Field("", max_length=200)
    version: int | None = Version


class ResolveIn(_In):
    resolved_on: dt.date
    version: int | None = Version


class RequestIn(_In):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    kind: Literal["ai_office", "downstream_provider", "rightsholder_complaint"]
    received_on: dt.date
    deadline: dt.date | None = Field(None, description="Required for AI Office requests.")
    requester: str = Field("", max_length=500)
    subject: str = Field("", max_length=2000)
    version: int | None = Version


class AnswerIn(_In):
    answered_on: dt.date
    answer: str = Field("", max_length=20000)
    version: int | None = Version


class RiskDocumentIn(_In):
    what: str = Field(max_length=200, pattern=r"^(framework|model_report|incident:[A-Za-z0-9._-]+"
                      r":(initial|intermediate|final))$")
    format: Literal["md", "html", "json"] = "md"


class ClockOut(BaseModel):
    id: str
    kind: str
    title: str
    due: dt.date | None
    done_on: dt.date | None
    status: str
    source: str
    note: str | None
    hours_left: float | None = Field(description="Hours to the end of the due day (UTC); "
                                     "negative when passed.")


class RiskOut(BaseModel):
    model_version: int
    records: dict[str, dict[str, Any] | None]
    clocks: list[ClockOut]
    incidents: list[dict[str, Any]]
    requests: list[dict[str, Any]]


def risk_out(session: Any, model_version: int, m: ModelRisk) -> RiskOut:
    today = m.as_of
    return RiskOut(
        model_version=model_version,
        records={k: ({"present": True} if k in m.records.present else None)
                 for k in server_risk.KINDS},
        clocks=[ClockOut(**c.as_dict(today), hours_left=hours_left(c.due))
                for c in server_risk.clocks(m)],
        incidents=[i.model_dump(mode="json", exclude_none=True)
                   for i in m.records.incidents.incidents],
        requests=[r.model_dump(mode="json", exclude_none=True)
                  for r in m.records.requests.requests])


@router.get(BASE + "/risk", response_model=RiskOut, responses=ERRORS, tags=["systemic risk"])
def get_risk(request: Request, actor: ActorDep, model_id: Id) -> RiskOut:
    """The model's risk records, live clocks (Framework, Model Report, incidents, requests)
    with hours left, incidents and requests, computed by gpact.risk as of today."""
    with db_of(request).read() as session:
        model, m = server_risk.open_risk(session, actor, model_id)
        return risk_out(session, model.version, m)


def _after(request: Request, actor: Any, model_id: int) -> RiskOut:
    with db_of(request).read() as session:
        model, m = server_risk.open_risk(session, actor, model_id)
        return risk_out(session, model.version, m)


@router.put(BASE + "/risk/{record}", response_model=RiskOut, responses=ERRORS,
            dependencies=JSON_BODY, tags=["systemic risk"])
def save_record(request: Request, actor: ActorDep, model_id: Id, record: RecordKind,
                body: RiskRecordIn,
                if_match: Annotated[str | None, Header()] = None) -> RiskOut:
    """Save a new version of the register, evaluations, incidents or requests record."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        server_risk.save(session, actor, model_id, record, body.text, expected)
    return _after(request, actor, model_id)


@router.post(BASE + "/incidents", response_model=RiskOut, status_code=201, responses=ERRORS,
             dependencies=JSON_BODY, tags=["systemic risk"])
def open_incident(request: Request, actor: ActorDep, model_id: Id, body: IncidentIn,
                  if_match: Annotated[str | None, Header()] = None) -> RiskOut:
    """Open a serious incident (Art. 55(1)(c)): its report clocks start at ``aware_on``."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        server_risk.open_incident(session, actor, model_id, expected, incident_id=body.id,
                                  title=body.title, category=body.category,
                                  aware_on=body.aware_on, harm=body.harm)
    return _after(request, actor, model_id)


@router.post(BASE + "/incidents/{incident_id}/reports", response_model=RiskOut,
             responses=ERRORS, dependencies=JSON_BODY, tags=["systemic risk"])
def report_sent(request: Request, actor: ActorDep, model_id: Id, incident_id: IncidentId,
                body: ReportSentIn,
                if_match: Annotated[str | None, Header()] = None) -> RiskOut:
    """Mark an initial, intermediate or final report as sent (stops its clock)."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        server_risk.report_sent(session, actor, model_id, expected, incident_id, body.kind,
                                body.sent_on, body.reference)
    return _after(request, actor, model_id)


@router.post(BASE + "/incidents/{incident_id}/resolve", response_model=RiskOut,
             responses=ERRORS, dependencies=JSON_BODY, tags=["systemic risk"])
def resolve(request: Request, actor: ActorDep, model_id: Id, incident_id: IncidentId,
            body: ResolveIn, if_match: Annotated[str | None, Header()] = None) -> RiskOut:
    """Record the incident's resolution: starts the final-report clock."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        server_risk.resolve(session, actor, model_id, expected, incident_id,
                            body.resolved_on)
    return _after(request, actor, model_id)


@router.post(BASE + "/requests", response_model=RiskOut, status_code=201, responses=ERRORS,
             dependencies=JSON_BODY, tags=["systemic risk"])
def open_request(request: Request, actor: ActorDep, model_id: Id, body: RequestIn,
                 if_match: Annotated[str | None, Header()] = None) -> RiskOut:
    """Record a request from the AI Office (with its deadline), a downstream provider (14
    days by default) or a rightsholder; its clock is on the risk page and the calendar."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        server_risk.open_request(session, actor, model_id, expected, request_id=body.id,
                                 kind=body.kind, received_on=body.received_on,
                                 deadline=body.deadline, requester=body.requester,
                                 subject=body.subject)
    return _after(request, actor, model_id)


@router.post(BASE + "/requests/{request_id}/answer", response_model=RiskOut, responses=ERRORS,
             dependencies=JSON_BODY, tags=["systemic risk"])
def answer_request(request: Request, actor: ActorDep, model_id: Id, request_id: IncidentId,
                   body: AnswerIn,
                   if_match: Annotated[str | None, Header()] = None) -> RiskOut:
    """Record that a request was answered (stops its clock)."""
    expected = _if_match(if_match, body.version)
    with db_of(request).write() as session:
        server_risk.answer_request(session, actor, model_id, expected, request_id,
                                   body.answered_on, body.answer)
    return _after(request, actor, model_id)


@router.post(BASE + "/evaluations", response_model=RiskOut, status_code=201, responses=ERRORS,
             tags=["systemic risk"])
async def import_evaluation(request: Request, actor: ActorDep, model_id: Id,
                            file: UploadFile, version: Annotated[int, Form(ge=1,
                                                                           le=2**31 - 1)],
                            harness: Annotated[Literal["auto", "inspect", "lm-eval"],
                                               Form()] = "auto") -> RiskOut:
    """Upload an Inspect eval log or lm-evaluation-harness results (JSON, the formats of
    ``gpact risk import-eval``); its runs are added to the evaluations record."""
    content = await file.read(server_risk.MAX_RECORD_BYTES * 10 + 1)

    def store() -> RiskOut:
        with db_of(request).write() as session:
            server_risk.import_evaluation(session, actor, model_id, version,
                                          file.filename or "eval.json", content, harness)
        return _after(request, actor, model_id)

    return await anyio.to_thread.run_sync(store)


@router.post(BASE + "/risk-documents", status_code=201, responses=ERRORS,
             dependencies=JSON_BODY, tags=["systemic risk"])
def build_document(request: Request, actor: ActorDep, model_id: Id,
                   body: RiskDocumentIn) -> dict[str, Any]:
    """Build an incident report, the Safety and Security Framework or the Model Report; it is
    kept as a document (download it from /documents/{id}, add it as evidence to sign off)."""
    with db_of(request).write() as session:
        doc = server_risk.build(session, actor, model_id, body.what, body.format)
        return {"id": doc.id, "kind": doc.kind, "format": doc.format, "filename": doc.filename,
                "sha256": doc.sha256, "size": doc.size, "gaps": doc.completeness["gaps"]}
