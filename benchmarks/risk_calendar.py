"""Benchmark: risk records -> clocks -> calendar, against parsing the same YAML as a baseline.

    python benchmarks/risk_calendar.py [--incidents 2000] [--requests 2000] [--repeat 3]

Writes a synthetic model with N incidents (every category, some resolved, some reports sent)
and M requests into a temporary folder, then times each stage and prints its ratio to the
baseline: parsing the same record files with PyYAML's C loader (``CSafeLoader``, the floor
any loader pays). Times are the best of ``--repeat`` runs with no tracer active; peak Python
memory (tracemalloc) is measured in a separate run. For comparison, the same events are also
serialised with icalendar's object model (``Component.add`` per property), as gpact did before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from gpact.risk.calendar import CalendarEvent, events_from_clocks, reminder_lead, to_ics
from gpact.risk.schema import INCIDENT_CATEGORIES
from gpact.risk.store import load_records
from gpact.services.risk import open_model, risk_clocks

AS_OF = dt.date(2027, 6, 1)


def write_model(folder: Path, incidents: int, requests: int) -> Path:
    start = dt.date(2025, 9, 1)
    incs: list[dict[str, Any]] = []
    for i in range(incidents):
        aware = start + dt.timedelta(days=i % 600)
        inc: dict[str, Any] = {"id": f"INC-{i}", "title": f"Incident {i}",
                               "category": INCIDENT_CATEGORIES[i % 4],
                               "aware_on": aware.isoformat()}
        if i % 3 == 0:
            inc["resolved_on"] = (aware + dt.timedelta(days=i % 90)).isoformat()
        if i % 2 == 0:
            inc["reports"] = [{"kind": "initial",
                               "sent_on": (aware + dt.timedelta(days=1)).isoformat()}]
        incs.append(inc)
    reqs = [{"id": f"R-{i}", "kind": ("downstream_provider", "ai_office",
                                      "rightsholder_complaint")[i % 3],
             "received_on": (start + dt.timedelta(days=i % 600)).isoformat(),
             **({"deadline": (start + dt.timedelta(days=i % 600 + 30)).isoformat()}
                if i % 3 == 1 else {})} for i in range(requests)]
    risk = folder / "risk"
    risk.mkdir(parents=True, exist_ok=True)
    (risk / "incidents.yaml").write_text(yaml.safe_dump({"incidents": incs}), encoding="utf-8")
    (risk / "requests.yaml").write_text(yaml.safe_dump({"requests": reqs}), encoding="utf-8")
    profile = folder / "model.yaml"
    profile.write_text(yaml.safe_dump({
        "gpact": 1, "provider": {"name": "Bench"},
        "model": {"name": "Bench-1", "release": {"placed_on_market_on": "2025-09-01"}}}),
        encoding="utf-8")
    return profile


def icalendar_ics(events: list[CalendarEvent]) -> bytes:
    """The same events through icalendar's object model: the cost gpact used to pay."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//bench//EN")
    cal.add("version", "2.0")
    stamp = dt.datetime.combine(AS_OF, dt.time(0, 0), tzinfo=dt.UTC)
    for ev in events:
        vevent = Event()
        vevent.add("uid", ev.uid)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", ev.due)
        vevent.add("dtend", ev.due + dt.timedelta(days=1))
        vevent.add("summary", f"{ev.model}: {ev.title}")
        vevent.add("description", f"Status on {AS_OF}: {ev.status}\nSource: {ev.source}")
        vevent.add("categories", [ev.kind])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", ev.title)
        alarm.add("trigger", -reminder_lead(ev.start, ev.due))
        vevent.add_component(alarm)
        cal.add_component(vevent)
    return bytes(cal.to_ical())


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, int]:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        profile = write_model(Path(tmp), args.incidents, args.requests)
        risk = Path(tmp) / "risk"

        def baseline() -> object:
            return [yaml.load((risk / f).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
                    for f in ("incidents.yaml", "requests.yaml")]

        def load() -> object:
            return load_records(risk)

        def clocks() -> object:
            return risk_clocks(open_model(profile, AS_OF))

        def calendar() -> object:
            clocks = risk_clocks(open_model(profile, AS_OF))
            evs = events_from_clocks(("Bench-1", "Bench-1"), clocks, AS_OF)
            return to_ics(evs, AS_OF, "bench")

        def calendar_icalendar() -> object:
            clocks = risk_clocks(open_model(profile, AS_OF))
            return icalendar_ics(events_from_clocks(("Bench-1", "Bench-1"), clocks, AS_OF))

        n_clocks = len(risk_clocks(open_model(profile, AS_OF)))
        print(f"{args.incidents} incidents, {args.requests} requests -> {n_clocks} clocks; "
              f"best of {args.repeat}")
        base, base_mem = measure(baseline, args.repeat)
        print(f"{'stage':<28}{'seconds':>10}{'x baseline':>12}{'peak MiB':>10}")
        for name, fn in (("baseline: C YAML loader", baseline), ("load + validate", load),
                         ("+ clocks", clocks), ("+ calendar (.ics)", calendar),
                         ("  (.ics via icalendar objects)", calendar_icalendar)):
            secs, mem = (base, base_mem) if fn is baseline else measure(fn, args.repeat)
            print(f"{name:<28}{secs:>10.3f}{secs / base:>12.2f}{mem / 2**20:>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
