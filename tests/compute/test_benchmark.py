"""A tiny run of the telemetry benchmark, so that it keeps working (not a timing test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "compute_telemetry.py"


@pytest.mark.parametrize(("options", "plan"), [(["--format", "csv"], "fast"),
                                               (["--nested", "--repeat", "2"], "nested")])
def test_benchmark_smoke(tmp_path: Path, options: list[str], plan: str) -> None:
    r = subprocess.run([sys.executable, str(SCRIPT), "--rows", "3000", "--dir", str(tmp_path),
                        *options], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert "rows: equal" in r.stdout  # hourly series, totals and counts agree
    assert "3 duplicated" in r.stdout if plan == "fast" else "6 duplicated" in r.stdout
    assert "peak RSS" in r.stdout and "CPU time" in r.stdout
    assert f"gpact plan: {plan}" in r.stdout
