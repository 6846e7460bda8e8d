"""The crawl-time audit on Apache Spark (``--engine spark``, extra ``gpact[spark]``).

Same inputs, same verdicts as :mod:`gpact.rights.audit`: the snapshots are read and validated
by the same DuckDB code (they are small) and broadcast; the crawl log is read by Spark and
never reaches the driver: row numbers come from per-partition counts (one number per
partition), origins and agent tokens are computed on the executors over the distinct
(scheme, authority) pairs and user agents (``mapInArrow``), the as-of join is a window over
the union of fetches and snapshots per origin (the latest snapshot at or before each fetch),
and each partition's Arrow batches go through the same
:func:`gpact.rights.audit.verdict_table` as the DuckDB engine. The part files Spark writes are
then streamed into the single verdicts file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads

from gpact.errors import InputError
from gpact.rights.audit import (
    LOG_COLUMNS,
    OUTPUT_COLUMNS,
    AuditOptions,
    AuditResult,
    Outcomes,
    Policies,
    Writer,
    agent_rows,
    check_options,
    empty_schema,
    load_snapshots,
    origin_rows,
    value_counts,
    verdict_table,
)
from gpact.spark_session import spark_session

OUTPUT_DDL = ("row_id long, url string, fetched_at timestamp, user_agent string, "
              "agent_token string, origin string, snapshot_fetched_at timestamp, "
              "snapshot_status string, robots_verdict string, robots_rule string, "
              "robots_line long, robots_detail string, tdm_verdict string, tdm_source string, "
              "tdm_policy string, infringing_domain boolean")


class _SnapshotPolicies(Policies):
    """Policies over snapshots held in memory (broadcast to each Spark worker)."""

    def __init__(self, snapshots: dict[int, tuple[Any, ...]], parse_limit: int) -> None:
        super().__init__(None, parse_limit)
        self.snapshots = snapshots

    def _fetch(self, ids: list[int]) -> list[tuple[Any, ...]]:
        return [(i, *self.snapshots[i]) for i in ids]


def _evaluator(snapshots: dict[int, tuple[Any, ...]], parse_limit: int,
               ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def evaluate(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        policies = _SnapshotPolicies(snapshots, parse_limit)
        outcomes = Outcomes()
        for batch in batches:
            if batch.num_rows:
                yield from verdict_table(batch, policies, outcomes).to_batches()
    return evaluate


def _origins(infringing: Any) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """(scheme, authority) batches -> origin and infringing flag (on the executors)."""
    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        names = ["scheme", "authority", "origin", "infringing"]
        for batch in batches:
            pairs = list(zip(batch.column("scheme").to_pylist(),
                             batch.column("authority").to_pylist(), strict=True))
            rows = origin_rows(pairs, infringing.value)
            yield pa.RecordBatch.from_pydict(
                {n: [r[i] for r in rows] for i, n in enumerate(names)},
                schema=pa.schema([("scheme", pa.string()), ("authority", pa.string()),
                                  ("origin", pa.string()), ("infringing", pa.bool_())]))
    return apply


def _agents(agent: str | None) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """user_agent batches -> product token (on the executors)."""
    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = agent_rows([(ua,) for ua in batch.column("user_agent").to_pylist()], agent)
            yield pa.RecordBatch.from_pydict(
                {"user_agent": [r[0] for r in rows], "agent_token": [r[1] for r in rows]},
                schema=pa.schema([("user_agent", pa.string()), ("agent_token", pa.string())]))
    return apply


def _numbered(spark: Any, log: Any) -> Any:
    """``row_id`` 1, 2, … in file order, as DuckDB's row_number() gives it, without moving
    the rows to one partition: the driver gets one count per partition, not the rows."""
    from pyspark.sql import functions as F

    tagged = log.withColumn("_pid", F.spark_partition_id()).withColumn(
        "_mono", F.monotonically_increasing_id())
    counts = sorted((int(r["_pid"]), int(r["count"]))
                    for r in tagged.groupBy("_pid").count().collect())
    offsets, start = [], 0
    for pid, count in counts:
        offsets.append((pid, start))
        start += count
    table = spark.createDataFrame(offsets or [(0, 0)], "_pid int, _offset long")
    # monotonically_increasing_id() is (partition index << 33) + position in the partition
    return tagged.join(F.broadcast(table), "_pid").withColumn(
        "row_id", F.col("_offset") + F.col("_mono")
        - F.shiftleft(F.col("_pid").cast("long"), 33) + 1).drop("_pid", "_mono", "_offset")


def _read(spark: Any, paths: list[str]) -> Any:
    plain = paths[0].lower().removesuffix(".gz").removesuffix(".zst")
    if plain.endswith(".parquet"):
        return spark.read.parquet(*paths)
    if plain.endswith((".csv", ".tsv")):
        return spark.read.option("header", True).option("escape", "\"").csv(paths)
    if plain.endswith((".jsonl", ".ndjson", ".json")):
        return spark.read.json(paths)
    raise InputError(paths[0], "--log", "unknown file type (use .parquet, .csv or .jsonl)")


def run_audit_spark(options: AuditOptions,
                    progress: Callable[[int], None] | None = None) -> AuditResult:
    """Run the audit on Spark (local mode by default) and write the verdicts file."""
    try:
        from pyspark.errors import PySparkException
        from pyspark.sql import Window
        from pyspark.sql import functions as F
    except ImportError:
        raise InputError(None, "--engine", "spark needs the extra: pip install "
                         "'gpact[spark]' (and a Java runtime)") from None
    infringing = check_options(options)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    load_snapshots(con, options.snapshots)
    snapshot_rows = con.execute("SELECT snapshot_id, origin, fetched_at, status, body "
                                "FROM snaps").fetchall()
    con.close()
    spark, own = spark_session("gpact rights audit",
                               options.spark_master or f"local[{options.threads}]")
    try:
        log = _read(spark, options.crawl_log)
        columns = {c.lower() for c in log.columns}
        for column in LOG_COLUMNS:
            if column not in columns:
                raise InputError(options.crawl_log[0], column,
                                 f"missing column (found: {', '.join(log.columns)})")
        headers = (F.to_json("http_headers") if "http_headers" in columns and
                   log.schema["http_headers"].dataType.typeName() in ("struct", "map")
                   else F.col("http_headers").cast("string") if "http_headers" in columns
                   else F.lit(None).cast("string"))
        url = F.col("url").cast("string")
        numbered = _numbered(spark, log)
        log = numbered.select(
            F.col("row_id").cast("long").alias("row_id"), url.alias("url"),
            F.expr("try_cast(CAST(fetched_at AS STRING) AS TIMESTAMP)").alias("fetched_at"),
            F.col("user_agent").cast("string").alias("user_agent"),
            headers.alias("http_headers"),
            F.lower(F.regexp_extract(url, r"^([A-Za-z][A-Za-z0-9+.-]*)://", 1)).alias("scheme"),
            F.regexp_extract(url, r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)", 1).alias(
                "authority"))
        shared = spark.sparkContext.broadcast(infringing)
        origins = log.select("scheme", "authority").distinct().mapInArrow(
            _origins(shared), "scheme string, authority string, origin string, "
            "infringing boolean")
        agents = log.select("user_agent").distinct().mapInArrow(
            _agents(options.agent), "user_agent string, agent_token string")
        log = (log.join(origins, ["scheme", "authority"], "left")
               .join(agents, log.user_agent.eqNullSafe(agents.user_agent), "left")
               .drop(agents.user_agent))
        snaps = spark.createDataFrame(
            [(i, o, t, s) for i, o, t, s, _ in snapshot_rows],
            "snapshot_id long, origin string, snapshot_fetched_at timestamp, "
            "snapshot_status string")
        # as-of join: fetches and snapshots in one stream per origin, snapshots first on ties
        events = log.select("*", F.col("fetched_at").alias("at"), F.lit(1).alias("kind"),
                            F.lit(None).cast("long").alias("snap")).unionByName(
            snaps.select(F.col("origin"), F.col("snapshot_fetched_at").alias("at"),
                         F.lit(0).alias("kind"), F.col("snapshot_id").alias("snap")),
            allowMissingColumns=True)
        window = (Window.partitionBy("origin").orderBy(F.col("at").asc_nulls_first(), "kind")
                  .rowsBetween(Window.unboundedPreceding, 0))
        seconds = int(options.cache_hours * 3600)
        joined = (events.withColumn("snapshot_id", F.last("snap", ignorenulls=True).over(window))
                  .where(F.col("kind") == 1)
                  .withColumn("snapshot_id", F.when(F.col("fetched_at").isNull() |
                                                    F.col("origin").isNull(), None)
                              .otherwise(F.col("snapshot_id")))
                  .join(F.broadcast(snaps.drop("origin")), "snapshot_id", "left")
                  .select("row_id", "url", "fetched_at", "user_agent", "agent_token", "origin",
                          F.coalesce(F.col("infringing"), F.lit(False)).alias(
                              "infringing_domain"),
                          "http_headers", "snapshot_id", "snapshot_fetched_at",
                          "snapshot_status",
                          (F.col("snapshot_id").isNotNull() &
                           (F.unix_timestamp("fetched_at") -
                            F.unix_timestamp("snapshot_fetched_at") > seconds)).alias("stale")))
        table = {i: (o, s, b) for i, o, _, s, b in snapshot_rows}
        verdicts = joined.mapInArrow(_evaluator(table, options.parse_limit), OUTPUT_DDL)
        with tempfile.TemporaryDirectory(prefix="gpact-spark-") as work:
            verdicts.write.parquet(str(Path(work) / "verdicts"))
            rows, counts = _collect(Path(work) / "verdicts", options.out, progress)
    except PySparkException as exc:
        raise InputError(options.crawl_log[0], None,
                         f"cannot audit: {str(exc).splitlines()[0]}") from None
    finally:
        if own:  # never stop a session that belongs to the caller
            spark.stop()
    return AuditResult(rows, len(snapshot_rows), options.out, len(infringing), counts)


def _collect(folder: Path, out: Path, progress: Callable[[int], None] | None,
             ) -> tuple[int, dict[str, int]]:
    """Stream Spark's part files into the one verdicts file (same schema as DuckDB's)."""
    writer = Writer(out)
    schema = empty_schema()
    rows = 0
    agents: dict[str, int] = {}
    for batch in pads.dataset(str(folder), format="parquet").to_batches():
        if not batch.num_rows:
            continue
        table = pa.Table.from_batches([batch]).select(list(OUTPUT_COLUMNS))
        table = table.cast(schema)
        writer.write(table)
        rows += table.num_rows
        for token, count in zip(*value_counts(table.column("agent_token")), strict=True):
            agents[token] = agents.get(token, 0) + count
        if progress is not None:
            progress(table.num_rows)
    writer.close(schema)
    return rows, agents
