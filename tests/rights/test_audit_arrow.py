"""The audit's Arrow helpers: NumPy views read from buffers, and no pandas in the worker path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from gpact.rights.audit import AuditOptions, _arrow, _numpy, _true, run_audit
from tests.rights.test_audit_optouts import write_inputs

ROOT = Path(__file__).resolve().parents[2]


@given(st.lists(st.booleans(), max_size=70), st.integers(0, 70), st.integers(0, 70))
def test_numpy_view_of_booleans_equals_the_values(values: list[bool], a: int, b: int) -> None:
    sliced = pa.array(values, pa.bool_()).slice(min(a, b), abs(a - b))
    assert _numpy(sliced).tolist() == sliced.to_pylist()


@given(st.lists(st.integers(-(2 ** 31), 2 ** 31 - 1), max_size=40), st.integers(0, 40),
       st.sampled_from([pa.int64(), pa.int32(), pa.uint32()]))
def test_numpy_view_of_integers_equals_the_values(values: list[int], start: int,
                                                   kind: pa.DataType) -> None:
    if pa.types.is_unsigned_integer(kind):
        values = [abs(v) for v in values]
    sliced = pa.array(values, kind).slice(start)
    assert _numpy(sliced).tolist() == sliced.to_pylist()
    assert _arrow(np.asarray(values, np.int64)).to_pylist() == values


def test_true_reads_null_as_false() -> None:
    assert _true(pa.array([True, None, False])).to_pylist() == [True, False, False]


def test_worker_path_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow imports pandas on its first conversion from Python objects (a second and some
    40 MB per worker process): the worker's evaluation of a batch must not trigger it."""
    log, snaps, tdm = write_inputs(tmp_path)  # (here: writing them imports pandas)
    script = f"""
import sys
from pathlib import Path
import duckdb
from gpact.rights import audit as A
log, snaps, tdm = {str(log)!r}, {str(snaps)!r}, {str(tdm)!r}
options = A.AuditOptions([str(log)], [str(snaps)], Path({str(tmp_path)!r}) / "v.parquet",
                         tdmrep=[str(tdm)], aipref="vocab-08")
con = duckdb.connect()
con.execute("SET TimeZone='UTC'")
A._prepare(con, options, set())
for table, path in (("snaps", "s.parquet"), ("tdm_snaps", "t.parquet")):
    con.execute(f"COPY (SELECT * FROM {{table}}) TO '{tmp_path}/{{path}}' (FORMAT parquet)")
A._start_worker("{tmp_path}/s.parquet", "{tmp_path}/t.parquet", 512000, "vocab-08",
                A.eager_snapshots(con))
rows = 0
for batch in A._batches(A._joined(con, 24.0, True, "vocab-08"), 4):
    rows += len(A._evaluate_in_worker(A._to_ipc(A.evaluation_input(batch)))[1])
assert rows > 4, rows
print("pandas" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
                                         "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "False"


def test_verdicts_file_holds_plain_strings(tmp_path: Path) -> None:
    """The verdict columns travel as dictionary arrays; readers of the file see strings."""
    fixtures = Path(__file__).parent / "fixtures"
    for jobs in (1, 2):
        out = tmp_path / f"v{jobs}.parquet"
        run_audit(AuditOptions([str(fixtures / "crawl.csv")], [str(fixtures / "snapshots.jsonl")],
                               out, batch_rows=5, jobs=jobs))
        schema = pq.read_schema(out)
        for name in ("robots_verdict", "robots_rule", "robots_detail", "tdm_verdict", "url"):
            assert schema.field(name).type == pa.string(), name
        rules = pq.read_table(out).column("robots_rule").to_pylist()
        assert None in rules and any(r is not None for r in rules)
