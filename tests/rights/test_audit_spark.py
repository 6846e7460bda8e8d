"""The Spark engine gives the same verdicts as the DuckDB engine (extra `spark` + Java)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from gpact.rights.audit import AuditOptions, run_audit, summarize

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

from gpact.rights.audit_spark import run_audit_spark

FIX = Path(__file__).parent / "fixtures"
COMPARED = ("row_id", "url", "agent_token", "origin", "snapshot_status", "robots_verdict",
            "robots_rule", "robots_line", "robots_detail", "tdm_verdict", "tdm_source",
            "tdm_policy", "infringing_domain", "fetched_at", "snapshot_fetched_at")


def _rows(path: Path) -> list[dict]:
    rows = pq.read_table(path).select(list(COMPARED)).to_pylist()
    return sorted(rows, key=lambda r: r["row_id"])


def test_spark_verdicts_equal_duckdb(tmp_path: Path) -> None:
    def options(out: str, engine: str) -> AuditOptions:
        return AuditOptions([str(FIX / "crawl.csv")], [str(FIX / "snapshots.jsonl")],
                            tmp_path / out, infringing=FIX / "infringing.txt", engine=engine)

    duck = options("duck.parquet", "duckdb")
    spark = options("spark.parquet", "spark")
    duck_result = run_audit(duck)
    spark_result = run_audit_spark(spark)
    assert _rows(spark_result.out) == _rows(duck_result.out)
    duck_summary, spark_summary = summarize(duck_result, duck), summarize(spark_result, spark)
    assert spark_summary["totals"] == duck_summary["totals"]
    assert spark_summary["domains"] == duck_summary["domains"]
    assert spark_summary["settings"]["engine"] == "spark"
