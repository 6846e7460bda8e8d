"""The risk benchmark runs (tiny size; the real sizes are run by hand)."""

from __future__ import annotations

import pytest
from benchmarks.risk_calendar import main


def test_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--incidents", "8", "--requests", "6", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "8 incidents, 6 requests" in out and "+ calendar (.ics)" in out
