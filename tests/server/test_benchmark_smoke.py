"""The load benchmark runs end to end at a tiny size (the real run is done by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_benchmark_smoke() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "server_load.py"),
                          "--models", "3", "--clients", "2", "--requests", "24",
                          "--duration", "20", "--db", "sqlite"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "GET /api/health (baseline)" in out
    rows = [line for line in out.splitlines() if line.startswith("GET /api/orgs/bench/")]
    assert rows and all(line.split()[3] == "0" for line in rows), out  # no errors
    assert "peak RSS" in out
