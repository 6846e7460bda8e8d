"""The compute ledger: training phases, how each was measured, and what counts.

A ledger is a YAML file (``gpact_ledger: 1``) listing entries, each a phase of training with
its compute as a figure, an architecture-based or hardware-based estimate, or telemetry
files; or it is just telemetry files. Whether an entry counts towards cumulative compute or
towards compute directly updating parameters follows the rulebook
(``guidelines.compute.phase_counting``), and both totals carry a range.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gpact import safeio
from gpact.compute.architecture import AttentionShape, estimate_architecture
from gpact.compute.estimate import Estimate, combine, tolerance_band
from gpact.compute.hardware import Catalogue, check_precision, estimate_hardware, utilization_range
from gpact.compute.phases import Phase, PhaseRules
from gpact.compute.telemetry import SUFFIXES, Ingested, Slice, ingest
from gpact.compute.units import parse_flop
from gpact.errors import InputError
from gpact.rulebook import RulesInForce, RuleValue

Quantity = Literal["cumulative", "parameter_update"]


# --- the file format (pydantic at the edge) ------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ArchitectureSpec(_Strict):
    parameters: safeio.Number = Field(gt=0)
    tokens: safeio.Number = Field(gt=0)
    active_parameters: safeio.Number | None = Field(default=None, gt=0)
    epochs: safeio.Number = Field(default=1.0, gt=0)
    layers: safeio.Count | None = Field(default=None, gt=0)
    context_length: safeio.Count | None = Field(default=None, gt=0)
    hidden_size: safeio.Count | None = Field(default=None, gt=0)


class HardwarePeriod(_Strict):
    accelerator: str
    count: safeio.Number = Field(gt=0)
    hours: safeio.Number | None = Field(default=None, gt=0)
    seconds: safeio.Number | None = Field(default=None, gt=0)
    days: safeio.Number | None = Field(default=None, gt=0)
    utilization: safeio.Number | None = Field(default=None, gt=0, le=1)
    precision: str = "bf16"

    def duration_seconds(self) -> float:
        given = [(n, v) for n, v in (("hours", self.hours), ("seconds", self.seconds),
                                     ("days", self.days)) if v is not None]
        if not given:
            raise ValueError("needs a duration: hours, seconds or days")
        if len(given) > 1:
            raise ValueError(f"mixed duration units ({', '.join(n for n, _ in given)}); give one")
        name, value = given[0]
        return value * {"hours": 3600.0, "seconds": 1.0, "days": 86400.0}[name]


class TelemetrySpec(_Strict):
    files: list[str] = Field(min_length=1)
    parameters: safeio.Number | None = Field(default=None, gt=0)
    utilization: safeio.Number | None = Field(default=None, gt=0, le=1)
    precision: str = "bf16"


class EntrySpec(_Strict):
    id: str = Field(min_length=1)
    phase: str | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    evidence: str | None = None
    flop: Any = None
    low: Any = None
    high: Any = None
    architecture: ArchitectureSpec | None = None
    hardware: list[HardwarePeriod] | None = None
    telemetry: TelemetrySpec | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> EntrySpec:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValueError(f"ended_on ({self.ended_on}) is before started_on "
                             f"({self.started_on})")
        return self


class LedgerSpec(_Strict):
    gpact_ledger: safeio.Version
    model: str | None = None
    base_model_compute_flop: Any = None
    planned_total_flop: Any = None
    entries: list[EntrySpec] = Field(min_length=1)

    @field_validator("entries")
    @classmethod
    def _unique_ids(cls, entries: list[EntrySpec]) -> list[EntrySpec]:
        seen: set[str] = set()
        for e in entries:
            if e.id in seen:
                raise ValueError(f"entry id {e.id!r} is used twice")
            seen.add(e.id)
        return entries


# --- the ledger as computed ----------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    id: str
    phase: Phase
    estimate: Estimate
    evidence: str | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None

    def counts(self, quantity: Quantity) -> bool:
        return self.phase.cumulative if quantity == "cumulative" else self.phase.parameter_update


@dataclass(frozen=True)
class Point:
    """Counted compute up to a moment: central, low, high."""

    at: dt.datetime
    flop: float
    low: float
    high: float


@dataclass
class Ledger:
    model: str | None
    entries: list[Entry]
    basis: list[str]
    warnings: list[str] = field(default_factory=list)
    series: dict[Quantity, list[Point]] = field(default_factory=dict)
    telemetry: list[dict[str, Any]] = field(default_factory=list)
    base_model_compute_flop: float | None = None
    planned_total_flop: float | None = None
    hourly: dict[dt.datetime, dict[str, list[float]]] = field(default_factory=dict)
    last_seen: dt.datetime | None = None

    def total(self, quantity: Quantity) -> Estimate:
        counted = [e.estimate for e in self.entries if e.counts(quantity)]
        label = ("cumulative training compute (Art. 51(2))" if quantity == "cumulative"
                 else "compute directly updating parameters (Guidelines pt 17, 59-60)")
        if not counted:
            return Estimate(0.0, 0.0, 0.0, "ledger", f"sum of no entries: {label}")
        return combine(counted, "ledger", f"sum of counted entries: {label}")

    def methodology(self) -> str:
        """One paragraph on how the cumulative figure was obtained, for documentation."""
        counted = [e for e in self.entries if e.counts("cumulative")]
        parts = [f"{e.id} ({e.phase.id}): {e.estimate.method}, {e.estimate.formula}"
                 for e in counted]
        left_out = sorted({e.phase.id for e in self.entries if not e.counts("cumulative")})
        text = ("Cumulative training compute is the sum of the ledger entries that count "
                "under the Commission Guidelines, Annex A.1: " + "; ".join(parts) + "."
                if parts else "No ledger entry counts towards cumulative training compute.")
        if left_out:
            text += f" Not counted: {', '.join(left_out)}."
        return text + " The range adds the entries' ranges."

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "cumulative": self.total("cumulative").to_dict(),
            "parameter_update": self.total("parameter_update").to_dict(),
            "entries": [{
                "id": e.id, "phase": e.phase.id, "counts_cumulative": e.phase.cumulative,
                "counts_parameter_update": e.phase.parameter_update,
                "counting_source": e.phase.source, "counting_confidence": e.phase.confidence,
                "evidence": e.evidence,
                "started_on": e.started_on.isoformat() if e.started_on else None,
                "ended_on": e.ended_on.isoformat() if e.ended_on else None,
                **e.estimate.to_dict()} for e in self.entries],
            "counting_basis": self.basis,
            "telemetry": self.telemetry,
            "base_model_compute_flop": self.base_model_compute_flop,
            "planned_total_flop": self.planned_total_flop,
            "warnings": self.warnings,
        }


def _validation_error(file: str, exc: ValidationError, node: yaml.Node | None) -> InputError:
    errors = exc.errors()
    problems = []
    for err in errors[:safeio.MAX_PROBLEMS]:
        loc = tuple(err["loc"])
        line = safeio.line_of(node, loc)
        where = safeio.dotted(loc) + (f" (line {line})" if line else "")
        msg = "unknown field" if err["type"] == "extra_forbidden" else \
            str(err["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {msg}")
    return InputError(file, None, "; ".join(safeio.capped(problems, len(errors))))


def is_telemetry(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes if s not in (".gz", ".zst")]
    return bool(suffixes) and suffixes[-1] in SUFFIXES


def load_ledger(path: str | Path, rules: RulesInForce, *, progress: bool | None = None) -> Ledger:
    """Read a ledger YAML file (or telemetry files standing for one) and compute its entries."""
    path = Path(path)
    if is_telemetry(path):
        return ledger_from_telemetry([path], rules, progress=progress)
    file = str(path)
    parsed = safeio.load(path, safeio.LEDGER)
    if not isinstance(parsed.data, dict):
        raise InputError(file, None, "expected a compute ledger (a mapping at the top level)")
    try:
        spec = LedgerSpec.model_validate(parsed.data)
    except ValidationError as exc:
        raise _validation_error(file, exc, parsed.node) from None
    return build_ledger(spec, rules, base=path.parent, file=file, progress=progress)


def build_ledger(spec: LedgerSpec, rules: RulesInForce, *, base: Path, file: str,
                 progress: bool | None = None) -> Ledger:
    phases = PhaseRules(rules)
    ledger = Ledger(model=spec.model, entries=[], basis=[])
    if spec.base_model_compute_flop is not None:
        ledger.base_model_compute_flop = parse_flop(spec.base_model_compute_flop, file,
                                                    "base_model_compute_flop")
    if spec.planned_total_flop is not None:
        ledger.planned_total_flop = parse_flop(spec.planned_total_flop, file, "planned_total_flop")
    for i, entry in enumerate(spec.entries):
        where = f"entries[{i}] ({entry.id})"
        kinds = [k for k in ("flop", "architecture", "hardware", "telemetry")
                 if getattr(entry, k) is not None]
        if len(kinds) != 1:
            raise InputError(file, where, "give exactly one of flop, architecture, hardware, "
                             f"telemetry (got {', '.join(kinds) or 'none'})")
        if entry.telemetry is not None:
            _add_telemetry(ledger, entry, rules, phases, base, file, where, progress)
            continue
        if entry.phase is None:
            raise InputError(file, f"{where}.phase", "missing")
        phase = phases.get(entry.phase, file, f"{where}.phase")
        estimate = _entry_estimate(entry, rules, file, where)
        ledger.entries.append(Entry(entry.id, phase, estimate, entry.evidence,
                                    entry.started_on, entry.ended_on))
    _finish(ledger, phases)
    return ledger


def _entry_estimate(entry: EntrySpec, rules: RulesInForce, file: str, where: str) -> Estimate:
    try:
        if entry.flop is not None:
            return _reported(entry, rules, file, where)
        if entry.architecture is not None:
            a = entry.architecture
            shape = None
            dims = (a.layers, a.context_length, a.hidden_size)
            if any(d is not None for d in dims):
                if None in dims:
                    raise InputError(file, f"{where}.architecture", "the attention term needs "
                                     "layers, context_length and hidden_size together")
                shape = AttentionShape(a.layers or 0, a.context_length or 0, a.hidden_size or 0)
            return estimate_architecture(rules, a.parameters, a.tokens,
                                         active_parameters=a.active_parameters,
                                         epochs=a.epochs, attention=shape)
        periods = entry.hardware or []
        if not periods:
            raise InputError(file, f"{where}.hardware", "needs at least one period")
        parts = []
        for j, period in enumerate(periods):
            try:
                seconds = period.duration_seconds()
            except ValueError as exc:
                raise InputError(file, f"{where}.hardware[{j}]", str(exc)) from None
            parts.append(estimate_hardware(rules, period.accelerator, period.count, seconds,
                                           period.precision, period.utilization))
        if len(parts) == 1:
            return parts[0]
        notes = [f"period {j + 1}: {a}" for j, p in enumerate(parts) for a in p.assumptions[:1]]
        return combine(parts, "hardware", "Σ over periods of N · L · H · U", notes)
    except InputError as exc:
        if exc.file is None:  # an estimator's option name becomes the ledger field
            raise InputError(file, f"{where}: {exc.field}", exc.problem) from None
        raise


def _reported(entry: EntrySpec, rules: RulesInForce, file: str, where: str) -> Estimate:
    flop = parse_flop(entry.flop, file, f"{where}.flop")
    if (entry.low is None) != (entry.high is None):
        raise InputError(file, where, "give both low and high, or neither")
    if entry.low is not None:
        low = parse_flop(entry.low, file, f"{where}.low")
        high = parse_flop(entry.high, file, f"{where}.high")
        if not low <= flop <= high:
            raise InputError(file, where, "low <= flop <= high must hold")
        return Estimate(flop, low, high, "reported", "figure as reported",
                        ("figure and range as reported in the ledger",))
    low, high, text, rule = tolerance_band(rules, flop)
    return Estimate(flop, low, high, "reported", "figure as reported",
                    ("figure as reported in the ledger; no range given", text), (rule,))


def _add_telemetry(ledger: Ledger, entry: EntrySpec, rules: RulesInForce, phases: PhaseRules,
                   base: Path, file: str, where: str, progress: bool | None) -> None:
    spec = entry.telemetry
    assert spec is not None
    paths = [(base / f) for f in spec.files]
    try:
        data = ingest(paths, use_tokens=spec.parameters is not None, progress=progress)
        add_ingested(ledger, data, rules, phases, parameters=spec.parameters,
                     utilization=spec.utilization, precision=spec.precision,
                     entry_id=entry.id, evidence=entry.evidence)
    except InputError as exc:
        if exc.file is None:
            raise InputError(file, f"{where}.telemetry: {exc.field}", exc.problem) from None
        raise


def ledger_from_telemetry(paths: Sequence[str | Path], rules: RulesInForce, *,
                          parameters: float | None = None, utilization: float | None = None,
                          precision: str = "bf16", progress: bool | None = None) -> Ledger:
    """A ledger made of telemetry files alone (``gpact compute forecast``)."""
    if utilization is not None and not 0 < utilization <= 1:
        raise InputError(None, "--utilization",
                         f"must be a fraction in (0, 1], got {utilization:g}")
    if parameters is not None and not (parameters > 0 and math.isfinite(parameters)):
        raise InputError(None, "--parameters", f"must be a positive number, got {parameters:g}")
    phases = PhaseRules(rules)
    ledger = Ledger(model=None, entries=[], basis=[])
    data = ingest(paths, use_tokens=parameters is not None, progress=progress)
    add_ingested(ledger, data, rules, phases, parameters=parameters, utilization=utilization,
                 precision=precision, entry_id="telemetry", evidence=None)
    _finish(ledger, phases)
    return ledger


@dataclass
class _Acc:
    """Running sums for one phase of telemetry."""

    flop: float = 0.0
    low: float = 0.0
    high: float = 0.0
    excluded: float = 0.0
    rows: int = 0
    first: dt.datetime | None = None


class _Pricing:
    """FLOP for telemetry slices: measured as reported, 6 · P · tokens, or N · L · H · U.

    Remembers, per phase, the assumptions and the rules it used, and per accelerator how much
    measured FLOP was reported against what the hardware could do at peak.
    """

    def __init__(self, rules: RulesInForce, parameters: float | None,
                 utilization: float | None, precision: str, label: str) -> None:
        self.rules, self.parameters, self.label = rules, parameters, label
        self.precision = check_precision(precision)
        self.tol_low, _, self.tol_text, tol_rule = tolerance_band(rules, 1.0)
        self.used: dict[str, RuleValue] = {tol_rule.key: tol_rule}
        if utilization is None:
            low, mid, high, rule = utilization_range(rules)
            self.used[rule.key] = rule
            self.u = (low, mid, high)
            self.u_text = (f"utilisation not given: {mid:.0%} assumed, range {low:.0%}-"
                           f"{high:.0%} ({rule.key}, confidence {rule.confidence})")
        else:
            self.u = (utilization * self.tol_low, utilization, utilization * (2 - self.tol_low))
            self.u_text = f"utilisation {utilization:.0%} as given; {self.tol_text}"
        self._catalogue: Catalogue | None = None
        self.notes: dict[str, set[str]] = defaultdict(set)
        self.unverified: dict[str, set[str]] = defaultdict(set)
        self.measured_vs_peak: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue(self.rules)
            self.used[self._catalogue.rule.key] = self._catalogue.rule
        return self._catalogue

    def price(self, s: Slice, phase: str) -> tuple[float, float, float, float]:
        """(flop, low, high, FLOP left out as duplicated or overlapping) for one slice."""
        flop = low = high = s.measured_flop
        excluded = s.raw_measured_flop - s.measured_flop
        if s.raw_measured_flop:
            self.notes[phase].add("measured FLOP taken as reported in the telemetry")
            self._check_measured(s)
        if s.raw_tokens:
            assert self.parameters is not None  # tokens are only summed when P is known
            t = 6 * self.parameters
            flop, low, high = (flop + t * s.tokens, low + t * s.tokens * self.tol_low,
                               high + t * s.tokens * (2 - self.tol_low))
            excluded += t * (s.raw_tokens - s.tokens)
            self.notes[phase].add(f"rows with tokens: 6 · {self.parameters:g} parameters · "
                                  f"tokens; {self.tol_text}")
        if s.raw_device_seconds:
            device = self.catalogue.get(str(s.accelerator), self.label, "accelerator")
            fmt = check_precision(s.precision, "precision") if s.precision else self.precision
            peak = device.peak(fmt, "precision")
            u_low, u_mid, u_high = self.u
            cap = s.device_seconds * peak
            flop, low, high = flop + cap * u_mid, low + cap * u_low, high + cap * u_high
            excluded += (s.raw_device_seconds - s.device_seconds) * peak * u_mid
            self.notes[phase].add(f"{device.name}: {peak / 1e12:g} TFLOP/s dense {fmt} peak "
                                  f"({device.source}; confidence {device.confidence})")
            self.notes[phase].add(self.u_text)
            if device.confidence == "unverified":
                self.unverified[phase].add(f"{self.catalogue.rule.key}[{device.id}]")
        return flop, low, high, excluded

    def _check_measured(self, s: Slice) -> None:
        device = self.catalogue.find(str(s.accelerator)) if s.accelerator else None
        if device is not None and s.measured_device_seconds:
            self.measured_vs_peak[device.id][0] += s.measured_flop
            self.measured_vs_peak[device.id][1] += (s.measured_device_seconds
                                                    * max(device.peak_flops.values()))

    def unit_warnings(self) -> list[str]:
        return [f"{self.label}: measured FLOP on {acc_id} are {measured / capacity:.1f}× what "
                "the accelerators could do at peak in the time reported: check the units of "
                "the 'flop' and 'seconds' columns"
                for acc_id, (measured, capacity) in self.measured_vs_peak.items()
                if capacity and measured > capacity]


def add_ingested(ledger: Ledger, data: Ingested, rules: RulesInForce, phases: PhaseRules, *,
                 parameters: float | None, utilization: float | None, precision: str,
                 entry_id: str, evidence: str | None) -> None:
    """Turn telemetry aggregates into per-phase entries and hourly points."""
    label = ", ".join(data.files)
    pricing = _Pricing(rules, parameters, utilization, precision, label)
    sums: dict[str, _Acc] = defaultdict(_Acc)
    for s in data.slices:
        phase = phases.get(s.phase, label, "phase")
        flop, low, high, excluded = pricing.price(s, phase.id)
        acc = sums[phase.id]
        acc.rows += s.rows
        opened = s.hour - dt.timedelta(hours=1)
        acc.first = min(acc.first or opened, opened)
        acc.flop, acc.low, acc.high = acc.flop + flop, acc.low + low, acc.high + high
        acc.excluded += excluded
        cell = ledger.hourly.setdefault(s.hour, {}).setdefault(phase.id, [0.0, 0.0, 0.0])
        cell[0], cell[1], cell[2] = cell[0] + flop, cell[1] + low, cell[2] + high
    ledger.warnings.extend(pricing.unit_warnings())
    if data.duplicate_rows or data.overlapping_rows:
        total_excluded = sum(a.excluded for a in sums.values())
        ledger.warnings.append(
            f"{label}: {data.duplicate_rows} duplicated (fully covered) and "
            f"{data.overlapping_rows} partly overlapping row(s) in the same run, phase and "
            f"accelerator; the time already covered was not counted again "
            f"(≈{total_excluded:.3g} FLOP left out)")
    multi = len(sums) > 1
    for phase_id, acc in sorted(sums.items()):
        notes = [*sorted(pricing.notes[phase_id]), f"{acc.rows} telemetry rows from {label}"]
        ledger.entries.append(Entry(
            id=f"{entry_id}:{phase_id}" if multi or entry_id != phase_id else entry_id,
            phase=phases.get(phase_id),
            estimate=Estimate(acc.flop, acc.low, acc.high, "telemetry",
                              "Σ rows: measured FLOP, 6 · P · tokens, or N · L · H · U",
                              tuple(notes), tuple(pricing.used.values()),
                              tuple(sorted(pricing.unverified[phase_id]))),
            evidence=evidence or f"telemetry: {label}",
            started_on=acc.first.date() if acc.first else None,
            ended_on=data.last.date() if data.last else None))
    ledger.telemetry.append({
        "entry": entry_id, "files": list(data.files), "rows": data.rows,
        "duplicate_rows": data.duplicate_rows, "overlapping_rows": data.overlapping_rows,
        "plan": data.plan,
        "first": data.first.isoformat() if data.first else None,
        "last": data.last.isoformat() if data.last else None,
    })
    if data.last is not None:
        ledger.last_seen = max(ledger.last_seen or data.last, data.last)


def _spread_dated(ledger: Ledger, entry: Entry) -> None:
    """Place a dated entry on the timeline, evenly per day from its start to its end."""
    end = entry.ended_on or entry.started_on
    if end is None:
        return
    start = entry.started_on or end
    days = max((end - start).days + 1, 1)
    e = entry.estimate
    for i in range(days):
        day = dt.datetime.combine(start + dt.timedelta(days=i + 1), dt.time(), dt.UTC)
        cell = ledger.hourly.setdefault(day, {}).setdefault(entry.phase.id, [0.0, 0.0, 0.0])
        cell[0] += e.flop / days
        cell[1] += e.low / days
        cell[2] += e.high / days
    close = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    ledger.last_seen = max(ledger.last_seen or close, close)


def _series(ledger: Ledger, phases: PhaseRules, quantity: Quantity) -> list[Point]:
    """Counted compute accumulated over time: a point at the close of each hour with data."""
    run = [0.0, 0.0, 0.0]
    points: list[Point] = []
    for close in sorted(ledger.hourly):
        for phase_id, cell in ledger.hourly[close].items():
            phase = phases.get(phase_id)
            if phase.cumulative if quantity == "cumulative" else phase.parameter_update:
                run = [run[i] + cell[i] for i in range(3)]
        at = min(close, ledger.last_seen) if ledger.last_seen is not None else close
        if points and points[-1].at == at:
            points.pop()
        points.append(Point(at, run[0], run[1], run[2]))
    return points


def _finish(ledger: Ledger, phases: PhaseRules) -> None:
    for e in ledger.entries:
        if e.estimate.method != "telemetry":
            _spread_dated(ledger, e)
    ledger.series = {q: _series(ledger, phases, q) for q in ("cumulative", "parameter_update")}
    seen = []
    for e in ledger.entries:
        if e.phase.id not in seen:
            seen.append(e.phase.id)
            ledger.basis.append(phases.basis(e.phase))
        if e.phase.id == "other":
            ledger.warnings.append(f"entry {e.id}: phase 'other' is counted in both totals "
                                   "(conservative); classify it to exclude it")
