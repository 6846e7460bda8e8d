"""What an engine computes, and the two-pass plan every engine follows.

An engine only opens the input files and runs SQL (see ``query``); everything after the two
aggregations (domain mapping, rules, shares) is engine-neutral Python in ``summary``. That is
why DuckDB and Spark give identical results on the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from gpact.data.hosts import hosts_from_keys
from gpact.data.inputs import ManifestFile
from gpact.data.psl import bytes_per_domain, in_chunks
from gpact.data.query import Relation, clean_union, hosts_sql, totals_sql

CLEAN_VIEW = "gpact_manifest"
BAD_KEYS_VIEW = "gpact_bad_url_keys"


@dataclass
class Aggregates:
    """The engine's output: grouped totals and bytes per crawled registrable domain."""

    totals: list[dict[str, Any]]
    domains: pa.Table  # domain, bytes_sum, items_sum; valid crawled rows only
    host_counts: dict[str, int]
    files: dict[str, int]  # file name as the engine reports it -> index into the inputs
    columns_missing: dict[str, list[str]] = field(default_factory=dict)


class Backend(Protocol):
    name: str

    def open(self, files: list[ManifestFile]) -> list[Relation]: ...

    def create_view(self, name: str, sql: str) -> None: ...

    def arrow(self, sql: str, label: str) -> pa.Table: ...

    def register_keys(self, name: str, keys: pa.Array) -> None: ...

    def rows(self, sql: str, label: str) -> list[dict[str, Any]]: ...

    def file_key(self, name: str) -> str: ...


def run(backend: Backend, files: list[ManifestFile], mapping: dict[str, str],
        psl_private: bool = False) -> Aggregates:
    """Hosts pass, host parsing on distinct keys, bytes per registrable domain, then the
    totals pass (see ``query``)."""
    relations = backend.open(files)
    sql, valid = clean_union(relations, mapping)
    backend.create_view(CLEAN_VIEW, sql)
    by_key = backend.arrow(hosts_sql(CLEAN_VIEW, valid), "crawled hosts").combine_chunks()
    keys = by_key["key"].combine_chunks()
    hosts = in_chunks(hosts_from_keys, keys)
    bad = pc.is_null(hosts)
    bad_view = None
    if pc.any(bad).as_py():
        backend.register_keys(BAD_KEYS_VIEW, pc.filter(keys, bad).fill_null(""))
        bad_view = BAD_KEYS_VIEW
    good = pc.invert(bad)
    per_key = pa.table({"host": pc.filter(hosts, good),
                        "items": pc.filter(by_key["items"], good),
                        "bytes": pc.filter(by_key["bytes"], good)})
    host_table = per_key
    if not pc.all(pc.equal(hosts, keys)).as_py():
        # keys differing only in scheme, case, port or user info are one host
        grouped = per_key.group_by("host").aggregate([("items", "sum"), ("bytes", "sum")])
        host_table = pa.table({"host": grouped["host"], "items": grouped["items_sum"],
                               "bytes": grouped["bytes_sum"]})
    # one after the other: run side by side on two cores they took longer (measured)
    domains, host_counts = bytes_per_domain(host_table, psl_private)
    totals = backend.rows(totals_sql(CLEAN_VIEW, bad_view), "totals")
    index = {str(f.path.resolve()): i for i, f in enumerate(files)}
    seen = {str(row["file"]) for row in totals}
    file_index = {name: index[backend.file_key(name)] for name in seen
                  if backend.file_key(name) in index}
    missing = {rel.label: [c for c in ("url", "tokens", "seconds", "collected_at", "language")
                           if mapping.get(c, c) not in rel.columns] for rel in relations}
    return Aggregates(totals, domains, host_counts, file_index,
                      {k: v for k, v in missing.items() if v})
