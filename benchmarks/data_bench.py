"""Benchmark `gpact data summarize` against hand-written baselines, in one command.

For each size it generates (or reuses) a synthetic manifest with ``data_generate`` and runs,
each in a fresh process so that peak memory is measured per contender:

* ``gpact``      the complete summary (DuckDB engine), as ``gpact data summarize`` computes it;
* ``a_duckdb``   a hand-written DuckDB query that only groups crawled rows by host and ranks
                 hosts by bytes (the near-limit reference: no validation, no domains);
* ``b_tldextract`` that query plus tldextract (bundled snapshot, never fetches) on each
                 distinct host, then bytes per registrable domain;
* ``c_pandas``   the same ranking by host with pandas, batch by batch.

It prints time, rows/s, the ratio to ``a_duckdb`` and peak RSS, then the issue's targets.

    python benchmarks/data_bench.py --rows 10_000_000 --rows 30_000_000 --hosts 3_000_000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONTENDERS = ("gpact", "a_duckdb", "b_tldextract", "c_pandas")
REFERENCE = "a_duckdb"
HOST_QUERY = ("SELECT split_part(url, '/', 3) AS host, sum(bytes) AS bytes "
              "FROM read_parquet({files}) WHERE source_kind = 'crawled' "
              "GROUP BY host ORDER BY bytes DESC")


def _host_ranking(files: list[str]) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # it would print on stdout
    return con.sql(HOST_QUERY.format(files=_files_sql(files)))


def _files_sql(files: list[str]) -> str:
    return "[" + ", ".join(f"'{f}'" for f in files) + "]"


def run_gpact(files: list[str]) -> list[str]:
    from gpact.data import Options, summarize_manifests

    doc = summarize_manifests(files, Options(as_of=dt.date(2026, 11, 22)))
    json.dumps(doc)
    return [d["domain"] for d in doc["top_domains"][:10]]


def run_a_duckdb(files: list[str]) -> list[str]:
    table = _host_ranking(files).to_arrow_table()
    return [str(h) for h in table["host"].slice(0, 10).to_pylist()]


def run_b_tldextract(files: list[str]) -> list[str]:
    import tldextract

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    rows = _host_ranking(files).fetchall()
    by_domain: dict[str, int] = {}
    for host, nbytes in rows:
        parts = extract(host)
        domain = parts.top_domain_under_public_suffix or host
        by_domain[domain] = by_domain.get(domain, 0) + int(nbytes)
    ranked = sorted(by_domain.items(), key=lambda kv: (-kv[1], kv[0]))
    return [d for d, _ in ranked[:10]]


def run_c_pandas(files: list[str]) -> list[str]:
    import pandas as pd
    import pyarrow.parquet as pq

    partial = []
    for path in files:
        for batch in pq.ParquetFile(path).iter_batches(columns=["source_kind", "url", "bytes"]):
            frame = batch.to_pandas()
            frame = frame[frame["source_kind"] == "crawled"]
            host = frame["url"].str.split("/", n=3).str[2]
            partial.append(frame["bytes"].groupby(host).sum())
    totals = pd.concat(partial).groupby(level=0).sum().sort_values(ascending=False)
    return [str(h) for h in totals.index[:10]]


def peak_rss_mib() -> float:
    """This process's peak resident set size (VmHWM: counted from exec, not inherited)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource  # not Linux: ru_maxrss (bytes on macOS)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def child(name: str, files: list[str]) -> None:
    """Run one contender in this process and print its time and peak memory as JSON."""
    start = time.perf_counter()
    top = globals()[f"run_{name}"](files)
    print(json.dumps({"seconds": time.perf_counter() - start, "top": top,
                      "peak_mib": peak_rss_mib()}))


def measure(name: str, files: list[str]) -> dict[str, Any]:
    """Run a contender in a fresh process (imports included in its time)."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", name, *files],
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(
                                HERE.parent / "src") + os.pathsep + os.environ.get(
                                    "PYTHONPATH", "")})
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def dataset(root: Path, rows: int, hosts: int, zipf: float, seed: int) -> list[str]:
    sys.path.insert(0, str(HERE))
    from data_generate import generate

    folder = root / f"rows{rows}_hosts{hosts}_zipf{zipf}_seed{seed}"
    done = folder / "DONE"
    if not done.exists():
        started = time.perf_counter()
        files = max(1, rows // 10_000_000)
        generate(folder, rows, hosts, files=files, s=zipf, seed=seed)
        done.write_text("ok")
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.0f} s -> {folder}",
              flush=True)
    return sorted(str(p) for p in folder.glob("*.parquet"))


def report(rows: int, results: dict[str, dict[str, Any]]) -> list[str]:
    ref = results.get(REFERENCE, {}).get("seconds")
    lines = [f"\n{rows:,} rows", f"{'contender':<14}{'seconds':>9}{'Mrows/s':>9}"
             f"{'x ' + REFERENCE:>12}{'peak MiB':>10}"]
    for name, r in results.items():
        ratio = f"{r['seconds'] / ref:.2f}" if ref else "—"
        lines.append(f"{name:<14}{r['seconds']:>9.2f}{rows / r['seconds'] / 1e6:>9.2f}"
                     f"{ratio:>12}{r['peak_mib']:>10.0f}")
    g = results.get("gpact")
    if g and ref:
        b = results.get("b_tldextract")
        lines.append(f"targets: gpact <= 1.5x {REFERENCE}: {g['seconds'] / ref:.2f}x "
                     f"({'met' if g['seconds'] <= 1.5 * ref else 'NOT met'}); "
                     + (f"faster than b_tldextract: "
                        f"{'yes' if g['seconds'] < b['seconds'] else 'NO'}; " if b else "")
                     + f"peak <= 4 GiB: {'yes' if g['peak_mib'] <= 4096 else 'NO'}")
    if g and "b_tldextract" in results:
        same = g["top"] == results["b_tldextract"]["top"]
        lines.append(f"top-10 domains agree with tldextract: {'yes' if same else 'NO'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, action="append",
                        help="manifest size; repeat for several (default 1 000 000)")
    parser.add_argument("--hosts", type=int, default=None,
                        help="distinct hosts to draw from (default rows / 3)")
    parser.add_argument("--zipf", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender; best kept")
    parser.add_argument("--skip", action="append", default=[], choices=CONTENDERS)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/gpact-data-bench"))
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1:])
        return 0
    lines = [f"gpact data benchmark on {os.cpu_count()} cores"]
    for rows in args.rows or [1_000_000]:
        files = dataset(args.dir, rows, args.hosts or max(1, rows // 3), args.zipf, args.seed)
        results: dict[str, dict[str, Any]] = {}
        for name in CONTENDERS:
            if name in args.skip:
                continue
            runs = [measure(name, files) for _ in range(args.repeat)]
            results[name] = min(runs, key=lambda r: r["seconds"])
            results[name]["peak_mib"] = max(r["peak_mib"] for r in runs)
            print(f"  {rows:,} rows {name}: {results[name]['seconds']:.2f} s", flush=True)
        block = report(rows, results)
        print("\n".join(block), flush=True)
        lines += block
    print("\n".join(["", "summary", *lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
