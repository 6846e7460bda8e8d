"""End-to-end: `gpact assess` and `gpact rulebook` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
Cli = Callable[..., Any]

OBLIGATION_IDS = {"technical_documentation", "downstream_information", "copyright_policy",
                  "training_content_summary", "authorised_representative", "notification",
                  "model_evaluation", "systemic_risk_management", "serious_incident_reporting",
                  "cybersecurity"}


def check_contract(d: dict[str, Any]) -> None:
    """The JSON keys of design.md §3 that users' scripts rely on."""
    for key in ("gpact_version", "rulebook_version", "as_of", "model", "gpai", "systemic_risk",
                "role", "exemptions", "obligations", "fine_ceiling_eur", "unverified_rules_used"):
        assert key in d, key
    for key in ("gpai", "systemic_risk", "role"):
        assert set(d[key]) >= {"value", "reasons"}
        assert d[key]["reasons"], key
        for reason in d[key]["reasons"]:
            assert reason["text"] and reason["source"]
    assert d["role"]["value"] in ("provider", "modifier_provider", "not_provider",
                                  "not_in_scope", "not_gpai_model", None)
    for e in d["exemptions"]:
        assert set(e) >= {"id", "source", "waives"}
    assert {o["id"] for o in d["obligations"]} == OBLIGATION_IDS
    for o in d["obligations"]:
        assert set(o) >= {"id", "source", "status", "applies_from", "due", "reasons"}
        assert o["status"] in ("applies", "waived", "not_applicable", "undetermined")


def test_examples_json_contract(cli: Cli) -> None:
    r = cli("assess", str(EXAMPLES), "--as-of", "2026-11-22", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert isinstance(data, list) and len(data) >= 10
    for d in data:
        check_contract(d)
        assert d["as_of"] == "2026-11-22"


EXPECTED = {
    "frontier_systemic.yaml": (True, True, "provider"),
    "open_weights_7b.yaml": (True, False, "provider"),
    "open_weights_frontier.yaml": (True, True, "provider"),
    "finetune_below_third.yaml": (True, False, "not_provider"),
    "finetune_above_third.yaml": (True, False, "modifier_provider"),
    "modifier_of_systemic_unknown_compute.yaml": (True, True, "modifier_provider"),
    "non_eu_provider.yaml": (True, False, "provider"),
    "legacy_2024.yaml": (True, False, "provider"),
    "internal_use_only.yaml": (True, False, "not_in_scope"),
    # not a GPAI model: no GPAI provider role (Art. 3(63); Chapter V does not apply)
    "narrow_speech_recognition.yaml": (False, False, "not_gpai_model"),
    "in_training_threshold_known.yaml": (True, True, "not_in_scope"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example(cli: Cli, name: str) -> None:
    r = cli("assess", str(EXAMPLES / name), "--as-of", "2026-11-22", "-f", "json")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    check_contract(d)
    assert (d["gpai"]["value"], d["systemic_risk"]["value"], d["role"]["value"]) == EXPECTED[name]


def test_text_report_for_one_model(cli: Cli) -> None:
    r = cli("assess", str(EXAMPLES / "non_eu_provider.yaml"), "--as-of", "2026-11-22")
    assert r.code == 0
    assert "Sakura-13B" in r.out and "Authorised representative" in r.out
    assert "rulebook 2026.12.2" in r.out and "not legal advice" in r.out


def test_portfolio_sorted_by_next_due(cli: Cli) -> None:
    r = cli("assess", str(EXAMPLES), "--as-of", "2026-11-22", "-f", "md")
    assert r.code == 0
    rows = [line for line in r.out.splitlines() if line.startswith("| ") and "---" not in line]
    names = [row.split("|")[1].strip() for row in rows[1:]]
    # the in-training model's notification (7 days) comes before the Dec 2026 placement
    assert names[0].startswith("Northwind-Ultra 3.0")
    assert names[1].startswith("Sentinel-Ops")


def test_portfolio_table_in_a_pipe_shows_every_column_and_whole_names(cli: Cli) -> None:
    r = cli("assess", str(EXAMPLES), "--as-of", "2026-11-22")
    assert r.code == 0
    header = next(line for line in r.out.splitlines() if line.startswith("┃"))
    cells = [cell.strip() for cell in header.strip("┃").split("┃")]
    assert cells == ["model", "provider", "GPAI", "systemic risk", "role", "obligations",
                     "next due", "what", "days left", "missing"]
    assert "Northwind-Ultra 3.0-preview" in r.out and "…" not in r.out


def test_markdown_single(cli: Cli) -> None:
    r = cli("assess", str(EXAMPLES / "open_weights_7b.yaml"), "--as-of", "2026-11-22", "-f", "md")
    assert "## GPAI model: **yes**" in r.out and "Free and open-source exemption" in r.out


@pytest.mark.parametrize(("args", "needle"), [
    (["assess", "no/such/file.yaml"], "no such file"),
    (["assess", "EXAMPLES", "--as-of", "22.11.2026"], "--as-of: not a date"),
    (["rulebook", "show", "ai_act.nope"], "no rule"),
    (["rulebook", "frobnicate"], "unknown action"),
    (["assess", "EXAMPLES", "--bogus"],
     "error: No such option: --bogus (see 'gpact assess --help')"),
    (["frobnicate"], "error: No such command 'frobnicate'."),
])
def test_bad_input_exits_2_without_traceback(cli: Cli, args: list[str], needle: str) -> None:
    args = [str(EXAMPLES) if a == "EXAMPLES" else a for a in args]
    r = cli(*args)
    assert r.code == 2
    assert needle in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert "Traceback" not in r.err + r.out


def test_invalid_profile_lists_each_problem(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("gpact: 1\nprovider: {name: P}\nmodel:\n  name: M\n  parameter: 7e9\n"
                   "  training_compute_flop: -5\n")
    r = cli("assess", str(bad))
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 2
    assert "did you mean 'parameters'" in r.err and "model.training_compute_flop (line 6)" in r.err


def test_warning_goes_to_stderr(cli: Cli, tmp_path: Path) -> None:
    p = tmp_path / "typo.yaml"
    p.write_text("gpact: 1\nprovider: {name: P}\nmodel: {name: M, training_compute_flop: 25, "
                 "generates: [text]}\n")
    r = cli("assess", str(p), "-f", "json")
    assert r.code == 0
    assert "did you mean 1e25?" in r.err
    assert json.loads(r.out)["warnings"]


def test_rulebook_list_and_show(cli: Cli) -> None:
    r = cli("rulebook", "--as-of", "2026-11-22", "-f", "json")
    assert r.code == 0
    rules = {v["key"]: v for v in json.loads(r.out)["rules"]}
    assert rules["ai_act.art51.presumption_threshold_flop"]["value"] == 1e25
    # Regulation (EU) 2026/1744 left the threshold unchanged: a restated entry from 2026-07-27
    assert rules["ai_act.art51.presumption_threshold_flop"]["source"] == (
        "AI Act Art. 51(2), unchanged by Regulation (EU) 2026/1744")
    assert rules["ai_act.art51.presumption_threshold_flop"]["confidence"] == "secondary"
    r = cli("rulebook", "show", "ai_act.art52.notification_period_days")
    assert r.code == 0 and "14 days" in r.out and "Art. 52(1)" in r.out
    r = cli("rulebook", "--as-of", "2024-01-01", "-f", "json")
    assert json.loads(r.out)["rules"] == []


def test_console_script_runs() -> None:
    """The installed entry point works as a subprocess (no traceback on bad input)."""
    proc = subprocess.run([sys.executable, "-m", "gpact", "assess", "missing.yaml"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "error: missing.yaml: no such file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_compare_to_shows_what_differs(cli: Cli, tmp_path: Path) -> None:
    profile = tmp_path / "designated.yaml"
    profile.write_text(
        "gpact: 1\nprovider: {name: Open Frontier Inc., established_in_eu: false}\nmodel:\n"
        "  name: Open-Big\n  training_compute_flop: 8.0e24\n  generates: [text]\n"
        "  licence: {free_and_open_source: true, monetised: false}\n"
        "  public: {weights: true, architecture: true, usage_information: true}\n"
        "  release: {status: placed_on_market, placed_on_market_on: 2025-10-01, "
        "eu_market: true}\n"
        "  systemic_risk_designation: {designated_on: 2026-09-01, informed_on: 2026-09-03}\n")
    r = cli("assess", str(profile), "--as-of", "2026-08-01", "--compare-to", "2026-12-01",
            "-f", "json")
    assert r.code == 0, r.err
    diffs = {d["key"]: d for d in json.loads(r.out)["differences"]}
    assert diffs["systemic_risk"]["before"] == "no" and diffs["systemic_risk"]["after"] == "yes"
    assert diffs["obligations.technical_documentation.due"]["after"] == "2026-09-03"
    assert diffs["obligations.technical_documentation.status"]["what"] == (
        "Technical documentation (Art. 53(1)(a), Annex XI): status")
    assert "obligations.copyright_policy.due" not in diffs
    r = cli("assess", str(profile), "--as-of", "2026-08-01", "--compare-to", "2026-12-01")
    assert r.code == 0 and "Authorised representative (Art. 54): status" in r.out
    r = cli("assess", str(profile), "--as-of", "2026-12-01", "--compare-to", "2026-12-02",
            "-f", "md")
    assert "No differences." in r.out
    r = cli("assess", str(profile), "--compare-to", "someday")
    assert r.code == 2 and "--compare-to: not a date" in r.err


def test_as_of_before_the_guidelines_answers_and_marks(cli: Cli) -> None:
    r = cli("assess", str(EXAMPLES / "frontier_systemic.yaml"), "--as-of", "2025-01-01")
    assert r.code == 0, r.err
    assert "not yet published on 2025-01-01; from 2025-07-18" in r.out
    assert "Chapter V does not yet apply" in r.out
    r = cli("assess", str(EXAMPLES / "frontier_systemic.yaml"), "--as-of", "2024-07-31")
    assert r.code == 2 and "before the AI Act entered into force" in r.err
    assert r.err.count("\n") == 1


def test_contradicting_profile_facts_exit_2(cli: Cli, tmp_path: Path) -> None:
    profile = tmp_path / "contradiction.yaml"
    profile.write_text(
        "gpact: 1\nprovider: {name: P}\nmodel:\n  name: M\n  training_compute_flop: 4e23\n"
        "  generates: [text]\n  licence: {free_and_open_source: true, monetised: false,\n"
        "            monetisation: {price: true}}\n  release: {status: placed_on_market}\n")
    r = cli("assess", str(profile))
    assert r.code == 2 and r.err.count("\n") == 1 and "Traceback" not in r.err
    assert f"{profile}: model.licence.monetised: says false" in r.err


def test_text_report_names_secondary_sources_and_the_amendment(cli: Cli) -> None:
    r = cli("assess", str(EXAMPLES / "open_weights_7b.yaml"), "--as-of", "2026-11-22")
    assert r.code == 0
    flat = " ".join(r.out.split())
    assert "Rules known from secondary sources only:" in flat
    assert flat.count("(unchanged by Regulation (EU) 2026/1744)") == 1
    assert "Amended by: Regulation (EU) 2026/1744 (Digital Omnibus on AI), in force 2026-07-27" \
        in flat
    before = cli("assess", str(EXAMPLES / "open_weights_7b.yaml"), "--as-of", "2026-07-26")
    assert "Amended by" not in before.out
