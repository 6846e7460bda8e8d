"""The load benchmark runs end to end at a tiny size (the real run is done by hand)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ["python", pytest.param("wrk", marks=pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed"))]


@pytest.mark.parametrize("client", CLIENTS)
def test_load_benchmark_smoke(client: str) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "server_load.py"),
                          "--models", "3", "--clients", "2", "--requests", "24",
                          "--duration", "20", "--seconds", "1", "--client", client,
                          "--db", "sqlite"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert f"load client: {'wrk' if client == 'wrk' else 'Python httpx'}" in out
    assert "GET /api/health (baseline, alone)" in out
    rows = [line for line in out.splitlines() if line.startswith("GET /api/orgs/bench/")]
    assert rows and all(line.split()[-7] == "0" for line in rows), out  # no errors
    if client == "wrk":  # one run per endpoint group (the Python client mixes them at random)
        # each read group alone, the two page groups again once kept, then all at once in
        # the mixed phase
        assert len(rows) == 12, out
        assert len([line for line in rows if "(again, kept)" in line]) == 2, out
        assert len([line for line in rows if "conn]" in line]) == 5, out
        # both writes run, alone and mixed (with 3 models two connections may race for one:
        # 409s are possible here, not with the real run's 10,000)
        writes = [line for line in out.splitlines() if line.startswith(("PUT /api/",
                                                                         "PATCH /api/"))]
        assert len(writes) == 4, out
    assert "peak RSS" in out
