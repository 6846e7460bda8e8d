"""End-to-end CLI: `gpact incident`, `gpact risk`, `gpact calendar` (exit codes 0/1/2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

from gpact.cli.main import main
from tests.risk.conftest import write_yaml
from tests.risk.test_importers import INSPECT_LOG, LM_EVAL_RESULTS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("category", "aware", "resolved", "initial", "final"), [
    ("critical_infrastructure", "2026-11-19", None, "2026-11-21", None),
    ("cybersecurity", "2026-11-19", "2026-11-30", "2026-11-24", "2027-01-29"),
    ("death", "2026-11-19", None, "2026-11-29", None),
    ("other_serious_harm", "2026-11-19", "2026-11-19", "2026-12-04", "2027-01-18"),
])
def test_incident_deadlines_contract(capsys: pytest.CaptureFixture[str], category: str,
                                     aware: str, resolved: str | None, initial: str,
                                     final: str | None) -> None:
    args = ["incident", "deadlines", "--category", category, "--aware-on", aware,
            "--format", "json"] + (["--resolved-on", resolved] if resolved else [])
    code, out, _ = run(capsys, *args)
    assert code == 0
    data = json.loads(out)
    assert data["initial_report_due"] == initial
    assert data["update_every_days"] == 28
    assert data["final_report_due"] == final
    assert data["rulebook_version"] and data["not_legal_advice"]


@pytest.mark.parametrize(("args", "message"), [
    (["--category", "fire", "--aware-on", "2026-11-19"], "unknown harm category 'fire'"),
    (["--category", "death", "--aware-on", "2026-11-19", "--resolved-on", "2026-11-18"],
     "before awareness"),
    (["--category", "death", "--aware-on", "19/11/2026"], "--aware-on: not a date"),
    (["--category", "death", "--aware-on", "2025-01-01"],
     "--aware-on: 2025-01-01 is before the Code of Practice rules apply"),
])
def test_incident_deadlines_bad_input(capsys: pytest.CaptureFixture[str], args: list[str],
                                      message: str) -> None:
    code, out, err = run(capsys, "incident", "deadlines", *args, "--format", "json")
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_incident_deadlines_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "incident", "deadlines", "--category", "critical_infrastructure",
                       "--aware-on", "2026-11-19")
    assert code == 0 and "2026-11-21" in out and "Calendar days" in out


def test_risk_check_exit_codes(capsys: pytest.CaptureFixture[str], model_dir: Path) -> None:
    profile = str(model_dir / "model.yaml")
    code, out, _ = run(capsys, "risk", "check", profile, "--as-of", "2026-11-22")
    assert code == 0 and "0 problem(s)" in out
    reg = (model_dir / "risk" / "register.yaml")
    reg.write_text(reg.read_text().replace("taxonomy: cbrn", "taxonomy: capability_cbrn"))
    code, out, _ = run(capsys, "risk", "check", profile, "--as-of", "2026-11-22", "-f", "json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert any(f["subject"] == "cbrn" and f["severity"] == "problem" for f in data["findings"])


def test_bad_record_file_is_one_line_naming_file_field_line(
        capsys: pytest.CaptureFixture[str], model_dir: Path) -> None:
    write_yaml(model_dir / "risk" / "incidents.yaml", {"incidents": [
        {"id": "I1", "title": "t", "category": "flood", "aware_on": "2026-11-01"}]})
    code, _, err = run(capsys, "incident", "status", str(model_dir / "model.yaml"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "incidents.yaml" in err and "incidents[0].category (line 4)" in err
    write_yaml(model_dir / "risk" / "incidents.yaml", {"incidents": [
        {"id": "I1", "title": "t", "category": "death", "aware_on": "2026-11-01",
         "resolved_on": "2026-10-01"}]})
    code, _, err = run(capsys, "incident", "status", str(model_dir / "model.yaml"))
    assert code == 2 and "resolved_on (2026-10-01) is before aware_on" in err


def test_incident_status_and_reports(capsys: pytest.CaptureFixture[str], model_dir: Path,
                                     tmp_path: Path) -> None:
    write_yaml(model_dir / "risk" / "incidents.yaml", {"incidents": [
        {"id": "I1", "title": "Outage", "category": "critical_infrastructure",
         "aware_on": "2026-11-01", "resolved_on": "2026-11-05",
         "reports": [{"kind": "initial", "sent_on": "2026-11-02"}]}]})
    profile = str(model_dir / "model.yaml")
    code, out, _ = run(capsys, "incident", "status", profile, "--as-of", "2027-01-04",
                       "-f", "json")
    assert code == 0
    clocks = {c["id"]: c for c in json.loads(out)["clocks"]}
    assert clocks["incident:I1:final"]["due"] == "2027-01-04"
    assert clocks["incident:I1:final"]["status"] == "open"
    code, out, err = run(capsys, "incident", "status", profile, "--as-of", "2027-01-05")
    assert code == 1 and "overdue since 2027-01-04" in err
    for kind in ("initial", "intermediate", "final"):
        for fmt in ("md", "html", "json"):
            target = tmp_path / f"{kind}.{fmt}"
            code, _, _ = run(capsys, "incident", "report", profile, "I1", "--kind", kind,
                             "-f", fmt, "-o", str(target))
            assert code == 0 and target.stat().st_size > 500
    code, _, err = run(capsys, "incident", "report", profile, "I9")
    assert code == 2 and "no incident 'I9' (known: I1)" in err
    code, _, err = run(capsys, "incident", "status", profile, "--as-of", "2025-07-01")
    assert code == 2 and "before the Code of Practice rules apply" in err


def test_framework_and_model_report_commands(capsys: pytest.CaptureFixture[str],
                                             model_dir: Path) -> None:
    profile = str(model_dir / "model.yaml")
    code, out, _ = run(capsys, "risk", "framework", profile, "-f", "html")
    assert code == 0 and "<h2>Systemic-risk tiers" in out
    code, out, _ = run(capsys, "risk", "model-report", profile, "-f", "json")
    assert code == 0 and json.loads(out)["kind"] == "model_report"
    code, out, _ = run(capsys, "risk", "deadlines", profile, "--as-of", "2026-11-22", "-f", "json")
    kinds = {c["kind"] for c in json.loads(out)["clocks"]}
    assert {"framework_confirmation", "framework_to_ai_office", "framework_assessment",
            "model_report", "model_report_periodic_update"} <= kinds


def test_import_eval_appends_and_skips_duplicates(capsys: pytest.CaptureFixture[str],
                                                  model_dir: Path, tmp_path: Path) -> None:
    inspect_file = tmp_path / "inspect.json"
    inspect_file.write_text(json.dumps(INSPECT_LOG))
    lm_file = tmp_path / "results.json"
    lm_file.write_text(json.dumps(LM_EVAL_RESULTS))
    profile = str(model_dir / "model.yaml")
    code, out, _ = run(capsys, "risk", "import-eval", str(inspect_file), str(lm_file),
                       "--profile", profile, "--risk", "wmdp_bio=cbrn", "--run-by", "Eval team")
    assert code == 0 and "3 evaluation run(s) added" in out and "(1 linked to a risk)" in out
    code, out, err = run(capsys, "risk", "import-eval", str(inspect_file), "--profile", profile)
    assert code == 0 and "0 evaluation run(s) added" in out and "already in" in err
    import yaml
    log = yaml.safe_load((model_dir / "risk" / "evaluations.yaml").read_text())
    assert len(log["evaluations"]) == 4
    assert {e["run_by"] for e in log["evaluations"][1:]} == {"Eval team"}
    code, _, err = run(capsys, "risk", "import-eval", str(inspect_file), "--profile", profile,
                       "--risk", "weather")
    assert code == 2 and "not in the risk register: weather" in err
    unknown = tmp_path / "other.json"
    unknown.write_text('{"accuracy": 0.5}')
    code, _, err = run(capsys, "risk", "import-eval", str(unknown), "--profile", profile)
    assert code == 2 and "unknown evaluation format" in err and len(err.splitlines()) == 1


def test_requests_and_taxonomy(capsys: pytest.CaptureFixture[str], model_dir: Path) -> None:
    write_yaml(model_dir / "risk" / "requests.yaml", {"requests": [
        {"id": "DP-1", "kind": "downstream_provider", "received_on": "2026-11-01"},
        {"id": "RH-1", "kind": "rightsholder_complaint", "received_on": "2026-11-02"}]})
    code, out, _ = run(capsys, "risk", "requests", str(model_dir / "model.yaml"),
                       "--as-of", "2026-11-22", "-f", "json")
    clocks = {c["id"]: c for c in json.loads(out)["clocks"]}
    assert clocks["request:DP-1"]["due"] == "2026-11-15"
    assert clocks["request:DP-1"]["status"] == "overdue"
    assert clocks["request:RH-1"]["due"] is None and clocks["request:RH-1"]["status"] == "open"
    code, out, _ = run(capsys, "risk", "taxonomy", "-f", "json")
    assert code == 0 and len(json.loads(out)["entries"]) == 46


def test_calendar_formats(capsys: pytest.CaptureFixture[str], model_dir: Path,
                          tmp_path: Path) -> None:
    profile = str(model_dir / "model.yaml")
    code, out, _ = run(capsys, "calendar", profile, "--as-of", "2026-11-22", "-f", "json")
    events = json.loads(out)["events"]
    assert code == 0 and events and all(e["uid"].endswith("@gpact") for e in events)
    target = tmp_path / "deadlines.ics"
    code, _, _ = run(capsys, "calendar", profile, "--as-of", "2026-11-22", "-f", "ics",
                     "-o", str(target))
    cal = Calendar.from_ical(target.read_bytes())
    assert code == 0 and len(list(cal.walk("VEVENT"))) == len(events)
    code, out, _ = run(capsys, "calendar", profile, "--as-of", "2026-11-22")
    assert code == 0 and "Compliance calendar" in out


def test_console_exit_codes_in_a_subprocess(model_dir: Path) -> None:
    write_yaml(model_dir / "risk" / "incidents.yaml", {"incidents": [
        {"id": "I1", "title": "Outage", "category": "death", "aware_on": "2026-11-01"}]})
    cmd = [sys.executable, "-c", "from gpact.cli.main import run; run()"]
    overdue = subprocess.run([*cmd, "incident", "status", str(model_dir / "model.yaml"),
                              "--as-of", "2026-11-12"], capture_output=True, text=True,
                             check=False)
    assert overdue.returncode == 1 and "overdue since 2026-11-11" in overdue.stderr
    bad = subprocess.run([*cmd, "incident", "deadlines", "--category", "flood", "--aware-on",
                          "2026-11-01"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
