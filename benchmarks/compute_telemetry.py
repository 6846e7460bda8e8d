"""Benchmark: ingest a large compute-telemetry file with gpact against hand-written DuckDB.

    python benchmarks/compute_telemetry.py --rows 20000000 [--format parquet|csv|jsonl]
                                           [--repeat 3] [--nested]

Generates a telemetry file: 1000 concurrent runs reporting every minute in time order, 0.1 %
of rows duplicated. That is an ordered log, which takes gpact's fast plan; ``--nested`` adds
0.1 % rows lying inside others, which makes gpact fall back to its nested plan. Then runs,
each in its own subprocess so that peak memory is its own:

* gpact: ``ledger_from_telemetry`` (validation, duplicate/overlap clipping, hourly series);
* baseline "same result": one hand-written DuckDB query computing what gpact reports from the
  file — per hour, phase and accelerator the clipped and raw accelerator-seconds and the
  numbers of duplicated and partly overlapping rows — with the clipping any query correct on
  every file needs (the running maximum of earlier ends per stream). It does not validate rows;
* baseline "naive sum": a plain DuckDB sum that ignores duplicates (overcounts them).

Prints wall and CPU seconds, rows/s, the ratio of gpact's time to each baseline's, peak RSS
per process (VmHWM) and gpact's plan, and checks that gpact's hourly series, total and
duplicate/overlap counts equal the same-result baseline's. ``--repeat N`` runs N rounds, each
running every step once in an order that rotates from round to round; the table shows
medians, the ratio lines the median and min–max of the per-round ratios, of wall time and of
CPU time (on a loaded machine CPU time moves much less than wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

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
rules = default_rulebook().at(dt.date(2026, 11, 22))
t, cpu = time.perf_counter(), time.process_time()
ledger = ledger_from_telemetry([sys.argv[1]], rules, utilization=float(sys.argv[2]),
                               progress=False)
seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
seen = ledger.telemetry[0]
print(json.dumps({"seconds": seconds, "cpu": cpu, "total": ledger.total("cumulative").flop,
                  "duplicates": seen["duplicate_rows"], "overlaps": seen["overlapping_rows"],
                  "rows": seen["rows"], "plan": seen["plan"],
                  "hourly": sorted([h.timestamp(), sum(c[0] for c in cells.values())]
                                   for h, cells in ledger.hourly.items()),
                  "rss_mb": peak_rss_mb()}))
"""

BASELINE = PEAK_RSS + """
import json, sys, time, duckdb
path, util, peak, mode = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
reader = {"parquet": f"read_parquet('{path}')", "csv": f"read_csv('{path}')",
          "jsonl": f"read_json('{path}', format='newline_delimited')"}[sys.argv[5]]
t, cpu = time.perf_counter(), time.process_time()
con = duckdb.connect()
con.execute("SET memory_limit='512MB'; SET preserve_insertion_order=false; "
            "SET enable_progress_bar_print=false")
con.execute(f"SET temp_directory='{path}.spill'")
if mode == "naive":
    sql = f'''SELECT NULL, sum("count" * "seconds"), 0, 0, phase FROM {reader} GROUP BY phase'''
else:
    sql = f'''
    WITH r AS (SELECT run_id, phase, accelerator, "count"::DOUBLE AS n, "seconds" AS secs,
                      epoch("timestamp") AS t_end, epoch("timestamp") - "seconds" AS t_start
               FROM {reader}),
    w AS (SELECT *, max(t_end) OVER (PARTITION BY run_id, phase, accelerator ORDER BY t_start
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end FROM r),
    c AS (SELECT *, CASE WHEN prev_end >= t_end THEN 0
                         WHEN prev_end - t_start >= 0.001 THEN (t_end - prev_end) / secs
                         ELSE 1 END AS frac FROM w)
    SELECT ceil(t_end / 3600) * 3600 AS hour, sum(n * secs * frac) AS dev_s,
           count(*) FILTER (WHERE frac = 0) AS dups,
           count(*) FILTER (WHERE frac > 0 AND frac < 1) AS overlaps, phase, accelerator,
           count(*) AS rows_, sum(n * secs) AS raw_dev_s, min(t_start) AS first_,
           max(t_end) AS last_
    FROM c GROUP BY ALL'''
groups = con.execute(sql).fetchall()
seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
hourly = {}
for hour, dev_s, *_ in groups:
    if hour is not None:
        hourly[hour] = hourly.get(hour, 0.0) + dev_s * peak * util
print(json.dumps({"seconds": seconds, "cpu": cpu,
                  "total": sum(g[1] for g in groups if g[4] != "evaluation") * peak * util,
                  "duplicates": sum(g[2] for g in groups), "overlaps": sum(g[3] for g in groups),
                  "hourly": sorted([h, f] for h, f in hourly.items()),
                  "rss_mb": peak_rss_mb()}))
"""


def generate(path: Path, rows: int, fmt: str, nested: bool) -> None:
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
          UNION ALL  -- a restarted worker re-reporting 20 s inside a minute already reported
          SELECT run_id, phase, timestamp - INTERVAL 10 SECOND, accelerator, count, 20.0
          FROM base WHERE {'TRUE' if nested else 'FALSE'} AND i % 1000 = 11
        ) TO '{path}' {options}
    """))


def run(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        sys.exit(f"benchmark step failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median run by time, with the highest peak memory seen."""
    middle = dict(sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2])
    middle["rss_mb"] = max(r["rss_mb"] for r in runs)
    return middle


def ratios(mine: list[dict[str, Any]], theirs: list[dict[str, Any]], key: str) -> str:
    """Median and min–max of the per-round ratios of ``key`` (wall or CPU seconds)."""
    r = sorted(a[key] / b[key] for a, b in zip(mine, theirs, strict=True))
    mid = r[len(r) // 2] if len(r) % 2 else (r[len(r) // 2 - 1] + r[len(r) // 2]) / 2
    return f"{mid:.2f}× (min {r[0]:.2f}, max {r[-1]:.2f}, {len(r)} rounds)"


def same_result(g: dict[str, Any], b: dict[str, Any]) -> bool:
    """gpact and the baseline agree on the total, the counts and every hour of the series."""
    def close(x: float, y: float) -> bool:
        return abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1.0)

    hours_g = {h: f for h, f in g["hourly"]}
    hours_b = {h: f for h, f in b["hourly"]}
    return (close(g["total"], b["total"]) and g["duplicates"] == b["duplicates"]
            and g["overlaps"] == b["overlaps"] and hours_g.keys() == hours_b.keys()
            and all(close(hours_g[h], hours_b[h]) for h in hours_g))


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="telemetry rows (default 2M)")
    parser.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the file")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds, each running every step once (default 1)")
    parser.add_argument("--nested", action="store_true",
                        help="add rows nested inside others (gpact's nested plan)")
    parser.add_argument("--generate", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate is not None:
        generate(args.generate, args.rows, args.format, args.nested)
        return 0
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / f"telemetry.{args.format}"
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", str(path), "--rows",
                        str(args.rows), "--format", args.format]
                       + (["--nested"] if args.nested else []), check=True)
        made = time.perf_counter() - t
        size = path.stat().st_size / 1e6
        print(f"telemetry: {args.rows:,} rows + 0.1 % duplicated"
              f"{' + 0.1 % nested' if args.nested else ''}, {args.format}, {size:,.1f} MB, "
              f"generated in {made:.1f} s; load average {load()}")
        steps = {"gpact": (GPACT, str(path), str(UTILIZATION)),
                 "same": (BASELINE, str(path), str(UTILIZATION), str(PEAK), "same", args.format),
                 "naive": (BASELINE, str(path), str(UTILIZATION), str(PEAK), "naive",
                           args.format)}
        names = list(steps)
        results: dict[str, list[dict[str, Any]]] = {k: [] for k in steps}
        for round_ in range(args.repeat):  # rotated, so that no step always runs first
            for name in names[round_ % 3:] + names[:round_ % 3]:
                results[name].append(run(*steps[name]))
        g, same, naive = (median(results[k]) for k in ("gpact", "same", "naive"))
    n = int(g["rows"])
    print(f"{'':<34}{'seconds':>9}{'CPU s':>8}{'rows/s':>14}{'peak RSS':>11}{'gpact ÷ it':>12}")
    for name, r in (("gpact", g), ("baseline: same result (DuckDB)", same),
                    ("baseline: naive sum (DuckDB)", naive)):
        print(f"{name:<34}{r['seconds']:>9.2f}{r['cpu']:>8.1f}{n / r['seconds']:>14,.0f}"
              f"{r['rss_mb']:>8.0f} MB{g['seconds'] / r['seconds']:>11.2f}×")
    print("gpact ÷ same-result baseline per round: wall time "
          f"{ratios(results['gpact'], results['same'], 'seconds')}; CPU time "
          f"{ratios(results['gpact'], results['same'], 'cpu')}")
    print(f"peak RSS gpact {g['rss_mb']:.0f} MB, baseline {same['rss_mb']:.0f} MB (target "
          f"≤ 1.2× Parquet, ≤ 1.5× CSV, ≤ 1024 MB); gpact plan: "
          f"{', '.join(sorted({r['plan'] for r in results['gpact']}))}; load average {load()}")
    agree = all(same_result(a, b) for a, b in zip(results["gpact"], results["same"],
                                                    strict=True))
    print(f"gpact total {g['total']:.6g} FLOP, same-result baseline {same['total']:.6g} FLOP; "
          f"hourly series, {g['duplicates']:,} duplicated and {g['overlaps']:,} overlapping "
          f"rows: {'equal' if agree else 'DIFFERENT'}; naive sum {naive['total']:.6g} FLOP "
          f"counts the {g['duplicates']:,} covered rows again")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
