"""Shared fixtures: the CLI runner used by end-to-end tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import settings

from gpact.cli.main import main

# No time limit per example: Hypothesis's default deadline (200 ms) is a wall-clock assertion,
# and on a shared machine an example can take longer for reasons that have nothing to do with
# gpact. Speed is measured in benchmarks/.
settings.register_profile("gpact", deadline=None)
settings.load_profile("gpact")


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


# In CI a skipped test is a failure: the test command installs everything the suite needs
# (PostgreSQL, Chromium, Java for Spark), so a skip there means an install step is missing.
_SKIPPED: list[str] = []


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") and _SKIPPED and exitstatus == 0:
        print(f"\nCI: {len(_SKIPPED)} test(s) skipped, which CI treats as failure:")
        for nodeid in _SKIPPED[:20]:
            print(f"  {nodeid}")
        session.exitstatus = 1
