"""Architecture-based estimates: full passes × operations per pass.

Guidelines C(2025) 5045, Annex A: for large dense transformers C ≈ 6 · P · D (P parameters,
D training tokens; a pass is forward plus backward). The Guidelines give no rule for
mixture-of-experts models: counting the parameters active per token is gpact's own
assumption (rulebook ``guidelines.compute.moe_active_parameters``) and is labelled so.
The optional attention term follows Kaplan et al. (2020): 2 · n_layer · n_ctx · d_model
forward FLOP per token, tripled for forward plus backward.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpact.compute.estimate import Estimate, tolerance_band
from gpact.errors import InputError
from gpact.rulebook import RulesInForce

MOE_KEY = "guidelines.compute.moe_active_parameters"


@dataclass(frozen=True)
class AttentionShape:
    """What the attention term needs: layers, context length (tokens) and model width."""

    layers: int
    context: int
    hidden: int


def _positive(value: float | None, option: str) -> None:
    if value is not None and not value > 0:
        raise InputError(None, option, f"must be positive, got {value:g}")


def estimate_architecture(rules: RulesInForce, parameters: float, tokens: float, *,
                          active_parameters: float | None = None, epochs: float = 1.0,
                          attention: AttentionShape | None = None) -> Estimate:
    """C ≈ 6 · P · D (dense) or 6 · A · D (mixture-of-experts), plus an optional attention term."""
    _positive(parameters, "--parameters")
    _positive(tokens, "--tokens")
    _positive(active_parameters, "--active-parameters")
    _positive(epochs, "--epochs")
    if active_parameters is not None and active_parameters > parameters:
        raise InputError(None, "--active-parameters",
                         f"{active_parameters:g} active parameters exceed the {parameters:g} total")
    seen = tokens * epochs
    notes: list[str] = []
    used = []
    if epochs != 1:
        notes.append(f"{epochs:g} epochs over {tokens:g} tokens: D = {seen:g} tokens seen")
    if active_parameters is not None:
        rule = rules.rule(MOE_KEY)
        used.append(rule)
        p, formula, method = active_parameters, "6 · A · D", "architecture (mixture-of-experts)"
        notes.append(
            f"mixture-of-experts: counted with the {active_parameters:g} parameters active per "
            f"token, not all {parameters:g}; this is gpact's own assumption, the Guidelines give "
            f"no rule for mixture-of-experts ({rule.key}, confidence {rule.confidence}); counting "
            f"all parameters would give {6 * parameters * seen:.3g} FLOP")
    else:
        p, formula, method = parameters, "6 · P · D", "architecture (dense transformer)"
        notes.append("dense transformer: 6 FLOP per parameter per token for a forward and "
                     "backward pass (Guidelines Annex A)")
    flop = 6 * p * seen
    if attention is not None:
        _positive(attention.layers, "--layers")
        _positive(attention.context, "--context-length")
        _positive(attention.hidden, "--hidden-size")
        extra = 6 * attention.layers * attention.context * attention.hidden * seen
        flop += extra
        formula += " + 6 · n_layer · n_ctx · d_model · D"
        notes.append(f"attention term for a {attention.context}-token context over "
                     f"{attention.layers} layers of width {attention.hidden}: {extra:.3g} FLOP "
                     "(Kaplan et al. 2020, no saving for causal masking)")
    else:
        notes.append("attention over the context is neglected (valid when the model width is "
                     "well above a twelfth of the context length)")
    low, high, text, tol_rule = tolerance_band(rules, flop)
    notes.append(text)
    used.append(tol_rule)
    return Estimate(flop=flop, low=low, high=high, method=method, formula=formula,
                    assumptions=tuple(notes), rules=tuple(used))
