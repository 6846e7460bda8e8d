"""Framework and Model Report deadlines (Measures 1.1-1.4, 7.6, 7.7) and request clocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gpact.risk.clocks import framework_clocks, model_report_clocks, request_clock
from gpact.risk.schema import ModelReportRecord, Request, RiskRegister
from gpact.rulebook import default_rulebook

RULES = default_rulebook().at(dt.date(2026, 11, 22))
D = dt.date.fromisoformat


def _fw(framework: dict[str, Any], placed: str | None, **extra: Any) -> dict[str, Any]:
    reg = RiskRegister.model_validate({"framework": framework, **extra})
    return {c.kind: c for c in framework_clocks(reg, D(placed) if placed else None, RULES)}


@pytest.mark.parametrize(("notified", "placed", "due"), [
    ("2026-01-20", "2026-06-01", "2026-02-17"),   # 4 weeks after notification is earlier
    ("2026-05-10", "2026-06-01", "2026-05-18"),   # 2 weeks before placement is earlier
    (None, "2026-06-01", "2026-05-18"),
    ("2026-01-20", None, "2026-02-17"),
])
def test_framework_confirmation_is_the_earlier_limit(notified: str | None, placed: str | None,
                                                      due: str) -> None:
    c = _fw({"notified_on": notified} if notified else {}, placed)["framework_confirmation"]
    assert c.due == D(due)


def test_framework_confirmation_not_computable_without_dates() -> None:
    c = _fw({}, None)["framework_confirmation"]
    assert c.due is None and c.status(D("2026-11-22")) == "not_computable"
    assert c.note is not None and "framework.notified_on" in c.note


def test_framework_access_in_business_days_and_holidays() -> None:
    # confirmed Thursday 2026-12-17: 5 business days -> Thursday 2026-12-24
    c = _fw({"confirmed_on": "2026-12-17"}, "2027-03-01")["framework_to_ai_office"]
    assert c.due == D("2026-12-24")
    assert c.note is not None and "holidays not modelled" in c.note
    c = _fw({"confirmed_on": "2026-12-17"}, "2027-03-01",
            holidays=["2026-12-24", "2026-12-25"])["framework_to_ai_office"]
    assert c.due == D("2026-12-28")  # Fri 18, Mon 21-Wed 23, (24, 25 off), Mon 28


def test_framework_assessment_yearly_from_placement_or_last_assessment() -> None:
    assert _fw({}, "2026-06-01")["framework_assessment"].due == D("2027-06-01")
    assert _fw({"last_assessed_on": "2027-05-15"}, "2026-06-01")[
        "framework_assessment"].due == D("2028-05-15")


@pytest.mark.parametrize(("report", "placed", "kind", "due"), [
    ({}, "2026-06-01", "model_report", "2026-06-01"),
    ({"deferral_granted": True}, "2026-06-01", "model_report", "2026-06-22"),  # 15 bd
    ({"last_update_confirmed_on": "2026-11-20"}, "2026-06-01", "model_report_update",
     "2026-11-27"),
    ({"sent_on": "2026-06-01", "among_most_capable": True}, "2026-06-01",
     "model_report_periodic_update", "2026-12-01"),
    ({"sent_on": "2026-06-01", "last_update_sent_on": "2026-08-31", "among_most_capable": True},
     "2026-06-01", "model_report_periodic_update", "2027-02-28"),
])
def test_model_report_clocks(report: dict[str, Any], placed: str, kind: str, due: str) -> None:
    clocks = {c.kind: c for c in model_report_clocks(ModelReportRecord.model_validate(report),
                                                     D(placed), RULES)}
    assert clocks[kind].due == D(due)


def test_no_periodic_update_unless_among_most_capable() -> None:
    clocks = model_report_clocks(ModelReportRecord(sent_on=D("2026-06-01")), D("2026-06-01"),
                                 RULES)
    assert "model_report_periodic_update" not in {c.kind for c in clocks}


def _req(**kw: Any) -> Request:
    return Request.model_validate({"id": "R1", "received_on": "2026-11-05", **kw})


def test_downstream_request_has_14_days() -> None:
    c = request_clock(_req(kind="downstream_provider"), RULES)
    assert c.due == D("2026-11-19") and c.status(D("2026-11-19")) == "open"
    assert c.status(D("2026-11-20")) == "overdue"
    answered = request_clock(_req(kind="downstream_provider", status="answered",
                                  answered_on="2026-11-10"), RULES)
    assert answered.status(D("2026-12-01")) == "done"


def test_ai_office_request_uses_its_own_deadline() -> None:
    c = request_clock(_req(kind="ai_office", deadline="2026-11-25"), RULES)
    assert c.due == D("2026-11-25") and "Art. 91" in c.source
    with pytest.raises(ValueError, match="needs 'deadline'"):
        _req(kind="ai_office")


def test_rightsholder_complaint_has_no_fixed_period() -> None:
    c = request_clock(_req(kind="rightsholder_complaint"), RULES)
    assert c.due is None and c.status(D("2027-01-01")) == "open"
    assert c.note is not None and "no fixed period" in c.note
    assert RULES.value("code_of_practice.copyright.complaint_answer_days") is None


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "downstream_provider", "deadline": "2026-11-01"}, "deadline"),
    ({"kind": "downstream_provider", "answered_on": "2026-11-01"}, "answered_on"),
    ({"kind": "downstream_provider", "status": "answered"}, "needs 'answered_on'"),
])
def test_inconsistent_requests_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _req(**fields)
