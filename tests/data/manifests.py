"""Hand-checkable manifests for the data tests, written as CSV, JSON Lines or Parquet."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = ["source_id", "source_kind", "modality", "url", "bytes", "tokens", "seconds",
           "collected_at", "language"]


def row(source_id: str | None, kind: str, modality: str, nbytes: Any, *, url: str | None = None,
        tokens: Any = None, seconds: Any = None, at: str | None = "2024-06-01",
        language: str | None = "en") -> dict[str, Any]:
    return {"source_id": source_id, "source_kind": kind, "modality": modality, "url": url,
            "bytes": nbytes, "tokens": tokens, "seconds": seconds, "collected_at": at,
            "language": language}


def crawled(url: str | None, nbytes: Any, **kw: Any) -> dict[str, Any]:
    kw.setdefault("tokens", nbytes // 4 if isinstance(nbytes, int) and nbytes > 0 else None)
    return row("crawl-1", "crawled", "text", nbytes, url=url, **kw)


# Domains by bytes: example.com 1100 (three hosts), bbc.co.uk 800, x.org 800 (tie),
# y.net 300, z.de 200, w.fr 100, v.io 50, 192.0.2.1 20, d01.com … d12.com 10 each: 20 domains.
CRAWL = [
    crawled("https://a.example.com/p1", 500, at="2024-03-05"),
    crawled("https://www.example.com/p2", 400, language="de"),
    crawled("HTTPS://WWW.EXAMPLE.COM:443/p3?q=1", 200, at="2025-06-30 23:59:00"),
    crawled("https://news.bbc.co.uk/story", 800),
    crawled("http://x.org", 800),
    crawled("https://y.net/a", 150),
    crawled("https://y.net/b", 150),
    crawled("https://z.de/", 200, language="de"),
    crawled("https://w.fr?page=1", 60, language="fr"),
    crawled("ftp://w.fr/pub", 40, language="fr"),
    crawled("https://user:pw@v.io:8080/x", 50),
    crawled("http://192.0.2.1/x", 20, language=None),
    *(crawled(f"https://www.d{i:02d}.com/", 10) for i in range(1, 13)),
]
PUBLIC = [
    row("pd-a", "public_dataset", "text", 9000, tokens=2000),
    row("pd-b", "public_dataset", "text", 401, tokens=100),
    row("pd-c", "public_dataset", "text", 300, tokens=75),   # exactly 3 %: listed
    row("pd-d", "public_dataset", "text", 299, tokens=75),   # just below: not listed
    row("img-1", "public_dataset", "image", 5000),
    row("img-1", "public_dataset", "image", 5000),
]
OTHER = [
    row("pod", "licensed", "audio", 7200, seconds=3600.5, language="de"),
    row("pod", "licensed", "audio", 7200, seconds=1799.5, language="de"),
    row("synth", "synthetic", "text", 1000, tokens=250, at=None),
]
INVALID = [
    crawled("not a url", 999),
    crawled("https:///no-host", 999),
    crawled(None, 999),
    crawled("https://bad host.com/x", 999),
    row("pd-a", "public_dataset", "text", -5),
    row("pd-a", "public_dataset", "Text", 10),
    row("pd-a", "scraped", "text", 10),
    row(None, "public_dataset", "text", 10),
    row("pd-a", "public_dataset", "text", None),
]
INVALID_TEXT = [  # only expressible in text formats (CSV, JSON Lines)
    row("pd-a", "public_dataset", "text", "abc"),
    row("pd-a", "public_dataset", "text", 10, at="yesterday"),
    row("pd-a", "public_dataset", "text", 10, tokens="many"),
]
VALID = CRAWL + PUBLIC + OTHER


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None,
              rename: dict[str, str] | None = None) -> Path:
    columns = columns or COLUMNS
    rename = rename or {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="", encoding="utf-8") as fh:  # type: ignore[operator]
        writer = csv.writer(fh)
        writer.writerow([rename.get(c, c) for c in columns])
        for r in rows:
            writer.writerow(["" if r.get(c) is None else r[c] for c in columns])
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: v for k, v in r.items() if v is not None}) + "\n")
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    table = pa.table({
        "source_id": pa.array([r["source_id"] for r in rows], pa.string()),
        "source_kind": pa.array([r["source_kind"] for r in rows], pa.string()),
        "modality": pa.array([r["modality"] for r in rows], pa.string()),
        "url": pa.array([r["url"] for r in rows], pa.string()),
        "bytes": pa.array([r["bytes"] for r in rows], pa.int64()),
        "tokens": pa.array([r["tokens"] for r in rows], pa.int64()),
        "seconds": pa.array([r["seconds"] for r in rows], pa.float64()),
        "collected_at": pa.array([r["collected_at"] for r in rows], pa.string()).cast(
            pa.timestamp("s")),
        "language": pa.array([r["language"] for r in rows], pa.string()),
    })
    pq.write_table(table, path)
    return path
