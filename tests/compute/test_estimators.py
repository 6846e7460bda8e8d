"""Architecture- and hardware-based estimators against hand-computed figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpact.compute import AttentionShape, Catalogue, estimate_architecture, estimate_hardware
from gpact.compute.estimate import significant
from gpact.errors import InputError
from gpact.rulebook import RulesInForce, default_rulebook

from .conftest import AS_OF

REQUIRED_ACCELERATORS = ["A100", "H100 SXM", "H100 PCIe", "H200", "B200", "GB200", "MI250X",
                         "MI300X", "TPU v4", "TPU v5e", "TPU v5p", "Gaudi 2", "Gaudi 3"]


def test_dense_70b_on_15t_tokens(rules: RulesInForce) -> None:
    e = estimate_architecture(rules, 7e10, 1.5e13)
    assert e.flop == pytest.approx(6.3e24)
    assert (e.low, e.high) == (pytest.approx(6.3e24 * 0.7), pytest.approx(6.3e24 * 1.3))
    assert e.method == "architecture (dense transformer)"
    assert e.formula == "6 · P · D"
    assert significant(e.flop) == "6.3e24"


def test_epochs_multiply_tokens(rules: RulesInForce) -> None:
    e = estimate_architecture(rules, 1e9, 1e11, epochs=4)
    assert e.flop == pytest.approx(6 * 1e9 * 4e11)
    assert any("4 epochs" in a for a in e.assumptions)


def test_moe_counts_active_parameters_and_says_it_is_an_assumption(rules: RulesInForce) -> None:
    e = estimate_architecture(rules, 4.67e10, 1e13, active_parameters=1.29e10)
    assert e.flop == pytest.approx(6 * 1.29e10 * 1e13)
    assert e.formula == "6 · A · D"
    text = " ".join(e.assumptions)
    assert "gpact's own assumption" in text
    assert f"{6 * 4.67e10 * 1e13:.3g}" in text  # the all-parameters figure is shown too
    assert "guidelines.compute.moe_active_parameters" in e.unverified_rules


def test_attention_term(rules: RulesInForce) -> None:
    shape = AttentionShape(layers=32, context=8192, hidden=4096)
    e = estimate_architecture(rules, 7e9, 2e12, attention=shape)
    assert e.flop == pytest.approx(6 * 7e9 * 2e12 + 6 * 32 * 8192 * 4096 * 2e12)


@pytest.mark.parametrize(("kwargs", "option"), [
    ({"parameters": 0, "tokens": 1e12}, "--parameters"),
    ({"parameters": 1e9, "tokens": -1}, "--tokens"),
    ({"parameters": 1e9, "tokens": 1e12, "epochs": 0}, "--epochs"),
    ({"parameters": 1e9, "tokens": 1e12, "active_parameters": 2e9}, "--active-parameters"),
])
def test_architecture_rejects_bad_input(rules: RulesInForce, kwargs: dict[str, float],
                                        option: str) -> None:
    with pytest.raises(InputError) as exc:
        estimate_architecture(rules, **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == option


@given(p=st.floats(1e6, 1e13), d=st.floats(1e9, 1e15), k=st.floats(1.5, 10))
def test_architecture_is_linear_and_ranged(p: float, d: float, k: float) -> None:
    rules = default_rulebook().at(AS_OF)
    one = estimate_architecture(rules, p, d)
    more = estimate_architecture(rules, p, d * k)
    assert more.flop == pytest.approx(one.flop * k)
    assert one.low <= one.flop <= one.high


def test_hardware_with_given_utilisation(rules: RulesInForce) -> None:
    # 1024 H100 SXM for 30 days at 40 % of 989.5 TFLOP/s bf16
    e = estimate_hardware(rules, "H100 SXM", 1024, 30 * 86400, "bf16", 0.4)
    expected = 1024 * 30 * 86400 * 989.5e12 * 0.4
    assert e.flop == pytest.approx(expected)
    assert (e.low, e.high) == (pytest.approx(expected * 0.7), pytest.approx(expected * 1.3))
    assert e.method == "hardware"


def test_hardware_default_utilisation_is_an_unverified_range(rules: RulesInForce) -> None:
    e = estimate_hardware(rules, "a100", 100, 3600)
    cap = 100 * 3600 * 312e12
    assert (e.low, e.flop, e.high) == (pytest.approx(cap * 0.3), pytest.approx(cap * 0.5),
                                       pytest.approx(cap * 0.7))
    assert "guidelines.compute.default_utilization" in e.unverified_rules


def test_guidelines_worked_example_figure_for_h100(rules: RulesInForce) -> None:
    # Guidelines Annex A uses 989 TFLOP/s for an H100 (bf16 dense): the catalogue agrees.
    assert Catalogue(rules).get("H100 SXM").peak("bf16") == pytest.approx(989e12, rel=1e-3)


def test_precision_changes_peak_and_unknown_format_is_refused(rules: RulesInForce) -> None:
    bf16 = estimate_hardware(rules, "H100 SXM", 1, 3600, "bf16", 0.5)
    fp8 = estimate_hardware(rules, "H100 SXM", 1, 3600, "fp8", 0.5)
    assert fp8.flop == pytest.approx(2 * bf16.flop)
    with pytest.raises(InputError, match="no fp8 peak"):
        estimate_hardware(rules, "TPU v4", 1, 3600, "fp8")
    with pytest.raises(InputError, match="unknown number format"):
        estimate_hardware(rules, "TPU v4", 1, 3600, "int4")


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({"count": 0}, "positive number of accelerators"),
    ({"seconds": -5}, "duration must be positive"),
    ({"utilization": 40}, "did you give a percentage"),
])
def test_hardware_rejects_bad_input(rules: RulesInForce, kwargs: dict[str, float],
                                    problem: str) -> None:
    args = {"accelerator": "A100", "count": 8, "seconds": 3600.0} | kwargs
    with pytest.raises(InputError, match=problem):
        estimate_hardware(rules, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", REQUIRED_ACCELERATORS)
def test_catalogue_holds_the_required_accelerators(rules: RulesInForce, name: str) -> None:
    acc = Catalogue(rules).get(name)
    assert acc.source and acc.confidence in ("secondary", "unverified")
    assert acc.peak_flops["bf16"] > 1e14


def test_catalogue_figures_are_dense_and_ordered(rules: RulesInForce) -> None:
    for acc in Catalogue(rules).accelerators:
        peaks = acc.peak_flops
        assert set(peaks) <= {"fp32", "tf32", "bf16", "fp16", "fp8"}
        if "fp16" in peaks:
            assert peaks["fp16"] == peaks["bf16"]
        for low, high in (("fp32", "tf32"), ("tf32", "bf16"), ("bf16", "fp8")):
            if low in peaks and high in peaks:
                assert peaks[low] <= peaks[high], (acc.id, low, high)
    # dense, not sparse: H100 SXM bf16 is 989.5 TFLOP/s, not the 1979 quoted with sparsity
    assert Catalogue(rules).get("h100-sxm").peak("bf16") == 989.5e12


@pytest.mark.parametrize(("name", "suggested"), [
    ("H100", ["h100-sxm", "h100-pcie"]),
    ("mi300", ["mi300x"]),
    ("gaudi", ["gaudi2", "gaudi3"]),
])
def test_unknown_accelerator_suggests_the_nearest(rules: RulesInForce, name: str,
                                                  suggested: list[str]) -> None:
    with pytest.raises(InputError) as exc:
        Catalogue(rules).get(name)
    for s in suggested:
        assert repr(s) in exc.value.problem


def test_catalogue_matches_vendor_spellings(rules: RulesInForce) -> None:
    cat = Catalogue(rules)
    assert cat.get("NVIDIA H100 80GB HBM3").id == "h100-sxm"
    assert cat.get("nvidia a100-sxm4-80gb").id == "a100"
    assert cat.get("tpu_v5p").id == "tpu-v5p"


def test_unverified_catalogue_entry_is_flagged(rules: RulesInForce) -> None:
    e = estimate_hardware(rules, "B200", 8, 3600, "bf16", 0.5)
    assert "hardware.accelerators[b200]" in e.unverified_rules
