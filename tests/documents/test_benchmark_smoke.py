"""The documents benchmark runs (tiny sizes; speed is not asserted in tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "documents_build.py"


def test_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("documents_build", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--domains", "300", "--datasets", "20", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "300 crawled domains (30 listed)" in out and "x baseline" in out
