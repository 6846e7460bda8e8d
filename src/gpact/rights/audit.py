"""Crawl-time audit: was each fetched URL allowed by the robots.txt in force when it was fetched?

Inputs (design.md §4): a crawl log (``url``, ``fetched_at``, ``user_agent``, optional
``http_headers``, ``status``) and robots.txt snapshots (``origin``, ``fetched_at``, ``status``,
``body``); Parquet, CSV or JSON Lines, globs allowed. DuckDB does the heavy lifting (reading,
finding the latest snapshot of each fetch's origin at or before it with a streaming join, the
summary); each streamed batch is grouped by snapshot and product token and deduplicated by
URL (Arrow/NumPy), each group's distinct URLs are matched by one batch call of that snapshot's
compiled rules, and the verdicts are appended to Parquet or CSV, so memory stays bounded
whatever the log's size.

Verdicts (``robots_verdict``): ``allowed``, ``disallowed``, ``unreachable_disallow`` (the
snapshot in force was a 5xx or network error: RFC 9309 §2.3.1.4), ``no_snapshot`` (none at or
before the fetch, or the latest one older than the cache period of §2.4), and ``invalid_row``
(the row's URL or time cannot be read: reported, never counted as allowed).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import importlib
import importlib.util
import math
import os
import sys
import tempfile
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from gpact import safeio
from gpact.errors import InputError
from gpact.rights.bounded import INFRINGING_LIMIT
from gpact.rights.matcher import LAZY_URLS, ROBOTS_TXT
from gpact.rights.normalize import normalize_origin, origin_of, product_token, split_url
from gpact.rights.optouts import UsageRules, Vocabulary, vocabulary
from gpact.rights.parallel import Workers, check_jobs, peak_rss_mib
from gpact.rights.policy import Access, RobotsPolicy, parse_status
from gpact.rights.robots import DEFAULT_PARSE_LIMIT
from gpact.rights.tdmrep import TdmRepFile, TdmVerdict, combine, from_headers, from_html

LOG_COLUMNS = ("url", "fetched_at", "user_agent")
SNAPSHOT_COLUMNS = ("origin", "fetched_at", "status", "body")


@dataclass
class AuditOptions:
    crawl_log: list[str]
    snapshots: list[str]
    out: Path
    agent: str | None = None            # product token overriding the log's user_agent column
    cache_hours: float = 24.0
    parse_limit: int = DEFAULT_PARSE_LIMIT
    infringing: Path | None = None
    batch_rows: int = 131_072
    memory_limit: str = "512MB"  # DuckDB; with the Python side the audit stays under 1 GiB
    threads: int = 2
    engine: str = "duckdb"
    spark_master: str | None = None     # with engine spark; default local[threads]
    tdmrep: list[str] | None = None     # snapshots of /.well-known/tdmrep.json (as robots.txt)
    aipref: str | None = None           # IETF aipref draft whose Content-Usage is read
    jobs: int | None = None             # matching processes; None: every usable core


@dataclass
class AuditResult:
    rows: int
    snapshots: int
    out: Path
    infringing_domains: int
    agents: dict[str, int] = field(default_factory=dict)
    workers_peak_rss_mib: list[float] = field(default_factory=list)  # one per worker process
    workers_cpu_s: list[float] = field(default_factory=list)  # CPU seconds, one per worker


def _reader(con: duckdb.DuckDBPyConnection, paths: list[str],
            option: str) -> duckdb.DuckDBPyRelation:
    first = paths[0].lower()
    plain = first.removesuffix(".gz").removesuffix(".zst")
    # DuckDB's stubs disagree between releases on whether the readers take a list of paths
    # (they all do at run time): pass it untyped instead of a version-specific ignore.
    many: Any = paths
    try:
        if plain.endswith(".parquet"):
            return con.read_parquet(many)
        if plain.endswith(".csv") or plain.endswith(".tsv"):
            return con.read_csv(many, header=True, all_varchar=True)
        if plain.endswith((".jsonl", ".ndjson", ".json")):
            return con.read_json(many, format="newline_delimited")
    except duckdb.Error as exc:
        raise InputError(paths[0], option, f"cannot read: {str(exc).splitlines()[0]}") from None
    raise InputError(paths[0], option, "unknown file type (use .parquet, .csv or .jsonl)")


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None,
         ) -> tuple[Any, ...]:
    """The single row of a query, fetched completely (DuckDB keeps unfinished results open)."""
    rows = con.execute(sql, params or []).fetchall()
    return tuple(rows[0]) if rows else ()


def _timestamp(rel: duckdb.DuckDBPyRelation, column: str) -> str:
    """SQL turning ``column`` into a UTC TIMESTAMP (NULL when unreadable), without a detour
    through text for columns that already hold timestamps."""
    kind = str(dict(zip([c.lower() for c in rel.columns], rel.types, strict=True))[column])
    if kind.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"{column}::TIMESTAMP"
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return f"CAST({column} AS TIMESTAMP)"
    return f"TRY_CAST(CAST({column} AS VARCHAR) AS TIMESTAMPTZ)::TIMESTAMP"


def _require(rel: duckdb.DuckDBPyRelation, columns: tuple[str, ...], path: str) -> None:
    have = {c.lower() for c in rel.columns}
    for column in columns:
        if column not in have:
            raise InputError(path, column, f"missing column (found: {', '.join(rel.columns)})")


def load_infringing(path: Path) -> set[str]:
    """Domains, one per line (``#`` comments); a domain also covers its subdomains."""
    data = safeio.read_bytes(path, INFRINGING_LIMIT, "list of infringing domains")
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"byte {exc.start}", "not UTF-8 text") from None
    domains = set()
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip().lower().rstrip(".")
        if not text:
            continue
        if "/" in text or " " in text:
            raise InputError(str(path), f"line {number}", f"not a domain name: {text!r}")
        domains.add(text)
    return domains


def _infringing(host: str, domains: set[str]) -> bool:
    parts = host.split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts)))


def _host(origin: str) -> str:
    rest = origin.split("://", 1)[1]
    return rest.rsplit(":", 1)[0] if not rest.endswith("]") and ":" in rest else rest


class Policies:
    """Compiled robots.txt snapshots by id. A batch's snapshots are fetched in one query;
    compiled policies live in an LRU, and snapshots with the same origin, status and body
    (robots.txt files rarely change) share one compiled policy."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None, parse_limit: int,
                 capacity: int = 4096, aipref: Vocabulary | None = None,
                 eager: frozenset[int] = frozenset()) -> None:
        self.con = con
        # snapshots whose rules are compiled at once: the log holds enough of their rows
        # for the regex to pay (else the matcher compiles lazily, see CompiledRules)
        self.eager = eager
        self.parse_limit = parse_limit
        self.capacity = capacity
        self.aipref = aipref
        self._tdmrep: OrderedDict[int, TdmRepFile | None] = OrderedDict()
        self._usage: dict[tuple[int, str], UsageRules] = {}
        self._by_id: OrderedDict[int, RobotsPolicy] = OrderedDict()
        self._by_content: OrderedDict[tuple[str, str, bytes], RobotsPolicy] = OrderedDict()

    def tdmrep(self, snapshot_id: int) -> TdmRepFile | None:
        """The tdmrep.json snapshot in force (``None`` unless fetched with 2xx and valid)."""
        if snapshot_id in self._tdmrep:
            return self._tdmrep[snapshot_id]
        assert self.con is not None
        status, body = self.con.execute("SELECT status, body FROM tdm_snaps WHERE "
                                        "snapshot_id = ?", [snapshot_id]).fetchall()[0]
        code = parse_status(status)
        found: TdmRepFile | None = None
        if code is not None and 200 <= code < 300:
            try:
                found = TdmRepFile(body if body is not None else b"")
            except ValueError:
                found = None  # an invalid file states no reservation
        self._tdmrep[snapshot_id] = found
        while len(self._tdmrep) > self.capacity:
            self._tdmrep.popitem(last=False)
        return found

    def usage(self, snapshot_id: int, token: str) -> UsageRules:
        """The Content-Signal / Content-Usage lines of the group ``token`` selects."""
        key = (snapshot_id, token.lower())
        found = self._usage.get(key)
        if found is None:
            robots = self.get(snapshot_id).robots
            found = UsageRules(robots.select(token).usage if robots is not None else ())
            if len(self._usage) > self.capacity:
                self._usage.clear()
            self._usage[key] = found
        return found

    def _fetch(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """(snapshot_id, origin, status, body) for each id."""
        assert self.con is not None
        return self.con.execute("SELECT snapshot_id, origin, status, body FROM snaps "
                                "WHERE snapshot_id IN (SELECT unnest(?::BIGINT[]))",
                                [ids]).fetchall()

    def prefetch(self, ids: list[int]) -> None:
        missing = []
        for i in ids:  # keep this batch's snapshots at the young end of the LRU
            if i in self._by_id:
                self._by_id.move_to_end(i)
            else:
                missing.append(i)
        limit = max(self.capacity, len(ids))
        for snapshot_id, origin, status, body in self._fetch(missing) if missing else []:
            raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else (
                body or b"")
            key = (origin, status, hashlib.sha256(raw).digest())
            policy = self._by_content.get(key)
            if policy is None:
                policy = RobotsPolicy(parse_status(status), raw, self.parse_limit, origin)
                self._by_content[key] = policy
            self._by_content.move_to_end(key)
            self._by_id[snapshot_id] = policy
        for cache in (self._by_id, self._by_content):
            while len(cache) > limit:
                cache.popitem(last=False)

    def get(self, snapshot_id: int) -> RobotsPolicy:
        self._by_id.move_to_end(snapshot_id)
        return self._by_id[snapshot_id]


# scheme://authority of a URL, as written; canonical origins are computed per distinct value
_SITE = "regexp_extract(CAST(url AS VARCHAR), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*')"


def _prepare(con: duckdb.DuckDBPyConnection, options: AuditOptions,
             infringing: set[str]) -> tuple[int, int]:
    log = _reader(con, options.crawl_log, "--log")
    _require(log, LOG_COLUMNS, options.crawl_log[0])
    log.create_view("log_raw")
    load_snapshots(con, options.snapshots)
    types = {c.lower(): str(t) for c, t in zip(log.columns, log.types, strict=True)}
    headers = "NULL::VARCHAR"
    if "http_headers" in types:  # a JSON object read as STRUCT/MAP must stay JSON text
        nested = types["http_headers"].startswith(("STRUCT", "MAP", "JSON"))
        headers = ("CAST(to_json(http_headers) AS VARCHAR)" if nested
                   else "CAST(http_headers AS VARCHAR)")

    html = "CAST(html AS VARCHAR)" if "html" in types else "NULL::VARCHAR"
    fetched_at = _timestamp(log, "fetched_at")
    con.execute(f"""
        CREATE VIEW log AS SELECT
            row_number() OVER () AS row_id,
            CAST(url AS VARCHAR) AS url,
            {fetched_at} AS fetched_at,
            CAST(user_agent AS VARCHAR) AS user_agent,
            {headers} AS http_headers,
            {html} AS html,
            {_SITE} AS site
        FROM log_raw""")
    # One pass over the raw log (not through the numbering view) for the distinct sites and
    # the days each is fetched on: canonical origins and the infringing flag are computed once
    # per distinct site in Python, and the days tell which snapshots can be in force.
    con.execute(f"CREATE TABLE site_days AS SELECT {_SITE} AS site, "
                f"date_trunc('day', {fetched_at}) AS day, count(*) AS rows FROM log_raw "
                "GROUP BY ALL")
    sites = [site for (site,) in con.execute("SELECT DISTINCT site FROM site_days").fetchall()]
    origins = origin_rows([tuple(s.split("://", 1)) if s else (None, None) for s in sites],
                          infringing)
    con.execute("CREATE TABLE origin_map (site VARCHAR, origin VARCHAR, infringing BOOLEAN)")
    if origins:
        con.executemany("INSERT INTO origin_map VALUES (?, ?, ?)",
                        [(site, origin, flag) for site, (_, _, origin, flag)
                         in zip(sites, origins, strict=True)])
    con.execute("CREATE TABLE activity AS SELECT DISTINCT m.origin, d.day FROM site_days d "
                "JOIN origin_map m USING (site) WHERE m.origin IS NOT NULL AND d.day IS NOT NULL")
    agents = agent_rows(con.execute("SELECT DISTINCT CAST(user_agent AS VARCHAR) "
                                    "FROM log_raw").fetchall(), options.agent)
    con.execute("CREATE TABLE agent_map (user_agent VARCHAR, agent_token VARCHAR)")
    if agents:
        con.executemany("INSERT INTO agent_map VALUES (?, ?)", agents)
    _in_force(con, "snaps")
    if options.tdmrep:
        load_snapshots(con, options.tdmrep, "tdm_snaps", "--tdmrep")
        _in_force(con, "tdm_snaps")
    return (_one(con, "SELECT count(*) FROM log_raw")[0],
            _one(con, "SELECT count(*) FROM snaps")[0])


def eager_snapshots(con: duckdb.DuckDBPyConnection) -> frozenset[int]:
    """Snapshots whose origin has more log rows per snapshot than the matcher answers rule
    by rule before compiling: compiling them at once saves those rule-by-rule checks."""
    return frozenset(i for (i,) in con.execute(f"""
        WITH r AS (SELECT m.origin, sum(d.rows) AS rows FROM site_days d
                   JOIN origin_map m USING (site) GROUP BY m.origin),
             n AS (SELECT origin, count(*) AS snapshots FROM snaps GROUP BY origin)
        SELECT s.snapshot_id FROM snaps s JOIN r USING (origin) JOIN n USING (origin)
        WHERE r.rows > {LAZY_URLS} * n.snapshots""").fetchall())


def _in_force(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """``{table}_days``: for each (origin, day) the log fetches on, the snapshots that can be
    in force that day: the one in force at the day's start and those fetched during it, each
    with the end of its validity (the next snapshot of its origin).

    The audit then finds a fetch's snapshot by an equality join on (origin, day) and a range
    check, which streams the log (no sort of the whole log, as an as-of join needs); each fetch
    meets one candidate plus the snapshots fetched that day."""
    con.execute(f"""
        CREATE TABLE {table}_days AS
        WITH s AS (SELECT snapshot_id, origin, fetched_at, status, next_at FROM {table}
                   WHERE next_at > fetched_at)
        SELECT a.origin, a.day, s.snapshot_id, s.fetched_at, s.status, s.next_at
        FROM activity a ASOF JOIN s ON a.origin = s.origin AND a.day >= s.fetched_at
        UNION
        SELECT s.origin, date_trunc('day', s.fetched_at), s.snapshot_id, s.fetched_at,
               s.status, s.next_at FROM s SEMI JOIN activity a
            ON a.origin = s.origin AND a.day = date_trunc('day', s.fetched_at)""")


def origin_rows(pairs: list[tuple[Any, ...]], infringing: set[str],
                ) -> list[tuple[str, str, str | None, bool]]:
    """(scheme, authority) -> (scheme, authority, canonical origin, on the infringing list)."""
    rows = []
    for scheme, authority in pairs:
        origin = origin_of(scheme, authority) if scheme else None
        rows.append((scheme, authority, origin,
                     origin is not None and _infringing(_host(origin), infringing)))
    return rows


def agent_rows(user_agents: list[tuple[Any, ...]], agent: str | None,
               ) -> list[tuple[str, str | None]]:
    """user_agent -> product token (``agent`` overrides every row)."""
    return [(ua, agent or (product_token(ua) if ua else None)) for (ua,) in user_agents]


def load_snapshots(con: duckdb.DuckDBPyConnection, paths: list[str], table: str = "snaps",
                   option: str = "--snapshots") -> None:
    """Read and validate the snapshots into table ``table`` (snapshot_id, raw_origin,
    fetched_at, status, body, origin); robots.txt by default, tdmrep.json with
    ``table="tdm_snaps"``."""
    snaps = _reader(con, paths, option)
    _require(snaps, SNAPSHOT_COLUMNS, paths[0])
    snaps.create_view(f"{table}_raw")
    con.execute(f"""
        CREATE TABLE {table}_typed AS SELECT
            row_number() OVER () AS snapshot_id,
            CAST(origin AS VARCHAR) AS raw_origin,
            {_timestamp(snaps, "fetched_at")} AS fetched_at,
            trim(CAST(status AS VARCHAR), '"') AS status,
            body
        FROM {table}_raw""")
    _validate_snapshots(con, paths[0], table)


def _validate_snapshots(con: duckdb.DuckDBPyConnection, path: str, table: str) -> None:
    """Reject unreadable snapshots up front (their verdicts would be guesses)."""
    typed = f"{table}_typed"
    bad_time = _one(con, f"SELECT min(snapshot_id) FROM {typed} WHERE fetched_at IS NULL")[0]
    if bad_time is not None:
        raise InputError(path, f"row {bad_time}.fetched_at", "not a timestamp")
    for status, first in con.execute(f"SELECT status, min(snapshot_id) FROM {typed} "
                                     "GROUP BY status").fetchall():
        try:
            parse_status(status)
        except ValueError as exc:
            raise InputError(path, f"row {first}.status", str(exc)) from None
    mapping = []
    for raw, first in con.execute(f"SELECT raw_origin, min(snapshot_id) FROM {typed} "
                                  "GROUP BY raw_origin").fetchall():
        origin = normalize_origin(raw or "")
        if origin is None:
            raise InputError(path, f"row {first}.origin",
                             f"not an origin (scheme://host[:port]): {raw!r}")
        mapping.append((raw, origin))
    con.execute(f"CREATE TABLE {table}_origin (raw_origin VARCHAR, origin VARCHAR)")
    if mapping:
        con.executemany(f"INSERT INTO {table}_origin VALUES (?, ?)", mapping)
    # next_at: when the next snapshot of the origin replaces this one (ties: file order)
    con.execute(f"CREATE TABLE {table} AS SELECT s.*, m.origin, lead(s.fetched_at, 1, "
                "'infinity'::TIMESTAMP) OVER (PARTITION BY m.origin ORDER BY s.fetched_at, "
                f"s.snapshot_id) AS next_at FROM {typed} s JOIN {table}_origin m "
                "USING (raw_origin)")


def _mention_words(aipref: Vocabulary | str | None) -> str:
    """What a header block or page must contain for the TDM readers to find anything."""
    return "(?i)tdm-|noai" + ("|content-usage" if aipref else "")


def _joined(con: duckdb.DuckDBPyConnection, cache_hours: float,
            tdmrep: bool = False, aipref: str | None = None) -> duckdb.DuckDBPyRelation:
    """The log with the snapshot in force for each fetch: the latest of its origin fetched at
    or before it (see :func:`_in_force`). Headers and HTML that mention no opt-out word are
    dropped here, in DuckDB's threads, so that pages are not carried through the batches."""
    seconds = int(cache_hours * 3600)
    words = _mention_words(aipref)
    said = {column: f"CASE WHEN regexp_matches(l.{column}, '{words}') THEN l.{column} END"
            for column in ("http_headers", "html")}
    in_force = ("l.origin = {t}.origin AND l.day = {t}.day AND l.fetched_at >= {t}.fetched_at "
                "AND l.fetched_at < {t}.next_at")
    tdm_column, tdm_join = "", ""
    if tdmrep:  # the tdmrep.json in force, found like the robots.txt in force
        tdm_column = (f", CASE WHEN l.fetched_at - t.fetched_at <= INTERVAL {seconds} SECOND "
                      "THEN t.snapshot_id END AS tdm_snapshot_id")
        tdm_join = "LEFT JOIN tdm_snaps_days t ON " + in_force.format(t="t")
    return con.sql(f"""
        WITH l AS (
            SELECT log.*, date_trunc('day', log.fetched_at) AS day, m.origin, m.infringing,
                   a.agent_token
            FROM log LEFT JOIN origin_map m USING (site)
                     LEFT JOIN agent_map a USING (user_agent)
        )
        SELECT l.row_id, l.url, l.fetched_at, l.user_agent, l.agent_token, l.origin,
               coalesce(l.infringing, false) AS infringing_domain,
               {said["http_headers"]} AS http_headers, {said["html"]} AS html,
               s.snapshot_id, s.fetched_at AS snapshot_fetched_at, s.status AS snapshot_status,
               (s.snapshot_id IS NOT NULL AND
                l.fetched_at - s.fetched_at > INTERVAL {seconds} SECOND) AS stale{tdm_column}
        FROM l LEFT JOIN snaps_days s ON {in_force.format(t="s")} {tdm_join}""")


class Outcomes:
    """Every distinct (verdict, rule, line, detail) seen so far, by id, so that a batch's
    verdict columns are built with one vectorised ``take`` instead of per-row Python."""

    INVALID, NONE_BEFORE, STALE, NO_TOKEN = 0, 1, 2, 3

    def __init__(self) -> None:
        self.rows: list[tuple[str, str | None, int | None, str | None]] = [
            ("invalid_row", None, None, "URL or fetched_at cannot be read"),
            ("no_snapshot", None, None, "no robots.txt snapshot at or before fetch"),
            ("no_snapshot", None, None, "latest snapshot older than the cache period"),
            ("invalid_row", None, None, "no product token in user_agent (use --agent)")]
        self._ids: dict[tuple[str, str | None, int | None, str | None], int] = {}
        self._maps: weakref.WeakKeyDictionary[RobotsPolicy, dict[str, list[int]]] = (
            weakref.WeakKeyDictionary())
        self._arrays: tuple[pa.Array, pa.Array, pa.Array, pa.Array] | None = None

    def intern(self, row: tuple[str, str | None, int | None, str | None]) -> int:
        found = self._ids.get(row)
        if found is None:
            found = self._ids[row] = len(self.rows)
            self.rows.append(row)
        return found

    def index_map(self, policy: RobotsPolicy, token: str) -> list[int]:
        """Outcome id per rule index of ``policy.compiled(token)``; the last entry (index -1,
        ``INVALID_URL``) is the invalid-row outcome."""
        per_token = self._maps.setdefault(policy, {})
        found = per_token.get(token.lower())
        if found is not None:
            return found
        compiled = policy.compiled(token)
        ids = []
        for k, rule in enumerate(compiled.table):
            if k == ROBOTS_TXT:
                ids.append(self.intern(("allowed", None, None, "/robots.txt is always allowed")))
            elif policy.access is Access.rules:
                verdict = "allowed" if compiled.allowed_table[k] else "disallowed"
                ids.append(self.intern((verdict, rule.text if rule else None,
                                     rule.line if rule else None, None)))
            else:
                verdict = ("allowed" if policy.access is Access.allow_all
                           else "unreachable_disallow")
                ids.append(self.intern((verdict, None, None, policy.reason)))
        ids.append(self.intern(("invalid_row", None, None, "not an absolute URL")))
        per_token[token.lower()] = ids
        return ids

    def columns(self, ids: Any, coded: bool = False) -> dict[str, pa.Array]:
        """The verdict columns for outcome ids (NumPy int64); ``coded``: string columns as
        dictionary arrays over the outcome table (no copy of the strings per row)."""
        # the outcome table only grows: rebuild its Arrow columns only when it has grown
        if self._arrays is None or len(self._arrays[0]) != len(self.rows):
            verdict, rule, line, detail = zip(*self.rows, strict=True)
            self._arrays = (pa.array(verdict, pa.string()), pa.array(rule, pa.string()),
                            pa.array(line, pa.int64()), pa.array(detail, pa.string()))
        verdicts, rules, lines, details = self._arrays
        take = pa.array(ids, pa.int64())
        strings = _coded if coded else _taken
        return {"robots_verdict": strings(verdicts, ids, take),
                "robots_rule": strings(rules, ids, take),
                "robots_line": pc.take(lines, take),
                "robots_detail": strings(details, ids, take)}


def _taken(values: pa.Array, ids: Any, take: pa.Array) -> pa.Array:
    return pc.take(values, take)


def _coded(values: pa.Array, ids: Any, take: pa.Array) -> pa.Array:
    """``values[ids]`` as a dictionary array; nulls are marked in the indices (the Parquet
    writer then writes the dictionary as it is, without hashing every row's string)."""
    nulls = _numpy(pc.is_null(values))
    if not nulls.any():
        return pa.DictionaryArray.from_arrays(take, values)
    return pa.DictionaryArray.from_arrays(ids, pc.fill_null(values, ""), mask=nulls[ids])


# What the verdicts of a batch are computed from (the rest of the joined row is copied)
EVALUATION_COLUMNS = ("url", "agent_token", "snapshot_id", "stale", "http_headers", "html",
                      "tdm_snapshot_id")


def evaluation_input(joined: pa.RecordBatch) -> pa.RecordBatch:
    """The columns of a joined batch the verdicts depend on, with ``valid`` (origin and time
    readable) in place of the origin and time: what a worker process is sent."""
    names = [n for n in EVALUATION_COLUMNS if n in joined.schema.names]
    valid = pc.and_(pc.is_valid(joined.column("origin")), pc.is_valid(joined.column("fetched_at")))
    return pa.RecordBatch.from_arrays([*(joined.column(n) for n in names), valid],
                                      [*names, "valid"])


def _evaluate(batch: pa.RecordBatch, policies: Policies,
              outcomes: Outcomes) -> tuple[Any, Any, list[tuple[str, str | None, str | None]]]:
    """For one :func:`evaluation_input` batch: the robots outcome id of each row (into
    ``outcomes.rows``) and the TDM outcome of each row (ids into the returned list).

    Rows are grouped by (snapshot, token) and deduplicated by URL within each group with
    vectorised Arrow/NumPy steps; each group's distinct URLs go through one matcher call and
    the outcome ids are spread back to the rows, so Python touches each distinct URL once."""
    snap_ids = batch.column("snapshot_id")
    tokens = batch.column("agent_token")
    valid = _numpy(batch.column("valid"))
    has_snapshot = _numpy(pc.is_valid(snap_ids))
    has_token = _numpy(pc.is_valid(tokens))
    chosen = np.where(~valid, outcomes.INVALID, np.where(
        _numpy(_true(batch.column("stale"))), outcomes.STALE, np.where(
            ~has_snapshot, outcomes.NONE_BEFORE, np.where(~has_token, outcomes.NO_TOKEN, -1))))
    todo = np.flatnonzero(has_snapshot & has_token & _numpy(pc.is_valid(batch.column("url"))))
    groups = _Groups(batch, todo)
    if todo.size:
        policies.prefetch(sorted({snapshot for snapshot, _ in groups.keys}))
        found: list[int] = []
        for (snapshot_id, token), (start, end) in zip(groups.keys, groups.url_runs,
                                                      strict=True):
            policy = policies.get(snapshot_id)
            index_map = outcomes.index_map(policy, token)
            compiled = policy.compiled(token)
            if snapshot_id in policies.eager:
                compiled.compile()
            found.extend(map(index_map.__getitem__, compiled.decide_urls(
                groups.urls[start:end], policy.origin)))
        matched = np.asarray(found, np.int64)[groups.inverse]
        chosen[todo] = np.where(chosen[todo] < 0, matched, chosen[todo])
    return (chosen, *_tdm(batch, policies, groups))


def _numpy(values: pa.Array) -> Any:
    """A NumPy view of a null-free boolean or integer array, read from its data buffer.

    Not ``to_numpy()``, nor ``pa.array()`` or Python scalars in the worker path: each makes
    pyarrow import pandas (about a second, and 40 MB more in every worker process)."""
    data = values.buffers()[1]
    if pa.types.is_boolean(values.type):
        bits = np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")
        return bits[values.offset:values.offset + len(values)].view(np.bool_)
    if not pa.types.is_integer(values.type):
        raise TypeError(f"not a boolean or integer array: {values.type}")
    kind = np.dtype(("i" if pa.types.is_signed_integer(values.type) else "u")
                    + str(values.type.bit_width // 8))
    return np.frombuffer(data, kind, len(values), values.offset * kind.itemsize)


def _arrow(values: Any) -> pa.Array:
    """An int64 Arrow array over a NumPy array's memory (see :func:`_numpy` for why)."""
    data = np.ascontiguousarray(values, np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def _true(values: pa.Array) -> pa.Array:
    """A boolean array with nulls read as false (``fill_null(False)`` without a scalar)."""
    return pc.and_kleene(values, pc.is_valid(values))


class _Groups:
    """The rows ``todo`` of a batch grouped by (snapshot, token), with each group's distinct
    URLs: ``keys[g]`` is group g, its distinct URLs are ``urls[url_runs[g][0]:url_runs[g][1]]``
    and row ``todo[i]`` has the URL at ``inverse[i]``."""

    def __init__(self, batch: pa.RecordBatch, todo: Any) -> None:
        self.todo = todo
        self.keys: list[tuple[int, str]] = []
        self.url_runs: list[tuple[int, int]] = []
        self.urls: list[str] = []
        self.inverse: Any = np.zeros(0, np.int64)
        self._group_of_distinct: Any = np.zeros(0, np.int64)
        self._by_group: tuple[Any, Any] | None = None
        if not todo.size:
            return
        rows = _arrow(todo)
        token_codes = pc.dictionary_encode(batch.column("agent_token").take(rows))
        url_codes = pc.dictionary_encode(batch.column("url").take(rows))
        n_tokens, n_urls = len(token_codes.dictionary), len(url_codes.dictionary)
        snapshot_codes = pc.dictionary_encode(batch.column("snapshot_id").take(rows))
        # one sort of (snapshot, token, URL) codes (each below the batch size, so the key
        # fits in an int64) groups the rows and finds each group's distinct URLs
        group_key = (_numpy(snapshot_codes.indices).astype(np.int64) * n_tokens
                     + _numpy(token_codes.indices))
        distinct, inverse = np.unique(group_key * n_urls + _numpy(url_codes.indices),
                                      return_inverse=True)
        self.inverse = inverse.reshape(-1)
        distinct_group = distinct // n_urls
        starts = np.flatnonzero(np.diff(distinct_group)) + 1
        bounds = [0, *starts.tolist(), len(distinct)]
        self.urls = url_codes.dictionary.take(_arrow(distinct % n_urls)).to_pylist()
        self._group_of_distinct = np.zeros(len(distinct), np.int64)
        self._group_of_distinct[starts] = 1
        self._group_of_distinct = np.cumsum(self._group_of_distinct)
        names = token_codes.dictionary.to_pylist()
        snapshot_ids = snapshot_codes.dictionary.to_pylist()
        self.keys = [(snapshot_ids[int(key) // n_tokens], names[int(key) % n_tokens])
                     for key in distinct_group[bounds[:-1]]]
        self.url_runs = list(pairwise(bounds))

    def rows(self, group: int) -> Any:
        """Batch row indices of one group (the rows sorted by group once, on first use)."""
        if self._by_group is None:
            row_group = self._group_of_distinct[self.inverse]
            ends = np.cumsum(np.bincount(row_group, minlength=len(self.keys)))
            self._by_group = (self.todo[np.argsort(row_group, kind="stable")], ends)
        ordered, ends = self._by_group
        return ordered[(ends[group - 1] if group else 0):ends[group]]


def _tdm(batch: pa.RecordBatch, policies: Policies, groups: _Groups,
         ) -> tuple[Any, list[tuple[str, str | None, str | None]]]:
    """Opt-out verdicts for AI training per row, from every source the inputs carry: response
    headers (TDMRep, agent-scoped noai, aipref Content-Usage with ``--aipref``), the page's HTML
    meta (optional ``html`` column), the tdmrep.json in force (``--tdmrep``) and the robots.txt
    group's Content-Signal / Content-Usage lines. Only rows that something speaks about cost
    Python work; reserved if any source reserves."""
    said: dict[int, list[TdmVerdict]] = {}
    names = set(batch.schema.names)
    tokens = batch.column("agent_token")
    urls = batch.column("url")
    words = _mention_words(policies.aipref)
    for column, read in (("http_headers", lambda v, t: from_headers(v, t, policies.aipref)),
                         ("html", from_html)):
        if column not in names:
            continue
        values = batch.column(column)
        rows = pc.indices_nonzero(_true(pc.match_substring_regex(values, words)))
        read_once: dict[tuple[Any, Any], TdmVerdict] = {}  # a site repeats its headers
        for i, value, token in zip(rows.to_pylist(), values.take(rows).to_pylist(),
                                   tokens.take(rows).to_pylist(), strict=True):
            found = read_once.get((value, token))
            if found is None:
                found = read_once[value, token] = read(value, token)
            said.setdefault(i, []).append(found)
    if "tdm_snapshot_id" in names:
        ids = batch.column("tdm_snapshot_id")
        for i in pc.indices_nonzero(pc.is_valid(ids)).to_pylist():
            rules = policies.tdmrep(ids[i].as_py())
            split = split_url(urls[i].as_py() or "") if rules is not None else None
            if rules is not None and split is not None:
                said.setdefault(i, []).append(rules.lookup(split.path))
    for group, (snapshot_id, token) in enumerate(groups.keys):
        usage = policies.usage(snapshot_id, token)
        if not usage:
            continue
        for i in groups.rows(group).tolist():
            split = split_url(urls[i].as_py() or "")
            for reserved, where in usage.training_signals(split.path, policies.aipref) \
                    if split is not None else ():
                said.setdefault(i, []).append(TdmVerdict(reserved, "robots.txt", None, where))
    ids_per_row = np.zeros(batch.num_rows, np.int64)
    seen: dict[tuple[str, str | None, str | None], int] = {("unknown", None, None): 0}
    for i, verdicts in said.items():
        found = combine(*verdicts)
        ids_per_row[i] = seen.setdefault((found.label, found.source, found.policy), len(seen))
    return ids_per_row, list(seen)


def _tdm_columns(ids: Any, seen: list[tuple[str, str | None, str | None]],
                 coded: bool = False) -> dict[str, pa.Array]:
    label, source, policy = zip(*seen, strict=True)
    ids = np.asarray(ids, np.int64)
    take = pa.array(ids, pa.int64())
    strings = _coded if coded else _taken
    return {"tdm_verdict": strings(pa.array(label, pa.string()), ids, take),
            "tdm_source": strings(pa.array(source, pa.string()), ids, take),
            "tdm_policy": strings(pa.array(policy, pa.string()), ids, take)}


def _table(joined: pa.RecordBatch, columns: dict[str, pa.Array]) -> pa.Table:
    table = pa.Table.from_batches([joined])
    for name, values in columns.items():
        table = table.append_column(name, values)
    return table.select(list(OUTPUT_COLUMNS))


def verdict_table(joined: pa.RecordBatch, policies: Policies,
                  outcomes: Outcomes, coded: bool = False) -> pa.Table:
    """The output rows (``OUTPUT_COLUMNS``) for one batch of the joined log, in its order;
    ``coded``: the verdict strings as dictionary arrays (for :class:`Writer`)."""
    chosen, tdm_ids, tdm_seen = _evaluate(evaluation_input(joined), policies, outcomes)
    return _table(joined, {**outcomes.columns(chosen, coded),
                           **_tdm_columns(tdm_ids, tdm_seen, coded)})


# A worker process's state (see _start_worker): its own DuckDB connection to the snapshot
# files the parent wrote, its compiled policies and outcome table.
_worker: tuple[Policies, Outcomes] | None = None


def _start_worker(snapshots: str, tdm_snapshots: str | None, parse_limit: int,
                  aipref: str | None, eager: frozenset[int]) -> None:
    global _worker
    gc.disable()  # as in the main process while batches stream (see _run)
    con = duckdb.connect()
    con.execute("SET threads=1")
    con.execute("SET memory_limit='64MB'")
    con.execute(f"CREATE VIEW snaps AS SELECT * FROM read_parquet('{snapshots}')")
    if tdm_snapshots is not None:
        con.execute(f"CREATE VIEW tdm_snaps AS SELECT * FROM read_parquet('{tdm_snapshots}')")
    _worker = (Policies(con, parse_limit, aipref=vocabulary(aipref) if aipref else None,
                        eager=eager), Outcomes())


def _to_ipc(batch: pa.RecordBatch) -> pa.Buffer:
    """A batch as one Arrow IPC buffer: a single copy to send, read back without copying
    (pickling the batch itself costs several times more)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as stream:
        stream.write_batch(batch)
    return sink.getvalue()


def _evaluate_in_worker(data: pa.Buffer) -> tuple[Any, ...]:
    """:func:`_evaluate` in a worker. The worker's outcome ids mean nothing to the parent, so
    the outcomes this batch uses are sent as values with the batch's ids into them."""
    assert _worker is not None, "worker not started"
    policies, outcomes = _worker
    batch = pa.ipc.open_stream(data).read_next_batch()
    chosen, tdm_ids, tdm_seen = _evaluate(batch, policies, outcomes)
    present = np.bincount(chosen, minlength=len(outcomes.rows)) > 0
    local = (np.cumsum(present) - 1)[chosen].astype(np.int32)
    return ([outcomes.rows[i] for i in np.flatnonzero(present).tolist()], local,
            tdm_seen, np.asarray(tdm_ids, np.int32), os.getpid(),
            (peak_rss_mib(), time.process_time()))


def _merge(joined: pa.RecordBatch, parts: list[tuple[Any, tuple[Any, ...]]],
           outcomes: Outcomes, workers: dict[int, tuple[float, float]]) -> pa.Table:
    """One batch's verdict table from its parts' results (row indices, worker result);
    ``workers``: each worker's latest (peak RSS, CPU seconds)."""
    ids = np.zeros(joined.num_rows, np.int64)
    tdm_ids = np.zeros(joined.num_rows, np.int64)
    tdm_seen: list[tuple[str, str | None, str | None]] = []
    for rows, (used, local, seen, tdm_local, pid, usage) in parts:
        workers[pid] = usage
        ids[rows] = np.asarray([outcomes.intern(row) for row in used], np.int64)[local]
        tdm_ids[rows] = tdm_local + len(tdm_seen)
        tdm_seen += seen
    return _table(joined, {**outcomes.columns(ids, coded=True),
                           **_tdm_columns(tdm_ids, tdm_seen, coded=True)})


OUTPUT_COLUMNS = ("row_id", "url", "fetched_at", "user_agent", "agent_token", "origin",
                  "snapshot_fetched_at", "snapshot_status", "robots_verdict", "robots_rule",
                  "robots_line", "robots_detail", "tdm_verdict", "tdm_source", "tdm_policy",
                  "infringing_domain")


# Columns with few distinct values; the others (URLs, times, row ids) would only fill a
# dictionary page and fall back to plain encoding, at a cost on every batch.
DICTIONARY_COLUMNS = ["user_agent", "agent_token", "origin", "snapshot_status",
                      "robots_verdict", "robots_rule", "robots_detail", "tdm_verdict",
                      "tdm_source", "tdm_policy"]


# Row-group statistics for every column but the URL: URLs are long and in no order, so their
# min/max would cost about a sixth of the writing and let no reader skip a row group.
STATISTICS_COLUMNS = [name for name in OUTPUT_COLUMNS if name != "url"]


class Writer:
    """The verdicts file, batch by batch. Columns may arrive as dictionary arrays; the file
    holds plain strings either way (Parquet: no Arrow schema stored, so readers see the
    Parquet string columns; CSV: decoded before writing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.csv = path.suffix.lower() == ".csv"
        self._writer: pq.ParquetWriter | pacsv.CSVWriter | None = None

    def write(self, table: pa.Table) -> None:
        if self.csv:
            table = table.cast(pa.schema([
                (f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                for f in table.schema]))
        if self._writer is None:
            self._writer = (pacsv.CSVWriter(str(self.path), table.schema) if self.csv
                            else pq.ParquetWriter(str(self.path), table.schema,
                                                  use_dictionary=DICTIONARY_COLUMNS,
                                                  write_statistics=STATISTICS_COLUMNS,
                                                  store_schema=False))
        self._writer.write_table(table)

    def close(self, schema: pa.Schema) -> None:
        if self._writer is None:  # empty log: still write a file with the columns
            self.write(schema.empty_table())
        assert self._writer is not None
        self._writer.close()


def check_options(options: AuditOptions) -> set[str]:
    """Validate the options; returns the infringing domains."""
    if options.out.suffix.lower() not in (".parquet", ".csv"):
        raise InputError(str(options.out), "--out", "must end in .parquet or .csv")
    if options.cache_hours <= 0:
        raise InputError(None, "--cache-hours", "must be positive")
    return load_infringing(options.infringing) if options.infringing else set()


def run_audit(options: AuditOptions,
              progress: Callable[[int], None] | None = None) -> AuditResult:
    """Run the audit and write the verdicts file; see :func:`summarize` for the summary."""
    infringing = check_options(options)
    with tempfile.TemporaryDirectory(prefix="gpact-audit-") as work:
        return _run(options, infringing, Path(work), progress)


def _run(options: AuditOptions, infringing: set[str], work: Path,
         progress: Callable[[int], None] | None) -> AuditResult:
    # DuckDB spills sorts and joins to `work` beyond the memory limit; the snapshot reader
    # uses a second cursor because the main connection is busy streaming the sorted join.
    con = duckdb.connect()
    con.execute(f"SET temp_directory='{work / 'spill'}'")
    con.execute("SET TimeZone='UTC'")
    con.execute(f"SET memory_limit='{options.memory_limit}'")
    con.execute(f"SET threads={int(options.threads)}")
    con.execute("SET preserve_insertion_order=false")
    con.execute("SET enable_progress_bar=false")  # stdout may be the JSON summary
    _import_pandas_meanwhile()
    try:
        rows, snapshots = _prepare(con, options, infringing)
        eager = eager_snapshots(con)
        # one process per batch at most: a small log is matched here, without a pool
        jobs = min(check_jobs(options.jobs), math.ceil(rows / options.batch_rows))
        outcomes = Outcomes()
        writer = Writer(options.out)
        agents: dict[str, int] = {}
        workers_rss: dict[int, tuple[float, float]] = {}
        # The batches create millions of short-lived, acyclic objects; the cyclic collector
        # would otherwise walk the caches' objects again and again (about a tenth of the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            joined = _joined(con, options.cache_hours, bool(options.tdmrep), options.aipref)
            batches = (b for b in _batches(joined, options.batch_rows) if b.num_rows)
            if jobs > 1:
                tables = _tables_parallel(con, options, work, batches, outcomes, jobs,
                                          workers_rss, eager)
            else:
                policies = Policies(con.cursor(), options.parse_limit,
                                    aipref=vocabulary(options.aipref) if options.aipref
                                    else None, eager=eager)
                tables = (verdict_table(batch, policies, outcomes, coded=True)
                          for batch in batches)
            schema: pa.Schema | None = None
            for table in tables:
                _write_table(table, writer, agents, progress)
                schema = table.schema
        finally:
            if collecting:
                gc.enable()
        writer.close(schema if schema is not None else empty_schema())
    except duckdb.Error as exc:
        raise InputError(options.crawl_log[0], None,
                         f"cannot audit: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return AuditResult(rows, snapshots, options.out, len(infringing), agents,
                       [rss for rss, _ in workers_rss.values()],
                       [cpu for _, cpu in workers_rss.values()])


def _import_pandas_meanwhile() -> None:
    """pyarrow imports pandas on its first conversion from Python objects (a second or so):
    import it in a thread while DuckDB reads the inputs (DuckDB releases the GIL)."""
    if "pandas" not in sys.modules and importlib.util.find_spec("pandas") is not None:
        threading.Thread(target=importlib.import_module, args=("pandas",), daemon=True).start()


def _tables_parallel(con: duckdb.DuckDBPyConnection, options: AuditOptions, work: Path,
                     batches: Iterator[pa.RecordBatch], outcomes: Outcomes, jobs: int,
                     workers_rss: dict[int, tuple[float, float]], eager: frozenset[int],
                     ) -> Iterator[pa.Table]:
    """The verdict tables, batch by batch in stream order, matched by ``jobs`` worker
    processes. Workers get the snapshots as Parquet files (read by id, as needed, into their
    own caches) and each batch's :func:`evaluation_input` as Arrow; this process streams the
    join, assembles and writes. At most two batches are in flight (memory)."""
    snapshots = work / "snapshots.parquet"
    con.execute(f"COPY (SELECT snapshot_id, origin, status, body FROM snaps) TO "
                f"'{snapshots}' (FORMAT parquet)")
    tdm: Path | None = None
    if options.tdmrep:
        tdm = work / "tdmrep.parquet"
        con.execute(f"COPY (SELECT snapshot_id, status, body FROM tdm_snaps) TO '{tdm}' "
                    "(FORMAT parquet)")
    # each origin's rows go to one worker, so each snapshot is parsed and compiled once
    routes = np.zeros(_one(con, "SELECT count(*) FROM snaps")[0] + 1, np.int64)
    for snapshot_id, route in con.execute(f"SELECT snapshot_id, hash(origin) % {jobs} "
                                          "FROM snaps").fetchall():
        routes[snapshot_id] = route
    waiting: deque[tuple[pa.RecordBatch, list[tuple[int, int, Any]]]] = deque()
    with Workers(jobs, _start_worker, (str(snapshots), str(tdm) if tdm else None,
                                       options.parse_limit, options.aipref, eager)) as workers:
        for batch in batches:
            given = evaluation_input(batch)
            route = routes[_numpy(pc.fill_null(given.column("snapshot_id"), 0))]
            sent = []
            for worker in range(jobs):
                rows = np.flatnonzero(route == worker)
                if rows.size:
                    sent.append((worker, workers.send(worker, _evaluate_in_worker,
                                                      _to_ipc(given.take(pa.array(rows)))),
                                 rows))
            waiting.append((batch, sent))
            if len(waiting) > 1:  # a batch in flight while this one is merged and written
                yield _collect(waiting.popleft(), workers, outcomes, workers_rss)
        while waiting:
            yield _collect(waiting.popleft(), workers, outcomes, workers_rss)


def _collect(entry: tuple[pa.RecordBatch, list[tuple[int, int, Any]]], workers: Workers,
             outcomes: Outcomes, workers_rss: dict[int, tuple[float, float]]) -> pa.Table:
    joined, sent = entry
    return _merge(joined, [(rows, workers.result(worker, ticket))
                           for worker, ticket, rows in sent], outcomes, workers_rss)


def _write_table(table: pa.Table, writer: Writer, agents: dict[str, int],
                 progress: Callable[[int], None] | None) -> None:
    writer.write(table)
    for token, count in zip(*value_counts(table.column("agent_token")), strict=True):
        agents[token] = agents.get(token, 0) + count
    if progress is not None:
        progress(table.num_rows)


def empty_schema() -> pa.Schema:
    """The verdicts file's schema (used for an empty log and by the Spark engine)."""
    special = {"row_id": pa.int64(), "robots_line": pa.int64(), "fetched_at": pa.timestamp("us"),
               "snapshot_fetched_at": pa.timestamp("us"), "infringing_domain": pa.bool_()}
    return pa.schema([(name, special.get(name, pa.string())) for name in OUTPUT_COLUMNS])


def value_counts(column: pa.ChunkedArray) -> tuple[list[str], list[int]]:
    counts = pc.value_counts(pc.fill_null(column, "(none)"))
    return counts.field("values").to_pylist(), counts.field("counts").to_pylist()


def _batches(rel: duckdb.DuckDBPyRelation, rows: int) -> Iterator[pa.RecordBatch]:
    yield from rel.to_arrow_reader(rows)


SUMMARY_SCHEMA = "gpact.rights.audit/v1"
PROBLEMS = ("disallowed", "unreachable_disallow", "no_snapshot", "invalid_row",
            "tdm_reserved", "infringing_domain")


def summarize(result: AuditResult, options: AuditOptions, top_domains: int = 100,
              ) -> dict[str, Any]:
    """The evidence summary (schema ``gpact.rights.audit/v1``, documented in docs/rights.md)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone='UTC'")
        verdicts = (con.read_csv(str(result.out), header=True)
                    if result.out.suffix.lower() == ".csv" else con.read_parquet(str(result.out)))
        verdicts.create_view("v")
        flags = """
            robots_verdict = 'disallowed' AS disallowed,
            robots_verdict = 'unreachable_disallow' AS unreachable_disallow,
            robots_verdict = 'no_snapshot' AS no_snapshot,
            robots_verdict = 'invalid_row' AS invalid_row,
            tdm_verdict = 'reserved' AS tdm_reserved,
            CAST(infringing_domain AS BOOLEAN) AS infringing_domain"""
        con.execute(f"CREATE VIEW f AS SELECT *, {flags} FROM v")
        sums = ", ".join(f"count(*) FILTER (WHERE {p}) AS {p}" for p in PROBLEMS)
        any_problem = " OR ".join(PROBLEMS)
        total = _one(con, f"""SELECT count(*), count(*) FILTER (WHERE robots_verdict =
            'allowed'), {sums}, count(*) FILTER (WHERE {any_problem}),
            min(fetched_at), max(fetched_at) FROM f""")
        rows, allowed, *by_reason, problems, first, last = total
        domains = con.execute(f"""
            SELECT coalesce(regexp_extract(origin, '^[^:]*://([^:/]*)', 1), '(unreadable URL)')
                   AS host, count(*) AS rows,
                   count(*) FILTER (WHERE {any_problem}) AS violations, {sums}
            FROM f GROUP BY host HAVING count(*) FILTER (WHERE {any_problem}) > 0
            ORDER BY violations DESC, host LIMIT {int(top_domains)}""").fetchall()
        origins = _one(con, "SELECT count(DISTINCT origin) FROM v")[0]
    finally:
        con.close()
    return {
        "schema": SUMMARY_SCHEMA,
        "generated_at": now_utc().isoformat(),
        "inputs": {"crawl_log": options.crawl_log, "snapshots": options.snapshots,
                   "infringing_domains": str(options.infringing) if options.infringing else None,
                   "infringing_domains_listed": result.infringing_domains,
                   "tdmrep_snapshots": options.tdmrep,
                   "verdicts_file": str(result.out)},
        "settings": {"agent_override": options.agent, "cache_max_hours": options.cache_hours,
                     "parse_limit_bytes": options.parse_limit, "engine": options.engine,
                     "aipref_draft": options.aipref},
        "period": {"first_fetch": first.isoformat() if first else None,
                   "last_fetch": last.isoformat() if last else None},
        "totals": {"rows": rows, "snapshots": result.snapshots, "origins": origins,
                   "allowed": allowed, **dict(zip(PROBLEMS, by_reason, strict=True))},
        "agents": dict(sorted(result.agents.items())),
        "violations": {"rows": problems,
                       "by_reason": dict(zip(PROBLEMS, by_reason, strict=True))},
        "domains": [{"host": host, "rows": n, "violations": v,
                     **dict(zip(PROBLEMS, counts, strict=True))}
                    for host, n, v, *counts in domains],
        "domains_truncated": len(domains) >= top_domains,
        "compliant": problems == 0,
    }


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
