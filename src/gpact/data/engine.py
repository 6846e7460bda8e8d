"""What an engine computes, and the plan every engine follows.

An engine only opens the input files, runs SQL (see ``query``) and applies a column-wise
Arrow function to a relation (``map_arrow``: in-process for DuckDB, ``mapInArrow`` on the
executors for Spark). The plan is the same for both, which is why DuckDB and Spark give
identical results on the same inputs:

1. *hosts pass*: crawled rows grouped by URL key (the only pass that reads the URL column);
2. keys parsed into normalised hosts (``hosts.hosts_from_keys``) on the distinct keys;
3. *totals pass*: all rows grouped by file, kind, source, modality, language and checks;
   keys without a valid host mark their rows ``url_unparseable``;
4. only if the totals show invalid crawled rows: a correction pass takes their bytes back
   out of the per-key sums (the hosts pass does not test validity, so that it costs what a
   plain group-by costs);
5. hosts mapped to registrable domains (``psl.registrable_domains``, the suffix list shared
   with the executors), bytes summed per domain and ranked in the engine. What reaches the
   caller does not grow with the number of domains: a few integers computed in SQL over the
   histogram of domain sizes (count, bytes, ties at the cut-off, bytes of the top k, the
   fewest domains holding half, the sum of squares for the HHI) and the ranked list itself
   (``top_count``: the length the rule requires), streamed batch by batch into a Parquet
   file (``domain_list.RankedDomains``).

Intermediate tables are dropped as soon as the next step has read them, so that an engine
under a memory limit spills only what is still needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa

from gpact.data.domain_list import RankedDomains
from gpact.data.hosts import hosts_from_keys
from gpact.data.inputs import ManifestFile
from gpact.data.psl import IP_ADDRESS, SUFFIX_ONLY, SuffixRules, load_rules, registrable_domains
from gpact.data.query import (
    Relation,
    clean_union,
    correction_sql,
    hosts_sql,
    totals_sql,
)

CLEAN_VIEW = "gpact_manifest"
KEYS_VIEW = "gpact_url_keys"
PARSED_VIEW = "gpact_url_hosts"
BAD_KEYS_VIEW = "gpact_bad_url_keys"
FIX_VIEW = "gpact_invalid_crawled"
HOSTS_VIEW = "gpact_hosts"
MAPPED_VIEW = "gpact_host_domains"
DOMAINS_VIEW = "gpact_domains"
SIZES_VIEW = "gpact_domain_sizes"

PARSED_SCHEMA = pa.schema([("key", pa.string()), ("host", pa.string()),
                           ("items", pa.int64()), ("bytes", pa.int64())])
MAPPED_SCHEMA = pa.schema([("domain", pa.string()), ("kind", pa.int32()),
                           ("items", pa.int64()), ("bytes", pa.int64())])
ArrowFn = Callable[[pa.RecordBatch, Any], pa.RecordBatch]


@dataclass(frozen=True)
class DomainFigures:
    """Bytes per crawled registrable domain, reduced in the engine to what is reported."""

    count: int
    bytes: int
    listed: RankedDomains  # the first ``top_count(count)`` domains in rank order
    ties_at_cutoff: int  # domains as large as the last listed one, not listed
    top_bytes: dict[int, int]  # k -> bytes of the k largest domains (listed, 1 %, 10 %)
    half: int | None  # the fewest domains holding at least half of the bytes
    sum_of_squares: int  # of the bytes per domain (HHI = this / bytes²)


@dataclass
class Aggregates:
    """The engine's output: grouped totals and the figures of the crawled domains."""

    totals: list[dict[str, Any]]
    domains: DomainFigures
    host_counts: dict[str, int]
    files: dict[str, int]  # file name as the engine reports it -> index into the inputs
    columns_missing: dict[str, list[str]] = field(default_factory=dict)


class Backend(Protocol):
    name: str

    def open(self, files: list[ManifestFile]) -> list[Relation]: ...

    def create_view(self, name: str, sql: str) -> None: ...

    def materialize(self, name: str, sql: str, label: str) -> None: ...

    def map_arrow(self, source: str, fn: ArrowFn, schema: pa.Schema, name: str,
                  shared: Any = None) -> None: ...

    def arrow(self, sql: str, label: str) -> pa.Table: ...

    def batches(self, sql: str, label: str) -> Iterator[pa.RecordBatch]: ...

    def drop(self, *names: str) -> None: ...

    def rows(self, sql: str, label: str) -> list[dict[str, Any]]: ...

    def file_key(self, name: str) -> str: ...


def parse_keys(batch: pa.RecordBatch, _: Any = None) -> pa.RecordBatch:
    """(key, items, bytes) -> (key, host, items, bytes); host is null for invalid keys."""
    keys = batch.column("key")
    return pa.RecordBatch.from_arrays(
        [keys.cast(pa.string()), hosts_from_keys(keys), batch.column("items").cast(pa.int64()),
         batch.column("bytes").cast(pa.int64())], schema=PARSED_SCHEMA)


def map_domains(batch: pa.RecordBatch, rules: SuffixRules) -> pa.RecordBatch:
    """(host, items, bytes) -> (domain, kind, items, bytes) by the suffix list ``rules``."""
    domains, kinds = registrable_domains(batch.column("host"), rules)
    return pa.RecordBatch.from_arrays(
        [domains, pa.array(kinds.astype("int32")), batch.column("items").cast(pa.int64()),
         batch.column("bytes").cast(pa.int64())], schema=MAPPED_SCHEMA)


def _needs_correction(totals: list[dict[str, Any]]) -> bool:
    from gpact.data.summary import reason_of

    return any(row["source_kind"] == "crawled"
               and reason_of(row) not in (None, "url_missing", "url_unparseable")
               for row in totals)


def run(backend: Backend, files: list[ManifestFile], mapping: dict[str, str],
        psl_private: bool = False, *, top_count: Callable[[int], int]) -> Aggregates:
    """The plan of the module docstring, on ``backend``; ``top_count`` gives the length of
    the domain list for a number of domains."""
    relations = backend.open(files)
    sql, valid = clean_union(relations, mapping)
    backend.create_view(CLEAN_VIEW, sql)
    backend.materialize(KEYS_VIEW, hosts_sql(CLEAN_VIEW), "crawled hosts")
    backend.map_arrow(KEYS_VIEW, parse_keys, PARSED_SCHEMA, PARSED_VIEW)
    backend.drop(KEYS_VIEW)
    bad_view = None
    invalid = f"FROM {PARSED_VIEW} WHERE host IS NULL"  # a null key: crawled without URL
    if backend.rows(f"SELECT count(*) AS n {invalid}", "invalid hosts")[0]["n"]:
        backend.materialize(BAD_KEYS_VIEW, f"SELECT key {invalid} AND key IS NOT NULL",
                            "invalid hosts")
        bad_view = BAD_KEYS_VIEW
    totals = backend.rows(totals_sql(CLEAN_VIEW, bad_view), "totals")
    hosts = (f"SELECT host, items, bytes FROM {PARSED_VIEW} WHERE host IS NOT NULL")
    fix_view = None
    if _needs_correction(totals):
        backend.materialize(FIX_VIEW, correction_sql(CLEAN_VIEW, valid), "invalid rows")
        fix_view = FIX_VIEW
        hosts += (f" UNION ALL SELECT p.host, -f.items AS items, -f.bytes AS bytes "
                  f"FROM {FIX_VIEW} f JOIN {PARSED_VIEW} p ON p.key = f.key "
                  "WHERE p.host IS NOT NULL")
    # keys differing only in scheme, case, port or user info are one host
    backend.materialize(HOSTS_VIEW, "SELECT host, CAST(sum(items) AS BIGINT) AS items, "
                        f"CAST(sum(bytes) AS BIGINT) AS bytes FROM ({hosts}) h "
                        "GROUP BY host HAVING sum(items) > 0", "hosts")
    backend.drop(*(v for v in (PARSED_VIEW, bad_view, fix_view) if v))
    backend.map_arrow(HOSTS_VIEW, map_domains, MAPPED_SCHEMA, MAPPED_VIEW,
                      shared=load_rules(psl_private))
    backend.drop(HOSTS_VIEW)
    backend.materialize(DOMAINS_VIEW, "SELECT domain, CAST(sum(bytes) AS BIGINT) AS bytes_sum, "
                        f"CAST(sum(items) AS BIGINT) AS items_sum FROM {MAPPED_VIEW} "
                        "GROUP BY domain", "domains")
    counts = backend.rows(
        f"SELECT count(*) AS distinct_hosts, "
        f"coalesce(sum(CASE WHEN kind = {SUFFIX_ONLY} THEN 1 ELSE 0 END), 0) "
        "AS hosts_that_are_public_suffixes, "
        f"coalesce(sum(CASE WHEN kind = {IP_ADDRESS} THEN 1 ELSE 0 END), 0) "
        f"AS ip_address_hosts FROM {MAPPED_VIEW}", "domains")[0]
    backend.drop(MAPPED_VIEW)
    figures = domain_figures(backend, top_count)
    backend.drop(DOMAINS_VIEW)
    index = {str(f.path.resolve()): i for i, f in enumerate(files)}
    seen = {str(row["file"]) for row in totals}
    file_index = {name: index[backend.file_key(name)] for name in seen
                  if backend.file_key(name) in index}
    missing = {rel.label: [c for c in ("url", "tokens", "seconds", "collected_at", "language")
                           if mapping.get(c, c) not in rel.columns] for rel in relations}
    return Aggregates(totals, figures, {k: int(v) for k, v in counts.items()}, file_index,
                      {k: v for k, v in missing.items() if v})


def domain_figures(backend: Backend, top_count: Callable[[int], int]) -> DomainFigures:
    """The figures of ``DOMAINS_VIEW`` (domain, bytes_sum, items_sum), in SQL.

    Everything but the list itself comes from the histogram of domain sizes (one row per
    distinct size, with the running count and bytes from the largest size down): the k-th
    largest size, and the bytes of the k largest domains, are read off the first row whose
    running count reaches k."""
    backend.materialize(SIZES_VIEW, (
        "SELECT size, n, sum(n) OVER (ORDER BY size DESC ROWS BETWEEN UNBOUNDED PRECEDING AND "
        "CURRENT ROW) AS upto, sum(size * n) OVER (ORDER BY size DESC ROWS BETWEEN UNBOUNDED "
        "PRECEDING AND CURRENT ROW) AS bytes_upto FROM (SELECT bytes_sum AS size, "
        f"count(*) AS n FROM {DOMAINS_VIEW} GROUP BY bytes_sum) h"), "domains")
    whole = backend.rows(
        "SELECT coalesce(sum(n), 0) AS count, coalesce(sum(size * n), 0) AS bytes, "
        "coalesce(sum(CAST(size AS DECIMAL(38, 0)) * size * n), 0) AS squares "
        f"FROM {SIZES_VIEW}", "domains")[0]
    count, total = int(whole["count"]), int(whole["bytes"])

    def first(condition: str) -> dict[str, Any]:
        return backend.rows(f"SELECT size, n, upto, bytes_upto FROM {SIZES_VIEW} "
                            f"WHERE {condition} ORDER BY upto LIMIT 1", "domains")[0]

    listed = min(top_count(count), count)
    top_bytes, ties, kth = {}, 0, None
    for k in {listed, -(-count // 100), -(-count // 10)} - {0}:
        row = first(f"upto >= {k}")
        top_bytes[k] = int(row["bytes_upto"]) - (int(row["upto"]) - k) * int(row["size"])
        if k == listed:
            kth, ties = int(row["size"]), int(row["upto"]) - k
    half = None
    if total > 0:
        row = first(f"2 * bytes_upto >= {total}")
        size, before = int(row["size"]), int(row["bytes_upto"]) - int(row["size"]) * int(row["n"])
        half = int(row["upto"]) - int(row["n"]) - (-(total - 2 * before) // (2 * size))
    ranked = backend.batches(
        f"SELECT domain, bytes_sum AS bytes, items_sum AS items FROM {DOMAINS_VIEW} "
        f"WHERE bytes_sum >= {kth} ORDER BY bytes_sum DESC, domain LIMIT {listed}",
        "domain list") if kth is not None else iter(())
    domains = RankedDomains.write(ranked, total)
    backend.drop(SIZES_VIEW)
    return DomainFigures(count, total, domains, ties, {0: 0, **top_bytes}, half,
                         int(whole["squares"]))
