"""The assessment reads a profile's compute ledger and reports a range that straddles a line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpact.profile import load_profile
from gpact.services.assess import assess_profile
from gpact.services.compute_facts import compute_figures

AS_OF = dt.date(2026, 11, 22)
Cli = Callable[..., Any]


def profile(tmp_path: Path, ledger_entries: list[dict[str, Any]] | None,
            **model: Any) -> Path:
    if ledger_entries is not None:
        (tmp_path / "compute").mkdir(exist_ok=True)
        (tmp_path / "compute" / "ledger.yaml").write_text(yaml.safe_dump(
            {"gpact_ledger": 1, "entries": ledger_entries}))
        model.setdefault("compute_ledger", "compute/ledger.yaml")
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump({
        "gpact": 1, "provider": {"name": "Example AI SAS", "established_in_eu": True},
        "model": {"name": "Straddle-1", "generates": ["text"],
                  "release": {"status": "placed_on_market",
                              "placed_on_market_on": "2026-10-01", "eu_market": True},
                  **model}}))
    return path


def hardware(days: float) -> list[dict[str, Any]]:
    # 8000 H100 SXM at the default 50 % (30-70 %): 3.42e23 FLOP a day
    return [{"id": "pre", "phase": "pretraining",
             "hardware": [{"accelerator": "H100 SXM", "count": 8000, "days": days}]}]


def reasons(result: Any, key: str) -> str:
    return " ".join(r["text"] for r in result.to_dict()[key]["reasons"])


@pytest.mark.parametrize(("days", "presumed"), [(32, True), (27, False)])
def test_straddling_range_is_reported_with_the_central_side(tmp_path: Path, days: float,
                                                            presumed: bool) -> None:
    loaded = load_profile(profile(tmp_path, hardware(days)))
    cumulative, update = compute_figures(loaded, AS_OF)
    central = 8000 * days * 86400 * 989.5e12 * 0.5
    assert cumulative.value == pytest.approx(central)
    assert (cumulative.low, cumulative.high) == (pytest.approx(central * 0.6),
                                                 pytest.approx(central * 1.4))
    assert "compute ledger compute/ledger.yaml" in cumulative.origin
    assert update.value == pytest.approx(central)
    result = assess_profile(loaded, AS_OF)
    assert result.to_dict()["systemic_risk"]["value"] is presumed
    text = reasons(result, "systemic_risk")
    assert "straddles" in text
    assert ("is greater than" in text) is presumed


def test_range_clear_of_the_line_is_not_flagged(tmp_path: Path) -> None:
    result = assess_profile(load_profile(profile(tmp_path, hardware(2))), AS_OF)
    assert result.to_dict()["systemic_risk"]["value"] is False
    assert "straddles" not in reasons(result, "systemic_risk")


def test_parameter_update_compute_excludes_synthetic_data(tmp_path: Path) -> None:
    entries = [{"id": "sft", "phase": "finetuning", "flop": 5e22},
               {"id": "syn", "phase": "synthetic_data", "flop": 1e23}]
    cumulative, update = compute_figures(load_profile(profile(tmp_path, entries)), AS_OF)
    assert cumulative.value == pytest.approx(1.5e23)
    assert update.value == pytest.approx(5e22)
    result = assess_profile(load_profile(profile(tmp_path, entries)), AS_OF)
    assert "Training compute directly updating parameters (5e22 FLOP, compute ledger" \
        in reasons(result, "gpai")


def test_profile_figure_wins_with_a_warning_when_outside_the_range(tmp_path: Path) -> None:
    loaded = load_profile(profile(tmp_path, hardware(2), training_compute_flop=9e24))
    cumulative, _ = compute_figures(loaded, AS_OF)
    assert cumulative.value == 9e24 and cumulative.origin == "model.training_compute_flop"
    assert any("outside the range of the compute ledger" in w for w in loaded.warnings)


def test_missing_ledger_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    path = profile(tmp_path, None, compute_ledger="missing.yaml")
    r = cli("assess", str(path))
    assert r.code == 2
    assert "model.compute_ledger" in r.err and "missing.yaml" in r.err


def test_assess_cli_uses_the_ledger(cli: Cli, tmp_path: Path) -> None:
    r = cli("assess", str(profile(tmp_path, hardware(32))), "--as-of", "2026-11-22",
            "--format", "json")
    assert r.code == 0, r.err
    assert "straddles" in r.out


def test_planned_total_above_the_line_asks_for_threshold_known_on(tmp_path: Path) -> None:
    path = profile(tmp_path, hardware(2))
    ledger = tmp_path / "compute" / "ledger.yaml"
    ledger.write_text(yaml.safe_dump({"gpact_ledger": 1, "planned_total_flop": 2e25,
                                      "entries": hardware(2)}))
    loaded = load_profile(path)
    compute_figures(loaded, AS_OF)
    assert any("model.threshold_known_on" in w for w in loaded.warnings)
