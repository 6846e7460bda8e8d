"""Benchmark: build and render the training summary for a large crawl.

Generates a documentation record and a data summary with DOMAINS crawled domains (the list the
template asks for is 10 % of them) and DATASETS public datasets. The baseline is reading and
validating those inputs; the benchmark then times building the document, rendering it as JSON,
Markdown, HTML and, with --pdf, PDF (from a document whose domain list is capped by
--pdf-domains: a 20 000-row PDF is not a realistic publication). Prints ratios to the baseline
and peak Python memory.

    python benchmarks/documents_build.py [--domains 200000] [--datasets 2000] [--pdf]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from gpact.documents import build, make_context, render
from gpact.documents.document import Document
from gpact.documents.sources import load_sources

PROFILE = {
    "gpact": 1,
    "provider": {"name": "Bench Lab", "established_in_eu": True, "sme": False},
    "model": {"name": "Bench-1", "version": "1", "parameters": 7.0e10,
              "training_compute_flop": 8.0e24, "generates": ["text"], "inputs": ["text"],
              "release": {"status": "placed_on_market", "placed_on_market_on": "2026-01-01",
                          "eu_market": True, "channels": ["api"]}},
}


def write_inputs(folder: Path, domains: int, datasets: int, listed: int | None) -> Path:
    top = max(domains // 10, 1) if listed is None else listed
    summary = {
        "modalities": {"text": {"items": 10**9, "bytes": 4e13, "tokens": 1.2e13,
                                "seconds": None}},
        "top_domains": [{"domain": f"site{i}.example", "bytes": 10**9 - i} for i in range(top)],
        "domain_count": domains if listed is None else top * 10,
        "collection_period": {"first": "2024-01-01", "last": "2025-12-31"},
        "languages": [{"language": "en", "share": 0.6}], "skipped_rows": 0,
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    record: dict[str, Any] = {
        "gpact_record": 1, "references": {"data_summary": "summary.json"},
        "data": {"crawling": {"used": True, "crawlers": [{"name": "BenchBot"}]},
                 "public_datasets": {"used": True, "datasets": [
                     {"name": f"set-{i}", "url": f"https://data.example/{i}", "version": "1",
                      "modality": "text", "size": 1000 - (i % 1000), "unit": "GB"}
                     for i in range(datasets)]}},
    }
    (folder / "bench.yaml").write_text(yaml.safe_dump(PROFILE))
    (folder / "bench.record.yaml").write_text(yaml.safe_dump(record))
    return folder / "bench.yaml"


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(domains: int, datasets: int, repeat: int, pdf: bool, pdf_domains: int) -> None:
    day = dt.date(2026, 11, 22)
    with tempfile.TemporaryDirectory() as tmp:
        profile = write_inputs(Path(tmp), domains, datasets, None)

        tracemalloc.start()
        t_load, sources = timed(lambda: load_sources(profile), repeat)

        def build_doc() -> Document:
            return build(make_context(sources, day), "training-summary")

        t_build, doc = timed(build_doc, repeat)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows = [("read inputs (baseline)", t_load, 0), ("build document", t_build, 0)]
        for fmt in ("json", "md", "html"):
            t, out = timed(lambda f=fmt: render(doc, f), repeat)  # type: ignore[misc]
            rows.append((f"render {fmt}", t, len(out)))
        if pdf:
            small = write_inputs(Path(tmp), 0, datasets, pdf_domains)
            pdf_doc = build(make_context(load_sources(small), day), "training-summary")
            t, out = timed(lambda: render(pdf_doc, "pdf"), 1)
            rows.append((f"render pdf, {pdf_domains} domains", t, len(out)))
        baseline = t_load
    listed = max(domains // 10, 1)
    print(f"training summary: {domains} crawled domains ({listed} listed), {datasets} public "
          f"datasets, best of {repeat}")
    for name, seconds, size in rows:
        out = f"  {size / 1e6:6.2f} MB out" if size else ""
        print(f"  {name:<30} {seconds * 1000:9.1f} ms  {seconds / baseline:6.2f}x baseline{out}")
    print(f"  peak Python memory, reading and building: {peak / 1e6:.1f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=200_000)
    parser.add_argument("--datasets", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="also time PDF rendering")
    parser.add_argument("--pdf-domains", type=int, default=1_000)
    args = parser.parse_args(argv)
    run(args.domains, args.datasets, args.repeat, args.pdf, args.pdf_domains)


if __name__ == "__main__":
    main()
