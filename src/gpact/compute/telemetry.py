"""Streaming ingestion of compute telemetry (design.md §4) with DuckDB, in bounded memory.

A row says that ``count`` accelerators of one run worked for ``seconds`` ending at
``timestamp``, optionally with the FLOP measured or the tokens processed. Rows of one stream
(same ``run_id``, ``phase`` and ``accelerator``) must not cover the same time twice: rows
that repeat or overlap earlier ones are clipped to the time not yet covered, so nothing is
counted twice, and the clipping is reported (overlaps under a millisecond are taken as
timestamp rounding). Concurrent streams need distinct ``run_id``s.

The files are read by one DuckDB query (CSV, JSON Lines or Parquet; several files of one
format may be given), which reads the three name columns a second time (see ``_query``). A
CSV file's header is read here and DuckDB is given a fixed dialect (RFC 4180: comma, or tab
for ``.tsv``; double quotes) and the column types, so that a damaged file is an error naming
its line instead of a dialect the sniffer guessed for it. The query spills to a temporary
folder when its memory limit is reached, and returns small hourly aggregates; FLOP are
computed from those in Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpact.errors import InputError

REQUIRED = ("run_id", "phase", "timestamp", "seconds")
OPTIONAL = ("accelerator", "count", "flop", "tokens", "precision")
OTHER_DURATION_UNITS = ("hours", "minutes", "milliseconds", "ms", "duration", "duration_s",
                        "duration_hours", "gpu_hours", "device_hours")
MEMORY_LIMIT = "512MB"
# Input sanity limits (not law): what a row may say. Outside them a row is an error, so that
# a typo (year 0, 1e300, nan) never becomes a figure.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
MAX_COUNT = 1e9      # accelerators in one row
MAX_FLOP = 1e30      # measured FLOP in one row (10^5 times the systemic-risk line)
MAX_TOKENS = 1e20    # tokens in one row
# Shorter overlaps are rounding in the timestamps (durations with fractions of a second),
# not compute reported twice; counting them would flag every row of a contiguous log.
MIN_OVERLAP_SECONDS = 0.001
SUFFIXES = {
    ".parquet": "parquet", ".pq": "parquet",
    ".csv": "csv", ".tsv": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}


@dataclass(frozen=True)
class Slice:
    """One hour of one phase on one accelerator type: the counted (clipped) sums of the rows
    ending in the hour that closes at ``hour``."""

    hour: dt.datetime
    phase: str
    accelerator: str | None
    precision: str | None
    rows: int
    measured_flop: float
    tokens: float
    device_seconds: float
    measured_device_seconds: float
    raw_measured_flop: float
    raw_tokens: float
    raw_device_seconds: float


@dataclass(frozen=True)
class Ingested:
    files: tuple[str, ...]
    rows: int
    duplicate_rows: int
    overlapping_rows: int
    first: dt.datetime | None
    last: dt.datetime | None
    slices: tuple[Slice, ...]
    plan: str = "fast"  # or "nested", "exact" (see ``_query``)


def detect_format(paths: Sequence[Path]) -> str:
    formats = set()
    for p in paths:
        suffixes = [s for s in p.suffixes if s not in (".gz", ".zst")]
        fmt = SUFFIXES.get(suffixes[-1].lower()) if suffixes else None
        if fmt is None:
            raise InputError(str(p), None, "unknown telemetry format; use .csv, .jsonl or .parquet")
        formats.add(fmt)
    if len(formats) > 1:
        raise InputError(", ".join(map(str, paths)), None,
                         "mixes telemetry formats; give files of one format at a time")
    return formats.pop()


NUMERIC = ("seconds", "count", "flop", "tokens")
MAX_HEADER_BYTES = 1 << 20


def _head(path: Path) -> bytes:
    """The first line of a (possibly compressed) CSV file, as bytes."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        with gzip.open(path, "rb") as fh:
            return fh.readline(MAX_HEADER_BYTES)
    if suffixes and suffixes[-1] == ".zst":
        try:
            import zstandard
        except ImportError:
            raise InputError(str(path), None, "reading .zst files needs the zstandard package "
                             "(gpact[interop])") from None
        with path.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as fh:
            return fh.read(MAX_HEADER_BYTES).split(b"\n", 1)[0]
    with path.open("rb") as fh:
        return fh.readline(MAX_HEADER_BYTES)


def _csv_header(path: Path) -> list[str]:
    """The column names on a CSV file's first line (RFC 4180; tab-separated for ``.tsv``)."""
    file = str(path)
    try:
        head = _head(path)
    except (OSError, EOFError, ValueError) as exc:  # gzip/zstandard raise these for damage
        raise InputError(file, None, f"cannot read telemetry: {_first_line(exc)}") from None
    if b"\0" in head:
        raise InputError(file, "line 1", "a NUL byte in the header: not a CSV text file")
    try:
        text = head.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError(file, "line 1", "the header is not UTF-8 text") from None
    if not text.strip():
        raise InputError(file, "line 1", "no header line (the first line is empty)")
    if text.count('"') % 2:
        raise InputError(file, "line 1", "a value with an unterminated quote (\") in the header")
    names = [n.strip() for n in next(csv.reader([text], delimiter=_delimiter(path)))]
    if "" in names:
        raise InputError(file, "line 1", "an empty column name in the header")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(file, "line 1", f"column {twice[0]!r} appears twice in the header")
    return names


def _delimiter(path: Path) -> str:
    return "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _reader(fmt: str, paths: Sequence[Path], header: Sequence[str] = ()) -> str:
    """The DuckDB table function reading the files. CSV is read with the ``header`` names, its
    numeric columns as DOUBLE (``inf`` is then a number, not text) and the others as text."""
    files = "[" + ", ".join(_sql_text(str(p)) for p in paths) + "]"
    if fmt == "parquet":
        return f"read_parquet({files})"
    if fmt == "csv":
        types = ", ".join(f"{_sql_text(c)}: '{'DOUBLE' if c in NUMERIC else 'VARCHAR'}'"
                          for c in header)
        return (f"read_csv({files}, header = true, auto_detect = false, strict_mode = true, "
                f"delim = {_sql_text(_delimiter(paths[0]))}, quote = '\"', escape = '\"', "
                f"columns = {{{types}}})")
    return f"read_json({files}, format = 'newline_delimited')"


def _columns(con: Any, reader: str, label: str) -> dict[str, str]:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    except Exception as exc:  # DuckDB raises many error classes for unreadable files
        raise _read_error(exc, label) from None
    return {str(name): str(kind).upper() for name, kind, *_ in described}


# What DuckDB's CSV reader says is wrong with a line, and how gpact says it.
Say = Callable[[re.Match[str]], str]
CSV_PROBLEMS: tuple[tuple[re.Pattern[str], Say], ...] = (
    (re.compile(r"Value with unterminated quote found"),
     lambda m: "a value with an unterminated quote (\")"),
    (re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)"),
     lambda m: f"{m[2]} field(s) where the header has {m[1]}"),
    (re.compile(r'Error when converting column "(.*?)"\. Could not convert string "(.*?)" to '
                r"'?(\w+)"),
     lambda m: f"column {m[1]!r}: \"{m[2]}\" is not a "
               f"{'number' if m[3] == 'DOUBLE' else m[3].lower()}"),
    (re.compile(r"Invalid unicode|invalid UTF-?8", re.IGNORECASE),
     lambda m: "bytes that are not UTF-8 text"),
    (re.compile(r"Maximum line size of (\d+) bytes exceeded"),
     lambda m: f"a line longer than {m[1]} bytes"),
)


def _read_error(exc: BaseException, label: str) -> InputError:
    """One line for an unreadable file: for CSV its file, line and problem."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    if line is None:
        return InputError(label, None, f"cannot read telemetry: {_first_line(exc)}")
    file = re.search(r"^\s*file = (.+)$", text, re.MULTILINE)
    after = text[line.end():]
    found = [(m.start(), say(m)) for pattern, say in CSV_PROBLEMS
             if (m := pattern.search(after)) is not None]
    problem = min(found)[1] if found else "a malformed line"
    return InputError(file[1].strip() if file else label, f"line {line[1]}", problem)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_columns(columns: dict[str, str], label: str) -> None:
    lower = {c.lower(): c for c in columns}
    units = [c for c in OTHER_DURATION_UNITS if c in lower]
    if units and "seconds" in columns:
        raise InputError(label, lower[units[0]], "mixed duration units: the file has both "
                         f"'seconds' and '{lower[units[0]]}'; give durations in seconds only")
    for name in REQUIRED:
        if name in columns:
            continue
        if name == "seconds" and units:
            raise InputError(label, lower[units[0]], "durations must be given in seconds "
                             "(column 'seconds'); convert this column")
        hint = f" (found {lower[name]!r}: column names are lower case)" if name in lower else ""
        raise InputError(label, name, f"required column missing{hint}; columns: "
                         f"{', '.join(columns)}")
    if "flop" not in columns and not {"accelerator", "count"} <= set(columns) \
            and "tokens" not in columns:
        raise InputError(label, "flop", "each row needs 'flop', or 'tokens', or 'accelerator' "
                         "and 'count' to estimate its compute")


def _timestamp_expr(kind: str) -> str:
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return 'epoch("timestamp")'
    if kind in ("BIGINT", "INTEGER", "DOUBLE", "FLOAT", "HUGEINT", "UBIGINT", "DECIMAL") \
            or kind.startswith("DECIMAL"):
        return '"timestamp"::DOUBLE'
    return ('coalesce(epoch(try_cast("timestamp"::VARCHAR AS TIMESTAMPTZ)), '
            'try_cast("timestamp"::VARCHAR AS DOUBLE))')


def _checks(columns: dict[str, str], use_tokens: bool) -> list[tuple[str, str, str]]:
    """What makes a row invalid, in the order errors name it: (condition on the ``raw``
    columns, field, problem). Each condition is FALSE, never NULL, on a valid row."""
    has = set(columns)
    t0, t1 = EARLIEST.timestamp(), LATEST.timestamp()
    span = f"{EARLIEST:%Y-%m-%d}..{LATEST:%Y-%m-%d} UTC"
    out = [("secs IS NULL", "seconds", "a missing duration"),
           ("secs < 0", "seconds", "a negative duration"),
           (f"NOT (isfinite(secs) AND secs <= {t1 - t0})", "seconds",
            "a duration that is not a finite number of seconds"),
           ("t_end IS NULL", "timestamp", "a missing or unreadable timestamp"),
           (f"NOT (isfinite(t_end) AND t_end >= {t0} AND t_end <= {t1})", "timestamp",
            f"a timestamp outside {span}"),
           (f"t_end - secs < {t0}", "seconds",
            f"an interval starting before {EARLIEST:%Y-%m-%d} (timestamp minus seconds)"),
           ("phase IS NULL", "phase", "no phase"), ("run_id IS NULL", "run_id", "no run_id")]
    # A NUL byte is binary data (a damaged or non-text file), never a name.
    out += [(f"coalesce(contains({name}, chr(0)), FALSE)", column,
             f"a NUL byte in the {column} text (a damaged or binary file)")
            for column, name in (("run_id", "run_id"), ("phase", "phase"),
                                 ("accelerator", "accelerator"), ("precision", "prec"))
            if column in has]
    for name, limit in (("flop", MAX_FLOP), ("tokens", MAX_TOKENS)):
        if name in has and (name != "tokens" or use_tokens):
            out += [(f"{name} IS NOT NULL AND {name} < 0", name, f"a negative {name} value"),
                    (f"{name} IS NOT NULL AND NOT (isfinite({name}) AND {name} <= {limit:g})",
                     name,
                     f"a {name} value that is not finite or above {limit:g}")]
    out.append((f"n IS NOT NULL AND NOT (isfinite(n) AND n >= 0 AND n <= {MAX_COUNT:g})",
                "count",
                f"an accelerator count that is negative, not finite or above {MAX_COUNT:g}"))
    flop = "flop IS NULL AND " if "flop" in has else ""
    tokens = "tokens IS NULL AND " if use_tokens and "tokens" in has else ""
    need = "flop, tokens" if use_tokens else "flop"
    out.append((f"{flop}{tokens}(n IS NULL OR accelerator IS NULL)", "accelerator",
                f"no {need} and no accelerator/count to estimate compute from"))
    return out


def _raw(reader: str, columns: dict[str, str], use_tokens: bool, as_text: bool = False) -> str:
    """Typed, renamed columns (absent ones as NULL); ``as_text`` adds the timestamp as read."""
    has = set(columns)
    optional = {"accelerator": "VARCHAR", "precision": "VARCHAR", "count": "DOUBLE",
                "flop": "DOUBLE", "tokens": "DOUBLE"}
    names = {"precision": "prec", "count": "n"}
    read = ", ".join(
        f'"{c}"::{kind} AS {names.get(c, c)}' if c in has and (c != "tokens" or use_tokens)
        else f"NULL::{kind} AS {names.get(c, c)}" for c, kind in optional.items())
    return f"""
  SELECT "run_id"::VARCHAR AS run_id, "phase"::VARCHAR AS phase, "seconds"::DOUBLE AS secs,
         {read}, {_timestamp_expr(columns['timestamp'])} AS t_end
         {', "timestamp"::VARCHAR AS ts_text' if as_text else ''}
  FROM {reader}"""


def _query(reader: str, columns: dict[str, str], use_tokens: bool, plan: str) -> str:
    """One query: validate, clip each stream's rows to time not yet covered, sum per hour.

    The per-stream sort is what costs most, so each row is reduced to one amount (its measured
    FLOP, its tokens or its accelerator-seconds) first, and only what the file has is carried.

    The ``fast`` plan sorts by a 64-bit hash of the stream and takes the previous row's end
    (``lag``) instead of the running maximum of all earlier ends, and no text goes through
    the sort: rows are summed per hour and stream hash, and the hash is mapped back to its
    phase and accelerator by a second, narrow read of the names. Both shortcuts are checked
    in the same query: ``collided`` counts hashes that stand for more than one stream,
    ``nested`` rows ending before their predecessor (only then can the running maximum
    differ from ``lag``). On nested rows the caller runs the ``nested`` plan (the running
    maximum, still by hash); on a collision the ``exact`` plan, which sorts by the stream's
    text columns.
    """
    has = set(columns)
    measured = "flop" in has
    tokens = use_tokens and "tokens" in has
    branches = [(c, code) for c, code, ok in (("flop", 1, measured), ("tokens", 2, tokens)) if ok]
    when = "".join(f"WHEN {c} IS NOT NULL THEN {{}} " for c, _ in branches)
    amount = f"CASE {when.format(*(c for c, _ in branches))}ELSE n * secs END" \
        if branches else "n * secs"
    carried = ["secs", "t_end", "t_end - secs AS t_start", f"{amount} AS amount"]
    exact = plan == "exact"
    carried += ["run_id", "phase", "accelerator"] if exact else \
        ["hash(run_id, phase, accelerator) AS stream"]
    prec = "prec" if "precision" in has else "NULL::VARCHAR AS prec"
    if "precision" in has:
        carried.append("prec")
    if branches:
        carried.append(f"(CASE {when.format(*(code for _, code in branches))}ELSE 3 END)"
                       "::UTINYINT AS how")
    if measured:
        carried.append("CASE WHEN flop IS NOT NULL THEN n * secs END AS measured_dev")
    bad = "coalesce(" + " OR ".join(f"({c})" for c, _, _ in _checks(columns, use_tokens)) \
        + ", TRUE) AS bad"
    is_m, is_t = ("how = 1" if measured else "FALSE"), ("how = 2" if tokens else "FALSE")
    is_h = "how = 3" if branches else "TRUE"
    sums = [
        ("rows_", "count(*)"), ("bad_rows", "count(*) FILTER (WHERE bad)"),
        ("dup_rows", "count(*) FILTER (WHERE NOT bad AND frac = 0)"),
        ("overlap_rows", "count(*) FILTER (WHERE NOT bad AND frac > 0 AND frac < 1)"),
        ("measured", f"coalesce(sum(amount * frac) FILTER (WHERE {is_m}), 0)"),
        ("toks", f"coalesce(sum(amount * frac) FILTER (WHERE {is_t}), 0)"),
        ("dev_s", f"coalesce(sum(amount * frac) FILTER (WHERE {is_h}), 0)"),
        ("measured_dev_s", "coalesce(sum(measured_dev * frac), 0)" if measured else "0.0"),
        ("raw_measured", f"coalesce(sum(amount) FILTER (WHERE {is_m} AND NOT bad), 0)"),
        ("raw_toks", f"coalesce(sum(amount) FILTER (WHERE {is_t} AND NOT bad), 0)"),
        ("raw_dev_s", f"coalesce(sum(amount) FILTER (WHERE {is_h} AND NOT bad), 0)")]
    ends = [("first_", "min", "t_start"), ("last_", "max", "t_end")]
    inner = ", ".join([f"{e} AS {n}" for n, e in sums]
                      + [f"{f}({c}) FILTER (WHERE NOT bad) AS {n}" for n, f, c in ends])
    partition = "run_id, phase, accelerator" if exact else "stream"
    window = (f"lag(t_end) OVER (PARTITION BY {partition} ORDER BY t_start, t_end)"
              if plan == "fast" else
              f"max(t_end) OVER (PARTITION BY {partition} ORDER BY t_start, t_end "
              "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)") + " AS prev_end"
    head = f"""
WITH raw AS ({_raw(reader, columns, use_tokens)}
),
checked AS (SELECT {', '.join(carried)}, {bad} FROM raw),
windowed AS (SELECT *, {window} FROM checked),
clipped AS (
  SELECT *, ceil(t_end / 3600) * 3600 AS hour,
         CASE WHEN bad THEN 0
              WHEN prev_end >= t_end THEN 0
              WHEN prev_end - t_start >= {MIN_OVERLAP_SECONDS} THEN (t_end - prev_end) / secs
              ELSE 1 END AS frac
  FROM windowed
)"""
    if exact:
        return f"""{head}
SELECT hour, phase, accelerator, {prec}, {inner}, 0 AS collided, 0 AS nested
FROM clipped GROUP BY ALL
"""
    outer = ", ".join([f"sum({n}) AS {n}" for n, _ in sums]
                      + [f"{f}({n}) AS {n}" for n, f, _ in ends])
    return f"""{head},
per_stream AS (
  SELECT hour, stream, {prec}, {inner}, count(*) FILTER (WHERE prev_end > t_end) AS nested
  FROM clipped GROUP BY ALL
),
names AS (
  SELECT hash(run_id, phase, accelerator) AS stream, any_value(phase) AS phase,
         any_value(accelerator) AS accelerator, count(*) AS tuples
  FROM (SELECT DISTINCT run_id, phase, accelerator FROM ({_raw(reader, columns, use_tokens)}))
  GROUP BY ALL
)
SELECT hour, phase, accelerator, prec, {outer},
       count(*) FILTER (WHERE tuples > 1) AS collided, sum(nested) AS nested
FROM per_stream JOIN names USING (stream)
GROUP BY hour, phase, accelerator, prec
"""


def _bad_example(con: Any, reader: str, columns: dict[str, str], label: str,
                 count: int, use_tokens: bool) -> InputError:
    """The first invalid row, with the first problem it has (same checks as the query)."""
    checks = _checks(columns, use_tokens)
    reason = "CASE " + " ".join(f"WHEN {c} THEN {i}" for i, (c, _, _) in enumerate(checks)) \
        + f" ELSE {len(checks)} END"
    row = con.execute(f"SELECT {reason}, run_id, phase, ts_text, secs "
                      f"FROM ({_raw(reader, columns, use_tokens, as_text=True)}) "
                      f"WHERE {reason} < {len(checks)} LIMIT 1").fetchone()
    field, problem = (checks[int(row[0])][1:] if row else
                      ("timestamp", "an unreadable value"))
    first = ", ".join(f"{k}={v!r}" for k, v in zip(("run_id", "phase", "timestamp", "seconds"),
                                                   row[1:] if row else (), strict=True))
    return InputError(label, field, f"{count} row(s) with {problem} (first: {first}); "
                      "fix the rows, nothing was counted")


def ingest(paths: Sequence[str | Path], *, use_tokens: bool = False,
           progress: bool | None = None) -> Ingested:
    """Read telemetry files once and return hourly aggregates (see module docstring)."""
    import duckdb

    files = [Path(p) for p in paths]
    if not files:
        raise InputError(None, "TELEMETRY", "no telemetry file given")
    for p in files:
        if not p.is_file():
            raise InputError(str(p), None, "no such file")
        if p.stat().st_size == 0:
            raise InputError(str(p), None, "empty file (0 bytes): nothing to count")
    label = ", ".join(str(p) for p in files)
    fmt = detect_format(files)
    header: list[str] = []
    for p in files if fmt == "csv" else ():
        names = _csv_header(p)
        if header and names != header:
            raise InputError(str(p), "line 1", f"the header differs from {files[0]}'s; give "
                             "files with the same columns in the same order")
        header = names
    reader = _reader(fmt, files, header)
    spill = tempfile.mkdtemp(prefix="gpact-telemetry-")
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = '{spill}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET TimeZone = 'UTC'")
        show = sys.stderr.isatty() if progress is None else progress
        # Progress is tracked only for the rich bar on a terminal (stderr); DuckDB must never
        # print its own bar, which would land on stdout.
        con.execute(f"SET enable_progress_bar = {'true' if show else 'false'}")
        con.execute("SET enable_progress_bar_print = false")
        columns = {c: "DOUBLE" if c in NUMERIC else "VARCHAR" for c in header} \
            if fmt == "csv" else _columns(con, reader, label)
        _check_columns(columns, label)
        try:
            plan = "fast"
            rows = _run(con, _query(reader, columns, use_tokens, plan), show)
            if any(int(r[-2]) or int(r[-1]) for r in rows):  # the fast plan does not apply
                plan = "exact" if any(int(r[-2]) for r in rows) else "nested"
                rows = _run(con, _query(reader, columns, use_tokens, plan), show)
        except duckdb.Error as exc:
            raise _read_error(exc, label) from None
        bad = sum(int(r[5]) for r in rows)
        if bad:
            raise _bad_example(con, reader, columns, label, bad, use_tokens)
        if not any(int(r[4]) for r in rows):
            raise InputError(label, None, "no telemetry rows (only a header, or an empty "
                             "file): nothing to count")
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    return _collect(tuple(map(str, files)), rows, plan)


def _run(con: Any, sql: str, show: bool) -> list[tuple[Any, ...]]:
    """Execute the query; on a terminal, show DuckDB's own progress in a rich bar."""
    if not show:
        return list(con.execute(sql).fetchall())
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["rows"] = con.execute(sql).fetchall()
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    with Progress(TextColumn("reading telemetry"), BarColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("telemetry", total=100)
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
            done = con.query_progress()
            if done is not None and done >= 0:
                bar.update(task, completed=done)
    if "error" in result:
        raise result["error"]
    return list(result["rows"])


def _collect(files: tuple[str, ...], rows: list[tuple[Any, ...]], plan: str) -> Ingested:
    slices = []
    total = dups = overlaps = 0
    firsts, lasts = [], []
    for (hour, phase, acc, prec, n, _bad, dup, ovl, measured, toks, dev_s, mdev_s,
         raw_m, raw_t, raw_d, first, last, _collided, _nested) in rows:
        total += int(n)
        dups += int(dup)
        overlaps += int(ovl)
        if first is not None:
            firsts.append(float(first))
            lasts.append(float(last))
        if hour is None:
            continue
        slices.append(Slice(
            hour=dt.datetime.fromtimestamp(float(hour), dt.UTC), phase=str(phase),
            accelerator=acc, precision=prec, rows=int(n), measured_flop=float(measured),
            tokens=float(toks), device_seconds=float(dev_s),
            measured_device_seconds=float(mdev_s), raw_measured_flop=float(raw_m),
            raw_tokens=float(raw_t), raw_device_seconds=float(raw_d)))
    slices.sort(key=lambda s: (s.hour, s.phase, s.accelerator or "", s.precision or ""))
    return Ingested(
        files=files, rows=total, duplicate_rows=dups, overlapping_rows=overlaps,
        first=dt.datetime.fromtimestamp(min(firsts), dt.UTC) if firsts else None,
        last=dt.datetime.fromtimestamp(max(lasts), dt.UTC) if lasts else None,
        slices=tuple(slices), plan=plan)
