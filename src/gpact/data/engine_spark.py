"""The cluster engine: the same plan on Apache Spark (``pip install 'gpact[spark]'``).

Spark reads the files where they are (local paths, HDFS, S3 … as the cluster is configured)
and runs the shared SQL of ``query``. The per-key and per-host work (parsing URL keys,
registrable domains) runs on the executors with ``mapInArrow``, the same vectorised code as
the DuckDB engine, with the suffix list broadcast once; no row, key or host reaches the
driver, only the totals groups and the bytes per registrable domain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa

from gpact.data.inputs import ManifestFile
from gpact.data.query import Relation, TypeClass
from gpact.errors import InputError
from gpact.spark_session import spark_session


def _type_class(name: str) -> TypeClass:
    if name in ("string", "varchar", "char", "void"):
        return "string"
    if name in ("tinyint", "smallint", "int", "bigint", "byte", "short", "integer", "long"):
        return "integer"
    if name in ("float", "double") or name.startswith("decimal"):
        return "float"
    if name in ("date", "timestamp", "timestamp_ntz", "timestamp_ltz"):
        return "temporal"
    return "other"


class SparkBackend:
    """Runs the plan of ``engine.run`` on a SparkSession: the one given, else the active one,
    else a new one (stopped again at the end)."""

    name = "spark"

    def __init__(self, master: str | None = None, session: Any = None) -> None:
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise InputError(None, "--engine", "Spark is not installed; "
                             "pip install 'gpact[spark]' (needs Java 17+)") from None
        self._own = False
        if session is None:
            session, self._own = spark_session("gpact data summarize", master)
        self.spark = session
        self.spark.conf.set("spark.sql.session.timeZone", "UTC")
        self._views = 0
        self._cached: list[Any] = []  # unpersisted on exit (a notebook session lives on)

    def __enter__(self) -> SparkBackend:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for frame in self._cached:
            frame.unpersist()
        self._cached.clear()
        if self._own:
            self.spark.stop()

    def open(self, files: list[ManifestFile]) -> list[Relation]:
        relations = []
        for fmt in ("parquet", "csv", "tsv", "jsonl"):
            group = [str(f.path) for f in files if _kind(f) == fmt]
            if not group:
                continue
            reader = self.spark.read
            if fmt == "parquet":
                frame = reader.parquet(*group)
            elif fmt in ("csv", "tsv"):
                frame = reader.option("header", True).option(
                    "sep", "\t" if fmt == "tsv" else ",").csv(group)
            else:
                frame = reader.option("primitivesAsString", True).json(group)
            self._views += 1
            view = f"gpact_input_{self._views}"
            frame.createOrReplaceTempView(view)
            columns = {f.name: _type_class(f.dataType.simpleString()) for f in frame.schema}
            label = group[0] if len(group) == 1 else f"{len(group)} {fmt} files"
            relations.append(Relation(view, "input_file_name()", columns, label, quote="`"))
        return relations

    def create_view(self, name: str, sql: str) -> None:
        self.spark.sql(sql).createOrReplaceTempView(name)

    def materialize(self, name: str, sql: str, label: str) -> None:
        """A cached view: later steps read it without running the pass again."""
        frame = self.spark.sql(sql).cache()
        self._cached.append(frame)
        frame.createOrReplaceTempView(name)

    def map_arrow(self, source: str, fn: Callable[[pa.RecordBatch, Any], pa.RecordBatch],
                  schema: pa.Schema, name: str, shared: Any = None) -> None:
        """``fn`` over the Arrow batches of ``source`` on the executors; ``shared`` (e.g.
        the suffix list) is broadcast once rather than shipped with every task."""
        value = self.spark.sparkContext.broadcast(shared) if shared is not None else None

        def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            context = value.value if value is not None else None
            for batch in batches:
                if batch.num_rows:
                    yield fn(batch, context)

        frame = self.spark.table(source).mapInArrow(apply, _ddl(schema)).cache()
        self._cached.append(frame)
        frame.createOrReplaceTempView(name)

    def arrow(self, sql: str, label: str) -> pa.Table:
        """The result as Arrow (one host per row, so no Python objects per row)."""
        table: pa.Table = self.spark.sql(sql).toArrow()
        return table

    def batches(self, sql: str, label: str) -> Iterator[pa.RecordBatch]:
        """The result in order; it reaches the driver as one Arrow table (the domain list:
        three columns, no Python objects per row)."""
        yield from self.arrow(sql, label).to_batches()

    def drop(self, *names: str) -> None:
        """Nothing: cached frames are unpersisted on exit (later frames are derived from
        them), and Spark evicts cached blocks itself under memory pressure."""

    def rows(self, sql: str, label: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in self.spark.sql(sql).collect()]

    def file_key(self, name: str) -> str:
        parsed = urlparse(name)
        return unquote(parsed.path) if parsed.scheme in ("file", "") else name


_SPARK_TYPES = {pa.string(): "string", pa.int64(): "bigint", pa.int32(): "int"}


def _ddl(schema: pa.Schema) -> str:
    return ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in schema)


def _kind(file: ManifestFile) -> str:
    """The format, with tab-separated files apart (Spark does not sniff the delimiter)."""
    if file.format == "csv" and ".tsv" in file.path.name.lower():
        return "tsv"
    return file.format
