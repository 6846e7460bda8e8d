"""End-to-end: `gpact compute …` as users and their scripts run it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .test_params import LLAMA2_7B, MIXTRAL_8X7B
from .test_telemetry import rows, write

Cli = Callable[..., Any]


def test_estimate_architecture_json_contract(cli: Cli) -> None:
    r = cli("compute", "estimate", "--parameters", "7e10", "--tokens", "1.5e13",
            "--format", "json")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert set(d) >= {"flop", "low", "high", "method", "assumptions"}
    assert d["flop"] == pytest.approx(6.3e24)
    assert d["low"] < d["flop"] < d["high"]
    assert d["method"] == "architecture (dense transformer)"
    assert d["notification_figure"] == "6.3e24"
    assert d["rulebook_version"] and d["not_legal_advice"]


def test_estimate_moe_and_epochs(cli: Cli) -> None:
    r = cli("compute", "estimate", "--parameters", "4.67e10", "--active-parameters", "1.29e10",
            "--tokens", "1e12", "--epochs", "2", "--format", "json")
    d = json.loads(r.out)
    assert d["flop"] == pytest.approx(6 * 1.29e10 * 2e12)
    assert "guidelines.compute.moe_active_parameters" in d["unverified_rules_used"]


def test_estimate_from_config_counts_parameters(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(MIXTRAL_8X7B))
    d = json.loads(cli("compute", "estimate", "--config", str(path), "--tokens", "1e12",
                       "--format", "json").out)
    assert d["flop"] == pytest.approx(6 * 12_879_925_248 * 1e12)
    assert d["method"] == "architecture (mixture-of-experts)"


def test_estimate_hardware_json(cli: Cli) -> None:
    r = cli("compute", "estimate", "--accelerator", "H100 SXM", "--count", "1024", "--hours",
            "720", "--utilization", "0.4", "--precision", "bf16", "--format", "json")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert d["flop"] == pytest.approx(1024 * 720 * 3600 * 989.5e12 * 0.4)
    assert d["method"] == "hardware"
    assert any("989.5 TFLOP/s" in a for a in d["assumptions"])


@pytest.mark.parametrize(("args", "message"), [
    (["--accelerator", "H10", "--count", "8", "--hours", "1"], "did you mean"),
    (["--accelerator", "A100", "--count", "8", "--hours", "-3"], "duration must be positive"),
    (["--accelerator", "A100", "--count", "8"], "--hours: missing"),
    (["--parameters", "7e10"], "--tokens: missing"),
    (["--parameters", "7e10", "--tokens", "1e12", "--accelerator", "A100"], "choose one method"),
    ([], "give --parameters and --tokens"),
])
def test_estimate_bad_input_is_one_line_exit_2(cli: Cli, args: list[str], message: str) -> None:
    r = cli("compute", "estimate", *args)
    assert r.code == 2
    assert message in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err


def test_params_command(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(LLAMA2_7B))
    d = json.loads(cli("compute", "params", str(path), "--format", "json").out)
    assert d["parameters"] == 6_738_415_616
    path.write_text(json.dumps({"model_type": "bert"}))
    r = cli("compute", "params", str(path))
    assert r.code == 2 and "unsupported architecture 'bert'" in r.err


def test_accelerators_command(cli: Cli) -> None:
    d = json.loads(cli("compute", "accelerators", "--format", "json").out)
    ids = {a["id"] for a in d["accelerators"]}
    assert {"a100", "h100-sxm", "mi300x", "tpu-v5p", "gaudi3"} <= ids
    assert "989.5" in cli("compute", "accelerators").out


def ledger_file(tmp_path: Path) -> Path:
    telemetry = write(tmp_path / "run.parquet",
                      [dict(r, count=8192) for r in rows(240)])
    path = tmp_path / "ledger.yaml"
    path.write_text(yaml.safe_dump({
        "gpact_ledger": 1, "model": "Example-70B", "planned_total_flop": "2e25",
        "entries": [
            {"id": "run", "telemetry": {"files": [telemetry.name], "utilization": 0.5}},
            {"id": "evals", "phase": "evaluation", "flop": 1e22},
        ]}))
    return path


def test_ledger_with_chart(cli: Cli, tmp_path: Path) -> None:
    path = ledger_file(tmp_path)
    out = tmp_path / "charts" / "compute.png"
    r = cli("compute", "ledger", str(path), "--chart", str(out), "--as-of", "2026-09-11",
            "--format", "json")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    per_day = 8192 * 86400 * 989.5e12 * 0.5
    assert d["cumulative"]["flop"] == pytest.approx(10 * per_day)
    assert [e["phase"] for e in d["entries"]] == ["pretraining", "evaluation"]
    sr = next(c for c in d["crossings"] if c["id"] == "systemic_risk_presumption")
    assert sr["status"] == "planned" and sr["notification_due"] == "2026-09-25"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in out.with_suffix(".svg").read_bytes()[:2000]
    text = cli("compute", "ledger", str(path), "--as-of", "2026-09-11").out
    assert "notification is due by 2026-09-25" in text
    assert "not legal advice" in text


def test_ledger_markdown(cli: Cli, tmp_path: Path) -> None:
    r = cli("compute", "ledger", str(ledger_file(tmp_path)), "--format", "md")
    assert r.out.startswith("# Training compute — Example-70B")


def test_ledger_bad_chart_name_and_missing_file(cli: Cli, tmp_path: Path) -> None:
    r = cli("compute", "ledger", str(ledger_file(tmp_path)), "--chart", str(tmp_path / "c.jpg"))
    assert r.code == 2 and "--chart" in r.err
    r = cli("compute", "ledger", str(tmp_path / "nope.yaml"))
    assert r.code == 2 and "no such file" in r.err


def test_forecast_command(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", [dict(r, count=8192) for r in rows(240)])
    r = cli("compute", "forecast", str(path), "--utilization", "0.5", "--base-compute", "3e25",
            "--as-of", "2026-09-11", "--format", "json")
    assert r.code == 0, r.err
    d = json.loads(r.out)
    ids = [c["id"] for c in d["crossings"]]
    assert ids == ["gpai_indicator", "modification_third", "systemic_risk_presumption"]
    sr = d["crossings"][2]
    per_day = 8192 * 86400 * 989.5e12 * 0.5
    expected = dt.date(2026, 9, 1) + dt.timedelta(days=1e25 / per_day)
    assert sr["status"] == "projected" and sr["date"] == expected.isoformat()
    assert sr["notification_due"] is not None


def test_forecast_reports_duplicates_on_stderr(cli: Cli, tmp_path: Path) -> None:
    data = rows(5)
    path = write(tmp_path / "t.csv", data + data[:2])
    r = cli("compute", "forecast", str(path))
    assert r.code == 0
    assert "2 duplicated" in r.err


def test_cli_in_a_subprocess() -> None:
    code = "import sys; from gpact.cli.main import main; sys.exit(main(sys.argv[1:]))"
    r = subprocess.run([sys.executable, "-c", code, "compute", "estimate", "--parameters", "1e9",
                        "--tokens", "2e10", "--format", "json"],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["flop"] == pytest.approx(1.2e20)


def test_ledger_json_feeds_the_model_documentation_form(cli: Cli, tmp_path: Path) -> None:
    """`gpact compute ledger --format json` is what `references.compute_ledger` reads."""
    ledger = ledger_file(tmp_path)
    r = cli("compute", "ledger", str(ledger), "--format", "json")
    d = json.loads(r.out)
    assert d["flop"] == d["cumulative"]["flop"] and d["low"] < d["flop"] < d["high"]
    assert "Not counted: evaluation" in d["method"]
    (tmp_path / "ledger.json").write_text(r.out)
    (tmp_path / "model.yaml").write_text(yaml.safe_dump({
        "gpact": 1, "provider": {"name": "Example AI SAS", "established_in_eu": True},
        "model": {"name": "Example-70B", "generates": ["text"]}}))
    (tmp_path / "model.record.yaml").write_text(yaml.safe_dump({
        "gpact_record": 1, "references": {"compute_ledger": "ledger.json"}}))
    r = cli("docs", "build", str(tmp_path / "model.yaml"), "--kind", "mdf", "--no-store")
    assert r.code == 0, r.err
    assert "From the referenced compute ledger" in r.out
    assert "Cumulative training compute is the sum of the ledger entries" in r.out
