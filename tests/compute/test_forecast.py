"""Forecasts of crossing the legal lines, on synthetic runs with hand-computed dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gpact.compute import Point, forecast, ledger_from_telemetry
from gpact.compute.forecast import Crossing
from gpact.rulebook import RulesInForce

from .test_telemetry import write

START = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
RATE = 5e23  # FLOP per day


def run(days: int = 10, rate: float = RATE) -> list[Point]:
    """A steady run: compute grows by `rate` a day, with the ±30 % band."""
    return [Point(START + dt.timedelta(days=d), rate * d, 0.7 * rate * d, 1.3 * rate * d)
            for d in range(days + 1)]


def day(n: float) -> dt.date:
    return (START + dt.timedelta(days=n)).date()


def by_id(crossings: list[Crossing]) -> dict[str, Crossing]:
    return {c.line.id: c for c in crossings}


def test_projection_of_a_steady_run(rules: RulesInForce) -> None:
    points = run()
    crossings, rates = forecast({"cumulative": points, "parameter_update": points}, rules,
                                day(10))
    assert rates["cumulative"].flop_per_day == pytest.approx(RATE)
    assert rates["cumulative"].low == pytest.approx(0.7 * RATE)
    assert rates["cumulative"].high == pytest.approx(1.3 * RATE)
    sr = by_id(crossings)["systemic_risk_presumption"]
    assert sr.status == "projected"
    assert sr.date == day(20)                 # 5e24 now, 5e24 to go at 5e23 a day
    assert sr.earliest == day(10 + 3.5e24 / 6.5e23)   # high end: 6.5e24 now, 6.5e23 a day
    assert sr.latest == day(10 + 6.5e24 / 3.5e23)     # low end: 3.5e24 now, 3.5e23 a day
    assert sr.deadline == sr.earliest + dt.timedelta(days=14)
    assert "Art. 52(1)" in sr.text
    gpai = by_id(crossings)["gpai_indicator"]
    assert (gpai.status, gpai.date, gpai.deadline) == ("crossed", day(1), None)


def test_planned_total_above_the_line_starts_the_clock_now(rules: RulesInForce) -> None:
    points = run()
    crossings, _ = forecast({"cumulative": points}, rules, day(10), planned_total=2e25)
    sr = by_id(crossings)["systemic_risk_presumption"]
    assert sr.status == "planned"
    assert sr.known_on == day(10)
    assert sr.deadline == day(24)
    assert f"notification is due by {day(24)}" in sr.text


def test_planned_total_below_the_line(rules: RulesInForce) -> None:
    crossings, _ = forecast({"cumulative": run()}, rules, day(10), planned_total=8e24)
    sr = by_id(crossings)["systemic_risk_presumption"]
    assert (sr.status, sr.date, sr.deadline) == ("not_reached", None, None)
    assert "planned total" in sr.text


def test_crossing_in_the_past_gives_the_deadline_it_had(rules: RulesInForce) -> None:
    points = run(days=30)  # central passes 1e25 after day 20
    crossings, _ = forecast({"cumulative": points}, rules, day(40))
    sr = by_id(crossings)["systemic_risk_presumption"]
    assert sr.status == "crossed"
    assert sr.date == day(21)            # the first daily point strictly above 1e25
    assert sr.earliest == day(16)        # 1.3 × 5e23 × 16 > 1e25
    assert sr.deadline == day(35)
    assert f"notification was due by {day(35)}" in sr.text


def test_one_third_of_the_base_model(rules: RulesInForce) -> None:
    points = run()
    crossings, _ = forecast({"parameter_update": points}, rules, day(10), base_compute=3e25)
    third = by_id(crossings)["modification_third"]
    assert third.line.threshold == pytest.approx(1e25)
    assert third.status == "projected" and third.date == day(20)
    assert third.deadline is None
    assert "becomes the provider" in third.line.consequence


def test_a_stalled_run_is_not_projected(rules: RulesInForce) -> None:
    points = run(days=5) + [Point(START + dt.timedelta(days=d), 2.5e24, 1.75e24, 3.25e24)
                            for d in range(6, 15)]
    crossings, _ = forecast({"cumulative": points}, rules, day(14))
    sr = by_id(crossings)["systemic_risk_presumption"]
    assert (sr.status, sr.date) == ("not_reached", None)


def test_forecast_from_synthetic_telemetry(tmp_path: Path, rules: RulesInForce) -> None:
    # 8192 H100 at 50 %: 8192 × 86400 × 989.5e12 × 0.5 FLOP a day, for 10 days.
    per_day = 8192 * 86400 * 989.5e12 * 0.5
    data = [{"run_id": "r", "phase": "pretraining",
             "timestamp": (START + dt.timedelta(hours=h + 1)).isoformat(),
             "accelerator": "H100 SXM", "count": 8192, "seconds": 3600.0}
            for h in range(240)]
    ledger = ledger_from_telemetry([write(tmp_path / "t.parquet", data)], rules,
                                   utilization=0.5, progress=False)
    crossings, rates = forecast(ledger.series, rules, day(10))
    assert rates["cumulative"].flop_per_day == pytest.approx(per_day)
    sr = by_id(crossings)["systemic_risk_presumption"]
    to_go = (1e25 - 10 * per_day) / per_day
    assert sr.date == day(10 + to_go)
