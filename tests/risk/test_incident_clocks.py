"""Serious-incident clocks (S&S Measure 9.3): every category, boundaries, weekends, chaining."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpact.errors import InputError
from gpact.risk.clocks import incident_clocks, incident_deadlines, retain_until
from gpact.risk.schema import INCIDENT_CATEGORIES, Incident
from gpact.rulebook import default_rulebook

RULES = default_rulebook().at(dt.date(2026, 11, 22))
D = dt.date.fromisoformat


@pytest.mark.parametrize(("category", "aware", "initial_due"), [
    ("critical_infrastructure", "2026-11-02", "2026-11-04"),
    ("cybersecurity", "2026-11-02", "2026-11-07"),
    ("death", "2026-11-02", "2026-11-12"),
    ("other_serious_harm", "2026-11-02", "2026-11-17"),
    # calendar days: a deadline on a weekend stays there (Thu + 2 = Sat, Mon + 5 = Sat)
    ("critical_infrastructure", "2026-11-19", "2026-11-21"),
    ("cybersecurity", "2026-11-16", "2026-11-21"),
    ("death", "2026-11-12", "2026-11-22"),
    # across a month and a year end, and a leap day
    ("other_serious_harm", "2026-12-20", "2027-01-04"),
    ("critical_infrastructure", "2028-02-28", "2028-03-01"),
])
def test_initial_report_deadline_by_category(category: str, aware: str, initial_due: str) -> None:
    d = incident_deadlines(category, D(aware), None, RULES)
    assert d.initial_report_due == D(initial_due)
    assert d.update_every_days == 28
    assert d.final_report_due is None
    assert d.intermediate_reports_due == [D(initial_due) + dt.timedelta(days=28)]


@pytest.mark.parametrize(("resolved", "updates", "final_due"), [
    # resolved the same day: initial still due, no update, final 60 days later
    ("2026-11-02", [], "2027-01-01"),
    # resolved on the first update's due date: that update is no longer needed
    ("2026-12-12", [], "2027-02-10"),
    # resolved a day later: the first update was due
    ("2026-12-13", ["2026-12-12"], "2027-02-11"),
    ("2027-02-20", ["2026-12-12", "2027-01-09", "2027-02-06"], "2027-04-21"),
])
def test_updates_stop_at_resolution_and_final_report(resolved: str, updates: list[str],
                                                      final_due: str) -> None:
    d = incident_deadlines("other_serious_harm", D("2026-10-30"), D(resolved), RULES)
    assert d.initial_report_due == D("2026-11-14")
    assert d.intermediate_reports_due == [D(u) for u in updates]
    assert d.final_report_due == D(final_due)


def test_resolution_before_awareness_is_refused() -> None:
    with pytest.raises(InputError, match="before awareness"):
        incident_deadlines("death", D("2026-11-10"), D("2026-11-09"), RULES)


def test_unknown_category_is_refused() -> None:
    with pytest.raises(InputError, match="unknown harm category 'fire'"):
        incident_deadlines("fire", D("2026-11-10"), None, RULES)


def test_categories_match_rulebook() -> None:
    assert set(RULES.value("code_of_practice.safety_security.incident_initial_report_days")) \
        == set(INCIDENT_CATEGORIES)


@given(category=st.sampled_from(INCIDENT_CATEGORIES),
       aware=st.dates(min_value=dt.date(2025, 8, 2), max_value=dt.date(2035, 1, 1)),
       gap=st.integers(min_value=0, max_value=400))
def test_deadline_properties(category: str, aware: dt.date, gap: int) -> None:
    resolved = aware + dt.timedelta(days=gap)
    d = incident_deadlines(category, aware, resolved, RULES)
    days = RULES.value("code_of_practice.safety_security.incident_initial_report_days")
    assert (d.initial_report_due - aware).days == days[category]
    assert d.final_report_due is not None and (d.final_report_due - resolved).days == 60
    steps = [d.initial_report_due, *d.intermediate_reports_due]
    assert all((b - a).days == 28 for a, b in itertools.pairwise(steps))
    assert all(u < resolved for u in d.intermediate_reports_due)
    assert d.initial_report_due + dt.timedelta(days=28 * (len(steps))) >= resolved


def _incident(**kw: object) -> Incident:
    base: dict[str, object] = {"id": "INC-1", "title": "t", "category": "cybersecurity",
                               "aware_on": "2026-10-01"}
    return Incident.model_validate({**base, **kw})


def _status(incident: Incident, as_of: str) -> dict[str, tuple[str, str]]:
    return {c.id.split(":", 2)[2]: (str(c.due), c.status(D(as_of)))
            for c in incident_clocks(incident, D(as_of), RULES)}


def test_overdue_starts_the_day_after_the_deadline() -> None:
    inc = _incident()
    assert _status(inc, "2026-10-06")["initial"] == ("2026-10-06", "open")
    assert _status(inc, "2026-10-07")["initial"] == ("2026-10-06", "overdue")


def test_reports_sent_chain_the_next_update() -> None:
    inc = _incident(reports=[{"kind": "initial", "sent_on": "2026-10-03"},
                             {"kind": "intermediate", "sent_on": "2026-11-05"}])
    s = _status(inc, "2026-11-20")
    assert s["initial"] == ("2026-10-06", "done")
    assert s["update:1"] == ("2026-10-31", "done_late")  # sent 2026-11-05 after 2026-10-31
    assert s["update:2"] == ("2026-12-03", "open")       # 28 days after the report sent
    assert "final" not in s


def test_missed_updates_pile_up_until_as_of() -> None:
    s = _status(_incident(), "2027-01-01")
    assert s["initial"][1] == "overdue"
    assert [s[k] for k in ("update:1", "update:2", "update:3")] == [
        ("2026-11-03", "overdue"), ("2026-12-01", "overdue"), ("2026-12-29", "overdue")]
    assert s["update:4"] == ("2027-01-26", "open")


def test_final_report_clock_after_resolution() -> None:
    inc = _incident(resolved_on="2026-10-20", reports=[
        {"kind": "initial", "sent_on": "2026-10-04"}, {"kind": "final", "sent_on": "2026-12-21"}])
    s = _status(inc, "2026-12-31")
    assert s["final"] == ("2026-12-19", "done_late")
    assert not any(k.startswith("update") for k in s)


def test_retention_from_later_of_documentation_and_incident() -> None:
    keep, why = retain_until(_incident(started_on="2026-09-30"), RULES)
    assert keep == D("2031-09-30") and "incident date" in why
    keep, why = retain_until(_incident(resolved_on="2027-01-01",
                                       reports=[{"kind": "final", "sent_on": "2027-02-28"}]),
                             RULES)
    assert keep == D("2032-02-28") and "documentation date" in why


@pytest.mark.parametrize(("fields", "problem"), [
    ({"resolved_on": "2026-09-30"}, "resolved_on"),
    ({"started_on": "2026-10-02"}, "started_on"),
    ({"started_on": "2026-09-01", "ended_on": "2026-08-01"}, "ended_on"),
    ({"reports": [{"kind": "initial", "sent_on": "2026-09-01"}]}, "sent_on"),
    ({"reports": [{"kind": "final", "sent_on": "2026-10-09"}]}, "final report follows resolution"),
    ({"resolved_on": "2026-10-10", "reports": [{"kind": "final", "sent_on": "2026-10-09"}]},
     "final report follows resolution"),
])
def test_impossible_incident_dates_are_refused(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _incident(**fields)
