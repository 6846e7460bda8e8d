"""`gpact data summarize` end to end: the JSON contract, readable output, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpact.cli.main import main
from tests.data import manifests as m

CONTRACT = {"modalities", "top_domains", "domain_count", "collection_period", "languages",
            "skipped_rows", "gpact_version", "rulebook_version", "rules_applied", "inputs"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["data", "summarize", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(capsys: pytest.CaptureFixture[str], parquet_manifest: Path) -> None:
    code, out, _ = run(capsys, str(parquet_manifest), "--format", "json", "--as-of",
                       "2026-11-22", "--sme")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= CONTRACT
    assert set(doc["modalities"]["text"]) >= {"items", "bytes", "tokens", "seconds", "size_bin"}
    assert doc["top_domains"][0] == {"rank": 1, "domain": "example.com", "bytes": 1100,
                                     "items": 3, "bytes_share": round(1100 / 3490, 6)}
    assert set(doc["collection_period"]) >= {"first", "last"}
    assert doc["sme"] is True and doc["domain_rule"]["variant"] == "sme"
    assert doc["inputs"]["files"][0]["metadata_sha256"]
    assert {r["key"] for r in doc["rules_applied"]} >= {
        "template_training_summary.size_bins", "template_training_summary.sme_domain_cap"}


def test_text_and_markdown(capsys: pytest.CaptureFixture[str], parquet_manifest: Path) -> None:
    code, out, _ = run(capsys, str(parquet_manifest), "--show", "1")
    assert code == 0
    assert "not legal advice" in out and "example.com" in out and "bbc.co.uk" not in out
    assert "… and 1 more" in out
    code, out, _ = run(capsys, str(parquet_manifest), "-f", "md")
    assert code == 0 and out.startswith("# Training-content statistics")
    assert "| 2.3 | crawled | 24 | 3,490 | text |" in out


def test_sources_file(capsys: pytest.CaptureFixture[str], parquet_manifest: Path,
                      tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - id: pd-a\n    name: Dataset A\n    kind: public_dataset\n"
                       "    link: https://example.org/a\n    version: '2'\n"
                       "  - id: pod\n    kind: synthetic\n", encoding="utf-8")
    code, out, _ = run(capsys, str(parquet_manifest), "-f", "json", "--sources", str(sources))
    assert code == 0
    doc = json.loads(out)
    pd_a = doc["public_datasets"]["by_modality"]["text"]["datasets"][0]
    assert pd_a["source"] == {"id": "pd-a", "name": "Dataset A", "kind": "public_dataset",
                              "link": "https://example.org/a", "version": "2"}
    assert any("pod: manifest says licensed" in w for w in doc["warnings"])
    assert any("not described" in w and "crawl-1" in w for w in doc["warnings"])


@pytest.mark.parametrize(("args", "message"), [
    (["missing.parquet"], "missing.parquet: no such file"),
    (["nothing-*.csv"], "the pattern matches no file"),
    (["{csv}", "--column", "bytes"], "--column: expected FIELD=COLUMN"),
    (["{csv}", "--column", "size=b"], "unknown field 'size'"),
    (["{csv}", "--strict"], "(--strict;"),
    (["{csv}", "--sources", "{csv}"], "sources"),
    (["{txt}"], "unknown manifest format"),
    (["{csv}", "--memory-limit", "lots"], "--memory-limit:"),
])
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, args: list[str],
                                          message: str, csv_manifest: Path) -> None:
    monkeypatch.chdir(tmp_path)
    txt = tmp_path / "notes.txt"
    txt.write_text("x", encoding="utf-8")
    args = [a.format(csv=csv_manifest, txt=txt) for a in args]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unknown_engine_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                         csv_manifest: Path) -> None:
    code, _, err = run(capsys, str(csv_manifest), "--engine", "hadoop")
    assert code == 2 and "'hadoop' is not one of 'duckdb', 'spark'" in err


def test_corrupt_parquet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    code, _, err = run(capsys, str(bad))
    assert code == 2 and "not a Parquet file" in err


def test_folder_and_glob_inputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    m.write_csv(tmp_path / "a.csv", m.VALID[:10])
    m.write_jsonl(tmp_path / "b.jsonl", m.VALID[10:])
    code, out, _ = run(capsys, str(tmp_path), "-f", "json")
    by_folder = json.loads(out)
    code2, out2, _ = run(capsys, str(tmp_path / "*.csv"), str(tmp_path / "b.jsonl"), "-f", "json")
    assert code == code2 == 0
    assert by_folder["rows"] == json.loads(out2)["rows"] == {"read": 33, "used": 33,
                                                              "skipped": 0}
