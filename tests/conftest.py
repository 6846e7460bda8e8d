"""Shared fixtures: the CLI runner used by end-to-end tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from gpact.cli.main import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``gpact ARGS`` in-process and return exit code, stdout and stderr."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
