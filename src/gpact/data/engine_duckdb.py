"""The default engine: DuckDB embedded, streaming the files with bounded memory.

DuckDB reads Parquet, CSV and JSON Lines (gzip/zstd compressed too) in parallel and spills to
disk past ``memory_limit``. On a terminal a progress bar follows each pass.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from gpact.data.inputs import ManifestFile
from gpact.data.psl import CHUNK
from gpact.data.query import Relation, TypeClass
from gpact.errors import InputError

ProgressHook = Callable[[str, float], None]
ArrowFn = Callable[[pa.RecordBatch, Any], pa.RecordBatch]


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
        if memory_limit:
            try:
                self.con.execute("SET memory_limit = ?", [memory_limit])
            except duckdb.Error as exc:
                raise InputError(None, "--memory-limit", _first_line(exc)) from None
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_directory:
            self.con.execute(f"SET temp_directory = '{temp_directory}'")
        self.progress = progress

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
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def materialize(self, name: str, sql: str, label: str) -> None:
        self._run(sql, label, lambda: self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}"))

    def map_arrow(self, source: str, fn: ArrowFn, schema: pa.Schema, name: str,
                  shared: Any = None) -> None:
        """``fn`` over slices of ``source`` on all cores (Arrow kernels release the GIL); the
        result is registered as ``name`` (zero-copy)."""
        table = self.con.sql(f"SELECT * FROM {source}").to_arrow_table()
        batches = table.combine_chunks().to_batches(max_chunksize=CHUNK) or \
            [pa.RecordBatch.from_pylist([], schema=table.schema)]
        if len(batches) == 1:
            out = [fn(batches[0], shared)]
        else:
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                out = list(pool.map(lambda b: fn(b, shared), batches))
        self.con.register(name, pa.Table.from_batches(out, schema=schema))

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

    def rows(self, sql: str, label: str) -> list[dict[str, Any]]:
        def fetch() -> list[dict[str, Any]]:
            cur = self.con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        rows: list[dict[str, Any]] = self._run(sql, label, fetch)
        return rows

    def file_key(self, name: str) -> str:
        return str(Path(name).resolve())


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

