"""When will a run cross the legal lines, and what follows when it does.

Three lines hang on training compute: 10^23 FLOP of compute updating parameters (indicatively
a GPAI model, Guidelines pt 17), one third of the base model's compute (a modifier becomes a
provider, pts 59-60) and 10^25 FLOP of cumulative compute (presumed systemic risk, Art. 51(2),
with the Commission to be notified within two weeks of the threshold being met or of it
becoming known that it will be met, Art. 52(1)). Every line is strictly "more than".

The projection extends the recent rate of the run: the rate over the trailing window (at most
seven days) gives the central date; the range extends the high end of the compute so far at
the fastest rate of the high series over seven equal parts of that window (earliest date), and
the low end at the slowest rate of the low series (latest date). A planned
total, when given, says whether the line will be met at all and, for 10^25, starts the
notification clock now (it is then known that the threshold will be met).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any, Literal

from gpact.compute.ledger import Point, Quantity
from gpact.rulebook import RulesInForce

WINDOW = dt.timedelta(days=7)
PARTS = 7
Status = Literal["crossed", "projected", "planned", "not_reached", "unknown"]


@dataclass(frozen=True)
class Line:
    id: str
    threshold: float
    quantity: Quantity
    consequence: str
    source: str
    notify: bool  # crossing starts the Art. 52(1) notification period


@dataclass(frozen=True)
class Crossing:
    line: Line
    status: Status
    date: dt.date | None
    earliest: dt.date | None
    latest: dt.date | None
    known_on: dt.date | None
    deadline: dt.date | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        iso = _iso
        return {"id": self.line.id, "threshold_flop": self.line.threshold,
                "quantity": self.line.quantity, "status": self.status, "date": iso(self.date),
                "earliest": iso(self.earliest), "latest": iso(self.latest),
                "known_on": iso(self.known_on), "notification_due": iso(self.deadline),
                "consequence": self.line.consequence, "source": self.line.source,
                "text": self.text}


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


@dataclass(frozen=True)
class Rate:
    flop_per_day: float
    low: float
    high: float
    window_days: float


def legal_lines(rules: RulesInForce, base_compute: float | None) -> list[Line]:
    """The thresholds in force, with the consequence of crossing each (all from the rulebook)."""
    gpai = rules.rule("guidelines.gpai.indicative_compute_flop")
    systemic = rules.rule("ai_act.art51.presumption_threshold_flop")
    lines = [Line("gpai_indicator", float(gpai.value), "parameter_update",
                  "indicatively a general-purpose AI model, if it generates text or audio "
                  "language, text-to-image or text-to-video (unless it performs only a narrow "
                  "set of tasks)", gpai.source, notify=False)]
    if base_compute is not None:
        fraction = rules.rule("guidelines.modification.compute_fraction")
        share = Fraction(str(fraction.value))  # written as an exact fraction, e.g. "1/3"
        lines.append(Line("modification_third", float(share * Fraction(base_compute)),
                          "parameter_update",
                          "the modifier becomes the provider of the modified model, with "
                          "obligations limited to the modification",
                          fraction.source, notify=False))
    lines.append(Line("systemic_risk_presumption", float(systemic.value), "cumulative",
                      "presumed to have high-impact capabilities: a general-purpose AI model "
                      "with systemic risk; notify the Commission", systemic.source, notify=True))
    return lines


def recent_rate(points: list[Point]) -> Rate | None:
    """FLOP per day over the trailing window, with the slowest and fastest part of it."""
    if len(points) < 2:
        return None
    end = points[-1]
    start_at = max(points[0].at, end.at - WINDOW)
    span = (end.at - start_at).total_seconds() / 86400
    if span <= 0:
        return None
    central = (end.flop - _value_at(points, start_at, "flop")) / span
    step = (end.at - start_at) / PARTS
    days = step.total_seconds() / 86400

    def part_rates(attr: str) -> list[float]:
        edges = [_value_at(points, start_at + step * i, attr) for i in range(PARTS + 1)]
        return [(b - a) / days for a, b in pairwise(edges)]

    return Rate(central, min(part_rates("low")), max(part_rates("high")), span)


def _value_at(points: list[Point], at: dt.datetime, attr: str) -> float:
    """Counted compute (``flop``, ``low`` or ``high``) at a moment: linear between points."""
    prev_at, prev_v = None, 0.0
    for p in points:
        value = float(getattr(p, attr))
        if p.at >= at:
            if p.at == at:
                return value
            if prev_at is None:
                return prev_v
            share = (at - prev_at) / (p.at - prev_at)
            return prev_v + (value - prev_v) * share
        prev_at, prev_v = p.at, value
    return prev_v


def _crossed_on(points: list[Point], threshold: float, attr: str) -> dt.datetime | None:
    for p in points:
        if getattr(p, attr) > threshold:
            return p.at
    return None


def _ahead(at: dt.datetime, missing: float, rate: float) -> dt.date | None:
    if rate <= 0:
        return None
    days = missing / rate
    if days > 365 * 100:
        return None
    return (at + dt.timedelta(days=days)).date()


def forecast(points: dict[Quantity, list[Point]], rules: RulesInForce, as_of: dt.date, *,
             planned_total: float | None = None,
             base_compute: float | None = None) -> tuple[list[Crossing], dict[Quantity, Rate]]:
    """Crossing dates of each legal line, with the consequence and any deadline."""
    period = int(rules.value("ai_act.art52.notification_period_days"))
    crossings = []
    rates: dict[Quantity, Rate] = {}
    for q, series in points.items():
        rate = recent_rate(series)
        if rate is not None:
            rates[q] = rate
    for line in legal_lines(rules, base_compute):
        series = points.get(line.quantity, [])
        crossings.append(_one(line, series, rates.get(line.quantity), as_of, period,
                              planned_total))
    return crossings, rates


def _one(line: Line, series: list[Point], rate: Rate | None, as_of: dt.date, period: int,
         planned: float | None) -> Crossing:
    t = line.threshold
    central = _crossed_on(series, t, "flop")
    early = _crossed_on(series, t, "high")
    late = _crossed_on(series, t, "low")

    def deadline(known: dt.date | None) -> dt.date | None:
        return known + dt.timedelta(days=period) if line.notify and known else None

    if central is not None:
        known = central.date()
        due = deadline(known)
        text = f"crossed on {known} (central estimate)"
        if early is not None and early.date() != known:
            text += f"; the high end of the range crossed on {early.date()}"
        if due:
            text += (f"; notification was due by {due}" if due < as_of
                     else f"; notification due by {due}")
        return Crossing(line, "crossed", known, early.date() if early else known,
                        late.date() if late else None, known, due, text)
    last = series[-1] if series else None
    will_be_met = planned is not None and planned > t
    if planned is not None and not will_be_met:
        text = (f"not reached under the planned total of {planned:.3g} FLOP"
                + (f" (but the high end of the compute so far already exceeds it, "
                   f"from {early.date()})" if early else ""))
        return Crossing(line, "not_reached", None, early.date() if early else None, None,
                        None, None, text)
    date = earliest = latest = None
    if last is not None and rate is not None:
        date = _ahead(last.at, t - last.flop, rate.flop_per_day)
        earliest = early.date() if early else _ahead(last.at, t - last.high, rate.high)
        latest = _ahead(last.at, t - last.low, rate.low)
    if will_be_met:
        due = deadline(as_of)
        text = (f"will be met: the planned total of {planned:.3g} FLOP exceeds {t:.3g}"
                + (f"; projected for {date}" if date else ""))
        if due:
            text += (f"; it is known now, so notification is due by {due} "
                     "(Art. 52(1): within two weeks of it becoming known)")
        return Crossing(line, "planned", date, earliest, latest, as_of if line.notify else None,
                        due, text)
    if date is None:
        text = "not reached at the current rate" if last is not None else "no compute data"
        return Crossing(line, "unknown" if last is None else "not_reached", None, earliest,
                        latest, None, None, text)
    slowest = latest or "not at the slowest rate"
    text = f"projected for {date} (range {earliest or '?'} to {slowest})"
    due = deadline(earliest or date)
    if due:
        text += (f"; notification due by {due} at the latest if it is crossed then, earlier "
                 "once it is known that it will be met (Art. 52(1))")
    return Crossing(line, "projected", date, earliest, latest, None, due, text)
