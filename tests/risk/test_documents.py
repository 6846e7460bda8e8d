"""Incident reports, Framework and Model Report: contents, gaps and the three renderings."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.errors import InputError
from gpact.risk.documents import (
    ModelInfo,
    framework_document,
    incident_report,
    model_report_document,
)
from gpact.risk.reports import Document, render
from gpact.risk.schema import EvaluationLog, Incident, RiskRegister
from gpact.rulebook import default_rulebook
from tests.risk.conftest import EVALUATIONS, REGISTER

BOOK = default_rulebook()
AS_OF = dt.date(2026, 11, 22)
RULES = BOOK.at(AS_OF)
MODEL = ModelInfo("Example-400B", "1.0", "Example AI SAS", dt.date(2026, 6, 1))
INCIDENT = Incident.model_validate({
    "id": "INC-7", "title": "Weights exfiltration", "category": "cybersecurity",
    "aware_on": "2026-11-02", "started_on": "2026-11-01", "model_version": "1.0",
    "harm": "Weights copied to an unknown host", "chain_of_events": "Stolen credentials",
    "model_involvement": "The weights themselves", "response": "Keys rotated",
    "recommendations": "None"})


def _all_formats(doc: Document) -> dict[str, str]:
    return {fmt: render(doc, fmt) for fmt in ("md", "html", "json")}


def _check_colophon(out: dict[str, str]) -> None:
    for text in out.values():
        assert __version__ in text and BOOK.version in text
    assert NOT_LEGAL_ADVICE in out["md"]
    assert json.loads(out["json"])["not_legal_advice"] == NOT_LEGAL_ADVICE
    html = out["html"]
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html
    assert not re.search(r"""(src|href)=["']?https?:""", html), "no external assets"


def test_initial_report_carries_items_1_to_7_only() -> None:
    doc = incident_report(INCIDENT, "initial", MODEL, AS_OF, RULES, BOOK.label())
    out = _all_formats(doc)
    _check_colophon(out)
    rows = json.loads(out["json"])["sections"][0]["table"]
    assert [r[0][:3] for r in rows[1:]] == [f"({i})" for i in range(1, 8)]
    assert "2026-11-01 to ongoing" in out["md"]
    assert doc.gaps == []
    # the Commission template's own field list is unverified in the rulebook: the document says so
    assert "incident_report_contents" in out["md"]


def test_final_report_lists_missing_root_cause_as_gap() -> None:
    resolved = INCIDENT.model_copy(update={"resolved_on": dt.date(2026, 11, 20)})
    doc = incident_report(resolved, "final", MODEL, AS_OF, RULES, BOOK.label())
    assert [g.split(":")[0] for g in doc.gaps] == ["Item 8", "Item 9"]
    assert doc.gaps[0].startswith("Item 8: Root-cause analysis: the model outputs")
    assert doc.gaps[1].startswith("Item 9: Patterns detected in post-market monitoring")
    assert "Final report on incident INC-7" in render(doc, "md")


def test_final_report_needs_resolution_and_kind_must_be_known() -> None:
    with pytest.raises(InputError, match="no resolved_on"):
        incident_report(INCIDENT, "final", MODEL, AS_OF, RULES, BOOK.label())
    with pytest.raises(InputError, match="unknown report kind"):
        incident_report(INCIDENT, "weekly", MODEL, AS_OF, RULES, BOOK.label())


def test_html_escapes_record_text() -> None:
    evil = INCIDENT.model_copy(update={"harm": "<script>alert(1)</script>"})
    html = render(incident_report(evil, "initial", MODEL, AS_OF, RULES, BOOK.label()), "html")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_framework_from_register() -> None:
    doc = framework_document(RiskRegister.model_validate(REGISTER), MODEL, AS_OF, RULES,
                             BOOK.label())
    out = _all_formats(doc)
    _check_colophon(out)
    data = json.loads(out["json"])
    headings = [s["heading"] for s in data["sections"]]
    assert len(headings) == 10 and headings[2].startswith("Systemic-risk tiers")
    tiers = data["sections"][2]["table"]
    assert ["cbrn", "t1", "cbrn_score >= 0.5", "not yet"] in tiers
    assert doc.gaps == []


def test_model_report_gaps_without_evaluations_and_justification() -> None:
    reg = RiskRegister.model_validate({**REGISTER, "model_report": {}})
    doc = model_report_document(reg, EvaluationLog(), MODEL, AS_OF, RULES, BOOK.label())
    assert "No evaluations recorded (risk/evaluations.yaml)." in doc.gaps
    assert any(g.startswith("model_report.justification:") for g in doc.gaps)
    full = model_report_document(RiskRegister.model_validate(REGISTER),
                                 EvaluationLog.model_validate(EVALUATIONS), MODEL, AS_OF, RULES,
                                 BOOK.label())
    assert full.gaps == []
    assert "wmdp-1" in render(full, "md")
