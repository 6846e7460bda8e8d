"""Benchmark: ingest a large compute-telemetry file with gpact against hand-written DuckDB.

    python benchmarks/compute_telemetry.py --rows 20000000 [--format parquet|csv|jsonl]

Generates a telemetry file (1000 concurrent runs reporting every minute, 0.1 % of rows
duplicated), then runs, each in its own subprocess so that peak memory is its own:

* gpact: ``ledger_from_telemetry`` (validation, duplicate/overlap clipping, hourly series);
* baseline "same result": one hand-written DuckDB query doing the same clipping and totals;
* baseline "naive sum": a plain DuckDB GROUP BY that ignores duplicates (overcounts them).

Prints rows/s, the ratio of gpact's time to each baseline's, peak RSS per process (VmHWM), and
checks that gpact's total equals the same-result baseline's. ``--repeat N`` interleaves N runs
of each step; the table shows medians, and the ratio line the median and min–max of the
per-round ratios (each round runs gpact and the baselines back to back).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PEAK = 989.5e12  # H100 SXM bf16 dense, as in the catalogue
UTILIZATION = 0.5

PEAK_RSS = """
def peak_rss_mb():
    # VmHWM: this process's own high-water mark (ru_maxrss can carry the parent's over exec)
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

GPACT = PEAK_RSS + """
import datetime as dt, json, sys, time
import duckdb  # imported before the clock starts, as in the baseline
from gpact.compute import ledger_from_telemetry
from gpact.rulebook import default_rulebook
t = time.perf_counter()
ledger = ledger_from_telemetry([sys.argv[1]], default_rulebook().at(dt.date(2026, 11, 22)),
                               utilization=float(sys.argv[2]), progress=False)
total = ledger.total("cumulative").flop
print(json.dumps({"seconds": time.perf_counter() - t, "total": total,
                  "duplicates": ledger.telemetry[0]["duplicate_rows"],
                  "rows": ledger.telemetry[0]["rows"],
                  "rss_mb": peak_rss_mb()}))
"""

BASELINE = PEAK_RSS + """
import json, sys, time, duckdb
path, util, peak, mode = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
reader = {"parquet": f"read_parquet('{path}')", "csv": f"read_csv('{path}')",
          "jsonl": f"read_json('{path}', format='newline_delimited')"}[sys.argv[5]]
t = time.perf_counter()
con = duckdb.connect()
con.execute("SET memory_limit='512MB'; SET preserve_insertion_order=false; "
            "SET enable_progress_bar_print=false")
con.execute(f"SET temp_directory='{path}.spill'")
if mode == "naive":
    sql = f"SELECT sum(count * seconds) FILTER (WHERE phase <> 'evaluation') FROM {reader}"
else:
    sql = f'''
    WITH r AS (SELECT run_id, phase, accelerator, count::DOUBLE AS n, seconds,
                      epoch(timestamp) AS t_end, epoch(timestamp) - seconds AS t_start
               FROM {reader}),
    w AS (SELECT *, max(t_end) OVER (PARTITION BY run_id, phase, accelerator ORDER BY t_start
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end FROM r)
    SELECT sum(n * CASE WHEN prev_end >= t_end THEN 0
                        WHEN prev_end - t_start >= 0.001 THEN t_end - prev_end
                        ELSE seconds END) FILTER (WHERE phase <> 'evaluation') FROM w'''
device_seconds = con.execute(sql).fetchone()[0]
print(json.dumps({"seconds": time.perf_counter() - t, "total": device_seconds * peak * util,
                  "rss_mb": peak_rss_mb()}))
"""


def generate(path: Path, rows: int, fmt: str) -> None:
    """Write the telemetry file with DuckDB (run in a child process: it is memory-hungry)."""
    import duckdb

    options = {"parquet": "(FORMAT parquet)", "csv": "(FORMAT csv, HEADER)",
               "jsonl": "(FORMAT json)"}[fmt]
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar_print = false")
    con.execute(textwrap.dedent(f"""
        COPY (
          WITH base AS (
            SELECT i, 'node-' || lpad((i % 1000)::VARCHAR, 4, '0') AS run_id,
                   CASE WHEN i % 1000 < 900 THEN 'pretraining'
                        WHEN i % 1000 < 980 THEN 'synthetic_data' ELSE 'evaluation' END AS phase,
                   TIMESTAMPTZ '2026-09-01 00:00:00+00' + to_seconds((i // 1000 + 1) * 60)
                     AS timestamp,
                   'H100 SXM' AS accelerator, 8 AS count,
                   60.0 - (hash(i) % 1000) / 1000.0 AS seconds
            FROM range({rows}) t(i)
          )
          SELECT run_id, phase, timestamp, accelerator, count, seconds FROM base
          UNION ALL
          SELECT run_id, phase, timestamp, accelerator, count, seconds FROM base
          WHERE i % 1000 = 7 AND i < {rows} - {rows} // 1000
        ) TO '{path}' {options}
    """))


def run(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        sys.exit(f"benchmark step failed:\n{out.stderr}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median run by time, with the highest peak memory seen."""
    middle = dict(sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2])
    middle["rss_mb"] = max(r["rss_mb"] for r in runs)
    return middle


def ratios(mine: list[dict[str, float]], theirs: list[dict[str, float]]) -> str:
    """Median and min–max of the per-round time ratios."""
    r = sorted(a["seconds"] / b["seconds"] for a, b in zip(mine, theirs, strict=True))
    mid = r[len(r) // 2] if len(r) % 2 else (r[len(r) // 2 - 1] + r[len(r) // 2]) / 2
    return f"{mid:.2f}× (min {r[0]:.2f}, max {r[-1]:.2f}, {len(r)} rounds)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="telemetry rows (default 2M)")
    parser.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the file")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each step, interleaved; the fastest counts (default 1)")
    parser.add_argument("--generate", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate is not None:
        generate(args.generate, args.rows, args.format)
        return 0
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / f"telemetry.{args.format}"
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", str(path), "--rows",
                        str(args.rows), "--format", args.format], check=True)
        made = time.perf_counter() - t
        size = path.stat().st_size / 1e6
        print(f"telemetry: {args.rows:,} rows + 0.1 % duplicated, {args.format}, "
              f"{size:,.1f} MB, generated in {made:.1f} s")
        steps = {"gpact": (GPACT, str(path), str(UTILIZATION)),
                 "same": (BASELINE, str(path), str(UTILIZATION), str(PEAK), "same", args.format),
                 "naive": (BASELINE, str(path), str(UTILIZATION), str(PEAK), "naive",
                           args.format)}
        results: dict[str, list[dict[str, float]]] = {k: [] for k in steps}
        for _ in range(args.repeat):  # interleaved, so that load on the machine hits all alike
            for name, step in steps.items():
                results[name].append(run(*step))
        g, same, naive = (median(results[k]) for k in ("gpact", "same", "naive"))
    n = int(g["rows"])
    print(f"{'':<34}{'seconds':>9}{'rows/s':>14}{'peak RSS':>11}{'gpact ÷ it':>12}")
    for name, r in (("gpact", g), ("baseline: same result (DuckDB)", same),
                    ("baseline: naive sum (DuckDB)", naive)):
        ratio = g["seconds"] / r["seconds"]
        print(f"{name:<34}{r['seconds']:>9.2f}{n / r['seconds']:>14,.0f}"
              f"{r['rss_mb']:>8.0f} MB{ratio:>11.2f}×")
    print(f"gpact ÷ same-result baseline: {ratios(results['gpact'], results['same'])}; "
          f"peak RSS {g['rss_mb']:.0f} MB (target ≤ 1.2× Parquet, ≤ 1.5× CSV, ≤ 1024 MB)")
    agree = abs(g["total"] - same["total"]) <= 1e-9 * same["total"]
    print(f"gpact total {g['total']:.6g} FLOP, same-result baseline {same['total']:.6g} FLOP "
          f"({'equal' if agree else 'DIFFERENT'}); naive sum {naive['total']:.6g} FLOP counts "
          f"{g['duplicates']:,.0f} duplicated rows twice")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
