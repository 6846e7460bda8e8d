"""Can the Commission enforce yet, and how high can a fine go? (Arts 88-94, 101, 113)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gpact.assess.findings import Reason
from gpact.profile.schema import Profile
from gpact.rulebook import RulesInForce

POWERS_KEY = "ai_act.dates.enforcement_powers"
CHAPTER_V_KEY = "ai_act.dates.chapter_v_application"
SHARE_KEY = "ai_act.art101.fine_turnover_share"
FIXED_KEY = "ai_act.art101.fine_fixed_eur"


@dataclass
class Enforcement:
    can_enforce: bool
    powers_from: dt.date
    fine_ceiling_eur: float | None
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"commission_can_enforce": self.can_enforce,
                "powers_from": self.powers_from.isoformat(),
                "fine_ceiling_eur": self.fine_ceiling_eur,
                "reasons": [r.as_dict() for r in self.reasons]}


def enforcement(profile: Profile, rules: RulesInForce, as_of: dt.date,
                owes_obligations: bool) -> Enforcement:
    powers_from = rules.value(POWERS_KEY)
    chapter_v = rules.value(CHAPTER_V_KEY)
    can = as_of >= powers_from
    result = Enforcement(can, powers_from, None)
    if can:
        text = (f"On {as_of} the Commission can request information, evaluate the model, order "
                "measures and impose fines.")
    elif as_of < chapter_v:
        text = (f"On {as_of} Chapter V does not yet apply (it applies from {chapter_v}); the "
                f"Commission's enforcement powers and fines apply from {powers_from}.")
    else:
        text = (f"Until {powers_from} the Commission cannot yet fine or order measures; the AI "
                "Office works collaboratively, but the obligations already apply.")
    result.reasons.append(Reason(text, rules.rule(POWERS_KEY).source))
    if not owes_obligations:
        return result
    share, fixed = float(rules.value(SHARE_KEY)), float(rules.value(FIXED_KEY))
    turnover = profile.provider.annual_worldwide_turnover_eur
    source = rules.rule(SHARE_KEY).source
    if turnover is None:
        result.missing.append("provider.annual_worldwide_turnover_eur")
        result.reasons.append(Reason(
            f"Fine ceiling: {share:.0%} of annual worldwide turnover or EUR {fixed:,.0f}, "
            "whichever is higher; turnover is not given, so the ceiling is at least "
            f"EUR {fixed:,.0f}.", source))
    else:
        result.fine_ceiling_eur = max(share * turnover, fixed)
        result.reasons.append(Reason(
            f"Fine ceiling: the higher of {share:.0%} of EUR {turnover:,.0f} and "
            f"EUR {fixed:,.0f}.", source))
    return result
