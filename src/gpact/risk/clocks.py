"""Deadlines of the systemic-risk obligations, as ``Clock`` values computed from the rulebook.

Every period comes from the rulebook (``code_of_practice.safety_security.*``,
``code_of_practice.transparency.downstream_answer_days``,
``code_of_practice.copyright.complaint_answer_days``); this module only does the arithmetic and
says which rule produced each date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from gpact.errors import InputError
from gpact.risk.dates import add_business_days, add_days, add_months
from gpact.risk.schema import (
    INCIDENT_CATEGORIES,
    Incident,
    ModelReportRecord,
    Request,
    RiskRegister,
)
from gpact.rulebook import RulesInForce

SS = "code_of_practice.safety_security"
INITIAL_DAYS = f"{SS}.incident_initial_report_days"
UPDATE_DAYS = f"{SS}.incident_update_interval_days"
FINAL_DAYS = f"{SS}.incident_final_report_days"
RETENTION_YEARS = f"{SS}.incident_retention_years"
BUSINESS_DAYS = f"{SS}.business_days"
DOWNSTREAM_DAYS = "code_of_practice.transparency.downstream_answer_days"
COMPLAINT_DAYS = "code_of_practice.copyright.complaint_answer_days"

CALENDAR_DAYS_NOTE = ("Calendar days, counted from the day after the start date; a deadline on a "
                      "weekend or holiday is not moved. Deadlines apply save in exceptional "
                      "circumstances.")

Status = Literal["done", "done_late", "overdue", "open", "not_computable"]
"""``open`` also covers obligations without a fixed deadline (``open_ended``)."""


@dataclass(frozen=True)
class Clock:
    """One dated obligation: what is due, by when, whether it was done, and the rule behind it."""

    id: str
    kind: str
    title: str
    due: dt.date | None
    source: str
    done_on: dt.date | None = None
    note: str | None = None
    open_ended: bool = False
    start: dt.date | None = None  # when the period began (sizes calendar reminders)

    def status(self, as_of: dt.date) -> Status:
        if self.due is None:
            if self.done_on is not None:
                return "done"
            return "open" if self.open_ended else "not_computable"
        if self.done_on is not None:
            return "done" if self.done_on <= self.due else "done_late"
        return "overdue" if as_of > self.due else "open"

    def as_dict(self, as_of: dt.date) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title,
                "due": _iso(self.due), "done_on": _iso(self.done_on),
                "status": self.status(as_of), "source": self.source, "note": self.note}


def require_code_in_force(rules: RulesInForce, option: str = "--as-of") -> None:
    """Refuse dates before the Code of Practice rules exist, with one clear line."""
    for key in rules.rulebook.keys():
        param = rules.rulebook.parameter(key)
        if key.startswith("code_of_practice.") and param.at(rules.as_of) is None:
            since = param.history[0].since
            raise InputError(None, option, f"{rules.as_of} is before the Code of Practice "
                             f"rules apply ({key} applies from {since})")


# --- serious incidents ---------------------------------------------------------------------

@dataclass(frozen=True)
class IncidentDeadlines:
    """The clocks of one serious incident computed from its dates alone (no reports known)."""

    category: str
    aware_on: dt.date
    resolved_on: dt.date | None
    initial_report_days: int
    initial_report_due: dt.date
    update_every_days: int
    intermediate_reports_due: list[dt.date]
    final_report_days: int
    final_report_due: dt.date | None
    retention_years: int
    sources: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "aware_on": self.aware_on.isoformat(),
            "resolved_on": _iso(self.resolved_on),
            "initial_report_days": self.initial_report_days,
            "initial_report_due": self.initial_report_due.isoformat(),
            "update_every_days": self.update_every_days,
            "intermediate_reports_due": [d.isoformat() for d in self.intermediate_reports_due],
            "final_report_days": self.final_report_days,
            "final_report_due": _iso(self.final_report_due),
            "retention_years": self.retention_years,
            "day_count": CALENDAR_DAYS_NOTE,
            "sources": self.sources,
        }


def incident_deadlines(category: str, aware_on: dt.date, resolved_on: dt.date | None,
                       rules: RulesInForce) -> IncidentDeadlines:
    """Initial, intermediate and final report deadlines (S&S Measure 9.3).

    Intermediate reports fall due every ``update_every_days`` after the initial deadline and stop
    at resolution; while the incident is unresolved only the first one is listed.
    """
    initial_days = _initial_days(category, rules)
    if resolved_on is not None and resolved_on < aware_on:
        raise InputError(None, "--resolved-on", f"resolution ({resolved_on}) is before awareness "
                         f"({aware_on})")
    every = int(rules.value(UPDATE_DAYS))
    final_days = int(rules.value(FINAL_DAYS))
    initial_due = add_days(aware_on, initial_days)
    updates: list[dt.date] = []
    due = add_days(initial_due, every)
    while resolved_on is None or due < resolved_on:
        updates.append(due)
        if resolved_on is None:
            break
        due = add_days(due, every)
    return IncidentDeadlines(
        category=category, aware_on=aware_on, resolved_on=resolved_on,
        initial_report_days=initial_days, initial_report_due=initial_due,
        update_every_days=every, intermediate_reports_due=updates,
        final_report_days=final_days,
        final_report_due=add_days(resolved_on, final_days) if resolved_on else None,
        retention_years=int(rules.value(RETENTION_YEARS)),
        sources={k: rules.rule(k).source for k in (INITIAL_DAYS, UPDATE_DAYS, FINAL_DAYS,
                                                   RETENTION_YEARS)},
    )


def _initial_days(category: str, rules: RulesInForce) -> int:
    table = rules.value(INITIAL_DAYS)
    if category not in table:
        raise InputError(None, "--category", f"unknown harm category {category!r}; use one of "
                         f"{', '.join(INCIDENT_CATEGORIES)}")
    return int(table[category])


def incident_clocks(incident: Incident, as_of: dt.date, rules: RulesInForce) -> list[Clock]:
    """The clocks of a recorded incident, chained on the reports actually sent.

    The next intermediate report is due ``update_every_days`` after the last report sent (or
    after the initial deadline while the initial report is missing); missed updates up to
    ``as_of`` are listed as overdue, then the next one ahead.
    """
    base = f"incident:{incident.id}"
    sent = {kind: sorted(r.sent_on for r in incident.reports if r.kind == kind)
            for kind in ("initial", "intermediate", "final")}
    initial_days = _initial_days(incident.category, rules)
    initial_due = add_days(incident.aware_on, initial_days)
    initial_sent = sent["initial"][0] if sent["initial"] else None
    src = rules.rule(INITIAL_DAYS).source
    clocks = [Clock(f"{base}:initial", "incident_initial_report",
                    f"Initial report on incident {incident.id} ({incident.category}, "
                    f"{initial_days} days from awareness)", initial_due, src, initial_sent,
                    CALENDAR_DAYS_NOTE, start=incident.aware_on)]
    every = int(rules.value(UPDATE_DAYS))
    resolved = incident.resolved_on
    anchor = initial_sent or initial_due
    pending = list(sent["intermediate"])
    number = 1
    while True:
        due = add_days(anchor, every)
        if resolved is not None and due >= resolved:
            break
        done = pending.pop(0) if pending else None
        clocks.append(Clock(f"{base}:update:{number}", "incident_intermediate_report",
                            f"Intermediate report {number} on incident {incident.id}", due,
                            rules.rule(UPDATE_DAYS).source, done,
                            f"At least every {every} days until resolved.", start=anchor))
        number += 1
        if done is not None:
            anchor = done
        elif due < as_of:
            anchor = due
        else:
            break
    if resolved is not None:
        final_days = int(rules.value(FINAL_DAYS))
        clocks.append(Clock(f"{base}:final", "incident_final_report",
                            f"Final report on incident {incident.id} ({final_days} days from "
                            "resolution)", add_days(resolved, final_days),
                            rules.rule(FINAL_DAYS).source,
                            sent["final"][0] if sent["final"] else None, CALENDAR_DAYS_NOTE,
                            start=resolved))
    return clocks


def retain_until(incident: Incident, rules: RulesInForce) -> tuple[dt.date, str]:
    """Keep incident documentation until at least this date (Measure 9.4), and why."""
    years = int(rules.value(RETENTION_YEARS))
    documented = incident.documented_on or max(
        (r.sent_on for r in incident.reports), default=None)
    happened = incident.started_on or incident.aware_on
    start = max(d for d in (documented, happened) if d is not None)
    basis = "documentation date" if documented and documented > happened else "incident date"
    return add_months(start, 12 * years), f"{years} years from the {basis} ({start})"


# --- Framework and Model Report --------------------------------------------------------------

def business_day_rules(register: RiskRegister | None, rules: RulesInForce) -> tuple[
        list[str], set[dt.date]]:
    spec = rules.value(BUSINESS_DAYS)
    holidays = {dt.date.fromisoformat(str(d)) for d in spec.get("holidays", [])}
    if register is not None:
        holidays |= set(register.holidays)
    return list(spec.get("weekend", ["saturday", "sunday"])), holidays


def business_days_note(holidays: set[dt.date]) -> str:
    listed = f"{len(holidays)} listed holiday(s) skipped" if holidays else \
        "public holidays not modelled (list them under 'holidays' in risk/register.yaml)"
    return f"Business days: Monday to Friday; {listed}."


def framework_clocks(register: RiskRegister, placed_on: dt.date | None,
                     rules: RulesInForce) -> list[Clock]:
    """Framework confirmation, access for the AI Office and yearly assessment (Measures 1.1-1.4)."""
    fw = register.framework
    weekend, holidays = business_day_rules(register, rules)
    bd_note = business_days_note(holidays)
    after_notif = rules.rule(f"{SS}.framework_confirmation_after_notification_weeks")
    before_place = rules.rule(f"{SS}.framework_confirmation_before_placement_weeks")
    candidates: list[tuple[dt.date, str]] = []
    if fw.notified_on is not None:
        candidates.append((add_days(fw.notified_on, 7 * int(after_notif.value)),
                           f"{after_notif.value} weeks after the Art. 52 notification "
                           f"({fw.notified_on})"))
    if placed_on is not None:
        candidates.append((add_days(placed_on, -7 * int(before_place.value)),
                           f"{before_place.value} weeks before placing on the market "
                           f"({placed_on})"))
    missing = [] if fw.notified_on else ["framework.notified_on"]
    if placed_on is None:
        missing.append("model.release.placed_on_market_on (profile)")
    if candidates:
        due, why = min(candidates)
        note = f"The earlier of the limits: {why}."
        if missing:
            note += f" Not known, so not considered: {', '.join(missing)}."
    else:
        due, note = None, f"Cannot compute: needs {' or '.join(missing)}."
    clocks = [Clock("framework:confirmation", "framework_confirmation",
                    "Confirm the Safety & Security Framework", due, after_notif.source,
                    fw.confirmed_on, note)]
    if fw.confirmed_on is not None:
        access = rules.rule(f"{SS}.framework_access_business_days")
        clocks.append(Clock(
            "framework:access", "framework_to_ai_office",
            "Give the AI Office access to the confirmed Framework",
            add_business_days(fw.confirmed_on, int(access.value), weekend, holidays),
            access.source, fw.sent_to_ai_office_on,
            f"{access.value} business days after confirmation ({fw.confirmed_on}). {bd_note}",
            start=fw.confirmed_on))
    if placed_on is not None:
        months = rules.rule(f"{SS}.framework_assessment_months")
        anchor = max(d for d in (placed_on, fw.last_assessed_on) if d is not None)
        clocks.append(Clock(
            f"framework:assessment:{anchor.isoformat()}", "framework_assessment",
            "Assess the Safety & Security Framework", add_months(anchor, int(months.value)),
            months.source, None,
            f"At least every {months.value} months from placing on the market; counted from "
            f"{'the last assessment' if anchor != placed_on else 'placing on the market'} "
            f"({anchor})."))
    return clocks


def model_report_clocks(report: ModelReportRecord, placed_on: dt.date | None,
                        rules: RulesInForce, register: RiskRegister | None = None) -> list[Clock]:
    """Model Report by placing on the market, update access, six-monthly updates (7.6, 7.7)."""
    weekend, holidays = business_day_rules(register, rules)
    bd_note = business_days_note(holidays)
    clocks: list[Clock] = []
    deferral = rules.rule(f"{SS}.model_report_deferral_business_days")
    if placed_on is None:
        clocks.append(Clock("model_report:first", "model_report", "Send the Model Report to "
                            "the AI Office", None, "GPAI Code of Practice, Safety & Security "
                            "chapter, Commitment 7", report.sent_on,
                            "Cannot compute: needs model.release.placed_on_market_on (profile)."))
    elif report.deferral_granted:
        clocks.append(Clock("model_report:first", "model_report", "Send the Model Report to "
                            "the AI Office (deferred)",
                            add_business_days(placed_on, int(deferral.value), weekend, holidays),
                            deferral.source, report.sent_on,
                            f"Deferral of up to {deferral.value} business days after placing "
                            f"on the market ({placed_on}); an interim report is due by "
                            f"placement. {bd_note}"))
    else:
        clocks.append(Clock("model_report:first", "model_report", "Send the Model Report to "
                            "the AI Office", placed_on, "GPAI Code of Practice, Safety & "
                            "Security chapter, Commitment 7", report.sent_on,
                            "Due by the time the model is placed on the market; a deferral of "
                            f"up to {deferral.value} business days needs the AI Office's "
                            "agreement (set model_report.deferral_granted)."))
    if report.last_update_confirmed_on is not None:
        access = rules.rule(f"{SS}.model_report_update_access_business_days")
        confirmed = report.last_update_confirmed_on
        done = report.last_update_sent_on if report.last_update_sent_on and \
            report.last_update_sent_on >= confirmed else None
        clocks.append(Clock(f"model_report:update_access:{confirmed.isoformat()}",
                            "model_report_update", "Give the AI Office the confirmed Model "
                            "Report update",
                            add_business_days(confirmed, int(access.value), weekend, holidays),
                            access.source, done,
                            f"{access.value} business days after confirming the update "
                            f"({confirmed}). {bd_note}", start=confirmed))
    if report.among_most_capable:
        months = rules.rule(f"{SS}.model_report_update_months")
        last = report.last_update_sent_on or report.sent_on
        if last is not None:
            clocks.append(Clock(f"model_report:periodic:{last.isoformat()}",
                                "model_report_periodic_update",
                                "Update the Model Report (most capable models)",
                                add_months(last, int(months.value)), months.source, None,
                                f"At least every {months.value} months from the last report "
                                f"({last}), unless an exception of Measure 7.6 applies."))
    return clocks


# --- requests ------------------------------------------------------------------------------

def request_clock(request: Request, rules: RulesInForce) -> Clock:
    """The answer deadline of a request; complaints have none unless the provider sets one."""
    done = request.answered_on
    base = f"request:{request.id}"
    if request.kind == "downstream_provider":
        rule = rules.rule(DOWNSTREAM_DAYS)
        due = request.deadline or add_days(request.received_on, int(rule.value))
        note = (f"{rule.value} days from receipt, save in exceptional circumstances"
                + (f" (recorded: {request.exceptional_circumstances})"
                   if request.exceptional_circumstances else "") + ".")
        if request.deadline:
            note = f"Deadline recorded on the request; the Code's default is {note}"
        return Clock(base, "downstream_request", f"Answer downstream provider request "
                     f"{request.id}", due, rule.source, done, note, start=request.received_on)
    if request.kind == "ai_office":
        return Clock(base, "ai_office_request", f"Answer AI Office request {request.id}",
                     request.deadline, "AI Act Art. 91 (the deadline the request sets)", done,
                     "The deadline set in the request.", start=request.received_on)
    rule = rules.rule(COMPLAINT_DAYS)
    note = ("The Code sets no fixed period: complaints are handled diligently and within a "
            "reasonable time (unless manifestly unfounded or already dealt with).")
    if request.deadline:
        note += " The due date shown is the provider's own target."
    return Clock(base, "rightsholder_complaint", f"Handle rightsholder complaint {request.id}",
                 request.deadline, rule.source, done, note, open_ended=True)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
