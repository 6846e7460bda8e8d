"""Fixtures: the test profiles and records under tests/documents/data/."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from gpact.documents import make_context
from gpact.documents.context import Context
from gpact.documents.sources import load_sources

DATA = Path(__file__).parent / "data"
AS_OF = dt.date(2026, 11, 22)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the test data, so builds can store versions beside the profiles."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def context(name: str, record: Path | None = None, folder: Path = DATA) -> Context:
    return make_context(load_sources(folder / f"{name}.yaml", record), AS_OF)


@pytest.fixture
def frontier() -> Context:
    return context("frontier")


@pytest.fixture
def opensmall() -> Context:
    return context("opensmall")
