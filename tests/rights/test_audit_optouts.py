"""The crawl-time audit reads opt-out signals beyond headers: tdmrep.json snapshots, HTML meta,
agent-scoped noai, Content-Signal lines, and aipref Content-Usage behind --aipref."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gpact.cli.main import main
from gpact.rights.audit import AuditOptions, run_audit, summarize

ROBOTS_A = ("User-agent: *\nAllow: /\n\nUser-agent: ExampleBot\nDisallow: /private\n"
            "Content-Usage: /press/ train-ai=n\n")
ROBOTS_B = "User-Agent: *\nContent-Signal: search=yes, ai-train=no\nAllow: /\n"
TDMREP = json.dumps([{"location": "/books/*", "tdm-reservation": 1,
                      "tdm-policy": "https://a.example/tdm-policy.json"},
                     {"location": "/*", "tdm-reservation": 0}])
UA = "Mozilla/5.0 (compatible; ExampleBot/1.0; +https://example.com/bot)"
PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>News</title>'
        '<meta name="examplebot" content="noai"></head><body>…</body></html>')
OTHER_PAGE = '<html><head><meta name="googlebot" content="noai"></head></html>'

# (url, html, headers) -> expected (tdm_verdict, tdm_source)
ROWS = [
    ("https://a.example/books/1", None, None, ("reserved", "tdmrep.json")),
    ("https://a.example/news/1", None, None, ("not_reserved", "tdmrep.json")),
    ("https://a.example/news/2", PAGE, None, ("reserved", "examplebot meta")),
    ("https://a.example/news/3", OTHER_PAGE, None, ("not_reserved", "tdmrep.json")),
    ("https://a.example/press/1", None, None, ("not_reserved", "tdmrep.json")),  # no --aipref
    ("https://b.example/x", None, None, ("reserved", "robots.txt")),
    ("https://c.example/x", None, "X-Robots-Tag: googlebot: noai\r\n", ("unknown", None)),
    ("https://c.example/y", None, "X-Robots-Tag: examplebot: noai\r\n",
     ("reserved", "X-Robots-Tag header")),
    ("https://c.example/z", None, "Content-Usage: train-ai=n\r\n", ("unknown", None)),
]


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    return write_inputs(tmp_path)


def write_inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The log, robots.txt snapshots and tdmrep.json snapshots for ``ROWS``."""
    at = pa.array([1_772_323_200_000_000] * 3, pa.timestamp("us"))
    snaps = tmp_path / "robots.parquet"
    pq.write_table(pa.table({"origin": ["https://a.example", "https://b.example",
                                        "https://c.example"], "fetched_at": at,
                             "status": ["200", "200", "404"],
                             "body": [ROBOTS_A, ROBOTS_B, ""]}), snaps)
    tdm = tmp_path / "tdmrep.parquet"
    pq.write_table(pa.table({"origin": ["https://a.example", "https://b.example"],
                             "fetched_at": at[:2], "status": ["200", "404"],
                             "body": [TDMREP, ""]}), tdm)
    log = tmp_path / "crawl.parquet"
    n = len(ROWS)
    pq.write_table(pa.table({
        "url": [r[0] for r in ROWS],
        "fetched_at": pa.array([1_772_326_800_000_000] * n, pa.timestamp("us")),
        "user_agent": [UA] * n, "html": [r[1] for r in ROWS],
        "http_headers": [r[2] for r in ROWS]}), log)
    return log, snaps, tdm


def _audit(tmp_path: Path, inputs: tuple[Path, Path, Path], aipref: str | None) -> list[dict]:
    log, snaps, tdm = inputs
    options = AuditOptions([str(log)], [str(snaps)], tmp_path / "v.parquet",
                           tdmrep=[str(tdm)], aipref=aipref)
    result = run_audit(options)
    summary = summarize(result, options)
    assert summary["settings"]["aipref_draft"] == aipref
    return sorted(pq.read_table(result.out).to_pylist(), key=lambda r: r["row_id"])


def test_every_source_is_read(tmp_path: Path, inputs: tuple[Path, Path, Path]) -> None:
    rows = _audit(tmp_path, inputs, None)
    got = [(r["tdm_verdict"], r["tdm_source"]) for r in rows]
    assert got == [expected for *_, expected in ROWS]
    assert rows[0]["tdm_policy"] == "https://a.example/tdm-policy.json"


def test_aipref_draft_flag(tmp_path: Path, inputs: tuple[Path, Path, Path]) -> None:
    rows = _audit(tmp_path, inputs, "vocab-08")
    assert (rows[4]["tdm_verdict"], rows[4]["tdm_source"]) == ("reserved", "robots.txt")
    assert (rows[8]["tdm_verdict"], rows[8]["tdm_source"]) == (
        "reserved", "Content-Usage header (vocab-08)")


def test_cli_options(tmp_path: Path, inputs: tuple[Path, Path, Path],
                     capsys: pytest.CaptureFixture[str]) -> None:
    log, snaps, tdm = inputs
    args = ["rights", "audit", "--log", str(log), "--snapshots", str(snaps), "--out",
            str(tmp_path / "v.parquet"), "--tdmrep", str(tdm), "-f", "json"]
    assert main([*args, "--aipref", "vocab-08"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["totals"]["tdm_reserved"] == 6
    assert main([*args, "--aipref", "vocab-1"]) == 2
    assert "unknown aipref draft" in capsys.readouterr().err
    assert main([*args, "--engine", "spark"]) == 2
    assert "need the duckdb engine" in capsys.readouterr().err
    assert main([*args[:8], "--spark-master", "local[2]"]) == 2
    assert "--spark-master: needs --engine spark" in capsys.readouterr().err
