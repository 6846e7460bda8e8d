"""Benchmark `gpact data summarize` against hand-written baselines, in one command.

For each size it generates (or reuses) a synthetic manifest with ``data_generate`` and runs,
each in a fresh process so that peak memory is measured per contender, interleaved (round
after round: every contender once per round, so load on the shared machine hits all alike):

* ``gpact``       the complete summary (DuckDB engine, its default memory limit), as
                  ``gpact data summarize --format json`` computes and writes it;
* ``duckdb_psl``  the reference: one hand-written DuckDB script computing the same
                  registrable-domain totals and top-10 % list on the same files. Per row it
                  does what gpact does (``split_part`` of crawled URLs, group by authority);
                  then, on distinct values, host normalisation (user info, port, case,
                  trailing dot), the Public Suffix List match as SQL joins of every host's
                  suffixes against the same bundled list (normal rules, ``*.`` wildcards,
                  ``!`` exceptions; IPs kept whole), bytes per domain and the top 10 %
                  (rounded up) by bytes, then name — fetched to Python and serialised;
* ``duckdb_hosts`` a lower bound: group crawled rows by authority and rank (no domains);
* ``tldextract``  ``duckdb_hosts`` plus tldextract per distinct host (``--with tldextract``);
* ``pandas``      the ranking by host with pandas, batch by batch (``--with pandas``).

It prints per contender the median time, rows/s and peak RSS, and gpact's ratio to the
reference as the median and min–max over rounds, then the issue's targets.

    python benchmarks/data_bench.py --rows 10_000_000 --rows 100_000_000 --repeat 3
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
CONTENDERS = ("gpact", "duckdb_psl", "duckdb_hosts", "tldextract", "pandas")
OPTIONAL = ("tldextract", "pandas")
REFERENCE = "duckdb_psl"
TARGET = 1.3
KEY_QUERY = ("SELECT split_part(url, '/', 3) AS key, CAST(sum(bytes) AS BIGINT) AS bytes, "
             "count(*) AS items FROM read_parquet({files}) WHERE source_kind = 'crawled' "
             "AND (url LIKE 'https://%' OR url LIKE 'http://%') GROUP BY 1")
HOST_QUERY = ("SELECT split_part(url, '/', 3) AS host, sum(bytes) AS bytes "
              "FROM read_parquet({files}) WHERE source_kind = 'crawled' "
              "GROUP BY host ORDER BY bytes DESC")
# The PSL match on distinct hosts, in SQL: every k-label suffix of every host joined against
# the rules; the longest rule wins, a ``*.`` rule matches one label more than its parent, an
# exception shortens the match by one label; no match means the default rule ``*``.
DOMAIN_SQL = """
CREATE TEMP TABLE hosts AS
  SELECT host, string_split(host, '.') AS labels, sum(bytes) AS bytes, sum(items) AS items
  FROM (SELECT rtrim(lower(regexp_extract(key, '^(?:[^@]*@)?(\\[[^]]*\\]|[^:]*)', 1)), '.')
               AS host, bytes, items FROM keys)
  GROUP BY host;
CREATE TEMP TABLE suffixes AS
  SELECT host, k, array_to_string(labels[len(labels) - k + 1:], '.') AS suffix,
         array_to_string(labels[len(labels) - k + 2:], '.') AS parent
  FROM (SELECT host, labels, unnest(range(1, len(labels) + 1)) AS k FROM hosts);
CREATE TEMP TABLE domains AS
  WITH hit AS (
    SELECT s.host, s.k, r.kind FROM suffixes s JOIN psl r ON r.rule = s.suffix
    UNION ALL
    SELECT s.host, s.k, 'normal' FROM suffixes s JOIN psl_wild w ON w.rule = s.parent
    WHERE s.k >= 2),
  ps AS (SELECT host, coalesce(max(k) FILTER (WHERE kind = 'exception') - 1,
                               max(k) FILTER (WHERE kind = 'normal'), 1) AS n
         FROM hit GROUP BY host)
  SELECT CASE WHEN regexp_full_match(h.host, '[0-9]{1,3}(\\.[0-9]{1,3}){3}')
                   OR h.host LIKE '[%' OR len(h.labels) <= coalesce(ps.n, 1) THEN h.host
              ELSE array_to_string(h.labels[len(h.labels) - coalesce(ps.n, 1):], '.')
         END AS domain, sum(h.bytes) AS bytes, sum(h.items) AS items
  FROM hosts h LEFT JOIN ps USING (host) GROUP BY 1;
"""


def _connect() -> Any:
    import duckdb

    con = duckdb.connect(config={"preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")  # it would print on stdout
    return con


def _host_ranking(files: list[str]) -> Any:
    return _connect().sql(HOST_QUERY.format(files=_files_sql(files)))


def _files_sql(files: list[str]) -> str:
    return "[" + ", ".join(f"'{f}'" for f in files) + "]"


def _psl_rules() -> tuple[list[str], list[str], list[str]]:
    """Normal rules, parents of ``*.`` rules and exceptions of the ICANN section of the list
    bundled with ``publicsuffixlist`` (Unicode and punycode spellings)."""
    from importlib import resources

    text = resources.files("publicsuffixlist").joinpath("public_suffix_list.dat").read_text(
        encoding="utf-8")
    normal, wild, exc = set(), set(), set()
    for raw in text.split("// ===BEGIN PRIVATE DOMAINS===")[0].splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0].lower()
        for form in {rule, rule.encode("idna").decode() if not rule.isascii() and
                     "*" not in rule and "!" not in rule else rule}:
            if form.startswith("!"):
                exc.add(form[1:])
            elif form.startswith("*."):
                wild.add(form[2:])
            else:
                normal.add(form)
    return sorted(normal), sorted(wild), sorted(exc)


def run_gpact(files: list[str]) -> list[str]:
    from gpact.data import Options, summarize_manifests, write_json

    doc = summarize_manifests(files, Options(as_of=dt.date(2026, 11, 22)))
    with open(os.devnull, "w", encoding="utf-8") as out:  # what --format json writes
        write_json(doc, out)
    return [d["domain"] for d in doc["top_domains"][:10]] + [
        f"{doc['domain_count']} domains, {len(doc['top_domains'])} listed"]


def run_duckdb_psl(files: list[str]) -> list[str]:
    import pyarrow as pa

    con = _connect()
    normal, wild, exc = _psl_rules()
    con.register("psl", pa.table({"rule": normal + exc,
                                  "kind": ["normal"] * len(normal) + ["exception"] * len(exc)}))
    con.register("psl_wild", pa.table({"rule": wild}))
    con.execute("CREATE TEMP TABLE keys AS " + KEY_QUERY.format(files=_files_sql(files)))
    con.execute(DOMAIN_SQL)
    (n,) = con.execute("SELECT count(*) FROM domains").fetchone()
    top = con.execute("SELECT domain, bytes, items FROM domains ORDER BY bytes DESC, domain "
                      f"LIMIT {-(-n // 10)}").fetchall()
    json.dumps([{"domain": d, "bytes": int(b), "items": int(i)} for d, b, i in top])
    return [str(d) for d, _, _ in top[:10]] + [f"{n} domains, {len(top)} listed"]


def run_duckdb_hosts(files: list[str]) -> list[str]:
    table = _host_ranking(files).to_arrow_table()
    return [str(h) for h in table["host"].slice(0, 10).to_pylist()]


def run_tldextract(files: list[str]) -> list[str]:
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


def run_pandas(files: list[str]) -> list[str]:
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


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2] if len(ordered) % 2 else \
        (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2


def report(rows: int, runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    lines = [f"\n{rows:,} rows ({len(next(iter(runs.values())))} rounds, medians)",
             f"{'contender':<14}{'seconds':>9}{'Mrows/s':>9}{'x ' + REFERENCE:>14}"
             f"{'peak MiB':>10}"]
    ref = runs.get(REFERENCE)
    for name, rs in runs.items():
        sec = _median([r["seconds"] for r in rs])
        ratio = "—" if not ref else \
            f"{_median([a['seconds'] / b['seconds'] for a, b in zip(rs, ref, strict=True)]):.2f}"
        lines.append(f"{name:<14}{sec:>9.2f}{rows / sec / 1e6:>9.2f}{ratio:>14}"
                     f"{max(r['peak_mib'] for r in rs):>10.0f}")
    g = runs.get("gpact")
    if g and ref:
        per_round = sorted(a["seconds"] / b["seconds"] for a, b in zip(g, ref, strict=True))
        med = _median(per_round)
        peak = max(r["peak_mib"] for r in g)
        lines.append(f"targets: gpact <= {TARGET}x {REFERENCE}: {med:.2f}x (min "
                     f"{per_round[0]:.2f}, max {per_round[-1]:.2f}) "
                     f"({'met' if med <= TARGET else 'NOT met'}); "
                     f"peak <= 4 GiB: {'yes' if peak <= 4096 else 'NO'} ({peak:.0f} MiB)")
        same = g[0]["top"] == ref[0]["top"]
        lines.append(f"top-10 domains, domain count and list length agree with {REFERENCE}: "
                     f"{'yes' if same else 'NO'}")
    if g and "tldextract" in runs:
        same = g[0]["top"][:10] == runs["tldextract"][0]["top"]
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
    parser.add_argument("--repeat", type=int, default=1, help="rounds (interleaved)")
    parser.add_argument("--skip", action="append", default=[], choices=CONTENDERS)
    parser.add_argument("--with", dest="extra", action="append", default=[], choices=OPTIONAL,
                        help="also run an optional contender")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/gpact-data-bench"))
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1:])
        return 0
    names = [n for n in CONTENDERS if n not in args.skip
             and (n not in OPTIONAL or n in args.extra)]
    lines = [f"gpact data benchmark on {os.cpu_count()} cores"]
    for rows in args.rows or [1_000_000]:
        files = dataset(args.dir, rows, args.hosts or max(1, rows // 3), args.zipf, args.seed)
        runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
        for round_ in range(args.repeat):
            for name in names:
                runs[name].append(measure(name, files))
                print(f"  {rows:,} rows round {round_ + 1} {name}: "
                      f"{runs[name][-1]['seconds']:.2f} s", flush=True)
        block = report(rows, runs)
        print("\n".join(block), flush=True)
        lines += block
    print("\n".join(["", "summary", *lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
