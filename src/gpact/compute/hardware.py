"""Hardware-based estimates: accelerators × seconds × peak FLOP/s × utilisation.

Guidelines C(2025) 5045, Annex A: C = N · L · H · U, with H the peak theoretical throughput
for the number format used and U the average utilisation; all operations count equally
whatever their precision. Peak figures come from the rulebook's accelerator catalogue
(``hardware.accelerators``), never from code.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from gpact.compute.estimate import Estimate, tolerance_band
from gpact.errors import InputError
from gpact.rulebook import RulesInForce, RuleValue

CATALOGUE_KEY = "hardware.accelerators"
UTILIZATION_KEY = "guidelines.compute.default_utilization"
PRECISIONS = ("fp32", "tf32", "bf16", "fp16", "fp8")


@dataclass(frozen=True)
class Accelerator:
    id: str
    name: str
    aliases: tuple[str, ...]
    peak_flops: dict[str, float]
    source: str
    confidence: str
    note: str | None = None

    def peak(self, precision: str, field: str = "--precision") -> float:
        try:
            return self.peak_flops[precision]
        except KeyError:
            have = ", ".join(self.peak_flops)
            raise InputError(None, field, f"{self.name} has no {precision} peak in the "
                             f"catalogue (it lists {have})") from None


def normalise(name: str) -> str:
    """Lower case, letters and digits only: 'NVIDIA H100-SXM' and 'nvidia h100 sxm' match."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


class Catalogue:
    """The accelerators in force on a date, looked up by id, name or alias."""

    def __init__(self, rules: RulesInForce) -> None:
        self.rule: RuleValue = rules.rule(CATALOGUE_KEY)
        self.accelerators = [_parse(entry) for entry in self.rule.value]
        self._index: dict[str, Accelerator] = {}
        for acc in self.accelerators:
            for label in (acc.id, acc.name, *acc.aliases):
                self._index[normalise(label)] = acc

    def find(self, name: str) -> Accelerator | None:
        key = normalise(name)
        found = self._index.get(key)
        if found is None and key.startswith("nvidia"):
            found = self._index.get(key.removeprefix("nvidia"))
        return found

    def get(self, name: str, file: str | None = None, field: str = "--accelerator") -> Accelerator:
        found = self.find(name)
        if found is not None:
            return found
        raise InputError(file, field, f"unknown accelerator {name!r}{self.suggest(name)}")

    def suggest(self, name: str) -> str:
        labels = {normalise(a.id): a.id for a in self.accelerators}
        labels.update({normalise(a.name): a.id for a in self.accelerators})
        for a in self.accelerators:
            labels.update({normalise(alias): a.id for alias in a.aliases})
        key = normalise(name)
        containing = [label for label in labels if key and key in label]
        close = difflib.get_close_matches(key, list(labels), n=6, cutoff=0.5)
        ids = list(dict.fromkeys(labels[c] for c in [*containing, *close]))[:3]
        if ids:
            return f"; did you mean {' or '.join(repr(i) for i in ids)}?"
        return f"; known: {', '.join(a.id for a in self.accelerators)}"


def _parse(entry: dict[str, Any]) -> Accelerator:
    peaks = {str(k): float(v) for k, v in entry["peak_flops"].items()}
    return Accelerator(
        id=str(entry["id"]), name=str(entry["name"]),
        aliases=tuple(str(a) for a in entry.get("aliases", [])),
        peak_flops=peaks, source=str(entry["source"]), confidence=str(entry["confidence"]),
        note=str(entry["note"]) if entry.get("note") else None,
    )


def check_precision(precision: str, field: str = "--precision") -> str:
    p = precision.lower().strip()
    if p not in PRECISIONS:
        raise InputError(None, field, f"unknown number format {precision!r}; use one of "
                         f"{', '.join(PRECISIONS)}")
    return p


def utilization_range(rules: RulesInForce) -> tuple[float, float, float, RuleValue]:
    """Low, central and high utilisation assumed when the provider states none."""
    rule = rules.rule(UTILIZATION_KEY)
    v = rule.value
    return float(v["low"]), float(v["central"]), float(v["high"]), rule


def estimate_hardware(rules: RulesInForce, accelerator: str, count: float, seconds: float,
                      precision: str = "bf16", utilization: float | None = None) -> Estimate:
    """C = N · L · H · U for one homogeneous period of use (Guidelines Annex A)."""
    if count <= 0:
        raise InputError(None, "--count",
                         f"must be a positive number of accelerators, got {count:g}")
    if seconds <= 0:
        raise InputError(None, "--hours", "the duration must be positive")
    if utilization is not None and not 0 < utilization <= 1:
        raise InputError(None, "--utilization", f"must be a fraction in (0, 1], got {utilization:g}"
                         + (" (did you give a percentage?)" if 1 < utilization <= 100 else ""))
    catalogue = Catalogue(rules)
    acc = catalogue.get(accelerator)
    fmt = check_precision(precision)
    peak = acc.peak(fmt)
    capacity = count * seconds * peak
    used = [catalogue.rule]
    notes = [
        f"{acc.name}: {peak / 1e12:g} TFLOP/s dense {fmt} peak ({acc.source}; "
        f"confidence {acc.confidence})",
        "peak is the theoretical dense throughput (no sparsity); all operations count equally "
        "whatever their precision (Guidelines Annex A)",
    ]
    if acc.note:
        notes.append(f"{acc.name}: {acc.note}")
    if utilization is None:
        low_u, mid_u, high_u, rule = utilization_range(rules)
        used.append(rule)
        flop, low, high = capacity * mid_u, capacity * low_u, capacity * high_u
        notes.append(f"utilisation not given: {mid_u:.0%} assumed, range {low_u:.0%}-{high_u:.0%} "
                     f"({rule.key}, confidence {rule.confidence})")
    else:
        flop = capacity * utilization
        low, high, text, tol_rule = tolerance_band(rules, flop)
        used.append(tol_rule)
        notes.append(f"utilisation {utilization:.0%} as given; {text}")
    return Estimate(
        flop=flop, low=low, high=high, method="hardware",
        formula=f"N · L · H · U = {count:g} × {seconds:g} s × {peak:g} FLOP/s × U",
        assumptions=tuple(notes), rules=tuple(used),
        unverified_entries=(f"{CATALOGUE_KEY}[{acc.id}]",)
        if acc.confidence == "unverified" else (),
    )
