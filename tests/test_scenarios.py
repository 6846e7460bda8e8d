"""Runs the legal scenarios in tests/scenarios/*.yaml (readable by non-programmers).

Each file has a `base` profile and a list of `scenarios`; a scenario deep-merges its `profile`
onto the base, assesses it `as_of` a date, and states the expected findings in `expect`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpact.assess import Assessment
from gpact.profile import parse_profile
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
            cases.append(pytest.param(profile, scenario, id=f"{path.stem}: {scenario['name']}"))
    return cases


SCENARIOS = load_scenarios()


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 60


@pytest.mark.parametrize(("profile", "scenario"), SCENARIOS)
def test_scenario(profile: dict[str, Any], scenario: dict[str, Any]) -> None:
    as_of = scenario["as_of"]
    assert isinstance(as_of, dt.date)
    loaded = parse_profile(yaml.safe_dump(profile), scenario["name"])
    result = assess_profile(loaded, as_of)
    check(result, scenario["expect"])


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
    if expect.get("missing_none"):
        assert data["missing"] == []
    for item in expect.get("unverified_includes", []):
        assert item in [u["key"] for u in data["unverified_rules_used"]]
    for key, needle in expect.get("reasons_mention", {}).items():
        texts = " ".join(r["text"] for r in data[key]["reasons"])
        assert needle in texts, (key, needle, texts)
    for key, needle in expect.get("reasons_exclude", {}).items():
        texts = " ".join(r["text"] for r in data[key]["reasons"])
        assert needle not in texts, (key, needle, texts)
