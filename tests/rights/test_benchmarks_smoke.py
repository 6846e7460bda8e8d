"""The benchmarks stay runnable (tiny sizes; speed is never asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(autouse=True)
def _bench_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))


def test_robots_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    import rights_robots

    assert rights_robots.main(["--hosts", "5", "--urls", "500", "--verify", "200",
                               "--per-host", "1,10", "--many-urls", "40", "--repeat", "1",
                               "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "gpact is" in out and "0 of 200 sampled answers differ" in out
    assert "10 URLs/host x      4 hosts" in out


def test_robots_benchmark_parallel_smoke() -> None:
    # its own process: the workers import the benchmark module as the main module
    done = subprocess.run([sys.executable, str(BENCH / "rights_robots.py"), "--hosts", "6",
                           "--urls", "600", "--verify", "10", "--per-host", "", "--repeat",
                           "1", "--jobs", "2"], capture_output=True, text=True, check=True,
                          timeout=300)
    assert "gpact x2" in done.stdout and "protego x2" in done.stdout
    assert "protego differs on" in done.stdout


def test_audit_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    import rights_audit

    assert rights_audit.main(["--rows", "2000", "--hosts", "5", "--baseline-rows", "200"]) == 0
    out = capsys.readouterr().out
    assert "baseline (per-row Python + protego, 200 rows)" in out and "peak RSS" in out
    sys.modules.pop("rights_audit", None)
