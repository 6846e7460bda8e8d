"""Runs the legal scenarios in tests/scenarios/*.yaml (readable by non-programmers).

Each file has a `base` profile and a list of `scenarios`; a scenario deep-merges its `profile`
onto the base, assesses it `as_of` a date, and states the expected findings in `expect`. A
scenario (or the file) may give a compute `ledger`, written next to the profile as ledger.yaml;
`expect: {error: text}` expects bad input (one message naming the field).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpact.assess import Assessment
from gpact.errors import InputError
from gpact.profile import load_profile
from gpact.services.assess import assess_profile

HERE = Path(__file__).parent / "scenarios"


def merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge(base.get(key), value) if key in base else value
        return out
    return patch


def load_scenarios() -> list[Any]:
    cases = []
    for path in sorted(HERE.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for scenario in doc["scenarios"]:
            profile = merge(doc["base"], scenario.get("profile", {}))
            ledger = scenario.get("ledger", doc.get("ledger"))
            if ledger is not None:
                ledger = merge(doc.get("ledger"), scenario.get("ledger", {}))
            cases.append(pytest.param(profile, ledger, scenario,
                                      id=f"{path.stem}: {scenario['name']}"))
    return cases


SCENARIOS = load_scenarios()


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 150


def test_every_scenario_file_cites_its_sources() -> None:
    for path in HERE.glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        cites = any(w in first for w in ("Art", "Recital", "Guidelines"))
        assert first.startswith("#") and cites, path


@pytest.mark.parametrize(("profile", "ledger", "scenario"), SCENARIOS)
def test_scenario(profile: dict[str, Any], ledger: dict[str, Any] | None,
                  scenario: dict[str, Any], tmp_path: Path) -> None:
    as_of = scenario["as_of"]
    assert isinstance(as_of, dt.date)
    if ledger is not None:
        (tmp_path / "ledger.yaml").write_text(yaml.safe_dump(ledger), encoding="utf-8")
        profile = merge(profile, {"model": {"compute_ledger": "ledger.yaml"}})
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    loaded = load_profile(path)
    expect = scenario["expect"]
    if "error" in expect:
        with pytest.raises(InputError) as info:
            assess_profile(loaded, as_of)
        assert expect["error"] in info.value.message(), info.value.message()
        assert info.value.file == str(path) or info.value.field == "--as-of"
        return
    check(assess_profile(loaded, as_of), expect)


def check(a: Assessment, expect: dict[str, Any]) -> None:
    data = a.to_dict()
    for key in ("gpai", "systemic_risk", "role"):
        if key in expect:
            assert data[key]["value"] == expect[key], (key, data[key])
    if "exemptions" in expect:
        assert sorted(e["id"] for e in data["exemptions"]) == sorted(expect["exemptions"])
    if "applying" in expect:
        applying = sorted(o["id"] for o in data["obligations"] if o["status"] == "applies")
        assert applying == sorted(expect["applying"])
    by_id = {o["id"]: o for o in data["obligations"]}
    for ob_id, fields in expect.get("obligations", {}).items():
        for field, value in fields.items():
            if isinstance(value, dt.date):
                value = value.isoformat()
            assert by_id[ob_id][field] == value, (ob_id, field, by_id[ob_id])
    if "fine_ceiling_eur" in expect:
        assert data["fine_ceiling_eur"] == expect["fine_ceiling_eur"]
    if "commission_can_enforce" in expect:
        assert data["enforcement"]["commission_can_enforce"] == expect["commission_can_enforce"]
    for item in expect.get("missing_includes", []):
        assert item in data["missing"], (item, data["missing"])
    for item in expect.get("missing_excludes", []):
        assert item not in data["missing"], (item, data["missing"])
    if expect.get("missing_none"):
        assert data["missing"] == []
    for item in expect.get("unverified_includes", []):
        assert item in [u["key"] for u in data["unverified_rules_used"]]
    for item in expect.get("secondary_includes", []):
        assert item in [u["key"] for u in data["secondary_rules_used"]]
    if "not_yet_published" in expect:
        assert sorted(u["key"] for u in data["not_yet_published"]) == sorted(
            expect["not_yet_published"]), data["not_yet_published"]
    if "near_threshold" in expect:
        assert data["near_threshold"] == expect["near_threshold"], data["near_threshold"]
    for key, fields in expect.get("exemption_checks", {}).items():
        found = {e["id"]: e for e in data["exemption_checks"]}[key]
        for field, value in fields.items():
            if isinstance(value, dt.date):
                value = value.isoformat()
            assert found.get(field) == value, (key, field, found)
    for key, needle in expect.get("reasons_mention", {}).items():
        texts = " ".join(r["text"] for r in data[key]["reasons"])
        assert needle in texts, (key, needle, texts)
    for key, needle in expect.get("reasons_exclude", {}).items():
        texts = " ".join(r["text"] for r in data[key]["reasons"])
        assert needle not in texts, (key, needle, texts)
