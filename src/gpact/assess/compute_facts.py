"""Training-compute figures as the assessment sees them: a central value, a range and its origin.

A ledger gives a range; a single figure gets the Guidelines' tolerance (an estimate is accepted
within 30 % of the true figure), so a finding can say when the range crosses a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from gpact.assess.findings import flop

TOLERANCE_KEY = "guidelines.compute.estimate_tolerance"


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

    def bounds(self, tolerance: float) -> tuple[float, float, bool]:
        """(low, high, from_tolerance): the stated range, or the value ± the tolerance."""
        assert self.value is not None
        if self.low is not None and self.high is not None:
            return self.low, self.high, False
        return self.value * (1 - tolerance), self.value * (1 + tolerance), True


class Side(Enum):
    ABOVE = "above"
    AT_OR_BELOW = "at_or_below"


@dataclass(frozen=True)
class Comparison:
    """Where a figure falls against a threshold tested as strictly greater than."""

    side: Side
    straddles: bool
    low: float
    high: float
    from_tolerance: bool

    @property
    def above(self) -> bool:
        return self.side is Side.ABOVE


def compare(figure: ComputeFigure, threshold: float, tolerance: float) -> Comparison | None:
    """Compare with ``> threshold``; report when the figure's range lies on both sides."""
    if figure.value is None:
        return None
    side = Side.ABOVE if figure.value > threshold else Side.AT_OR_BELOW
    low, high, assumed = figure.bounds(tolerance)
    return Comparison(side, low <= threshold < high, low, high, assumed)


def range_note(figure: ComputeFigure, cmp: Comparison, threshold: float, what: str,
               advice: str) -> str:
    """The near-threshold finding: the range crosses, the point estimate decides, what to do."""
    basis = ("the Guidelines' 30 % tolerance for estimates" if cmp.from_tolerance
             else "the range of the estimate")
    return (f"Near the threshold: by {basis} the figure lies between {cmp.low:.2g} and "
            f"{cmp.high:.2g} FLOP, which straddles {what} ({threshold:.2g} FLOP). The verdict "
            f"follows the central estimate ({flop(figure.value or 0, threshold)}); document the "
            f"estimate, its method and assumptions carefully, and {advice}.")
