"""Training-compute figures as the assessment sees them: a central value, a range and its origin."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class ComputeFigure:
    """A compute figure in FLOP. ``low``/``high`` bound the estimate when it is a range."""

    value: float | None
    origin: str
    low: float | None = None
    high: float | None = None

    @property
    def known(self) -> bool:
        return self.value is not None


class Side(Enum):
    ABOVE = "above"
    AT_OR_BELOW = "at_or_below"


@dataclass(frozen=True)
class Comparison:
    """Where a figure falls against a threshold tested as strictly greater than."""

    side: Side
    straddles: bool

    @property
    def above(self) -> bool:
        return self.side is Side.ABOVE


def compare(figure: ComputeFigure, threshold: float) -> Comparison | None:
    """Compare with ``> threshold``; report when the figure's range lies on both sides."""
    if figure.value is None:
        return None
    side = Side.ABOVE if figure.value > threshold else Side.AT_OR_BELOW
    low = figure.low if figure.low is not None else figure.value
    high = figure.high if figure.high is not None else figure.value
    straddles = low <= threshold < high
    return Comparison(side, straddles)


def range_note(figure: ComputeFigure, threshold: float) -> str:
    """A sentence for findings whose compute range straddles the threshold."""
    return (f"the estimate's range ({figure.low:.2g}–{figure.high:.2g} FLOP) straddles "
            f"{threshold:.2g} FLOP; the central estimate ({figure.value:.2g} FLOP) decides, "
            "so document the estimate carefully (Guidelines: within 30 %)")
