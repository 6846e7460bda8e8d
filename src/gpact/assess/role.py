"""Is the profile's provider the provider of this model on the Union market?

Placing on the market (Art. 3(9), Recital 97, Guidelines §3.1), the research and internal-use
exclusions (Art. 2(8), 3(63)) and the modification test for downstream modifiers (Guidelines
points 59-62).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from gpact.assess.compute_facts import TOLERANCE_KEY, ComputeFigure, compare, range_note
from gpact.assess.findings import Finding, flop
from gpact.assess.sources import guidelines
from gpact.profile.schema import Profile
from gpact.rulebook import RulesInForce

PROVIDER = "provider"
MODIFIER_PROVIDER = "modifier_provider"
NOT_PROVIDER = "not_provider"
NOT_IN_SCOPE = "not_in_scope"
NOT_GPAI = "not_gpai_model"
ROLE_LABELS = {
    PROVIDER: "provider",
    MODIFIER_PROVIDER: "provider of the modified model (modifier)",
    NOT_PROVIDER: "not the provider (the original provider keeps the obligations)",
    NOT_IN_SCOPE: "not in scope (not placed on the Union market)",
    NOT_GPAI: "not a GPAI model: Chapter V does not apply",
}

FRACTION_KEY = "guidelines.modification.compute_fraction"
FALLBACK_SR_KEY = "guidelines.modification.fallback_original_systemic_flop"
FALLBACK_KEY = "guidelines.modification.fallback_original_other_flop"


def provider_role(profile: Profile, rules: RulesInForce) -> Finding[str]:
    """Decide the role: market placement first, then whether a modifier became the provider."""
    finding: Finding[str] = Finding(None)
    if not _placed(profile, rules, finding):
        return finding
    base = profile.model.base_model
    if base is None or base.same_provider:
        if base is not None:
            finding.because("The model builds on the provider's own earlier model; later "
                            "development by the same provider is part of the same model's "
                            "lifecycle and keeps its obligations.",
                            guidelines(rules, "point 23"))
        finding.value = PROVIDER
        return finding.because(
            f"{profile.provider.name} develops the model and places it on the market under its "
            "own name.", "AI Act Art. 3(3)")
    return _modification_test(profile, rules, finding)


def _placed(profile: Profile, rules: RulesInForce, finding: Finding[str]) -> bool:
    """True when the model is (or will be) placed on the Union market by this provider."""
    release = profile.model.release
    status = release.status if release else None
    if status is None:
        finding.missing.append("model.release.status")
        finding.because("The release status is not given: cannot tell whether the model is "
                        "placed on the market.", "AI Act Art. 3(9)")
        return False
    if status == "development":
        finding.value = NOT_IN_SCOPE
        finding.because("The model is used only for research, development or prototyping and is "
                        "not placed on the market: no Chapter V obligations yet (the Art. 52(1) "
                        "notification excepted once the 10^25 FLOP threshold is known to be "
                        "met). gpact assumes the model is meant for the market; a model developed "
                        "for the sole purpose of scientific research owes nothing.",
                        "AI Act Art. 2(8), Art. 3(63), Art. 2(6); Recital 112")
        return False
    if status == "internal_use":
        assert release is not None
        essential = release.internal_use_essential_to_third_parties
        rights = release.internal_use_affects_rights
        if essential or rights:
            finding.because("The model is used internally, but that use is essential to a "
                            "product or service for third parties or affects people's rights, so "
                            "it counts as placed on the market.",
                            f"AI Act Recital 97; {guidelines(rules, '§3.1')}")
            return True
        if essential is None or rights is None:
            for name, value in (("internal_use_essential_to_third_parties", essential),
                                ("internal_use_affects_rights", rights)):
                if value is None:
                    finding.missing.append(f"model.release.{name}")
            finding.because("Internal use: whether it is essential to third-party products or "
                            "services or affects people's rights is not given.",
                            "AI Act Recital 97")
            return False
        finding.value = NOT_IN_SCOPE
        finding.because("The model is used only for purely internal processes that are not "
                        "essential to products or services for third parties and do not affect "
                        "people's rights: it is not placed on the market.", "AI Act Recital 97")
        return False
    assert release is not None
    if release.eu_market is False:
        finding.value = NOT_IN_SCOPE
        finding.because("Distribution and use in the Union, including integration into systems "
                        "intended for the Union, are clearly and unequivocally excluded: the "
                        "model is not placed on the Union market.",
                        guidelines(rules, "§3.1.3"))
        return False
    if status == "withdrawn":
        finding.because("The model has been withdrawn; it was placed on the market, so "
                        "documentation and retention duties continue.", "AI Act Art. 3(9)")
    channels = f" ({', '.join(release.channels)})" if release.channels else ""
    finding.because(f"The model is made available on the Union market{channels}.",
                    "AI Act Art. 3(9); Recital 97")
    return True


def _modification_test(profile: Profile, rules: RulesInForce,
                       finding: Finding[str]) -> Finding[str]:
    base = profile.model.base_model
    assert base is not None
    base_name = base.name or "the base model"
    if base.modification_compute_flop is None:
        finding.missing.append("model.base_model.modification_compute_flop")
        return finding.because(f"The model modifies {base_name}, but the compute used for the "
                               "modification is not given: cannot apply the one-third test.",
                               guidelines(rules, "points 59-60"))
    mod = base.modification_compute_flop
    fraction = Fraction(str(rules.value(FRACTION_KEY)))
    if base.training_compute_flop is not None:
        original = base.training_compute_flop
        basis = f"{fraction} of {base_name}'s training compute ({flop(original)})"
        source = rules.rule(FRACTION_KEY).source
    elif base.systemic_risk is not None:
        key = FALLBACK_SR_KEY if base.systemic_risk else FALLBACK_KEY
        original = float(rules.value(key))
        kind = "a systemic-risk model" if base.systemic_risk else "not a systemic-risk model"
        basis = (f"{fraction} of {flop(original)}, the fallback used because {base_name}'s "
                 f"compute is unknown and it is {kind}")
        source = f"{rules.rule(FRACTION_KEY).source}; {rules.rule(key).source}"
    else:
        finding.missing += ["model.base_model.training_compute_flop",
                            "model.base_model.systemic_risk"]
        return finding.because(f"Neither {base_name}'s training compute nor whether it is a "
                               "systemic-risk model is given: cannot choose the threshold.",
                               guidelines(rules, "points 60-61"))
    used = flop(mod, float(original * fraction))
    if exceeds_fraction(mod, original, fraction):
        finding.value = MODIFIER_PROVIDER
        finding.because(f"The modification used {used}, more than {basis}: "
                        f"{profile.provider.name} becomes the provider of the modified model.",
                        source)
    else:
        finding.value = NOT_PROVIDER
        finding.because(f"The modification used {used}, not more than {basis}: the modified "
                        f"model stays {base_name}'s and its original provider keeps the "
                        "obligations.", source)
    _near_fraction(rules, finding, mod, float(original * fraction), source)
    return finding


def _near_fraction(rules: RulesInForce, finding: Finding[str], mod: float, threshold: float,
                   source: str) -> None:
    tolerance = rules.rule(TOLERANCE_KEY)
    figure = ComputeFigure(mod, "model.base_model.modification_compute_flop")
    cmp = compare(figure, threshold, float(tolerance.value))
    if cmp is not None and cmp.straddles:
        finding.near_threshold = True
        finding.because(range_note(figure, cmp, threshold, "one third of the original model's "
                                   "compute", "keep the evidence for both compute figures"),
                        f"{tolerance.source}; {source}")


def exceeds_fraction(part: float, whole: float, fraction: Fraction) -> bool:
    """``part > fraction * whole``, computed on the decimal figures as written (no rounding)."""
    return Decimal(repr(part)) * fraction.denominator > Decimal(repr(whole)) * fraction.numerator


INTERNAL_USE_KEY = "ai_act.recitals.internal_use_carve_out"


def settle_role(profile: Profile, rules: RulesInForce, role: Finding[str], gpai: bool | None,
                systemic: bool | None) -> Finding[str]:
    """Finish the role once GPAI status and systemic risk are known.

    A model that is not a GPAI model has no GPAI provider role. The internal-use carve-out of
    Recital 97 has three cumulative conditions, the last being that the model is not a GPAI
    model with systemic risk, so this part of the role test needs the systemic-risk verdict.
    """
    if gpai is False:
        settled: Finding[str] = Finding(NOT_GPAI)
        settled.because("Not a GPAI model: Chapter V does not apply, so there is no GPAI "
                        "provider role.", "AI Act Art. 3(63), Arts 51-55")
        settled.reasons += role.reasons
        return settled
    release = profile.model.release
    if release is None or release.status != "internal_use" or role.value not in (NOT_IN_SCOPE,
                                                                                  None):
        return role
    rule = rules.rule(INTERNAL_USE_KEY)
    if not rule.value["requires_not_systemic_risk"]:
        return role
    if systemic is True:
        settled = Finding(PROVIDER)
        settled.because("The model is a GPAI model with systemic risk: such models are always "
                        "subject to the obligations, so even purely internal use counts as "
                        "placing on the market (the carve-out's three conditions are cumulative)."
                        f" {profile.provider.name} is its provider.", rule.source)
        return settled
    if systemic is None and role.value == NOT_IN_SCOPE:
        role.value = None
        role.because("Purely internal use is outside Chapter V only if the model is not a GPAI "
                     "model with systemic risk, which cannot be decided here.", rule.source)
    elif systemic is False and role.value == NOT_IN_SCOPE:
        role.because("The model is not a GPAI model with systemic risk, the carve-out's third "
                     "condition.", rule.source)
    return role
