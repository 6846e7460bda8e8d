"""The ledger: which phases count (rulebook), methods, ranges and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gpact.compute import PhaseRules, load_ledger, parse_flop
from gpact.errors import InputError
from gpact.rulebook import RulesInForce

# (phase, counts towards cumulative, counts as parameter-updating) — Guidelines Annex A.1
COUNTING = [
    ("pretraining", True, True),
    ("finetuning", True, True),
    ("rl", True, True),
    ("distillation", True, True),
    ("synthetic_data", True, False),
    ("synthetic_data_public", False, False),
    ("initialisation_weights", True, True),
    ("distillation_parent", False, False),
    ("auxiliary_model", False, False),
    ("evaluation", False, False),
    ("exploratory_research", False, False),
    ("activation_recomputation", False, False),
    ("other", True, True),
]


def write(tmp_path: Path, entries: list[dict[str, object]], **extra: object) -> Path:
    path = tmp_path / "ledger.yaml"
    path.write_text(yaml.safe_dump({"gpact_ledger": 1, "model": "M", **extra,
                                    "entries": entries}))
    return path


@pytest.mark.parametrize(("phase", "cumulative", "update"), COUNTING)
def test_counting_rules(tmp_path: Path, rules: RulesInForce, phase: str, cumulative: bool,
                        update: bool) -> None:
    ledger = load_ledger(write(tmp_path, [
        {"id": "base", "phase": "pretraining", "flop": 1e24, "low": 1e24, "high": 1e24},
        {"id": "x", "phase": phase, "flop": 1e22, "low": 1e22, "high": 1e22}]), rules)
    assert ledger.total("cumulative").flop == pytest.approx(1e24 + (1e22 if cumulative else 0))
    assert ledger.total("parameter_update").flop == pytest.approx(1e24 + (1e22 if update else 0))
    assert any(line.startswith(f"{phase}:") for line in ledger.basis)


def test_counting_rules_carry_sources(rules: RulesInForce) -> None:
    phases = PhaseRules(rules).phases
    assert set(phases) == {p for p, _, _ in COUNTING}
    for phase in phases.values():
        assert "C(2025) 7719" in phase.source or "C(2025) 5045" in phase.source
    assert phases["other"].confidence == "unverified"
    assert phases["evaluation"].confidence == "verified"


def test_methods_and_ranges_add_up(tmp_path: Path, rules: RulesInForce) -> None:
    ledger = load_ledger(write(tmp_path, [
        {"id": "pre", "phase": "pretraining", "architecture": {"parameters": 7e10,
                                                               "tokens": 1.5e13}},
        {"id": "sft", "phase": "finetuning", "hardware": [
            {"accelerator": "H100 SXM", "count": 256, "hours": 100, "utilization": 0.4},
            {"accelerator": "A100", "count": 64, "days": 2, "utilization": 0.5}]},
        {"id": "syn", "phase": "synthetic_data", "flop": "2 ZFLOP", "evidence": "invoice 17"},
    ]), rules)
    pre = 6 * 7e10 * 1.5e13
    sft = 256 * 100 * 3600 * 989.5e12 * 0.4 + 64 * 2 * 86400 * 312e12 * 0.5
    syn = 2e21
    cum = ledger.total("cumulative")
    assert cum.flop == pytest.approx(pre + sft + syn)
    assert cum.low == pytest.approx(0.7 * (pre + sft + syn))
    assert cum.high == pytest.approx(1.3 * (pre + sft + syn))
    assert ledger.total("parameter_update").flop == pytest.approx(pre + sft)
    data = ledger.to_dict()
    assert [e["method"] for e in data["entries"]] == ["architecture (dense transformer)",
                                                     "hardware", "reported"]
    assert data["entries"][2]["evidence"] == "invoice 17"


def test_other_phase_is_counted_with_a_warning(tmp_path: Path, rules: RulesInForce) -> None:
    ledger = load_ledger(write(tmp_path, [{"id": "misc", "phase": "other", "flop": 1e20}]), rules)
    assert ledger.total("cumulative").flop == 1e20
    assert any("phase 'other'" in w for w in ledger.warnings)


@pytest.mark.parametrize(("entry", "problem"), [
    ({"id": "a", "phase": "pretrain", "flop": 1e20}, "did you mean 'pretraining'"),
    ({"id": "a", "phase": "pretraining"}, "exactly one of"),
    ({"id": "a", "phase": "pretraining", "flop": 1e20,
      "architecture": {"parameters": 1, "tokens": 1}}, "exactly one of"),
    ({"id": "a", "phase": "pretraining", "flop": "3e15 FLOP/s"}, "is a rate"),
    ({"id": "a", "phase": "pretraining", "flop": "lots"}, "not a FLOP amount"),
    ({"id": "a", "phase": "pretraining", "flop": 1e20, "low": 1e19}, "both low and high"),
    ({"id": "a", "phase": "pretraining", "hardware": [
        {"accelerator": "H100 SXM", "count": 8, "hours": 1, "seconds": 3600}]},
     "mixed duration units"),
    ({"id": "a", "phase": "pretraining", "hardware": [{"accelerator": "H100 SXM", "count": 8}]},
     "needs a duration"),
    ({"id": "a", "phase": "pretraining", "hardware": [
        {"accelerator": "H1000", "count": 8, "hours": 1}]}, "unknown accelerator 'H1000'"),
    ({"id": "a", "phase": "pretraining", "hardware": [
        {"accelerator": "A100", "count": 8, "hours": -1}]}, "greater than 0"),
    ({"id": "a", "phase": "pretraining", "flop": 1, "colour": "red"}, "unknown field"),
])
def test_bad_entries_name_file_and_field(tmp_path: Path, rules: RulesInForce,
                                         entry: dict[str, object], problem: str) -> None:
    path = write(tmp_path, [entry])
    with pytest.raises(InputError) as exc:
        load_ledger(path, rules)
    assert exc.value.file == str(path)
    assert problem in exc.value.message()


def test_duplicate_entry_ids(tmp_path: Path, rules: RulesInForce) -> None:
    entry = {"id": "a", "phase": "pretraining", "flop": 1}
    with pytest.raises(InputError, match="used twice"):
        load_ledger(write(tmp_path, [entry, entry]), rules)


def test_dated_entries_make_a_series(tmp_path: Path, rules: RulesInForce) -> None:
    ledger = load_ledger(write(tmp_path, [
        {"id": "pre", "phase": "pretraining", "flop": 1e24, "started_on": "2026-01-01",
         "ended_on": "2026-01-10"}]), rules)
    points = ledger.series["cumulative"]
    assert len(points) == 10
    assert points[0].flop == pytest.approx(1e23)
    assert points[-1].flop == pytest.approx(1e24)


@given(st.floats(0, 1e30), st.sampled_from(["", "k", "M", "G", "T", "P", "E", "Z", "Y"]))
def test_parse_flop_units(number: float, prefix: str) -> None:
    scale = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "Z": 1e21,
             "Y": 1e24}[prefix]
    assert parse_flop(f"{number!r} {prefix}FLOP") == pytest.approx(number * scale)
    assert parse_flop(number) == number
