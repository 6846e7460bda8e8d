"""The rulebook: loading, dated lookups, and amendments that change assessments from their date."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Measure 9.2 (Safety and Security chapter, p. 26): item, first report carrying it (Measure 9.3),
# incident-record field, and a phrase of the Code's wording the title must keep.
MEASURE_9_2 = [
    (1, "initial", "dates", "best approximations"),
    (2, "initial", "harm", "victim or affected group"),
    (3, "initial", "chain_of_events", "(directly or indirectly) led to"),
    (4, "initial", "model_version", "The model involved in"),
    (5, "initial", "model_involvement", "material available"),
    (6, "initial", "response", "intends to do or has done"),
    (7, "initial", "recommendations", "recommends the AI Office"),
    (8, "final", "root_cause", "Root-cause analysis"),
    (9, "final", "post_market_patterns", "post-market monitoring"),
]


@pytest.mark.parametrize(("on", "confidence"), [
    (dt.date(2025, 8, 1), "verified"),  # the Code's Measure 9.2, checked
    (dt.date(2026, 11, 22), "unverified"),  # the Commission template's own fields, not found
])
def test_incident_report_items_follow_measure_9_2(on: dt.date, confidence: str) -> None:
    rule = Rulebook.load().at(on).rule(
        "code_of_practice.safety_security.incident_report_contents")
    assert rule.confidence == confidence
    got = [(i["item"], i["from_report"], i["field"]) for i in rule.value]
    assert got == [row[:3] for row in MEASURE_9_2]
    for item, (*_, phrase) in zip(rule.value, MEASURE_9_2, strict=True):
        assert phrase in item["title"], item


# Values checked against the official texts: key, date, confidence, words the source must cite.
CHECKED = [
    ("code_of_practice.safety_security.systemic_risk_taxonomy", dt.date(2026, 11, 22),
     "verified", "Appendix 1"),
    ("code_of_practice.safety_security.model_report_contents", dt.date(2026, 11, 22),
     "verified", "Measures 7.1-7.5"),
    ("ai_act.recitals.generality_parameter_hint", dt.date(2026, 11, 22), "verified",
     "Recital 98"),
    ("ai_act.recitals.internal_use_carve_out", dt.date(2026, 11, 22), "verified", "Recital 97"),
    ("guidelines.designation.waivers_end", dt.date(2025, 8, 1), "verified", "point 45"),
    ("guidelines.designation.waivers_end", dt.date(2026, 11, 22), "secondary", "C(2025) 7719"),
    ("code_of_practice.safety_security.business_days", dt.date(2026, 11, 22), "unverified",
     "gpact assumption"),
]


@pytest.mark.parametrize(("key", "on", "confidence", "cites"), CHECKED)
def test_values_checked_against_the_official_texts(key: str, on: dt.date, confidence: str,
                                                   cites: str) -> None:
    rule = Rulebook.load().at(on).rule(key)
    assert rule.confidence == confidence
    assert cites in " ".join(rule.source.split())


@pytest.mark.parametrize(("on", "confidence"), [
    (dt.date(2025, 8, 1), "verified"),  # Recital 103; Guidelines C(2025) 5045 point 89
    (dt.date(2026, 11, 22), "secondary"),  # C(2025) 7719, reported to keep it
])
def test_microenterprise_exception_checked(on: dt.date, confidence: str) -> None:
    value = Rulebook.load().at(on).value("guidelines.open_source.monetisation")
    item = next(e for e in value["exceptions"] if e["fact"] == "microenterprise_transactions_only")
    assert (item["confidence"], item["overrides"]) == (confidence, ["*"])


def test_model_report_sections_answer_commitment_7() -> None:
    """Each section names the measure of Commitment 7 it answers (checked against the Code)."""
    value = Rulebook.load().at(dt.date(2026, 11, 22)).value(
        "code_of_practice.safety_security.model_report_contents")
    assert [(s["id"], s["source"]) for s in value] == [
        ("model_description", "Measure 7.1"), ("justification", "Measure 7.2"),
        ("justification_limits", "Measure 7.2"), ("risk_documentation", "Measure 7.3"),
        ("mitigations", "Measure 7.3"), ("evaluations", "Measure 7.3; Appendix 3"),
        ("external_reports", "Measure 7.4"), ("landscape", "Measure 7.5")]


def test_no_value_before_first_date() -> None:
    rules = Rulebook.load().at(dt.date(2020, 1, 1))
    with pytest.raises(RuleNotInForce):
        rules.value(KEY)


def test_used_rules_are_tracked_with_unverified_flag() -> None:
    rules = Rulebook.load().at(dt.date(2026, 11, 22))
    rules.value(KEY)
    rules.value("ai_act.recitals.generality_parameter_hint")  # Recital 98, checked: verified
    rules.value("code_of_practice.safety_security.business_days")  # gpact's assumption
    assert [v.key for v in rules.unverified_used()] == [
        "code_of_practice.safety_security.business_days"]


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


# --- the schema of rulebook files -----------------------------------------------------------

GOOD_ENTRY = ("description: x\nunit: days\nvalues:\n  - from: 2025-01-01\n    value: 1\n"
              "    source: s\n    confidence: verified\n")


@pytest.mark.parametrize(("relpath", "text", "where", "problem"), [
    ("ai_act/broken.yaml", GOOD_ENTRY.replace("    source: s\n", ""), "values[0].source",
     "missing"),
    ("ai_act/broken.yaml", GOOD_ENTRY.replace("verified", "maybe"), "values[0].confidence",
     "must be one of"),
    ("ai_act/broken.yaml", GOOD_ENTRY.replace("2025-01-01", "soon"), "values[0].from",
     "not a date"),
    ("ai_act/broken.yaml", GOOD_ENTRY + "    colour: red\n", "values[0].colour", "unknown field"),
    ("ai_act/broken.yaml", GOOD_ENTRY + "    ended: 2024-01-01\n", "values[0].ended",
     "must be after 'from'"),
    ("ai_act/broken.yaml", "description: x\nvalues: []\n", "values", "at least 1"),
    ("ai_act/broken.yaml", "- just a list\n", None, "a rulebook file is a mapping"),
    ("ai_act/broken.yaml", GOOD_ENTRY.replace("value: 1", "value: {label: A, or B, x: 1}"),
     "values[0].value.or B", "unquoted comma"),
    ("ai_act/broken.yaml", GOOD_ENTRY.replace("    value: 1\n", "    value: [{a: 1, b}]\n"),
     "values[0].value[0].b", "has no value"),
])
def test_malformed_entries_are_rejected(tmp_path: Path, relpath: str, text: str,
                                        where: str | None, problem: str) -> None:
    root = tmp_path / "rb"
    shutil.copytree(DEFAULT_ROOT, root)
    (root / relpath).write_text(text)
    with pytest.raises(InputError) as info:
        Rulebook.load(root)
    assert info.value.file == str(root / relpath)
    assert info.value.field == where
    assert problem in info.value.problem


def _catalogue_broken(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("rel", "old", "new", "field"), [
    ("ai_act/obligations.yaml", "applies_to: gpai", "applies_to: everyone",
     "values[0].value[0].applies_to"),
    ("ai_act/obligations.yaml", "        label: Technical documentation\n", "",
     "values[0].value[0].label"),
    ("code_of_practice/safety_security/systemic_risk_taxonomy.yaml", "group: specified_risk",
     "group: scary", "values[0].value[0].group"),
    ("guidelines/open_source/monetisation.yaml", "{fact: price, ", "{",
     "values[0].value.forms[0].fact"),
])
def test_engine_catalogues_have_item_schemas(tmp_path: Path, rel: str, old: str, new: str,
                                             field: str) -> None:
    root = tmp_path / "rb"
    shutil.copytree(DEFAULT_ROOT, root)
    _catalogue_broken(root, rel, old, new)
    with pytest.raises(InputError) as info:
        Rulebook.load(root)
    assert info.value.field == field, info.value.message()


def test_no_label_lost_to_an_unquoted_comma() -> None:
    """Every text field of the bundled catalogues is a string (the six cut labels are fixed)."""
    def walk(value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                assert v is not None, k
                if k in ("label", "title", "source"):
                    assert isinstance(v, str) and v.strip(), (k, v)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    book = Rulebook.load()
    for key in book.keys():
        for v in book.parameter(key).history:
            walk(v.value)


def test_malformed_rulebook_folder_is_one_line_exit_2(tmp_path: Path, cli: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "rb"
    shutil.copytree(DEFAULT_ROOT, root)
    _catalogue_broken(root, "documents/annex_xi.yaml",
                      'label: "Methods for detecting identifiable biases, where applicable",',
                      "label: Methods for detecting identifiable biases, where applicable,")
    monkeypatch.setenv("GPACT_RULEBOOK", str(root))
    for args in (("rulebook", "list"), ("assess", "examples/open_weights_7b.yaml")):
        r = cli(*args)
        assert r.code == 2
        assert r.err.count("\n") == 1 and "Traceback" not in r.err
        assert "annex_xi.yaml: values[0].value.sections[1].fields[9].where applicable" in r.err


def test_ended_entry_is_not_in_force_after_its_end(tmp_path: Path) -> None:
    root = tmp_path / "rb"
    shutil.copytree(DEFAULT_ROOT, root)
    (root / "ai_act" / "temporary.yaml").write_text(
        GOOD_ENTRY + "    ended: 2025-06-01\n")
    book = Rulebook.load(root)
    assert book.at(dt.date(2025, 5, 31)).value("ai_act.temporary") == 1
    with pytest.raises(RuleNotInForce):
        book.at(dt.date(2025, 6, 1)).value("ai_act.temporary")


def test_lookahead_marks_rules_not_yet_published() -> None:
    rules = Rulebook.load().at(dt.date(2025, 1, 1), lookahead=True)
    rule = rules.rule("guidelines.gpai.indicative_compute_flop")
    assert rule.value == 1e23 and rule.pending_on == dt.date(2025, 1, 1)
    assert "not yet published on 2025-01-01; from 2025-07-18" in rule.source
    assert [v.key for v in rules.pending_used()] == ["guidelines.gpai.indicative_compute_flop"]
    with pytest.raises(RuleNotInForce):
        Rulebook.load().at(dt.date(2025, 1, 1)).rule("guidelines.gpai.indicative_compute_flop")


# --- what changed between two dates -----------------------------------------------------------

def test_diff_lists_added_changed_restated_and_ended(amended: Rulebook) -> None:
    from gpact.rulebook.diff import diff
    changes = {(c.parameter.key, c.kind): c for c in diff(amended, dt.date(2025, 11, 1),
                                                          dt.date(2027, 1, 1))}
    assert changes[("guidelines.document", "changed")].on == dt.date(2025, 11, 19)
    restated = changes[("guidelines.gpai.indicative_compute_flop", "restated")]
    assert "7719" in (restated.after.source if restated.after else "")
    assert changes[("ai_act.amendments", "changed")].on == dt.date(2026, 7, 27)
    assert changes[("ai_act.art51.presumption_threshold_flop", "restated")].on == dt.date(
        2026, 7, 27)
    raised = changes[("ai_act.art51.presumption_threshold_flop", "changed")]
    assert raised.before is not None and raised.after is not None
    assert (raised.before.value, raised.after.value) == (1e25, 1e26)
    # catalogues that only re-cite their items are restatements, not changes
    assert ("guidelines.compute.phase_counting", "restated") in changes
    assert ("guidelines.compute.phase_counting", "changed") not in changes


def test_diff_from_before_the_act_adds_everything() -> None:
    from gpact.rulebook.diff import diff
    book = Rulebook.load()
    added = {c.parameter.key for c in diff(book, dt.date(2024, 1, 1), dt.date(2024, 8, 1))
             if c.kind == "added"}
    assert "ai_act.art51.presumption_threshold_flop" in added
    assert "guidelines.document" not in added


def test_diff_cli(cli: Any) -> None:
    r = cli("rulebook", "diff", "2026-07-01", "2026-08-01", "-f", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    kinds = {(c["key"], c["kind"]) for c in data["changes"]}
    assert ("ai_act.art56.code_approval", "changed") in kinds
    assert ("ai_act.art101.fine_fixed_eur", "restated") in kinds
    labels = [c["label"] for c in data["changes"]]
    assert all(label and "." not in label.split()[0] for label in labels)
    r = cli("rulebook", "diff", "2026-07-01", "2026-08-01")
    assert r.code == 0 and "same value, new source" in r.out and "secondary" in r.out
    r = cli("rulebook", "diff", "2026-07-01", "2026-08-01", "-f", "md")
    assert r.out.startswith("# What changed in the rulebook from 2026-07-01 to 2026-08-01")


@pytest.mark.parametrize(("args", "needle"), [
    (("rulebook", "diff", "2026-08-01", "2026-07-01"), "TO: 2026-07-01 is before FROM"),
    (("rulebook", "diff", "2026-08-01"), "needs two dates"),
    (("rulebook", "diff", "yesterday", "2026-07-01"), "FROM: not a date"),
])
def test_diff_bad_input(cli: Any, args: tuple[str, ...], needle: str) -> None:
    r = cli(*args)
    assert r.code == 2 and needle in r.err and r.err.count("\n") == 1


# --- property tests: any rulebook file loads or fails with one InputError ------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=8), st.dates())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5) | st.none(), inner,
                                                 max_size=3)), max_leaves=8)
ENTRIES = st.dictionaries(
    st.sampled_from(["from", "value", "source", "confidence", "note", "ended", "colour"]),
    VALUES | st.sampled_from(["verified", "secondary", "maybe"]), max_size=6)
FILES = st.one_of(VALUES, st.fixed_dictionaries(
    {"description": st.text(max_size=10) | st.none(), "values": st.lists(ENTRIES, max_size=3)},
    optional={"unit": st.text(max_size=5) | st.integers()}))


@settings(max_examples=300, deadline=None)
@given(FILES, st.sampled_from(["ai_act.x", "ai_act.obligations",
                               "guidelines.open_source.monetisation"]))
def test_any_file_loads_or_is_one_input_error(doc: Any, key: str) -> None:
    from gpact.rulebook.schema import parse_file
    try:
        parsed = parse_file(doc, "f.yaml", key)
    except InputError as exc:
        assert exc.file == "f.yaml" and exc.problem
        return
    assert parsed.values and all(v.source for v in parsed.values)
