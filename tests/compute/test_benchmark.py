"""A tiny run of the telemetry benchmark, so that it keeps working (not a timing test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "compute_telemetry.py"


def test_benchmark_smoke(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, str(SCRIPT), "--rows", "3000", "--format", "csv",
                        "--dir", str(tmp_path)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert "(equal)" in r.stdout
    assert "3 duplicated rows" in r.stdout
    assert "peak RSS" in r.stdout
