"""Findings: every conclusion carries its reasons and, where it cannot decide, the missing input."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Reason:
    """A short sentence and the legal source it rests on."""

    text: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "source": self.source}


@dataclass
class Finding(Generic[T]):
    """A value (``None`` = cannot decide) with its reasons and the input it would need."""

    value: T | None
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    near_threshold: bool = False  # an estimate's range straddles the threshold that decided it

    def because(self, text: str, source: str) -> Finding[T]:
        self.reasons.append(Reason(text, source))
        return self

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value,
                               "reasons": [r.as_dict() for r in self.reasons]}
        if self.missing:
            out["missing"] = list(self.missing)
        if self.near_threshold:
            out["near_threshold"] = True
        return out


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def flop(value: float, versus: float | None = None) -> str:
    """FLOP to two significant figures, as the Art. 52 notification states them.

    Next to a threshold (``versus``) it adds digits until the two figures read differently,
    so that 1.03e25 is never shown as "1e25 FLOP is greater than 1e25 FLOP".
    """
    digits = 2
    while versus is not None and value != versus and digits < 17 \
            and f"{value:.{digits}g}" == f"{versus:.{digits}g}":
        digits += 1
    return f"{value:.{digits}g}".replace("e+", "e") + " FLOP"
