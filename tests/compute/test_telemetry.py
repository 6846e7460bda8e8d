"""Telemetry ingestion: formats, duplicates and overlaps, units, bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpact.compute import ingest, ledger_from_telemetry
from gpact.errors import InputError
from gpact.rulebook import RulesInForce

START = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
PEAK = 989.5e12  # H100 SXM bf16


def rows(hours: int = 48, **extra: Any) -> list[dict[str, Any]]:
    """One pretraining stream of 64 H100s reporting every hour."""
    return [{"run_id": "r1", "phase": "pretraining",
             "timestamp": (START + dt.timedelta(hours=h + 1)).isoformat(),
             "accelerator": "H100 SXM", "count": 64, "seconds": 3600.0, **extra}
            for h in range(hours)]


def write(path: Path, data: list[dict[str, Any]]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(data[0]))
            writer.writeheader()
            writer.writerows(data)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in data))
    else:
        pq.write_table(pa.Table.from_pylist(data), path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_formats_give_the_same_total(tmp_path: Path, rules: RulesInForce, suffix: str) -> None:
    path = write(tmp_path / f"t{suffix}", rows())
    ledger = ledger_from_telemetry([path], rules, utilization=0.5, progress=False)
    assert ledger.total("cumulative").flop == pytest.approx(48 * 64 * 3600 * PEAK * 0.5)
    assert ledger.telemetry[0]["rows"] == 48
    assert ledger.telemetry[0]["first"].startswith("2026-09-01T00:00")


def test_duplicates_and_overlaps_are_not_double_counted(tmp_path: Path,
                                                        rules: RulesInForce) -> None:
    data = rows(10)
    data.append(dict(data[3]))                      # an exact duplicate
    shifted = dict(data[5])
    shifted["timestamp"] = (START + dt.timedelta(hours=6, minutes=30)).isoformat()
    data.append(shifted)                            # half an hour over rows 5 and 6
    beyond = dict(data[9])
    beyond["timestamp"] = (START + dt.timedelta(hours=10, minutes=30)).isoformat()
    data.append(beyond)                             # overlaps the last row, adds 30 min
    path = write(tmp_path / "t.csv", data)
    got = ingest([path], progress=False)
    assert (got.rows, got.duplicate_rows) == (13, 1)  # the copy is fully covered
    # clipped in start order: the shifted row keeps 6:00-6:30, row 6 keeps 6:30-7:00, the last
    # row keeps 10:00-10:30
    assert got.overlapping_rows == 3
    ledger = ledger_from_telemetry([path], rules, utilization=0.5, progress=False)
    covered_hours = 10.5
    assert ledger.total("cumulative").flop == pytest.approx(covered_hours * 3600 * 64 * PEAK
                                                            * 0.5)
    assert any("not counted again" in w for w in ledger.warnings)


def test_concurrent_runs_are_separate_streams(tmp_path: Path, rules: RulesInForce) -> None:
    data = rows(4) + [dict(r, run_id="r2") for r in rows(4)]
    got = ingest([write(tmp_path / "t.parquet", data)], progress=False)
    assert (got.duplicate_rows, got.overlapping_rows) == (0, 0)


def test_phases_count_by_the_rulebook(tmp_path: Path, rules: RulesInForce) -> None:
    data = rows(2) + [dict(r, phase="evaluation", run_id="e") for r in rows(2)] + \
        [dict(r, phase="synthetic_data", run_id="s") for r in rows(2)]
    ledger = ledger_from_telemetry([write(tmp_path / "t.csv", data)], rules, utilization=0.5,
                                   progress=False)
    one = 2 * 64 * 3600 * PEAK * 0.5
    assert ledger.total("cumulative").flop == pytest.approx(2 * one)   # pretraining + synthetic
    assert ledger.total("parameter_update").flop == pytest.approx(one)
    assert {e.phase.id for e in ledger.entries} == {"pretraining", "evaluation", "synthetic_data"}


def test_measured_flop_and_tokens(tmp_path: Path, rules: RulesInForce) -> None:
    data = [dict(r, flop=1e19) for r in rows(3)]
    data += [dict(r, run_id="tok", tokens=1e9, flop=None) for r in rows(2)]
    ledger = ledger_from_telemetry([write(tmp_path / "t.jsonl", data)], rules,
                                   parameters=7e9, progress=False)
    assert ledger.total("cumulative").flop == pytest.approx(3e19 + 2 * 6 * 7e9 * 1e9)


def test_measured_flop_beyond_peak_warns_about_units(tmp_path: Path,
                                                     rules: RulesInForce) -> None:
    data = [dict(r, flop=1e25) for r in rows(2)]  # 64 H100 cannot do 1e25 FLOP in an hour
    ledger = ledger_from_telemetry([write(tmp_path / "t.csv", data)], rules, progress=False)
    assert any("check the units" in w for w in ledger.warnings)


def test_epoch_timestamps(tmp_path: Path, rules: RulesInForce) -> None:
    data = [dict(r, timestamp=dt.datetime.fromisoformat(r["timestamp"]).timestamp())
            for r in rows(3)]
    got = ingest([write(tmp_path / "t.parquet", data)], progress=False)
    assert got.first == START


@pytest.mark.parametrize(("change", "field", "problem"), [
    ({"seconds": -60.0}, "seconds", "negative duration"),
    ({"seconds": None}, "seconds", "missing duration"),
    ({"timestamp": "yesterday"}, "timestamp", "unreadable timestamp"),
    ({"accelerator": None}, "accelerator", "no flop and no accelerator"),
])
def test_bad_rows_are_errors(tmp_path: Path, change: dict[str, Any], field: str,
                             problem: str) -> None:
    data = rows(3)
    data[1] = dict(data[1], **change)
    path = write(tmp_path / "t.jsonl", data)
    with pytest.raises(InputError) as exc:
        ingest([path], progress=False)
    assert (exc.value.file, exc.value.field) == (str(path), field)
    assert problem in exc.value.problem and "1 row(s)" in exc.value.problem


def test_unknown_phase_and_accelerator(tmp_path: Path, rules: RulesInForce) -> None:
    path = write(tmp_path / "a.csv", [dict(r, phase="pre-training") for r in rows(1)])
    with pytest.raises(InputError, match="did you mean 'pretraining'"):
        ledger_from_telemetry([path], rules, progress=False)
    path = write(tmp_path / "b.csv", [dict(r, accelerator="H100") for r in rows(1)])
    with pytest.raises(InputError, match="'h100-sxm'"):
        ledger_from_telemetry([path], rules, progress=False)


def test_columns_and_units(tmp_path: Path) -> None:
    hours = [{k: v for k, v in r.items() if k != "seconds"} | {"hours": 1} for r in rows(1)]
    with pytest.raises(InputError, match="durations must be given in seconds"):
        ingest([write(tmp_path / "h.csv", hours)], progress=False)
    both = [r | {"hours": 1} for r in rows(1)]
    with pytest.raises(InputError, match="mixed duration units"):
        ingest([write(tmp_path / "b.csv", both)], progress=False)
    no_run = [{k: v for k, v in r.items() if k != "run_id"} for r in rows(1)]
    with pytest.raises(InputError, match="required column missing"):
        ingest([write(tmp_path / "n.csv", no_run)], progress=False)
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(InputError, match="unknown telemetry format"):
        ingest([tmp_path / "x.txt"], progress=False)
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match="cannot read telemetry"):
        ingest([tmp_path / "broken.parquet"], progress=False)


def test_progress_bar_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The terminal path (a rich bar fed by DuckDB's progress) gives the same result."""
    path = write(tmp_path / "t.parquet", rows(24))
    with_bar = ingest([path], progress=True)
    assert with_bar == ingest([path], progress=False)
    assert "reading telemetry" not in capsys.readouterr().out  # never on stdout


def union_length(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60)), min_size=1, max_size=15))
def test_clipping_counts_the_union_of_intervals(tmp_path: Path,
                                                spans: list[tuple[int, int]]) -> None:
    """Whatever the repeats and overlaps, one stream counts each second once."""
    data = [{"run_id": "r", "phase": "pretraining",
             "timestamp": (START + dt.timedelta(seconds=start + length)).isoformat(),
             "accelerator": "A100", "count": 2, "seconds": float(length)}
            for start, length in spans]
    got = ingest([write(tmp_path / "p.jsonl", data)], progress=False)
    counted = sum(s.device_seconds for s in got.slices)
    expected = 2 * union_length([(float(a), float(a + n)) for a, n in spans])
    assert counted == pytest.approx(expected)
    assert sum(s.raw_device_seconds for s in got.slices) == pytest.approx(
        2 * sum(n for _, n in spans))


def test_contiguous_rows_with_fractional_seconds_do_not_overlap(tmp_path: Path) -> None:
    """Rounding in float timestamps must not be reported as overlap."""
    data = [{"run_id": "r", "phase": "pretraining",
             "timestamp": (START + dt.timedelta(seconds=59.7 * (k + 1))).isoformat(),
             "accelerator": "A100", "count": 8, "seconds": 59.7} for k in range(500)]
    got = ingest([write(tmp_path / "f.parquet", data)], progress=False)
    assert (got.duplicate_rows, got.overlapping_rows) == (0, 0)
    assert sum(s.device_seconds for s in got.slices) == pytest.approx(500 * 8 * 59.7)


def test_measured_rows_need_no_known_accelerator(tmp_path: Path, rules: RulesInForce) -> None:
    data = [dict(r, accelerator="in-house ASIC v1", flop=1e20) for r in rows(3)]
    ledger = ledger_from_telemetry([write(tmp_path / "m.csv", data)], rules, progress=False)
    assert ledger.total("cumulative").flop == pytest.approx(3e20)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@pytest.mark.parametrize(("change", "field", "problem"), [
    ({"seconds": float("nan")}, "seconds", "not a finite number"),
    ({"seconds": float("inf")}, "seconds", "not a finite number"),
    ({"seconds": 1e300}, "seconds", "not a finite number"),
    ({"seconds": 1e10}, "seconds", "not a finite number"),   # longer than the accepted span
    ({"seconds": 3.0e9}, "seconds", "starting before 1970"),
    ({"timestamp": "0000-01-01T00:00:00+00:00"}, "timestamp", "outside 1970-01-01..2200"),
    ({"timestamp": "99999-01-01T00:00:00+00:00"}, "timestamp", "outside 1970-01-01..2200"),
    ({"timestamp": "1950-01-01T00:00:00+00:00"}, "timestamp", "outside 1970-01-01..2200"),
    ({"timestamp": "2025-02-30T00:00:00+00:00"}, "timestamp", "unreadable timestamp"),
    ({"count": float("inf")}, "count", "accelerator count"),
    ({"count": 1e300}, "count", "accelerator count"),
    ({"count": -1.0}, "count", "accelerator count"),
    ({"flop": float("nan")}, "flop", "not finite or above 1e+30"),
    ({"flop": 1e300}, "flop", "not finite or above 1e+30"),
    ({"flop": -1.0}, "flop", "negative flop"),
])
def test_out_of_range_values_are_errors(tmp_path: Path, suffix: str, change: dict[str, Any],
                                        field: str, problem: str) -> None:
    data = rows(3, flop=1e19)
    data[1] = dict(data[1], **change)
    path = write(tmp_path / f"t{suffix}", data)
    with pytest.raises(InputError) as exc:
        ingest([path], progress=False)
    assert (exc.value.file, exc.value.field) == (str(path), field)
    assert problem in exc.value.problem and "1 row(s)" in exc.value.problem


def test_epoch_timestamp_out_of_range(tmp_path: Path) -> None:
    data = [dict(r, timestamp=1e300) for r in rows(2)]
    with pytest.raises(InputError, match=r"2 row\(s\) with a timestamp outside"):
        ingest([write(tmp_path / "e.parquet", data)], progress=False)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_header_without_rows_is_an_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    if suffix == ".csv":
        path.write_text("run_id,phase,timestamp,accelerator,count,seconds\n")
    else:
        pq.write_table(pa.Table.from_pylist(rows(1)).slice(0, 0), path)
    with pytest.raises(InputError, match="no telemetry rows") as exc:
        ingest([path], progress=False)
    assert exc.value.file == str(path)


def test_cli_rejects_empty_and_out_of_range_telemetry(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from gpact.cli.main import main

    empty = tmp_path / "empty.csv"
    empty.write_text("run_id,phase,timestamp,accelerator,count,seconds\n")
    year0 = write(tmp_path / "y0.csv", [dict(r, timestamp="0000-01-01T00:00:00Z")
                                        for r in rows(1)])
    for path in (empty, year0):
        assert main(["compute", "forecast", str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and str(path) in err and "Traceback" not in err


def test_ordered_telemetry_takes_the_fast_plan(tmp_path: Path) -> None:
    data = rows(24) + [dict(r, run_id="r2") for r in rows(24)]
    data.append(dict(data[5]))  # a duplicate keeps ends in start order: still the fast plan
    got = ingest([write(tmp_path / "o.parquet", data)], progress=False)
    assert (got.plan, got.duplicate_rows) == ("fast", 1)
    inside = (START + dt.timedelta(hours=7, minutes=30)).isoformat()  # within row 7
    nested = [*data, dict(data[7], timestamp=inside, seconds=600.0)]  # needs the running max
    got = ingest([write(tmp_path / "n.parquet", nested)], progress=False)
    assert (got.plan, got.duplicate_rows) == ("nested", 2)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["A100", "H100 SXM"]),
                          st.integers(0, 300), st.integers(1, 90)), min_size=1, max_size=30))
def test_the_three_plans_agree(tmp_path: Path, spans: list[tuple[str, str, int, int]]) -> None:
    """The exact plan (text sort keys, run only on a hash collision) gives what the nested
    plan gives, and the fast plan too whenever it reports no nested rows."""
    import duckdb

    from gpact.compute import telemetry

    data = [{"run_id": run, "phase": "pretraining", "accelerator": acc, "count": 1,
             "timestamp": (START + dt.timedelta(seconds=start + length)).isoformat(),
             "seconds": float(length)} for run, acc, start, length in spans]
    path = write(tmp_path / "p.parquet", data)
    con = duckdb.connect()
    reader = telemetry._reader("parquet", [path])
    columns = telemetry._columns(con, reader, str(path))

    def result(plan: str) -> tuple[list[tuple[Any, ...]], int]:
        got = con.execute(telemetry._query(reader, columns, False, plan)).fetchall()
        table = sorted((r[:-2] for r in got), key=lambda r: (r[0], r[1], r[2]))
        return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in r)
                for r in table], sum(int(r[-1]) for r in got)

    exact, _ = result("exact")
    assert result("nested")[0] == exact
    fast, nested_rows = result("fast")
    if nested_rows == 0:
        assert fast == exact


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 300),
                          st.integers(1, 90)), min_size=1, max_size=30))
def test_streams_count_their_union_whichever_plan(tmp_path: Path,
                                                  spans: list[tuple[str, int, int]]) -> None:
    """Several streams, in any order: each counts the union of its own intervals."""
    data = [{"run_id": run, "phase": "pretraining",
             "timestamp": (START + dt.timedelta(seconds=start + length)).isoformat(),
             "accelerator": "A100", "count": 1, "seconds": float(length)}
            for run, start, length in spans]
    got = ingest([write(tmp_path / "s.csv", data)], progress=False)
    expected = sum(union_length([(float(a), float(a + n)) for r, a, n in spans if r == run])
                   for run in "abc")
    assert sum(s.device_seconds for s in got.slices) == pytest.approx(expected)


HEADER = b"run_id,phase,timestamp,accelerator,count,seconds\n"
GOOD = b"r1,pretraining,2026-09-01T01:00:00Z,H100 SXM,8,3600\n"


def parquet_bytes(tmp_path: Path) -> bytes:
    return write(tmp_path / "whole.parquet", rows(200)).read_bytes()


# (file name, its bytes, what the one-line error must say)
GARBAGE: list[tuple[str, Callable[[Path], bytes], str]] = [
    ("nul-run.csv", lambda _: HEADER + GOOD + b"r\x001,pretraining,2026-09-01T02:00:00Z,"
     b"H100 SXM,8,3600\n", "run_id: 1 row(s) with a NUL byte"),
    ("nul-acc.csv", lambda _: HEADER + GOOD.replace(b"SXM", b"S\x00M"), "accelerator: 1 row(s) "
     "with a NUL byte"),
    ("nul-number.csv", lambda _: HEADER + GOOD + GOOD.replace(b",8,", b",8\x00,"),
     "line 3: column 'count'"),
    ("nul-line.csv", lambda _: HEADER + GOOD + b"\x00\x00\x00\n", "line 3: 1 field(s) where "
     "the header has 6"),
    ("nul-header.csv", lambda _: HEADER.replace(b"phase", b"ph\x00se") + GOOD,
     "line 1: a NUL byte in the header"),
    ("quote.csv", lambda _: HEADER + GOOD + b'"r1' + GOOD[2:],
     "line 3: a value with an unterminated quote"),
    ("fields.csv", lambda _: HEADER + GOOD + b"r1,pretraining,60\n",
     "line 3: 3 field(s) where the header has 6"),
    ("latin1.csv", lambda _: HEADER + GOOD.replace(b"r1", b"r\xe91"), "line 2: bytes that are "
     "not UTF-8"),
    ("zero.csv", lambda _: b"", "empty file (0 bytes)"),
    ("zero.parquet", lambda _: b"", "empty file (0 bytes)"),
    ("zero.jsonl", lambda _: b"", "empty file (0 bytes)"),
    ("half.parquet", lambda tmp: parquet_bytes(tmp)[: len(parquet_bytes(tmp)) // 2],
     "cannot read telemetry"),
    ("tail.parquet", lambda tmp: parquet_bytes(tmp)[:-9], "cannot read telemetry"),
    ("nul.jsonl", lambda _: json.dumps(dict(rows(1)[0], run_id="r\x00")).encode() + b"\n",
     "run_id: 1 row(s) with a NUL byte"),
]


@pytest.mark.parametrize(("name", "content", "says"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_cli_rejects_damaged_files_in_one_line(tmp_path: Path, cli: Any, name: str,
                                               content: Callable[[Path], bytes],
                                               says: str) -> None:
    """Damaged or binary files are exit code 2 and one line naming file, line/field, problem."""
    path = tmp_path / name
    path.write_bytes(content(tmp_path))
    r = cli("compute", "forecast", str(path))
    assert r.code == 2
    err = r.err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"error: {path}: ") and says in err, err


def test_csv_is_not_sniffed_into_another_dialect(tmp_path: Path) -> None:
    """A quoted comma stays in its field; a semicolon file is not silently re-read as one."""
    path = tmp_path / "q.csv"
    path.write_bytes(HEADER + GOOD.replace(b"r1", b'"r,1"'))
    assert ingest([path], progress=False).rows == 1
    semi = tmp_path / "s.csv"
    semi.write_bytes(HEADER.replace(b",", b";") + GOOD.replace(b",", b";"))
    with pytest.raises(InputError, match="required column missing"):
        ingest([semi], progress=False)
    tsv = tmp_path / "t.tsv"
    tsv.write_bytes(HEADER.replace(b",", b"\t") + GOOD.replace(b",", b"\t"))
    assert ingest([tsv], progress=False).rows == 1


def test_csv_files_must_share_a_header(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_bytes(HEADER + GOOD)
    b = tmp_path / "b.csv"
    b.write_bytes(b"phase,run_id,timestamp,accelerator,count,seconds\n"
                  b"pretraining,r2,2026-09-01T01:00:00Z,H100 SXM,8,3600\n")
    with pytest.raises(InputError, match="the header differs") as exc:
        ingest([a, b], progress=False)
    assert (exc.value.file, exc.value.field) == (str(b), "line 1")


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_csv(tmp_path: Path, suffix: str) -> None:
    """gzip and zstd CSV give the same ledger as the plain file; damage is a one-line error."""
    import gzip

    zstandard = pytest.importorskip("zstandard")
    compress = gzip.compress if suffix == ".gz" else zstandard.ZstdCompressor().compress
    plain = tmp_path / "t.csv"
    plain.write_bytes(HEADER + GOOD)
    path = tmp_path / f"t.csv{suffix}"
    path.write_bytes(compress(HEADER + GOOD))
    assert ingest([path], progress=False).slices == ingest([plain], progress=False).slices
    damaged = tmp_path / f"bad.csv{suffix}"
    damaged.write_bytes(compress(HEADER + GOOD)[:12])
    with pytest.raises(InputError) as exc:
        ingest([damaged], progress=False)
    assert exc.value.file == str(damaged) and "\n" not in str(exc.value)


def test_nul_bytes_fail_in_a_subprocess(tmp_path: Path) -> None:
    """The reported bug, end to end as a user runs it: exit 2, one line, no traceback."""
    import subprocess
    import sys

    path = tmp_path / "nul.csv"
    path.write_bytes(HEADER + GOOD + b"r1,pre\x00training,2026-09-01T02:00:00Z,H100 SXM,8,3600\n")
    code = "import sys; from gpact.cli.main import main; sys.exit(main(sys.argv[1:]))"
    r = subprocess.run([sys.executable, "-c", code, "compute", "forecast", str(path)],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert str(path) in r.stderr and "phase" in r.stderr and "NUL byte" in r.stderr


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300), with_header=st.booleans(),
       suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]))
def test_arbitrary_bytes_never_crash_ingestion(tmp_path: Path, body: bytes, with_header: bool,
                                               suffix: str) -> None:
    """Whatever the bytes, ingestion gives a result or an InputError, nothing else."""
    path = tmp_path / f"any{suffix}"
    path.write_bytes((HEADER + GOOD if with_header else b"") + body)
    try:
        got = ingest([path], progress=False)
    except InputError as exc:
        assert exc.file and str(path) in exc.file
        assert "\n" not in exc.message()
    else:
        assert got.rows >= 1
