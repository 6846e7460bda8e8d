"""Summary 3.1(b): how reservations of rights are respected over time, from the record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gpact.documents import build
from gpact.documents.document import Entry
from tests.documents.conftest import DATA, context


def _entry(tmp_path: Path, change: dict[str, Any] | None = None,
           data_change: dict[str, Any] | None = None) -> Entry:
    record = yaml.safe_load((DATA / "frontier.record.yaml").read_text())
    record.pop("references", None)
    record["copyright"]["reservations"].update(change or {})
    for key, value in (data_change or {}).items():
        record["data"][key] = value
    (tmp_path / "frontier.yaml").write_text((DATA / "frontier.yaml").read_text())
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(record, allow_unicode=True))
    doc = build(context("frontier", tmp_path / "r.yaml", tmp_path), "training-summary")
    return next(e for e in doc.entries if e.spec.id == "tdm_measures")


def test_full_record_answers_every_part(tmp_path: Path) -> None:
    e = _entry(tmp_path)
    assert e.status == "ok", e.problems
    text = str(e.value)
    assert "robots.txt (RFC 9309), for the user-agent tokens FrontierBot, FrontierBot-Training" \
        in text
    assert "TDMRep" in text
    assert "robots.txt is fetched again at most 24 hours" in text
    assert "Reservations are evaluated for each URL at the moment it is fetched" in text
    assert "Reservations made after collection: Before each training run" in text
    assert "Third-party datasets: Web-derived public datasets" in text


@pytest.mark.parametrize(("missing", "problem"), [
    ("robots_refetch", "how often robots.txt is fetched again"),
    ("evaluated_at", "at what point of collection"),
    ("after_collection", "reservations made after collection"),
    ("third_party", "third-party datasets"),
])
def test_each_missing_part_is_flagged(tmp_path: Path, missing: str, problem: str) -> None:
    e = _entry(tmp_path, {missing: None})
    assert e.status == "weak"
    assert any(problem in p for p in e.problems), e.problems


def test_crawler_tokens_default_to_crawler_names(tmp_path: Path) -> None:
    e = _entry(tmp_path, {"crawler_tokens": []})
    assert "for the user-agent token FrontierBot;" in str(e.value)


def test_timing_not_asked_without_own_crawling(tmp_path: Path) -> None:
    e = _entry(tmp_path, {"robots_refetch": None, "evaluated_at": None},
               {"crawling": {"used": False}})
    assert e.status == "ok", e.problems
    assert "When reservations are read" not in str(e.value)


def test_third_party_not_asked_without_third_party_data(tmp_path: Path) -> None:
    e = _entry(tmp_path, {"third_party": None}, {
        "public_datasets": {"used": False}, "licensed": {"used": False}})
    assert not any("third-party" in p for p in e.problems)
