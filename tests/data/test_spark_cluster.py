"""On a real multi-process Spark standalone cluster (master and two workers started by the
test): the data summary and the rights audit give what DuckDB gives, and the executors, not
the driver, do the per-row and per-host work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.data import manifests as m
from tests.data.test_spark import both
from tests.rights.test_audit_spark import _rows

RIGHTS = Path(__file__).parent.parent / "rights" / "fixtures"


def test_cluster_has_two_workers(cluster_spark: Any) -> None:
    sc = cluster_spark.sparkContext
    assert sc.master.startswith("spark://127.0.0.1:")
    executors = sc._jsc.sc().getExecutorMemoryStatus().size() - 1  # minus the driver
    assert executors == 2


def test_summary_on_the_cluster_equals_duckdb(cluster_spark: Any, tmp_path: Path) -> None:
    """Same document as DuckDB; the parsing and mapping steps ran as Python tasks on the
    executors (mapInArrow) and were never collected to the driver."""
    from benchmarks.data_generate import generate

    from gpact.data.engine import MAPPED_VIEW, PARSED_VIEW

    paths = generate(tmp_path / "gen", rows=4000, n_hosts=800, files=2)
    paths.append(m.write_parquet(tmp_path / "odd.parquet", [*m.VALID, *m.INVALID,
        m.crawled("https://uk/", 10), m.crawled("https://xn--mnchen-3ya.de/", 5),
        m.crawled("https://MÜNCHEN.de/x", 6),
        m.row("crawl-1", "crawled", "Text", 50, url="https://a.example.com/3")]))
    duck, sparky = both(cluster_spark, paths)
    assert duck == sparky
    assert duck["domain_count"] > 300
    for view in (PARSED_VIEW, MAPPED_VIEW):
        plan = cluster_spark.table(view)._jdf.queryExecution().executedPlan().toString()
        assert "MapInArrow" in plan, plan


def test_rights_audit_on_the_cluster_equals_duckdb(cluster_spark: Any, tmp_path: Path) -> None:
    from gpact.rights.audit import AuditOptions, run_audit
    from gpact.rights.audit_spark import run_audit_spark

    def options(out: str, engine: str) -> AuditOptions:
        return AuditOptions([str(RIGHTS / "crawl.csv")], [str(RIGHTS / "snapshots.jsonl")],
                            tmp_path / out, infringing=RIGHTS / "infringing.txt", engine=engine)

    duck = run_audit(options("duck.parquet", "duckdb"))
    spark = run_audit_spark(options("spark.parquet", "spark"))
    assert cluster_spark.sparkContext._jsc is not None  # the cluster session was reused
    assert _rows(spark.out) == _rows(duck.out) and spark.rows == duck.rows
