"""Does the GPAI model carry systemic risk? (Arts 51-52; Guidelines point 67).

Two routes: the presumption above 10^25 FLOP of cumulative training compute (met, or known to
be met), and a Commission designation. Arguments under Art. 52(2) change nothing until the
Commission accepts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from gpact.assess.compute_facts import TOLERANCE_KEY, ComputeFigure, compare, range_note
from gpact.assess.findings import Finding, flop
from gpact.assess.role import MODIFIER_PROVIDER, NOT_PROVIDER
from gpact.assess.sources import guidelines
from gpact.profile.schema import BaseModelRef, Profile
from gpact.rulebook import RulesInForce

THRESHOLD_KEY = "ai_act.art51.presumption_threshold_flop"
REASSESSMENT_KEY = "ai_act.art52.reassessment_after_months"
REACH_KEY = "ai_act.annex_xiii.business_users_presumption"
KNOWN_KEY = "ai_act.art52.known_before_training_ends"


@dataclass
class SystemicRisk:
    """The finding plus how it was reached, which the notification obligation needs."""

    finding: Finding[bool]
    presumed: bool = False            # by the compute presumption (Art. 51(2)) or point 67
    known_on: dt.date | None = None   # when the condition was met or became known


def systemic_risk(profile: Profile, rules: RulesInForce, as_of: dt.date, gpai: Finding[bool],
                  role: Finding[str], cumulative: ComputeFigure,
                  planned: ComputeFigure | None = None) -> SystemicRisk:
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
        f.value = _base_systemic(base, rules)
        if f.value is None:
            f.missing.append("model.base_model.systemic_risk")
        f.because("The modification does not create a new model for this provider; the model "
                  "keeps the base model's classification.", guidelines(rules, "points 59-62"))
        return result
    if role.value == MODIFIER_PROVIDER and base is not None:
        return _modified(profile, rules, as_of, result, base, cumulative)
    threshold = float(rules.value(THRESHOLD_KEY))
    source = rules.rule(THRESHOLD_KEY).source
    known = m.threshold_known_on if m.threshold_known_on and m.threshold_known_on <= as_of else None
    tolerance = rules.rule(TOLERANCE_KEY)
    cmp = compare(cumulative, threshold, float(tolerance.value))
    ahead = _planned_above(rules, planned, threshold) if m.threshold_known_on is None \
        or known is not None else None
    stated = ("Cumulative training compute "
              f"({flop(cumulative.value or 0, threshold)}, {cumulative.origin})")
    if cmp is not None and cmp.above:
        f.value = True
        result.presumed = True
        result.known_on = m.threshold_known_on
        f.because(f"{stated} is greater than {flop(threshold)}: high-impact capabilities and "
                  "systemic risk are presumed.", source)
    elif ahead is not None:
        f.value = True
        result.presumed = True
        result.known_on = known
        f.because(f"The {ahead.origin} ({flop(ahead.value or 0, threshold)}) exceeds "
                  f"{flop(threshold)}: it is known that the condition will be met, so the model "
                  "is treated as presumed systemic-risk and the notification is owed, even "
                  "before training ends.", f"{source}; {rules.rule(KNOWN_KEY).source}")
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
        f.near_threshold = True
        f.because(range_note(cumulative, cmp, threshold, "the systemic-risk presumption",
                             "consider notifying the Commission if the true figure may exceed "
                             "it (Art. 52(1))"), f"{tolerance.source}; {source}")
    _with_reach(profile, rules, f)
    return _rebuttal(profile, as_of, result) if result.presumed else result


def _planned_above(rules: RulesInForce, planned: ComputeFigure | None,
                   threshold: float) -> ComputeFigure | None:
    """Art. 52(1): a planned or forecast figure above the threshold makes it known."""
    if planned is None or planned.value is None or planned.value <= threshold:
        return None
    return planned if rules.value(KNOWN_KEY) else None


def _base_systemic(base: BaseModelRef, rules: RulesInForce) -> bool | None:
    """The base model's classification: as stated, else from its compute if given."""
    if base.systemic_risk is not None:
        return base.systemic_risk
    if base.training_compute_flop is None:
        return None
    return base.training_compute_flop > float(rules.value(THRESHOLD_KEY))


def _modified(profile: Profile, rules: RulesInForce, as_of: dt.date, result: SystemicRisk,
              base: BaseModelRef, cumulative: ComputeFigure) -> SystemicRisk:
    """A modifier that became the provider: presumed systemic only if the original is."""
    f = result.finding
    original = _base_systemic(base, rules)
    if original is True:
        f.value = True
        result.presumed = True
        result.known_on = profile.model.threshold_known_on
        f.because("The modifier of a systemic-risk model became its provider: the modified model "
                  "is presumed to have high-impact capabilities and systemic risk.",
                  guidelines(rules, "point 67"))
        return _rebuttal(profile, as_of, result)
    if original is None:
        f.missing.append("model.base_model.systemic_risk")
        f.because("Whether the original model is a systemic-risk model is not given: cannot "
                  "decide the modified model's classification.", guidelines(rules, "point 67"))
        return result
    f.value = False
    f.because("The original model is not a systemic-risk model, so the modified model is not "
              "presumed to be one: the systemic-risk presumption for modified models covers "
              "only modifications of systemic-risk models, and the modifier's obligations are "
              "limited to the modification.",
              f"{guidelines(rules, 'points 65, 67')}; AI Act Recital 109")
    threshold = float(rules.value(THRESHOLD_KEY))
    if cumulative.value is not None and cumulative.value > threshold:
        f.because(f"The cumulative compute of the modified model ({flop(cumulative.value)}, "
                  f"{cumulative.origin}) exceeds {flop(threshold)}. The Guidelines do not "
                  "address a modification that pushes a non-systemic model past the threshold; "
                  "gpact does not presume systemic risk here (interpretation, not a rule). "
                  "Consider notifying the Commission and document the compute carefully.",
                  f"{rules.rule(THRESHOLD_KEY).source}; {guidelines(rules, 'point 67')}")
    _with_reach(profile, rules, f)
    return result


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
