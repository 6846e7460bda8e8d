"""Safety & Security Framework and Model Report: every content item the Code asks for, each
section citing its measure, and a gap for every item the records lack."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gpact.risk.documents import ModelInfo, framework_document, model_report_document
from gpact.risk.reports import Document, render
from gpact.risk.schema import EvaluationLog, RiskRegister
from gpact.rulebook import default_rulebook
from tests.risk.conftest import EVALUATIONS, REGISTER

BOOK = default_rulebook()
AS_OF = dt.date(2026, 11, 22)
RULES = BOOK.at(AS_OF)
MODEL = ModelInfo("Example-400B", "1.0", "Example AI SAS", dt.date(2026, 6, 1))


def _register(**changes: dict[str, Any]) -> RiskRegister:
    data = {**REGISTER}
    for key, value in changes.items():
        data[key] = {**REGISTER[key], **value}
    return RiskRegister.model_validate(data)


def framework(**changes: dict[str, Any]) -> Document:
    return framework_document(_register(**changes), MODEL, AS_OF, RULES, BOOK.label())


def report(evaluations: dict[str, Any] = EVALUATIONS, **changes: dict[str, Any]) -> Document:
    return model_report_document(_register(**changes), EvaluationLog.model_validate(evaluations),
                                 MODEL, AS_OF, RULES, BOOK.label())


def section(doc: Document, start: str) -> Any:
    return next(s for s in doc.sections if s.heading.startswith(start))


def test_framework_has_every_item() -> None:
    doc = framework()
    assert doc.gaps == []
    assert section(doc, "Trigger points").table[1] == ["before placement", "full suite"]
    resp = section(doc, "Allocation of responsibility")
    assert resp.source == "Commitment 8"
    assert [r[0] for r in resp.table[1:]] == ["Oversight", "Ownership", "Support and monitoring",
                                              "Assurance", "Resources and risk culture"]
    incidents = section(doc, "Serious-incident process")
    assert incidents.source.startswith("Commitment 9")
    assert ["cybersecurity", "5 days of becoming aware of the model's involvement"] \
        in incidents.table
    assert any("Final report within 60 days" in i for i in incidents.items)
    assert section(doc, "Role of external evaluators").paragraphs == [
        "Pre-deployment access for two evaluators."]


@pytest.mark.parametrize(("change", "gap"), [
    ({"evaluation_triggers": []}, "framework.evaluation_triggers"),
    ({"responsibilities": {"oversight": "Board"}}, "framework.responsibilities.assurance"),
    ({"incident_process": None}, "framework.incident_process"),
    ({"external_evaluators": None}, "framework.external_evaluators"),
])
def test_framework_gap_per_missing_item(change: dict[str, Any], gap: str) -> None:
    assert any(g.startswith(gap) for g in framework(framework=change).gaps)


def test_model_report_sections_cite_their_measures() -> None:
    doc = report()
    assert doc.gaps == []
    sources = {s.heading.split(":")[0]: s.source for s in doc.sections}
    assert sources["Model description"] == "Measure 7.1"
    assert sources["External evaluation and security review reports, or the reasons there "
                   "are none"] == "Measure 7.4"
    assert sources["Material changes to the systemic-risk landscape"] == "Measure 7.5"
    assert all(s.source for s in doc.sections)
    md = render(doc, "md")
    assert "No external evaluation report: Not required: similarly safe." in md
    assert "Security review report: Audit 2026-05" in md


def test_model_description_aspects() -> None:
    table = section(report(), "Model description").table
    assert [r[0] for r in table[1:]] == ["Capabilities", "Propensities", "Affordances",
                                         "Intended uses", "Behaviour"]
    doc = report(model_report={"description": {"capabilities": "General text"}})
    assert any(g.startswith("model_report.description.behaviour") for g in doc.gaps)


def test_similarly_safe_comparison_in_the_justification() -> None:
    doc = report(model_report={"similarly_safe": {
        "reference_model": "Ref-70B", "comparison": "Lower scores on every dangerous-capability "
        "evaluation."}})
    paras = section(doc, "Why the systemic risks are acceptable").paragraphs
    assert paras[-1].startswith("Similarly safe or safer than Ref-70B: Lower scores")


@pytest.mark.parametrize(("change", "gap"), [
    ({"no_external_evaluation_reason": None}, "model_report.external_evaluation_reports"),
    ({"security_review_reports": []}, "model_report.security_review_reports"),
    ({"landscape_changes": None}, "model_report.landscape_changes"),
    ({"justification": None}, "model_report.justification"),
])
def test_model_report_gap_per_missing_item(change: dict[str, Any], gap: str) -> None:
    assert any(g.startswith(gap) for g in report(model_report=change).gaps)


def test_evaluation_without_elicitation_is_flagged() -> None:
    runs = {"evaluations": [{**EVALUATIONS["evaluations"][0], "elicitation": None}]}
    doc = report(runs)
    assert any("wmdp-1 (wmdp) has no elicitation description" in g for g in doc.gaps)
    assert "NOT DESCRIBED" in render(doc, "md")
