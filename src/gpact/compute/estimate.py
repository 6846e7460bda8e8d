"""A compute figure with its range, method and the assumptions behind it.

Every estimator returns an :class:`Estimate`. The range is never a statistical interval: it
spans the inputs' stated uncertainty (a utilisation range) or, where the inputs give none,
the accuracy the Guidelines accept for a compute estimate (Annex A: within 30 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gpact.rulebook import RulesInForce, RuleValue

TOLERANCE_KEY = "guidelines.compute.estimate_tolerance"


@dataclass(frozen=True)
class Estimate:
    """Training compute in FLOP: central value, low-high range, how it was obtained."""

    flop: float
    low: float
    high: float
    method: str
    formula: str
    assumptions: tuple[str, ...] = ()
    rules: tuple[RuleValue, ...] = field(default=(), compare=False)
    unverified_entries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.low <= self.flop <= self.high:
            raise ValueError(f"range {self.low:g}..{self.high:g} does not hold {self.flop:g}")

    @property
    def unverified_rules(self) -> list[str]:
        return sorted({r.key for r in self.rules if r.unverified} | set(self.unverified_entries))

    def to_dict(self) -> dict[str, Any]:
        return {
            "flop": self.flop,
            "low": self.low,
            "high": self.high,
            "method": self.method,
            "formula": self.formula,
            "assumptions": list(self.assumptions),
            "unverified_rules_used": self.unverified_rules,
        }


def tolerance_band(rules: RulesInForce, flop: float) -> tuple[float, float, str, RuleValue]:
    """Low, high and an explanation for a figure whose inputs carry no range of their own."""
    rule = rules.rule(TOLERANCE_KEY)
    tol = float(rule.value)
    text = (f"range ±{tol:.0%}: the accuracy the Guidelines accept for a compute estimate "
            f"({rule.source}); not a statistical interval")
    return flop * (1 - tol), flop * (1 + tol), text, rule


def combine(estimates: Iterable[Estimate], method: str, formula: str,
            assumptions: Iterable[str] = ()) -> Estimate:
    """Sum estimates; the range adds lows and highs (errors assumed to run the same way)."""
    items = list(estimates)
    notes = list(assumptions)
    if len(items) > 1:
        notes.append("the ranges of the parts are added end to end (their errors are assumed "
                     "to run the same way), which gives the widest honest range")
    rules: dict[str, RuleValue] = {}
    entries: set[str] = set()
    for e in items:
        entries.update(e.unverified_entries)
        for r in e.rules:
            rules[r.key] = r
    return Estimate(
        flop=sum(e.flop for e in items),
        low=sum(e.low for e in items),
        high=sum(e.high for e in items),
        method=method, formula=formula, assumptions=tuple(notes),
        rules=tuple(rules.values()), unverified_entries=tuple(sorted(entries)),
    )


def significant(value: float, digits: int = 2) -> str:
    """A FLOP figure to ``digits`` significant figures, as the Art. 52 notification states it."""
    if value == 0:
        return "0"
    return f"{value:.{max(digits - 1, 0)}e}".replace("e+", "e")
