"""Summary 2.1-2.5: datasets described (not just named), crawled content, synthetic data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpact.documents import build
from gpact.documents.document import Document, Entry, Table
from tests.documents.conftest import DATA, context

Edit = Callable[[dict[str, Any]], None]


def summary(tmp_path: Path, edit: Edit, keep_references: bool = False) -> Document:
    record = yaml.safe_load((DATA / "frontier.record.yaml").read_text())
    if not keep_references:
        record.pop("references", None)
    edit(record)
    for name in ("frontier.yaml", "frontier.data-summary.json", "frontier.assessment.json"):
        (tmp_path / name).write_text((DATA / name).read_text())
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(record, allow_unicode=True))
    return build(context("frontier", tmp_path / "r.yaml", tmp_path), "training-summary")


def entry(doc: Document, field: str) -> Entry:
    return next(e for e in doc.entries if e.spec.id == field)


def _dataset(changes: dict[str, Any], index: int = 0) -> Edit:
    def edit(record: dict[str, Any]) -> None:
        record["data"]["public_datasets"]["datasets"][index].update(changes)
    return edit


@pytest.mark.parametrize(("changes", "problem"), [
    ({"url": "https://commoncrawl.org/"}, "the link is a home page"),
    ({"version": None}, "no version"),
    ({"selection": None}, "say which part (subset) and how it was selected"),
    ({"whole": None, "subset": None, "selection": None}, "say whether the whole dataset"),
    ({"languages": []}, "no languages"),
    ({"collected": None}, "no collection period"),
    ({"size": None, "unit": None, "share": 0.9}, "no size"),
])
def test_large_dataset_needs_each_fact(tmp_path: Path, changes: dict[str, Any],
                                       problem: str) -> None:
    e = entry(summary(tmp_path, _dataset(changes)), "public_large_datasets")
    assert e.status == "weak"
    assert any(problem in p for p in e.problems), e.problems


def test_described_dataset_row(tmp_path: Path) -> None:
    e = entry(summary(tmp_path, lambda r: None), "public_large_datasets")
    assert e.status == "ok", e.problems
    assert isinstance(e.value, Table)
    assert e.value.columns == ("Dataset, version and link", "Part used and how it was selected",
                               "Size", "Languages", "Collection period")
    row = e.value.rows[0]
    assert row[0] == ("Common Crawl CC-MAIN-2025-05, version CC-MAIN-2025-05\n"
                      "https://data.commoncrawl.org/crawl-data/CC-MAIN-2025-05/index.html")
    assert "Selection: Language identification" in row[1]
    assert row[2] == "900 GB of text (91% of public text)"
    assert row[4] == "01/2025 – 02/2025"
    assert e.value.rows[1][1] == "Whole dataset"


def test_images_need_no_languages(tmp_path: Path) -> None:
    e = entry(summary(tmp_path, lambda r: None), "public_large_datasets")
    assert not any("LAION" in p for p in e.problems)


def test_private_known_datasets_described(tmp_path: Path) -> None:
    def edit(record: dict[str, Any]) -> None:
        record["data"]["private_other"] = {"used": True, "modalities": ["text"], "known": [
            "Plain name", {"name": "Broker corpus", "size": 3, "unit": "TB",
                           "languages": ["German"], "collected": "2024"}],
            "description": "Licensed broker data."}
    e = entry(summary(tmp_path, edit), "private_known_list")
    assert e.value == ["Plain name", "Broker corpus (3 TB; German; collected 2024)"]


@pytest.mark.parametrize("aspect", ["geography", "site_types", "demographics",
                                    "other_characteristics", "languages"])
def test_crawled_content_flags_each_missing_aspect(tmp_path: Path, aspect: str) -> None:
    def edit(record: dict[str, Any]) -> None:
        record["data"]["crawling"][aspect] = None
    e = entry(summary(tmp_path, edit), "crawl_content_description")
    assert e.status == "weak"
    assert any(f"data.crawling.{aspect}" in p for p in e.problems), e.problems


def test_crawl_languages_reuse_the_data_summary(tmp_path: Path) -> None:
    def edit(record: dict[str, Any]) -> None:
        record["data"]["crawling"]["languages"] = None
    e = entry(summary(tmp_path, edit, keep_references=True), "crawl_content_description")
    assert e.status == "ok", e.problems
    assert "Languages: Largest languages by share of the data: English (" in str(e.value)
    assert "Official EU languages among them:" in str(e.value)


def test_crawler_behaviour_reuses_copyright_answers(tmp_path: Path) -> None:
    e = entry(summary(tmp_path, lambda r: None), "crawler_behaviour")
    text = str(e.value)
    assert "Excluded sites: Domains on the EU list of persistent infringers" in text
    assert "Information for rightsholders about the crawlers: https://frontier.example/crawler" \
        in text


@pytest.mark.parametrize(("models", "status"), [
    ([], "missing"),
    ("none", "ok"),
    ([{"name": "Other-LLM"}], "weak"),
    ([{"name": "Other-LLM", "summary_url": "https://other.example/summary"}], "ok"),
])
def test_synthetic_generating_models_required(tmp_path: Path, models: Any, status: str) -> None:
    def edit(record: dict[str, Any]) -> None:
        record["data"]["synthetic"] = {"used": True, "modalities": ["text"],
                                       "market_models": models}
    e = entry(summary(tmp_path, edit), "synthetic_market_models")
    assert e.status == status, e.problems
    if models == "none":
        assert str(e.value).startswith("None: no general-purpose AI model")


def test_modalities_as_template_checkboxes(tmp_path: Path) -> None:
    e = entry(summary(tmp_path, lambda r: None), "public_modalities")
    assert e.value == "☒ Text  ☒ Image  ☐ Video  ☐ Audio  ☐ Other"
