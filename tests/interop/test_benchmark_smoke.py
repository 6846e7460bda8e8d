"""The interop benchmark runs (tiny sizes; speed is not asserted in tests)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "interop_formats.py"


def test_benchmark_smoke(capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), "--rows", "64", "--repeat", "1",
                                      "--no-spdx"])
    runpy.run_path(str(SCRIPT), run_name="__main__")
    out = capsys.readouterr().out
    assert "codecarbon 64 rows" in out and "(double counted)" in out
