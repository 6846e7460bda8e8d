"""The rulebook: loading, dated lookups, and amendments that change assessments from their date."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from gpact.errors import InputError
from gpact.profile import parse_profile
from gpact.rulebook import Rulebook, RuleNotInForce
from gpact.rulebook.loader import DEFAULT_ROOT
from gpact.services.assess import assess_profile

KEY = "ai_act.art51.presumption_threshold_flop"


def test_every_value_has_source_and_confidence() -> None:
    book = Rulebook.load()
    assert len(book.keys()) >= 30
    for key in book.keys():
        for value in book.parameter(key).history:
            assert value.source.strip(), key
            assert value.confidence in ("verified", "secondary", "unverified"), key


@pytest.mark.parametrize(("key", "expected"), [
    ("ai_act.art51.presumption_threshold_flop", 1e25),
    ("guidelines.gpai.indicative_compute_flop", 1e23),
    ("guidelines.modification.compute_fraction", "1/3"),
    ("ai_act.art52.notification_period_days", 14),
    ("ai_act.art111.legacy_compliance_deadline", dt.date(2027, 8, 2)),
    ("ai_act.dates.enforcement_powers", dt.date(2026, 8, 2)),
    ("ai_act.dates.chapter_v_application", dt.date(2025, 8, 2)),
    ("ai_act.art101.fine_fixed_eur", 15_000_000),
    ("ai_act.art101.fine_turnover_share", 0.03),
    ("ai_act.annex_xiii.business_users_presumption", 10_000),
    ("code_of_practice.transparency.downstream_answer_days", 14),
    ("code_of_practice.transparency.documentation_retention_years", 10),
])
def test_values_in_force_today(key: str, expected: object) -> None:
    assert Rulebook.load().at(dt.date(2026, 11, 22)).value(key) == expected


def test_incident_days_per_category() -> None:
    days = Rulebook.load().at(dt.date(2026, 11, 22)).value(
        "code_of_practice.safety_security.incident_initial_report_days")
    assert days == {"critical_infrastructure": 2, "cybersecurity": 5, "death": 10,
                    "other_serious_harm": 15}


def test_no_value_before_first_date() -> None:
    rules = Rulebook.load().at(dt.date(2020, 1, 1))
    with pytest.raises(RuleNotInForce):
        rules.value(KEY)


def test_used_rules_are_tracked_with_unverified_flag() -> None:
    rules = Rulebook.load().at(dt.date(2026, 11, 22))
    rules.value(KEY)
    rules.value("ai_act.recitals.generality_parameter_hint")
    assert [v.key for v in rules.unverified_used()] == ["ai_act.recitals.generality_parameter_hint"]


@pytest.fixture
def amended(tmp_path: Path) -> Rulebook:
    """A copy of the rulebook in which a delegated act raises 10^25 to 10^26 from 2027-01-01."""
    root = tmp_path / "rulebook"
    shutil.copytree(DEFAULT_ROOT, root)
    path = root / "ai_act" / "art51" / "presumption_threshold_flop.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["values"].append({"from": dt.date(2027, 1, 1), "value": 1.0e26,
                          "source": "Hypothetical delegated act under Art. 51(3)",
                          "confidence": "unverified"})
    path.write_text(yaml.safe_dump(doc))
    return Rulebook.load(root)


PROFILE = """
gpact: 1
provider: {name: Amendment Test, established_in_eu: true}
model:
  name: Big-Model
  training_compute_flop: 5.0e25
  generates: [text]
  release: {status: placed_on_market, placed_on_market_on: 2026-01-01, eu_market: true}
"""


def test_amendment_changes_assessment_from_its_date_not_before(amended: Rulebook) -> None:
    loaded = parse_profile(PROFILE)
    before = assess_profile(loaded, dt.date(2026, 12, 31), amended)
    after = assess_profile(loaded, dt.date(2027, 1, 1), amended)
    assert before.systemic_risk.value is True
    assert after.systemic_risk.value is False
    assert "1e26 FLOP" in after.systemic_risk.reasons[0].text
    assert [v.key for v in after.unverified] == [KEY]
    assert KEY not in [v.key for v in before.unverified]


def test_bad_rulebook_file_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "rb"
    shutil.copytree(DEFAULT_ROOT, root)
    (root / "ai_act" / "broken.yaml").write_text(
        "description: x\nvalues:\n  - from: 2025-01-01\n    value: 1\n    source: s\n"
        "    confidence: maybe\n")
    with pytest.raises(InputError, match=r"broken.yaml: values\[0\].confidence"):
        Rulebook.load(root)
