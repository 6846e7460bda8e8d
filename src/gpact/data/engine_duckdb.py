"""The default engine: DuckDB embedded, streaming the files with bounded memory.

DuckDB reads Parquet, CSV and JSON Lines (gzip/zstd compressed too) in parallel and spills to
disk past ``memory_limit`` (``MEMORY_LIMIT`` unless given: DuckDB's own default, 80 % of RAM,
would let the per-host tables of a large crawl grow with the number of hosts), into a
temporary directory of its own. On a terminal a progress bar follows each pass.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from gpact.data.domain_list import BATCH
from gpact.data.inputs import ManifestFile
from gpact.data.psl import CHUNK
from gpact.data.query import Relation, TypeClass
from gpact.errors import InputError

ProgressHook = Callable[[str, float], None]
ArrowFn = Callable[[pa.RecordBatch, Any], pa.RecordBatch]
MEMORY_LIMIT = "2GB"


def type_class(sql_type: str) -> TypeClass:
    t = sql_type.upper()
    if t in ("VARCHAR", "JSON") or t.startswith("ENUM"):
        return "string"
    if t.rstrip("0123456789") in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                                  "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"):
        return "integer"
    if t in ("FLOAT", "DOUBLE", "REAL") or t.startswith("DECIMAL"):
        return "float"
    if t == "DATE" or t.startswith("TIMESTAMP"):
        return "temporal"
    if t == '"NULL"' or t == "NULL":
        return "string"
    return "other"


def _list(paths: list[ManifestFile]) -> str:
    return "[" + ", ".join("'" + str(f.path).replace("'", "''") + "'" for f in paths) + "]"


class DuckDBBackend:
    """Runs the plan of ``engine.run`` on an in-process DuckDB connection."""

    name = "duckdb"

    def __init__(self, memory_limit: str | None = None, threads: int | None = None,
                 temp_directory: Path | None = None, progress: ProgressHook | None = None):
        self.con = duckdb.connect(config={"preserve_insertion_order": False})
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        try:
            self.con.execute("SET memory_limit = ?", [memory_limit or MEMORY_LIMIT])
        except duckdb.Error as exc:
            raise InputError(None, "--memory-limit", _first_line(exc)) from None
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self._temp = None if temp_directory else tempfile.TemporaryDirectory(
            prefix="gpact-duckdb-")
        spill = temp_directory or Path(self._temp.name)  # type: ignore[union-attr]
        self.con.execute("SET temp_directory = ?", [str(spill)])
        self.progress = progress

    def __enter__(self) -> DuckDBBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()
        if self._temp is not None:
            self._temp.cleanup()

    def open(self, files: list[ManifestFile]) -> list[Relation]:
        relations = []
        for fmt in ("parquet", "csv", "jsonl"):
            group = [f for f in files if f.format == fmt]
            if not group:
                continue
            if fmt == "parquet":
                src = f"read_parquet({_list(group)}, filename = true, union_by_name = true)"
            elif fmt == "csv":
                src = (f"read_csv({_list(group)}, filename = true, union_by_name = true, "
                       "all_varchar = true, header = true)")
            else:
                src = (f"read_json({_list(group)}, filename = true, union_by_name = true, "
                       "format = 'newline_delimited', records = true, "
                       "maximum_sample_files = 64)")
            label = str(group[0].path) if len(group) == 1 else f"{len(group)} {fmt} files"
            try:
                described = self.con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
            except duckdb.Error as exc:
                raise InputError(label, None, f"cannot read: {_first_line(exc)}") from None
            columns = {str(name): type_class(str(t)) for name, t, *_ in described
                       if name != "filename"}
            if fmt == "jsonl":  # JSON values are read as text, as Spark does
                src = (f"read_json({_list(group)}, filename = true, union_by_name = true, "
                       "format = 'newline_delimited', records = true, "
                       "maximum_sample_files = 64, columns = {"
                       + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "})")
                columns = dict.fromkeys(columns, "string")
            relations.append(Relation(src, "filename", columns, label))
        return relations

    def create_view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def materialize(self, name: str, sql: str, label: str) -> None:
        # not TEMP: ``map_arrow`` reads it through a second connection to the same database
        self._run(sql, label, lambda: self.con.execute(
            f"CREATE OR REPLACE TABLE {name} AS {sql}"))

    def map_arrow(self, source: str, fn: ArrowFn, schema: pa.Schema, name: str,
                  shared: Any = None) -> None:
        """``fn`` over slices of ``source``, streamed into the table ``name``.

        Slices are read through a second connection while the first one stores the
        results, so only a few slices are in Python memory at a time (the tables themselves
        are DuckDB's, within ``memory_limit``); ``fn`` runs on all cores (Arrow kernels
        release the GIL)."""
        reader = self.con.cursor()
        try:
            batches = reader.sql(f"SELECT * FROM {source}").to_arrow_reader(CHUNK)
            mapped = pa.RecordBatchReader.from_batches(schema, _mapped(batches, fn, shared))
            self.con.register("gpact_arrow_stream", mapped)
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS "
                             "SELECT * FROM gpact_arrow_stream")
        finally:
            self.con.unregister("gpact_arrow_stream")
            reader.close()

    def _run(self, sql: str, label: str, fetch: Callable[[], Any]) -> Any:
        result: dict[str, Any] = {}

        def work() -> None:
            try:
                result["value"] = fetch()
            except duckdb.Error as exc:
                result["error"] = exc

        if self.progress is None:
            work()
        else:
            worker = threading.Thread(target=work, daemon=True)
            worker.start()
            while worker.is_alive():
                worker.join(0.2)
                try:
                    done = self.con.query_progress()
                except duckdb.Error:
                    done = -1.0
                self.progress(label, max(done, 0.0))
            self.progress(label, 100.0)
        if "error" in result:
            raise InputError(None, None, f"{label}: {_first_line(result['error'])}")
        return result["value"]

    def arrow(self, sql: str, label: str) -> pa.Table:
        table: pa.Table = self._run(sql, label, lambda: self.con.sql(sql).to_arrow_table())
        return table

    def batches(self, sql: str, label: str) -> Iterator[pa.RecordBatch]:
        """The result in order, a batch at a time (DuckDB sorts within its memory limit)."""
        reader: pa.RecordBatchReader = self._run(
            sql, label, lambda: self.con.sql(sql).to_arrow_reader(BATCH))
        yield from reader

    def drop(self, *names: str) -> None:
        for name in names:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def rows(self, sql: str, label: str) -> list[dict[str, Any]]:
        def fetch() -> list[dict[str, Any]]:
            cur = self.con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        rows: list[dict[str, Any]] = self._run(sql, label, fetch)
        return rows

    def file_key(self, name: str) -> str:
        return str(Path(name).resolve())


def _mapped(batches: Iterator[pa.RecordBatch], fn: ArrowFn,
            shared: Any) -> Iterator[pa.RecordBatch]:
    """``fn`` over ``batches`` in a pool, in order, with a bounded number in flight."""
    workers = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[pa.RecordBatch]] = deque()
        for batch in batches:
            pending.append(pool.submit(fn, batch, shared))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

