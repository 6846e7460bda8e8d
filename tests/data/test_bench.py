"""The benchmark runs with one command (tiny size here; real sizes are run by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks import data_bench


def test_benchmark_smoke_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert data_bench.main(["--rows", "3000", "--hosts", "500", "--dir", str(tmp_path),
                            "--with", "tldextract"]) == 0
    out = capsys.readouterr().out
    for name in ("gpact", "duckdb_psl", "duckdb_hosts", "tldextract"):
        assert f"\n{name} " in out
    # the SQL suffix-list reference finds the same domains, count and list as gpact
    assert "domain count and list length agree with duckdb_psl: yes" in out
    assert "top-10 domains agree with tldextract: yes" in out
    assert "targets: gpact <= 1.3x duckdb_psl" in out
