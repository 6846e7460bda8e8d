"""Which compute counts: the rulebook's catalogue of compute kinds (Guidelines Annex A.1).

A ledger entry or telemetry row names its kind as ``phase``. Whether that kind counts towards
cumulative compute (Art. 51(2)) and towards compute directly updating parameters (the 10^23
indicator and the one-third test) is data, with its source and confidence, never an ``if``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from gpact.errors import InputError
from gpact.rulebook import RulesInForce, RuleValue

PHASES_KEY = "guidelines.compute.phase_counting"


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    cumulative: bool
    parameter_update: bool
    source: str
    confidence: str
    note: str | None = None


class PhaseRules:
    """The counting rules in force on a date."""

    def __init__(self, rules: RulesInForce) -> None:
        self.rule: RuleValue = rules.rule(PHASES_KEY)
        self.phases = {
            str(e["id"]): Phase(
                id=str(e["id"]), title=str(e["title"]), cumulative=bool(e["cumulative"]),
                parameter_update=bool(e["parameter_update"]), source=str(e["source"]),
                confidence=str(e["confidence"]),
                note=" ".join(str(e["note"]).split()) if e.get("note") else None)
            for e in self.rule.value
        }

    def get(self, phase: str, file: str | None = None, field: str = "phase") -> Phase:
        found = self.phases.get(phase.strip().lower())
        if found is not None:
            return found
        close = difflib.get_close_matches(phase.strip().lower(), list(self.phases), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else \
            f"; use one of {', '.join(self.phases)}"
        raise InputError(file, field, f"unknown phase {phase!r}{hint}")

    def basis(self, phase: Phase) -> str:
        """One line saying how the phase counts and why."""
        parts = [
            "counts towards cumulative compute" if phase.cumulative
            else "not counted towards cumulative compute",
            "updates parameters" if phase.parameter_update else "does not update parameters",
        ]
        text = f"{phase.id}: {'; '.join(parts)} ({phase.source}; confidence {phase.confidence})"
        return f"{text}. {phase.note}" if phase.note else text
