"""The law as dated data: thresholds, dates, periods and catalogues with sources."""

from gpact.rulebook.loader import (
    CONFIDENCES,
    Parameter,
    Rulebook,
    RuleNotInForce,
    RulesInForce,
    RuleValue,
    default_rulebook,
)

__all__ = [
    "CONFIDENCES",
    "Parameter",
    "RuleNotInForce",
    "RuleValue",
    "Rulebook",
    "RulesInForce",
    "default_rulebook",
]
