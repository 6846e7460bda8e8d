"""Training-content statistics for the public summary (Art. 53(1)(d)) from data manifests.

``summarize_manifests`` reads manifests (Parquet, CSV, JSON Lines; globs; compressed) with
DuckDB by default or Apache Spark, and returns the JSON document described in docs/data.md;
its domain list is a ``RankedDomains`` read from disk, so write the document with
``write_json`` (it streams the list) rather than ``json.dumps``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from gpact.data.domain_list import RankedDomains, write_json
from gpact.data.engine import Aggregates, run
from gpact.data.engine_duckdb import DuckDBBackend, ProgressHook
from gpact.data.inputs import expand, parse_mapping
from gpact.data.sources import Source, load_sources
from gpact.data.summary import SCHEMA, Options, domain_list_length, summarize
from gpact.rulebook import Rulebook, default_rulebook

Engine = Literal["duckdb", "spark"]


def summarize_manifests(patterns: list[str], options: Options, *, engine: Engine = "duckdb",
                        mapping: dict[str, str] | None = None, sources: Path | None = None,
                        spark_master: str | None = None, memory_limit: str | None = None,
                        progress: ProgressHook | None = None,
                        rulebook: Rulebook | None = None) -> dict[str, Any]:
    """Read the manifests named by ``patterns`` and compute the summary document."""
    mapping = mapping or {}
    described = load_sources(sources) if sources else None
    files = expand(patterns)
    rules = (rulebook or default_rulebook()).at(options.as_of)

    def top_count(n_domains: int) -> int:
        return domain_list_length(n_domains, rules, options.sme)

    if engine == "spark":
        from gpact.data.engine_spark import SparkBackend
        with SparkBackend(master=spark_master) as spark:
            agg = run(spark, files, mapping, options.psl_private, top_count=top_count)
    else:
        with DuckDBBackend(memory_limit=memory_limit, progress=progress) as duck:
            agg = run(duck, files, mapping, options.psl_private, top_count=top_count)
    return summarize(files, agg, engine=engine, mapping=mapping, options=options,
                     sources=described, sources_path=str(sources) if sources else None,
                     rulebook=rulebook)


__all__ = ["SCHEMA", "Aggregates", "Options", "RankedDomains", "Source", "parse_mapping",
           "summarize", "summarize_manifests", "write_json"]
