"""Does the GPAI model carry systemic risk? (Arts 51-52; Guidelines point 67).

Two routes: the presumption above 10^25 FLOP of cumulative training compute (met, or known to
be met), and a Commission designation. Arguments under Art. 52(2) change nothing until the
Commission accepts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from gpact.assess.compute_facts import ComputeFigure, compare, range_note
from gpact.assess.findings import Finding, flop
from gpact.assess.role import MODIFIER_PROVIDER, NOT_PROVIDER
from gpact.profile.schema import Profile
from gpact.rulebook import RulesInForce

THRESHOLD_KEY = "ai_act.art51.presumption_threshold_flop"
REASSESSMENT_KEY = "ai_act.art52.reassessment_after_months"
REACH_KEY = "ai_act.annex_xiii.business_users_presumption"


@dataclass
class SystemicRisk:
    """The finding plus how it was reached, which the notification obligation needs."""

    finding: Finding[bool]
    presumed: bool = False            # by the compute presumption (Art. 51(2)) or point 67
    known_on: dt.date | None = None   # when the condition was met or became known


def systemic_risk(profile: Profile, rules: RulesInForce, as_of: dt.date, gpai: Finding[bool],
                  role: Finding[str], cumulative: ComputeFigure) -> SystemicRisk:
    m = profile.model
    result = SystemicRisk(Finding(None))
    f = result.finding
    if gpai.value is False:
        f.value = False
        f.because("Not a GPAI model, so not a GPAI model with systemic risk.", "AI Act Art. 51(1)")
        return result
    designation = m.systemic_risk_designation
    if designation and designation.designated_on and designation.designated_on <= as_of:
        f.value = True
        months = int(rules.value(REASSESSMENT_KEY))
        earliest = designation.designated_on + relativedelta(months=months)
        f.because(f"The Commission designated the model as having systemic risk on "
                  f"{designation.designated_on}.", "AI Act Art. 51(1)(b), Art. 52(4)")
        f.because(f"A reasoned request for reassessment may be made from {earliest}.",
                  rules.rule(REASSESSMENT_KEY).source)
        _with_reach(profile, rules, f)
        return result
    base = m.base_model
    if role.value == NOT_PROVIDER and base is not None:
        f.value = base.systemic_risk
        if base.systemic_risk is None:
            f.missing.append("model.base_model.systemic_risk")
        f.because("The modification does not create a new model for this provider; the model "
                  "keeps the base model's classification.",
                  "Commission Guidelines C(2025) 5045, points 59-62")
        return result
    if role.value == MODIFIER_PROVIDER and base is not None and base.systemic_risk:
        f.value = True
        result.presumed = True
        result.known_on = m.threshold_known_on
        f.because("The modifier of a systemic-risk model became its provider: the modified model "
                  "is presumed to have high-impact capabilities and systemic risk.",
                  "Commission Guidelines C(2025) 5045, point 67")
        return _rebuttal(profile, as_of, result)
    threshold = float(rules.value(THRESHOLD_KEY))
    source = rules.rule(THRESHOLD_KEY).source
    known = m.threshold_known_on if m.threshold_known_on and m.threshold_known_on <= as_of else None
    cmp = compare(cumulative, threshold)
    stated = ("Cumulative training compute "
              f"({flop(cumulative.value or 0, threshold)}, {cumulative.origin})")
    if cmp is not None and cmp.above:
        f.value = True
        result.presumed = True
        result.known_on = m.threshold_known_on
        f.because(f"{stated} is greater than {flop(threshold)}: high-impact capabilities and "
                  "systemic risk are presumed.", source)
        if role.value == MODIFIER_PROVIDER:
            f.because("Interpretation, not a rule: the Guidelines do not address a modification "
                      "that pushes a non-systemic model's cumulative compute past the "
                      "threshold; gpact applies the Art. 51(2) presumption to the modified "
                      "model's cumulative compute.", "regulation.md §7.3")
    elif known is not None:
        f.value = True
        result.presumed = True
        result.known_on = known
        f.because(f"It became known on {known} that cumulative training compute will exceed "
                  f"{flop(threshold)}: the model is treated as presumed systemic-risk from then, "
                  "even before training ends.", f"{source}; AI Act Art. 52(1); Recital 112")
    elif cmp is not None:
        f.value = False if gpai.value is not None else None
        f.because(f"{stated} is not greater than {flop(threshold)}, and there is no Commission "
                  "designation.", f"{source}; Art. 51(1)(b)")
    else:
        f.missing.append("model.training_compute_flop")
        f.because("Cumulative training compute is not given and there is no Commission "
                  "designation: cannot decide.", source)
    if cmp is not None and cmp.straddles:
        f.because("Note: " + range_note(cumulative, threshold) + ".", source)
    _with_reach(profile, rules, f)
    return _rebuttal(profile, as_of, result) if result.presumed else result


def _rebuttal(profile: Profile, as_of: dt.date, result: SystemicRisk) -> SystemicRisk:
    """Art. 52(2)-(3): arguments count only once the Commission accepts them."""
    rebuttal = profile.model.systemic_risk_rebuttal
    if rebuttal is None:
        return result
    f = result.finding
    decided = rebuttal.decided_on is not None and rebuttal.decided_on <= as_of
    if rebuttal.decision == "accepted" and decided:
        f.value = False
        result.presumed = False
        f.because(f"The Commission accepted on {rebuttal.decided_on} the provider's arguments "
                  "that the model exceptionally has no systemic risk.", "AI Act Art. 52(2)-(3)")
    elif rebuttal.decision == "rejected" and decided:
        f.because(f"The Commission rejected the provider's Art. 52(2) arguments on "
                  f"{rebuttal.decided_on}: the model is considered to have systemic risk.",
                  "AI Act Art. 52(3)")
    else:
        submitted = f" submitted on {rebuttal.submitted_on}" if rebuttal.submitted_on else ""
        f.because(f"Arguments under Art. 52(2){submitted} do not change the classification until "
                  "the Commission accepts them.", "AI Act Art. 52(2)-(3)")
    return result


def _with_reach(profile: Profile, rules: RulesInForce, f: Finding[bool]) -> Finding[bool]:
    reach = profile.model.reach
    users = reach.eu_business_users if reach else None
    presumption = int(rules.value(REACH_KEY))
    if users is not None and users >= presumption and f.value is not True:
        f.because(f"{users} registered EU business users (at least {presumption}): high impact "
                  "on the internal market through reach is presumed, a criterion the Commission "
                  "may use to designate the model.", rules.rule(REACH_KEY).source)
    return f
