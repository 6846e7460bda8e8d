"""File schemas of the systemic-risk records (risk register, evaluations, incidents, requests).

These are the shapes of ``risk/register.yaml``, ``risk/evaluations.yaml``,
``risk/incidents.yaml`` and ``risk/requests.yaml`` beside a model profile (docs/risk.md). They
import nothing that does I/O, so the server can store the same shapes in its database. Unknown
keys are errors; dates are ``YYYY-MM-DD``; a value left out means "not known".
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gpact.safeio import Number, Version

SCHEMA_VERSION = 1

IncidentCategory = Literal["critical_infrastructure", "cybersecurity", "death",
                           "other_serious_harm"]
INCIDENT_CATEGORIES: tuple[str, ...] = ("critical_infrastructure", "cybersecurity", "death",
                                        "other_serious_harm")
ReportKind = Literal["initial", "intermediate", "final"]
RequestKind = Literal["downstream_provider", "ai_office", "rightsholder_complaint"]
RequestStatus = Literal["open", "answered", "rejected", "withdrawn"]
Direction = Literal["at_least", "at_most"]

_Id = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --- risk register ---------------------------------------------------------------------------

class Scenario(_Strict):
    """A risk scenario: how the risk could materialise (Commitment 2)."""

    id: str = _Id
    description: str = Field(min_length=1)


class Tier(_Strict):
    """A systemic-risk tier. Measurable when it names a metric and a threshold value."""

    id: str = _Id
    name: str | None = None
    description: str | None = None
    metric: str | None = None
    threshold: Number | None = None
    direction: Direction = "at_least"

    @property
    def measurable(self) -> bool:
        return self.metric is not None and self.threshold is not None

    def reached_by(self, value: float) -> bool:
        assert self.threshold is not None
        return value >= self.threshold if self.direction == "at_least" else value <= self.threshold


class Estimate(_Strict):
    """The current risk estimate: the highest tier reached, on a date, with its evidence."""

    estimated_on: dt.date
    tier: str | None = Field(default=None, description="Highest tier reached; null: none reached.")
    metrics: dict[str, Number] = Field(default_factory=dict)
    probability: str | None = None
    severity: str | None = None
    evidence: list[str] = Field(default_factory=list,
                                description="Evaluation ids or references to other evidence.")
    forecast: str | None = Field(default=None, description="When the next tier may be exceeded.")


class Acceptance(_Strict):
    """Whether the risk is accepted (Commitment 4), with the safety margin relied on."""

    decision: Literal["accepted", "not_accepted", "pending"]
    decided_on: dt.date | None = None
    decided_by: str | None = None
    safety_margin: str | None = None
    rationale: str | None = None


class Risk(_Strict):
    id: str = _Id
    taxonomy: str = Field(min_length=1, description="Id from the rulebook's taxonomy catalogue.")
    title: str | None = None
    scenarios: list[Scenario] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list, description="Lowest tier first.")
    estimate: Estimate | None = None
    acceptance: Acceptance | None = None


class Mitigation(_Strict):
    id: str = _Id
    kind: Literal["safety", "security"]
    description: str = Field(min_length=1)
    addresses: list[str] = Field(min_length=1, description="Ids of the risks it addresses.")
    status: Literal["planned", "in_place", "retired"] = "planned"
    since: dt.date | None = None


class EvaluationTrigger(_Strict):
    """A point in the model's lifecycle at which evaluations are run (Framework, Commitment 1)."""

    point: str = Field(min_length=1, description="E.g. 'before placing on the market'.")
    evaluations: str = Field(min_length=1, description="What is evaluated at that point.")


class Responsibilities(_Strict):
    """Who holds each systemic-risk responsibility (Commitment 8)."""

    oversight: str | None = None
    ownership: str | None = None
    support_monitoring: str | None = None
    assurance: str | None = None
    resources: str | None = Field(default=None, description="Resources and risk culture.")


class FrameworkRecord(_Strict):
    """Dates and contents of the Safety & Security Framework (Commitments 1, 8, 9)."""

    version: str | None = None
    notified_on: dt.date | None = Field(default=None,
                                        description="Date of the Art. 52 notification.")
    confirmed_on: dt.date | None = None
    sent_to_ai_office_on: dt.date | None = None
    last_assessed_on: dt.date | None = None
    security_goal: str | None = None
    changelog: list[str] = Field(default_factory=list)
    evaluation_triggers: list[EvaluationTrigger] = Field(default_factory=list)
    responsibilities: Responsibilities = Field(default_factory=Responsibilities)
    incident_process: str | None = Field(default=None, description="How serious incidents "
                                         "are tracked, reported and documented (Commitment 9).")
    external_evaluators: str | None = Field(default=None, description="When and how external "
                                            "evaluators are involved.")


class ModelDescription(_Strict):
    """The model description of the Model Report (Measure 7.1)."""

    capabilities: str | None = None
    propensities: str | None = None
    affordances: str | None = None
    intended_uses: str | None = None
    behaviour: str | None = None


class SimilarlySafe(_Strict):
    """A "similarly safe or safer" comparison with a reference model (Appendix 2)."""

    reference_model: str = Field(min_length=1)
    comparison: str = Field(min_length=1)


class ModelReportRecord(_Strict):
    """Dates and contents of the Safety & Security Model Report (Commitment 7)."""

    version: str | None = None
    sent_on: dt.date | None = None
    deferral_granted: bool = False
    last_update_confirmed_on: dt.date | None = None
    last_update_sent_on: dt.date | None = None
    among_most_capable: bool | None = Field(
        default=None, description="Among the provider's most capable models on the market "
        "(six-monthly updates, Measure 7.6).")
    justification: str | None = None
    justification_limits: str | None = None
    description: ModelDescription = Field(default_factory=ModelDescription)
    similarly_safe: SimilarlySafe | None = None
    external_evaluation_reports: list[str] = Field(default_factory=list)
    no_external_evaluation_reason: str | None = None
    security_review_reports: list[str] = Field(default_factory=list)
    no_security_review_reason: str | None = None
    landscape_changes: str | None = Field(default=None, description="Material changes to the "
                                          "systemic-risk landscape (Measure 7.5).")


class RiskRegister(_Strict):
    """``risk/register.yaml``."""

    gpact_risk: Version = 1
    risks: list[Risk] = Field(default_factory=list)
    mitigations: list[Mitigation] = Field(default_factory=list)
    framework: FrameworkRecord = Field(default_factory=FrameworkRecord)
    model_report: ModelReportRecord = Field(default_factory=ModelReportRecord)
    holidays: list[dt.date] = Field(default_factory=list,
                                    description="Extra non-business days (public holidays).")

    @model_validator(mode="after")
    def _unique_ids(self) -> RiskRegister:
        _check_unique("risks", [r.id for r in self.risks])
        _check_unique("mitigations", [m.id for m in self.mitigations])
        for risk in self.risks:
            _check_unique(f"risk {risk.id} tiers", [t.id for t in risk.tiers])
            tier_ids = {t.id for t in risk.tiers}
            if risk.estimate and risk.estimate.tier and risk.estimate.tier not in tier_ids:
                raise ValueError(f"risk {risk.id}: estimate.tier {risk.estimate.tier!r} is not "
                                 f"one of its tiers ({', '.join(sorted(tier_ids)) or 'none'})")
        risk_ids = {r.id for r in self.risks}
        for m in self.mitigations:
            unknown = [a for a in m.addresses if a not in risk_ids]
            if unknown:
                raise ValueError(f"mitigation {m.id}: addresses unknown risk(s) "
                                 f"{', '.join(unknown)}")
        return self


# --- evaluations ---------------------------------------------------------------------------

class Metric(_Strict):
    name: str = Field(min_length=1)
    value: Number
    stderr: Number | None = None


class EvaluationRun(_Strict):
    """One evaluation run (Art. 55(1)(a), Commitment 3)."""

    id: str = _Id
    benchmark: str = Field(min_length=1)
    benchmark_version: str | None = None
    run_on: dt.date
    model: str | None = None
    elicitation: str | None = Field(default=None, description="How capabilities were elicited "
                                    "(prompting, scaffolding, fine-tuning, few-shot count...).")
    adversarial: bool = False
    run_by: str | None = None
    results: list[Metric] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list, description="Risk ids it informs.")
    source: str | None = Field(default=None, description="Imported from (format and file).")
    notes: str | None = None


class EvaluationLog(_Strict):
    """``risk/evaluations.yaml``."""

    gpact_risk: Version = 1
    evaluations: list[EvaluationRun] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> EvaluationLog:
        _check_unique("evaluations", [e.id for e in self.evaluations])
        return self


# --- serious incidents ---------------------------------------------------------------------

class ReportSent(_Strict):
    kind: ReportKind
    sent_on: dt.date
    reference: str | None = None


class Incident(_Strict):
    """A serious incident (Art. 55(1)(c), Commitment 9). The clocks start at ``aware_on``."""

    id: str = _Id
    title: str = Field(min_length=1)
    category: IncidentCategory
    aware_on: dt.date = Field(description="Date the provider became aware of the model's "
                              "involvement: starts the initial-report clock.")
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    resolved_on: dt.date | None = None
    model_version: str | None = None
    harm: str | None = None
    chain_of_events: str | None = None
    model_involvement: str | None = None
    response: str | None = None
    recommendations: str | None = None
    root_cause: str | None = None
    post_market_patterns: str | None = None
    bundled_with: str | None = Field(default=None, description="Id of the first similar "
                                     "incident whose reports and timeline this one joins.")
    reports: list[ReportSent] = Field(default_factory=list)
    documented_on: dt.date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Incident:
        if self.resolved_on is not None and self.resolved_on < self.aware_on:
            raise ValueError(f"resolved_on ({self.resolved_on}) is before aware_on "
                             f"({self.aware_on})")
        if self.started_on is not None and self.started_on > self.aware_on:
            raise ValueError(f"started_on ({self.started_on}) is after aware_on "
                             f"({self.aware_on}): awareness of an incident cannot precede it")
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValueError(f"ended_on ({self.ended_on}) is before started_on "
                             f"({self.started_on})")
        for i, r in enumerate(self.reports):
            if r.sent_on < self.aware_on:
                raise ValueError(f"reports[{i}].sent_on ({r.sent_on}) is before aware_on")
            if r.kind == "final" and (self.resolved_on is None or r.sent_on < self.resolved_on):
                raise ValueError(f"reports[{i}]: a final report follows resolution "
                                 f"(resolved_on: {self.resolved_on or 'not set'})")
        return self


class IncidentLog(_Strict):
    """``risk/incidents.yaml``."""

    gpact_risk: Version = 1
    incidents: list[Incident] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> IncidentLog:
        _check_unique("incidents", [i.id for i in self.incidents])
        first = {i.id: i for i in self.incidents if i.bundled_with is None}
        for i in self.incidents:
            if i.bundled_with is not None and i.bundled_with not in first:
                raise ValueError(f"incident {i.id}: bundled_with {i.bundled_with!r} is not an "
                                 "incident of its own in this file")
        return self


# --- requests ------------------------------------------------------------------------------

class Request(_Strict):
    """A request with a clock: downstream provider, AI Office, or rightsholder complaint."""

    id: str = _Id
    kind: RequestKind
    received_on: dt.date
    requester: str | None = None
    subject: str | None = None
    deadline: dt.date | None = Field(default=None, description="The deadline the request sets "
                                     "(required for AI Office requests).")
    exceptional_circumstances: str | None = None
    status: RequestStatus = "open"
    answered_on: dt.date | None = None
    answer: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Request:
        if self.kind == "ai_office" and self.deadline is None:
            raise ValueError("an AI Office request needs 'deadline' (the date the request sets)")
        if self.deadline is not None and self.deadline < self.received_on:
            raise ValueError(f"deadline ({self.deadline}) is before received_on "
                             f"({self.received_on})")
        if self.answered_on is not None and self.answered_on < self.received_on:
            raise ValueError(f"answered_on ({self.answered_on}) is before received_on "
                             f"({self.received_on})")
        if self.status == "answered" and self.answered_on is None:
            raise ValueError("status 'answered' needs 'answered_on'")
        return self


class RequestLog(_Strict):
    """``risk/requests.yaml``."""

    gpact_risk: Version = 1
    requests: list[Request] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> RequestLog:
        _check_unique("requests", [r.id for r in self.requests])
        return self


def _check_unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what}: duplicate id {i!r}")
        seen.add(i)
