"""Template rules: size bins, the large-dataset list, the domain list (SME variant), gates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gpact.documents import build
from gpact.documents.builders.training_summary import domain_list_length, size_bin
from gpact.documents.document import Document, Entry, Table
from gpact.rulebook.loader import default_rulebook

from .conftest import AS_OF, context

BINS = default_rulebook().at(AS_OF).value("template_training_summary.size_bins")


@pytest.mark.parametrize(("modality", "amount", "unit", "label"), [
    ("text", 5e8, "tokens", "Less than 1 billion tokens"),
    ("text", 1e9, "tokens", "1 billion to 10 trillion tokens"),      # boundary: middle bin
    ("text", 1e13, "tokens", "1 billion to 10 trillion tokens"),     # boundary: middle bin
    ("text", 1.01e13, "tokens", "More than 10 trillion tokens"),
    ("image", 999_999, "images", "Less than 1 million images"),
    ("image", 2e9, "images", "More than 1 billion images"),
    ("audio", 9_999, "hours", "Less than 10 000 hours"),
    ("video", 5e5, "hours", "10 000 to 1 million hours"),
    ("video", 2e6, "hours", "More than 1 million hours"),
    ("text", 5e12, "bytes", None),                                   # wrong unit: no bin
    ("other", 5.0, "graphs", None),                                  # no bins for Other
])
def test_size_bins(modality: str, amount: float, unit: str, label: str | None) -> None:
    assert size_bin(BINS, modality, amount, unit) == label


@pytest.mark.parametrize(("count", "sme", "expected"), [
    (300, False, 30),
    (301, False, 31),        # rounded up
    (5, False, 1),
    (300, True, 15),
    (100_000, False, 10_000),
    (100_000, True, 1_000),  # SME: the lower of 5 % and 1 000
    (19_000, True, 950),
])
def test_domain_list_length(count: int, sme: bool, expected: int) -> None:
    assert domain_list_length(count, sme, 0.05 if sme else 0.10, 1000 if sme else None) \
        == expected


def entry(doc: Document, field_id: str) -> Entry:
    return next(e for e in doc.entries if e.spec.id == field_id)


def _with_summary(tmp_path: Path, sme: bool, domains: int, count: int) -> Document:
    base = Path(__file__).parent / "data"
    profile = yaml.safe_load((base / "frontier.yaml").read_text())
    profile["provider"]["sme"] = sme
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(profile))
    record = yaml.safe_load((base / "frontier.record.yaml").read_text())
    record["references"] = {"data_summary": "summary.json"}
    (tmp_path / "summary.json").write_text(json.dumps({
        "modalities": {"text": {"items": 10, "bytes": 100, "tokens": 5e11, "seconds": None}},
        "top_domains": [{"domain": f"d{i}.example", "bytes": 1000 - i} for i in range(domains)],
        "domain_count": count, "collection_period": {"first": "2024-01-01", "last": "2025-06-30"},
        "languages": [{"language": "fr", "share": 0.9}], "skipped_rows": 0}))
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(record, allow_unicode=True))
    return build(context("p", tmp_path / "r.yaml", tmp_path), "training-summary")


def test_domain_rule_sme_applied_and_stated(tmp_path: Path) -> None:
    doc = _with_summary(tmp_path, sme=True, domains=40, count=400)
    e = entry(doc, "crawl_domains")
    assert e.value == [f"d{i}.example" for i in range(20)]  # 5 % of 400, list cut to 20
    assert e.status == "ok"
    notes = " ".join(e.notes)
    assert "sme_domain_top_share" in notes and "sme_domain_cap" in notes
    assert "UNVERIFIED" in notes  # the SME cap is an unverified rule
    assert any(r["key"] == "template_training_summary.sme_domain_cap"
               for r in doc.unverified_rules)


def test_domain_rule_short_list_is_weak(tmp_path: Path) -> None:
    doc = _with_summary(tmp_path, sme=False, domains=10, count=400)
    e = entry(doc, "crawl_domains")
    assert e.status == "weak"
    assert "lists 10 of the 40 domains" in e.problems[0]


def test_sizes_and_languages_from_data_summary(tmp_path: Path) -> None:
    doc = _with_summary(tmp_path, sme=False, domains=40, count=400)
    table = entry(doc, "modality_sizes").value
    assert isinstance(table, Table)
    assert table.rows[0][1].startswith("1 billion to 10 trillion tokens")
    assert table.rows[1][0] == "☒ Image"  # record lists image content types
    latest = entry(doc, "latest_collection_date")
    assert latest.value == "12/2025. The model is not trained on data collected after this date."


def test_large_dataset_rule(frontier: object) -> None:
    doc = build(frontier, "training-summary")  # type: ignore[arg-type]
    e = entry(doc, "public_large_datasets")
    assert isinstance(e.value, Table)
    names = [r[0] for r in e.value.rows]
    # 900/990 and 80/990 of text reach 3 %; 10/990 does not; the image set is 100 %
    assert [n.split("\n")[0] for n in names] == [
        "Common Crawl CC-MAIN-2025-05, version CC-MAIN-2025-05", "The Stack v2, version 2.0",
        "LAION-COCO subset, version 2023"]
    other = entry(doc, "public_other_description")
    assert "Tiny Corpus (version 1; 10 GB; https://example.org/tiny)" in str(other.value)
    assert "large_dataset_share" in " ".join(e.notes)
    assert "UNVERIFIED" in " ".join(e.notes)


def test_gate_no_gives_na_and_gate_yes_requires_answers(opensmall: object) -> None:
    doc = build(opensmall, "training-summary")  # type: ignore[arg-type]
    assert entry(doc, "crawler_names").status == "not_applicable"      # crawling: used false
    assert entry(doc, "crawler_names").value == "N/A"
    assert entry(doc, "public_other_description").status == "missing"  # public used: true
    assert entry(doc, "authorised_representative").status == "not_applicable"  # EU provider
    assert entry(doc, "user_data_description").status == "missing"     # gate unknown: kept


def test_non_eu_provider_needs_representative(frontier: object) -> None:
    doc = build(frontier, "training-summary")  # type: ignore[arg-type]
    assert entry(doc, "authorised_representative").status == "ok"
    assert doc.gaps() == []


@given(st.integers(min_value=1, max_value=10**7), st.booleans())
def test_domain_list_length_properties(count: int, sme: bool) -> None:
    n = domain_list_length(count, sme, 0.05 if sme else 0.10, 1000 if sme else None)
    assert 1 <= n <= count
    if sme:
        assert n <= 1000
    else:
        assert n >= 0.10 * count  # never fewer than the share (rounded up)
