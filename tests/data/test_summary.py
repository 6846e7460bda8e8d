"""The statistics on hand-checkable manifests: every expected number can be added up by hand
from tests/data/manifests.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gpact.data import Options, summarize_manifests
from gpact.errors import InputError
from tests.data import manifests as m
from tests.data.conftest import AS_OF


def summary(paths: list[Path], **kw: Any) -> dict[str, Any]:
    opts = {k: kw.pop(k) for k in ("sme", "strict", "top_languages", "psl_private") if k in kw}
    return summarize_manifests([str(p) for p in paths], Options(as_of=AS_OF, **opts), **kw)


def test_modalities_sizes_and_bins(parquet_manifest: Path) -> None:
    doc = summary([parquet_manifest])
    assert list(doc["modalities"]) == ["text", "image", "audio"]
    text, image, audio = (doc["modalities"][k] for k in ("text", "image", "audio"))
    assert (text["items"], text["bytes"], text["tokens"], text["seconds"]) == \
        (29, 14490, 3365, None)
    assert text["size_bin"]["label"] == "Less than 1 billion tokens"
    assert text["size_bin"]["complete"] is True
    assert (image["items"], image["bytes"]) == (2, 10000)
    assert image["size_bin"]["label"] == "Less than 1 million images"
    assert (audio["items"], audio["bytes"], audio["seconds"]) == (2, 14400, 5400.0)
    assert audio["size_bin"] == {"label": "Less than 10 000 hours", "unit": "hours",
                                 "measured": 1.5, "complete": True}
    assert doc["rows"] == {"read": 42, "used": 33, "skipped": 9}


def test_source_kinds_and_sources(parquet_manifest: Path) -> None:
    doc = summary([parquet_manifest])
    kinds = doc["source_kinds"]
    assert list(kinds) == ["public_dataset", "licensed", "crawled", "synthetic"]
    assert kinds["crawled"]["section"] == "2.3"
    assert (kinds["crawled"]["items"], kinds["crawled"]["bytes"]) == (24, 3490)
    assert kinds["public_dataset"]["modalities"] == ["text", "image"]
    pod = next(s for s in doc["sources"] if s["source_id"] == "pod")
    assert pod["modalities"]["audio"]["seconds"] == 5400.0
    assert pod["source_kind"] == "licensed"


def test_public_dataset_threshold_is_inclusive(parquet_manifest: Path) -> None:
    pub = summary([parquet_manifest])["public_datasets"]
    assert pub["threshold"] == 0.03 and pub["confidence"] == "unverified"
    text = pub["by_modality"]["text"]
    assert text["bytes"] == 10000
    assert [(d["source_id"], d["bytes_share"], d["listed"]) for d in text["datasets"]] == [
        ("pd-a", 0.9, True), ("pd-b", 0.0401, True), ("pd-c", 0.03, True),
        ("pd-d", 0.0299, False)]
    assert pub["by_modality"]["image"]["datasets"][0]["listed"] is True


def test_domain_list_standard_rule_with_tie_at_cutoff(parquet_manifest: Path) -> None:
    doc = summary([parquet_manifest])
    assert doc["domain_count"] == 20
    # 10 % of 20 = 2; bbc.co.uk and x.org tie at 800 bytes: the name decides.
    assert [(d["domain"], d["bytes"]) for d in doc["top_domains"]] == [
        ("example.com", 1100), ("bbc.co.uk", 800)]
    rule = doc["domain_rule"]
    assert (rule["variant"], rule["count"], rule["ties_at_cutoff"]) == ("standard", 2, 1)
    assert rule["confidence"] == "unverified"  # the rounding rule is gpact's own choice
    assert "template_training_summary.domain_list_rounding" in doc["unverified_rules_used"]
    assert doc["domain_concentration"]["top_list_bytes_share"] == round(1900 / 3490, 6)


def test_domain_list_sme_rule(parquet_manifest: Path) -> None:
    doc = summary([parquet_manifest], sme=True)
    assert [d["domain"] for d in doc["top_domains"]] == ["example.com"]  # ceil(5 % of 20)
    assert doc["domain_rule"]["cap"] == 1000
    assert "template_training_summary.sme_domain_cap" in doc["domain_rule"]["rules"]


def test_hosts_merge_into_registrable_domains(parquet_manifest: Path) -> None:
    doc = summary([parquet_manifest], sme=True)
    hosts = doc["crawled_hosts"]
    # a.example.com, www.example.com (twice, one upper case with port) -> 2 distinct hosts
    assert hosts["distinct_hosts"] == 21
    assert hosts["ip_address_hosts"] == 1
    assert hosts["public_suffix_list"]["snapshot"].startswith("20")


def test_collection_period_and_languages(parquet_manifest: Path) -> None:
    doc = summary([parquet_manifest])
    assert doc["collection_period"]["first"] == "2024-03-05"
    assert doc["collection_period"]["last"] == "2025-06-30"
    assert doc["collection_period"]["last_month"] == "06/2025"
    assert doc["collection_period"]["undated_items"] == 1
    assert [(x["language"], x["bytes"]) for x in doc["languages"]] == [
        ("en", 23770), ("de", 15000), ("fr", 100), ("und", 20)]
    two = summary([parquet_manifest], top_languages=2)
    assert two["languages_other"] == {"count": 2, "bytes": 120,
                                      "bytes_share": round(120 / 38890, 6)}


def test_skipped_rows_have_reasons(csv_manifest: Path) -> None:
    doc = summary([csv_manifest])
    reasons = {r["reason"]: r["rows"] for r in doc["skipped_rows"]["reasons"]}
    assert reasons == {"source_id_missing": 1, "source_kind_unknown": 1, "modality_unknown": 1,
                       "bytes_missing": 1, "bytes_not_a_number": 1, "bytes_negative": 1,
                       "tokens_not_a_number": 1, "collected_at_unparseable": 1,
                       "url_missing": 1, "url_unparseable": 3}
    assert doc["skipped_rows"]["total"] == 12
    assert doc["rows"]["used"] == 33
    seen = next(r for r in doc["skipped_rows"]["reasons"] if r["reason"] == "modality_unknown")
    assert seen["values_seen"] == ["'Text'"]
    assert seen["files"] == {str(csv_manifest.resolve()): 1}


def test_strict_turns_skips_into_an_error(csv_manifest: Path) -> None:
    with pytest.raises(InputError) as err:
        summary([csv_manifest], strict=True)
    assert err.value.field == "source_id"
    assert "--strict" in err.value.problem and "12 invalid rows" in err.value.problem


def test_formats_agree(tmp_path: Path, parquet_manifest: Path) -> None:
    rows = m.VALID + m.INVALID
    parts = [m.write_csv(tmp_path / "a.csv.gz", rows[:10]),
             m.write_jsonl(tmp_path / "b.jsonl", rows[10:25]),
             m.write_parquet(tmp_path / "c.parquet", rows[25:])]
    mixed, single = summary(parts), summary([parquet_manifest])
    for key in ("modalities", "source_kinds", "sources", "top_domains", "languages",
                "skipped_rows", "collection_period", "public_datasets"):
        if key == "skipped_rows":
            mixed[key] = [(r["reason"], r["rows"]) for r in mixed[key]["reasons"]]
            single[key] = [(r["reason"], r["rows"]) for r in single[key]["reasons"]]
        assert mixed[key] == single[key], key
    assert [f["rows"] for f in mixed["inputs"]["files"]] == [10, 15, 17]


def test_column_mapping_and_missing_column_message(tmp_path: Path) -> None:
    path = m.write_csv(tmp_path / "renamed.csv", m.VALID, rename={"bytes": "size_bytes"})
    with pytest.raises(InputError) as err:
        summary([path])
    assert "missing column 'bytes'" in err.value.problem
    assert "--column bytes=size_bytes" in err.value.problem
    assert "size_bytes" in err.value.problem  # the columns present are listed
    doc = summary([path], mapping={"bytes": "size_bytes"})
    assert doc["modalities"]["text"]["bytes"] == 14490
    assert doc["inputs"]["column_mapping"] == {"bytes": "size_bytes"}


def test_empty_and_single_modality_manifests(tmp_path: Path) -> None:
    empty = m.write_csv(tmp_path / "empty.csv", [])
    with pytest.raises(InputError, match="no rows"):
        summary([empty])
    only_text = m.write_csv(tmp_path / "text.csv", m.CRAWL)
    doc = summary([only_text])
    assert list(doc["modalities"]) == ["text"]
    assert doc["public_datasets"]["by_modality"] == {}
    bad = m.write_csv(tmp_path / "bad.csv", m.INVALID)
    with pytest.raises(InputError, match="no valid rows"):
        summary([bad])


def test_wrong_column_type_is_named(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "typed.parquet"
    pq.write_table(pa.table({"source_id": ["a"], "source_kind": ["licensed"],
                             "modality": ["text"], "bytes": [True]}), path)
    with pytest.raises(InputError) as err:
        summary([path])
    assert err.value.field == "bytes" and "wrong type" in err.value.problem


def test_missing_optional_url_column_skips_crawled_rows_with_a_warning(tmp_path: Path) -> None:
    path = m.write_csv(tmp_path / "nourl.csv", m.VALID, columns=[c for c in m.COLUMNS
                                                                 if c != "url"])
    doc = summary([path])
    assert {r["reason"]: r["rows"] for r in doc["skipped_rows"]["reasons"]} == \
        {"url_missing": 24}
    assert any("url" in w for w in doc["warnings"])


def test_nan_duration_is_not_a_number(tmp_path: Path) -> None:
    rows = [*m.OTHER, m.row("pod", "licensed", "audio", 10, seconds=float("nan"))]
    doc = summary([m.write_parquet(tmp_path / "nan.parquet", rows)])
    assert {r["reason"]: r["rows"] for r in doc["skipped_rows"]["reasons"]} == \
        {"seconds_not_a_number": 1}
    assert doc["modalities"]["audio"]["seconds"] == 5400.0


def test_idn_spellings_are_one_domain(tmp_path: Path) -> None:
    rows = [m.crawled("https://münchen.de/a", 100), m.crawled("https://xn--mnchen-3ya.de/b", 50),
            m.crawled("https://WWW.MÜNCHEN.DE/c", 25), m.crawled("https://xn--zz.com/", 7)]
    doc = summary([m.write_parquet(tmp_path / "idn.parquet", rows)])
    assert [(d["domain"], d["bytes"]) for d in doc["top_domains"]] == [("münchen.de", 175)]
    assert doc["domain_count"] == 1
    assert doc["skipped_rows"]["reasons"][0]["reason"] == "url_unparseable"


def test_bare_suffix_with_its_subdomains(tmp_path: Path) -> None:
    rows = [m.crawled("https://uk/", 10), m.crawled("https://a.example.co.uk/", 20),
            m.crawled("https://co.uk/x", 5)]
    doc = summary([m.write_parquet(tmp_path / "uk.parquet", rows)])
    assert doc["domain_count"] == 3
    assert doc["top_domains"][0]["domain"] == "example.co.uk"
    assert doc["crawled_hosts"]["hosts_that_are_public_suffixes"] == 2


def test_invalid_crawled_rows_leave_their_domain(tmp_path: Path) -> None:
    """The hosts pass counts every crawled row; the invalid ones are taken out again."""
    rows = [m.crawled("https://a.example.com/1", 100), m.crawled("https://b.example.com/2", -7),
            m.row("crawl-1", "crawled", "Text", 50, url="https://a.example.com/3"),
            m.row("", "crawled", "text", 60, url="https://only-invalid.org/"),
            m.crawled("https://x.org/", 30)]
    doc = summary([m.write_parquet(tmp_path / "c.parquet", rows)])
    assert [(d["domain"], d["bytes"], d["items"]) for d in doc["top_domains"]] == \
        [("example.com", 100, 1)]
    assert doc["domain_count"] == 2 and doc["crawled_hosts"]["distinct_hosts"] == 2
    assert doc["rows"] == {"read": 5, "used": 2, "skipped": 3}
