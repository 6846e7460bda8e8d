"""Crawl-time audit throughput: ``gpact rights audit`` on a synthetic crawl log.

    python benchmarks/rights_audit.py                          # 10 000 000 rows, 2 000 hosts
    python benchmarks/rights_audit.py --rows 200000 --hosts 100   # smoke size

DuckDB writes the synthetic log (Parquet) and the robots.txt snapshots (two per host, a day
apart, 20 % of them changed; 5 % unreachable, 5 % 404) to a temporary folder; the audit then
runs end to end (read, as-of join, match, write verdicts, summary) in a fresh process, so
its peak RSS is its own. ``--compare-src /work/main/src`` runs another source tree's audit
on the same inputs, interleaved with this one (``--repeat`` times), and prints the ratios.
Baseline, measured in the same run on a sample: a straightforward per-row audit in Python
(bisect for the snapshot in force, protego's ``can_fetch`` per row).
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from rights_robots import AGENT, SEGMENTS, _robots

from gpact.rights.audit import AuditOptions

DAY0 = 1_772_323_200  # 2026-03-01T00:00:00Z


def make_inputs(folder: Path, rows: int, hosts: int, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    origins, fetched, statuses, bodies = [], [], [], []
    for h in range(hosts):
        status, body = "", ""
        for day in (0, 1):
            if day == 0 or rng.random() < 0.2:  # 20 % of hosts change their file overnight
                roll = rng.random()
                status = "unreachable" if roll < 0.05 else ("404" if roll < 0.10 else "200")
                body = _robots(rng, f"host{h}.example") if status == "200" else ""
            origins.append(f"https://host{h}.example")
            fetched.append((DAY0 + day * 86400 - 3600) * 1_000_000)
            statuses.append(status)
            bodies.append(body)
    snaps = folder / "snapshots.parquet"
    pq.write_table(pa.table({"origin": origins,
                             "fetched_at": pa.array(fetched, pa.timestamp("us")),
                             "status": statuses, "body": bodies}), snaps)
    log = folder / "crawl.parquet"
    segments = "[" + ", ".join(f"'{s}'" for s in SEGMENTS) + "]"
    con = duckdb.connect()
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    con.execute(f"""
        COPY (
          SELECT 'https://host' || (hash(i) % {hosts}) || '.example/' ||
                 list_element({segments}, (hash(i * 7) % {len(SEGMENTS)})::INT + 1) || '/' ||
                 list_element({segments}, (hash(i * 13) % {len(SEGMENTS)})::INT + 1) ||
                 CASE hash(i * 17) % 6 WHEN 0 THEN '.html' WHEN 1 THEN '?sort=price'
                      WHEN 2 THEN '.php' WHEN 3 THEN '/item' || (i % 997) ELSE '' END AS url,
                 to_timestamp({DAY0} + (hash(i * 3) % 172800)::BIGINT)::TIMESTAMP AS fetched_at,
                 'Mozilla/5.0 (compatible; {AGENT}/1.0; +https://example.com/bot)' AS user_agent,
                 CASE WHEN hash(i * 19) % 50 = 0 THEN '{{"tdm-reservation": "1"}}' END
                   AS http_headers,
                 200 AS status
          FROM range({rows}) t(i)
        ) TO '{log}' (FORMAT parquet)""")
    con.close()
    return log, snaps


def naive_audit(log: Path, snaps: Path, sample: int) -> tuple[int, float]:
    """A per-row Python audit with protego: the baseline."""
    from protego import Protego

    table = pq.read_table(snaps).to_pylist()
    by_origin: dict[str, list[tuple[float, str, str]]] = {}
    for s in table:
        by_origin.setdefault(s["origin"], []).append(
            (s["fetched_at"].timestamp(), s["status"], s["body"]))
    for entries in by_origin.values():
        entries.sort()
    parsed: dict[tuple[str, float], Protego] = {}
    first = next(pq.ParquetFile(log).iter_batches(batch_size=sample,
                                                  columns=["url", "fetched_at"]))
    rows = first.to_pylist()
    t = time.perf_counter()
    verdicts = []
    for row in rows:
        origin = "/".join(row["url"].split("/", 3)[:3])
        entries = by_origin.get(origin, [])
        when = row["fetched_at"].timestamp()
        k = bisect.bisect_right([e[0] for e in entries], when) - 1
        if k < 0 or when - entries[k][0] > 86400:
            verdicts.append("no_snapshot")
            continue
        at, status, body = entries[k]
        if status == "unreachable":
            verdicts.append("unreachable_disallow")
        elif status == "404":
            verdicts.append("allowed")
        else:
            rp = parsed.get((origin, at))
            if rp is None:
                rp = parsed[(origin, at)] = Protego.parse(body)
            verdicts.append("allowed" if rp.can_fetch(row["url"], AGENT) else "disallowed")
    return len(verdicts), time.perf_counter() - t


_CHILD = """
import json, resource, sys, time
from pathlib import Path
from gpact.rights.audit import AuditOptions, run_audit, summarize
log, snaps, out, limit, engine, jobs = sys.argv[1:7]
extra = {"jobs": int(jobs)} if jobs != "-" else {}  # (older trees have no jobs option)
options = AuditOptions([log], [snaps], Path(out), memory_limit=limit, engine=engine, **extra)
t, cpu = time.perf_counter(), time.process_time()
if engine == "spark":
    from gpact.rights.audit_spark import run_audit_spark
    result = run_audit_spark(options)
else:
    result = run_audit(options)
audit_s = time.perf_counter() - t
summary = summarize(result, options)
print("RESULT " + json.dumps({"wall": time.perf_counter() - t, "audit": audit_s,
                  "cpu": time.process_time() - cpu, "totals": summary["totals"],
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "workers_rss": getattr(result, "workers_peak_rss_mib", []),
                  "workers_cpu": getattr(result, "workers_cpu_s", [])},
                             default=str))
"""


def run_child(src: str, log: Path, snaps: Path, out: Path, limit: str,
              engine: str, jobs: int | None) -> dict[str, Any]:
    """One audit in a fresh process with ``src`` first on the path. Peak RSS and CPU are its
    own plus each worker's, as the workers report them (a worker's RSS includes the pages it
    shares with the fork server and the other workers, so the sum is an upper bound)."""
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(log), str(snaps), str(out), limit,
                           engine, "-" if jobs is None else str(jobs)], env=env,
                          capture_output=True, text=True, check=True)
    if "RESULT " not in done.stdout:  # (older trees print DuckDB's progress bar on stdout)
        raise SystemExit(f"audit from {src} printed no result:\n{done.stdout[-2000:]}\n"
                         f"{done.stderr[-2000:]}")
    line = done.stdout.rsplit("RESULT ", 1)[1].splitlines()[0]
    result: dict[str, Any] = json.loads(line)
    result["main_rss"], result["main_cpu"] = result["rss"], result["cpu"]
    result["rss"] += sum(result["workers_rss"])
    result["cpu"] += sum(result["workers_cpu"])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--hosts", type=int, default=2000)
    ap.add_argument("--baseline-rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=9309)
    ap.add_argument("--memory-limit", default=AuditOptions.memory_limit,
                    help="DuckDB memory limit")
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument("--compare-src", default=None, help="another gpact source tree (e.g. "
                    "the main branch's src/): its audit runs on the same inputs, interleaved")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each audit")
    ap.add_argument("--jobs", default="2,1", help="this tree's audit with these --jobs values "
                    "(each run interleaved with the others)")
    args = ap.parse_args(argv)
    ours_src = str(Path(__file__).resolve().parent.parent / "src")
    with tempfile.TemporaryDirectory(prefix="gpact-bench-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        log, snaps = make_inputs(folder, args.rows, args.hosts, args.seed)
        print(f"inputs: {args.rows} log rows, {2 * args.hosts} snapshots "
              f"(written in {time.perf_counter() - t:.1f}s)")
        contenders = [(f"gpact x{j}", ours_src, int(j)) for j in args.jobs.split(",")]
        if args.compare_src is not None:
            contenders.append(("compared", args.compare_src, None))
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in contenders}
        for _ in range(args.repeat):  # interleaved: all see the same machine load
            for name, src, jobs in contenders:
                load = os.getloadavg()[0]
                runs[name].append(run_child(src, log, snaps, folder / "verdicts.parquet",
                                            args.memory_limit, args.engine, jobs))
                runs[name][-1]["load"] = load
        for name, results in runs.items():
            for r in results:
                workers = (f" = main {r['main_cpu']:.1f}s + workers "
                           f"{' + '.join(f'{c:.1f}s' for c in r['workers_cpu'])}"
                           if r["workers_cpu"] else "")
                rss = (f" = main {r['main_rss']:.0f} + workers "
                       f"{' + '.join(f'{m:.0f}' for m in r['workers_rss'])}"
                       if r["workers_rss"] else "")
                print(f"{name:>9} audit ({args.engine}): {r['wall']:.1f}s wall ({r['audit']:.1f}s "
                      f"audit + {r['wall'] - r['audit']:.1f}s summary), {r['cpu']:.1f}s CPU"
                      f"{workers}, peak RSS {r['rss']:.0f} MiB{rss} (DuckDB memory_limit "
                      f"{args.memory_limit}; load average {r['load']:.1f} at start)")
        ours = runs[contenders[0][0]]
        print(f"  verdicts: {ours[0]['totals']}")
        if args.compare_src is not None:
            for name, _, _ in contenders[:-1]:
                same = all(r["totals"] == ours[0]["totals"] for r in runs[name] + runs["compared"])
                for key in ("wall", "cpu"):
                    ratios = [c[key] / g[key] for g, c in zip(runs[name], runs["compared"],
                                                              strict=True)]
                    print(f"{name} vs {args.compare_src} ({key}): "
                          f"{statistics.median(ratios):.2f}x faster, median of {len(ratios)} "
                          f"(min {min(ratios):.2f}, max {max(ratios):.2f}); same totals: {same}")
        n, naive_s = naive_audit(log, snaps, args.baseline_rows)
        rate = args.rows / statistics.median(r["wall"] for r in ours)
        print(f"baseline (per-row Python + protego, {n} rows): {n / naive_s:,.0f} rows/s; "
              f"gpact {rate:,.0f} rows/s = {rate / (n / naive_s):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
