"""Is the model a general-purpose AI model? (Art. 3(63); Guidelines points 17-20; Recital 98)."""

from __future__ import annotations

from gpact.assess.compute_facts import TOLERANCE_KEY, ComputeFigure, compare, range_note
from gpact.assess.findings import Finding, flop
from gpact.assess.role import MODIFIER_PROVIDER
from gpact.assess.sources import guidelines
from gpact.profile.schema import Profile
from gpact.rulebook import RulesInForce

DEFINITION = "AI Act Art. 3(63)"
COMPUTE_KEY = "guidelines.gpai.indicative_compute_flop"
MODALITIES_KEY = "guidelines.gpai.indicative_modalities"
TEXT_PROMPT_KEY = "guidelines.gpai.text_prompt_modalities"
PARAMETER_HINT_KEY = "ai_act.recitals.generality_parameter_hint"


def gpai_status(profile: Profile, rules: RulesInForce, update: ComputeFigure,
                role: str | None) -> Finding[bool]:
    """Apply the definition through the Guidelines' indicative criterion and its exceptions.

    The criterion (compute directly updating parameters above 10^23 FLOP and generating
    language, text-to-image or text-to-video) is indicative: a narrow task set overrides it, and
    significant generality below it (Recital 98's parameter hint) can make a model GPAI. A
    modifier that became the provider of a modified GPAI model provides a GPAI model
    (Guidelines points 59-66), whatever its own compute.
    """
    m = profile.model
    finding: Finding[bool] = Finding(None)
    if m.narrow_purpose:
        return finding_value(finding, False).because(
            f"The model competently performs only a narrow set of tasks ({m.narrow_purpose}); "
            "a model meeting the indicative criterion is still not a GPAI model in that case.",
            f"{DEFINITION}; {guidelines(rules, 'point 20')}")
    if role == MODIFIER_PROVIDER and _base_is_gpai(profile, rules) is not False:
        base = m.base_model.name if m.base_model and m.base_model.name else "the base model"
        return finding_value(finding, True).because(
            f"The modification of {base} made {profile.provider.name} the provider of the "
            "modified general-purpose AI model, which is a GPAI model; the one-third test "
            "already decided it, so the modifier needs no compute figure of its own.",
            guidelines(rules, "points 59-66"))
    if not m.generates:
        finding.missing.append("model.generates")
        return finding.because("The model's output capabilities are not given, so the modality "
                               "limb of the indicative criterion cannot be tested.",
                               guidelines(rules, "point 17"))
    modality_ok, modality_text = _modality_test(profile, rules)
    threshold = float(rules.value(COMPUTE_KEY))
    source = rules.rule(COMPUTE_KEY).source
    if not modality_ok:
        return finding_value(finding, False).because(
            f"{modality_text}; the indicative criterion is not met and nothing in the profile "
            "shows significant generality.", f"{DEFINITION}; {source}")
    finding.because(modality_text, source)
    tolerance = rules.rule(TOLERANCE_KEY)
    cmp = compare(update, threshold, float(tolerance.value))
    if cmp is None:
        return _without_compute(profile, rules, finding)
    stated = ("Training compute directly updating parameters "
              f"({flop(update.value or 0, threshold)}, {update.origin})")
    if cmp.above:
        finding.value = True
        finding.because(f"{stated} is above {flop(threshold)}: indicatively a GPAI model.",
                        source)
    else:
        finding.because(f"{stated} is not above {flop(threshold)}: the indicative criterion is "
                        "not met.", source)
        finding.value = _parameter_hint(profile, rules, finding)
    if cmp.straddles:
        finding.near_threshold = True
        finding.because(range_note(update, cmp, threshold, "the indicative GPAI criterion",
                                   "check the generality test of the definition manually"),
                        f"{tolerance.source}; {source}")
    if m.release is not None and m.release.status == "development":
        finding.because("While used only for research, development or prototyping before being "
                        "placed on the market, the model is outside the definition; this finding "
                        "describes the model as it will be when placed.", DEFINITION)
    return finding


def finding_value(finding: Finding[bool], value: bool) -> Finding[bool]:
    finding.value = value
    return finding


def _modality_test(profile: Profile, rules: RulesInForce) -> tuple[bool, str]:
    listed = set(rules.value(MODALITIES_KEY))
    from_text_only = set(rules.value(TEXT_PROMPT_KEY))
    m = profile.model
    text_input = not m.inputs or "text" in m.inputs
    qualifying = [g for g in m.generates
                  if g in listed and (g not in from_text_only or text_input)]
    if qualifying:
        assumed = " (text input assumed: model.inputs not given)" if not m.inputs and any(
            g in from_text_only for g in qualifying) else ""
        return True, (f"The model generates {', '.join(qualifying)}, which meets the modality "
                      f"limb of the indicative criterion{assumed}.")
    return False, (f"The model generates {', '.join(m.generates)}, which is neither language "
                   "(text, code, speech) nor images or video from text prompts")


def _parameter_hint(profile: Profile, rules: RulesInForce, finding: Finding[bool]) -> bool:
    """Recital 98: about a billion parameters and self-supervision at scale suggest generality."""
    hint = float(rules.value(PARAMETER_HINT_KEY))
    source = rules.rule(PARAMETER_HINT_KEY).source
    params = profile.model.parameters
    if params is not None and params >= hint:
        finding.because(f"The model has {params:.2g} parameters (at least {hint:.0e}), which "
                        "indicates significant generality despite the compute: treated as a GPAI "
                        "model. Check the definition's generality test manually.", source)
        return True
    finding.because("Nothing in the profile shows significant generality, so the model is not "
                    "treated as a GPAI model.", DEFINITION)
    return False


def _base_is_gpai(profile: Profile, rules: RulesInForce) -> bool | None:
    """Whether the base model is a GPAI model, as far as the profile says."""
    base = profile.model.base_model
    if base is None:
        return None
    if base.systemic_risk:
        return True
    if base.training_compute_flop is None:
        return None
    return base.training_compute_flop > float(rules.value(COMPUTE_KEY))


def _without_compute(profile: Profile, rules: RulesInForce,
                     finding: Finding[bool]) -> Finding[bool]:
    if _base_is_gpai(profile, rules):
        finding.value = True
        return finding.because(
            "The model is a modification of a GPAI model (by the base model's compute or "
            "systemic-risk status); a modified GPAI model remains a GPAI model.",
            guidelines(rules, "points 59-67"))
    finding.missing.append("model.parameter_update_compute_flop (or model.training_compute_flop)")
    params = profile.model.parameters
    hint = float(rules.value(PARAMETER_HINT_KEY))
    if params is not None and params >= hint:
        finding.because(f"The model has {params:.2g} parameters, which Recital 98 links to "
                        "significant generality, but without the training compute gpact cannot "
                        "apply the indicative criterion.", rules.rule(PARAMETER_HINT_KEY).source)
    return finding.because("Training compute is not given: cannot decide.",
                           guidelines(rules, "point 17"))
