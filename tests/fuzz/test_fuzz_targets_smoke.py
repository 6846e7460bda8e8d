"""The atheris targets (benchmarks/fuzz_inputs.py) run, each on a few seeded mutations."""

from __future__ import annotations

import pytest
from benchmarks.fuzz_inputs import PARSERS, random_loop


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_target_runs(name: str) -> None:
    random_loop(name, 40)
