"""Citations of texts whose identity changes over time (the Guidelines were reissued)."""

from __future__ import annotations

from gpact.rulebook import RulesInForce

GUIDELINES_KEY = "guidelines.document"


def guidelines(rules: RulesInForce, where: str) -> str:
    """``Commission Guidelines C(2025) 7719, point 17`` — the version in force on the date,
    marked when the Guidelines were not yet published then."""
    rule = rules.rule(GUIDELINES_KEY)
    mark = (f" [not yet published on {rules.as_of}; from {rule.since}]"
            if rule.pending_on is not None else "")
    return f"{rule.value}, {where}{mark}"
