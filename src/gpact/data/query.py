"""The SQL both engines run: one cleaning projection and two aggregations.

The text is written once in the subset of SQL that DuckDB and Spark SQL share (``TRY_CAST``,
``regexp_extract``, ordinal ``GROUP BY``), so both engines compute the same numbers by
construction; only how the input relations are opened differs (see ``engine_duckdb`` and
``engine_spark``).

Two passes, both over low-cost expressions per row:

* the *hosts* pass groups crawled rows by the URL's authority (``split_part`` for
  http(s), an anchored regex giving ``scheme://authority`` otherwise); parsing, validating
  and mapping hosts to domains happens afterwards on the distinct keys only; rows found
  invalid by the totals pass are taken back out (``correction_sql``, only when there are);
* the *totals* pass groups every row by (file, source kind, source, modality, language) and a
  few *check* columns (the sign of each size, whether a text value failed to parse). Row
  problems thus become a handful of extra groups instead of per-row branching, and reasons are
  assigned to those groups in Python (``summary.reason_of``). Rows whose URL turned out to
  have no valid host are marked through the ``bad_keys`` view, only when there are any.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gpact.data.inputs import MAPPING_HINT, MODALITIES, REQUIRED
from gpact.errors import InputError

TypeClass = Literal["string", "integer", "float", "temporal", "other"]



def url_key(url: str = "url") -> str:
    """The URL key of column ``url``: the authority of http(s) URLs (nearly all, the cheap
    path), ``scheme://authority`` of others."""
    return (f"CASE WHEN {url} LIKE 'https://%' OR {url} LIKE 'http://%' "
            f"THEN split_part({url}, '/', 3) "
            f"ELSE regexp_extract({url}, '^[^/?#]*//[^/?#]*', 0) END")


URL_KEY = url_key()
CHECKS: tuple[str, ...] = ("b_sign", "b_bad", "t_sign", "t_bad", "s_sign", "s_bad", "ts_bad")
URL_MISSING, URL_BAD = 1, 2

_NUMERIC = ("integer", "float")
_STRING_FIELDS = ("source_id", "source_kind", "modality", "url", "language")
_SIZES = (("bytes", "BIGINT", "b"), ("tokens", "BIGINT", "t"), ("seconds", "DOUBLE", "s"))
_EXPECTED: dict[str, str] = {
    "bytes": "an integer", "tokens": "an integer", "seconds": "a number",
    "collected_at": "a date/timestamp or text",
}


@dataclass(frozen=True)
class Relation:
    """One opened group of input files, as the engine sees it."""

    from_sql: str
    file_expr: str
    columns: dict[str, TypeClass]
    label: str
    quote: str = '"'

    def ident(self, name: str) -> str:
        return f"{self.quote}{name.replace(self.quote, self.quote * 2)}{self.quote}"


def _wrong_type(rel: Relation, field: str, col: str, kind: str, expected: str) -> InputError:
    return InputError(rel.label, field, f"column {col!r} has the wrong type ({kind}); "
                      f"expected {expected}")


def clean_select(rel: Relation, mapping: dict[str, str]) -> tuple[str, list[str]]:
    """The cleaning projection for one relation and the conditions of a valid row."""
    cols = {field: mapping.get(field, field) for field in
            ("source_id", "source_kind", "modality", "url", "bytes", "tokens", "seconds",
             "collected_at", "language")}
    missing = [f for f in REQUIRED if cols[f] not in rel.columns]
    if missing:
        names = ", ".join(f"{cols[f]!r}" + (f" (field {f})" if cols[f] != f else "")
                          for f in missing)
        present = ", ".join(sorted(rel.columns)) or "none"
        raise InputError(rel.label, None, f"missing column {names}; columns present: {present}; "
                         f"{MAPPING_HINT}")

    def quoted(field: str) -> str | None:
        return rel.ident(cols[field]) if cols[field] in rel.columns else None

    select: list[str] = [f"{rel.file_expr} AS file"]
    valid: list[str] = []
    for field in _STRING_FIELDS:
        col = quoted(field)
        kind = rel.columns.get(cols[field], "string")
        if col is None:
            select.append(f"CAST(NULL AS STRING) AS {field}")
        elif kind == "string":
            select.append(f"{col} AS {field}")
        elif kind in _NUMERIC:
            select.append(f"CAST({col} AS STRING) AS {field}")
        else:
            raise _wrong_type(rel, field, cols[field], kind, "text")
    for field, sql_type, p in _SIZES:
        col = quoted(field)
        kind = rel.columns.get(cols[field], "integer")
        if col is None:
            value, bad = f"CAST(NULL AS {sql_type})", "FALSE"
        elif kind == "integer":
            value, bad = f"CAST({col} AS {sql_type})", "FALSE"
        elif kind == "float" and sql_type == "DOUBLE":
            value, bad = f"CAST({col} AS {sql_type})", f"({col} IS NOT NULL AND isnan({col}))"
            valid.append(f"NOT {p}_bad")
        elif kind in ("float", "string"):
            value = f"TRY_CAST({col} AS {sql_type})"
            bad = f"({col} IS NOT NULL AND {value} IS NULL)"
            valid.append(f"NOT {p}_bad")
        else:
            raise _wrong_type(rel, field, cols[field], kind, _EXPECTED[field])
        select += [f"{value} AS {field}", f"sign({value}) AS {p}_sign", f"{bad} AS {p}_bad"]
        # on the value itself, not its sign, so that engines can push it into the scan
        valid.append(f"{field} >= 0" if field == "bytes"
                     else f"({field} IS NULL OR {field} >= 0)")
    col = quoted("collected_at")
    kind = rel.columns.get(cols["collected_at"], "temporal")
    if col is None:
        select += ["CAST(NULL AS TIMESTAMP) AS ts", "FALSE AS ts_bad"]
    elif kind == "temporal":
        select += [f"CAST({col} AS TIMESTAMP) AS ts", "FALSE AS ts_bad"]
    elif kind == "string":
        select += [f"TRY_CAST({col} AS TIMESTAMP) AS ts",
                   f"({col} IS NOT NULL AND TRY_CAST({col} AS TIMESTAMP) IS NULL) AS ts_bad"]
        valid.append("NOT ts_bad")
    else:
        raise _wrong_type(rel, "collected_at", cols["collected_at"], kind,
                          _EXPECTED["collected_at"])
    return f"SELECT {', '.join(select)} FROM {rel.from_sql}", valid


def clean_union(relations: list[Relation], mapping: dict[str, str]) -> tuple[str, list[str]]:
    """The projection over all relations and the row-validity conditions (shared by all)."""
    parts = [clean_select(rel, mapping) for rel in relations]
    valid = sorted({cond for _, conds in parts for cond in conds}, key=str)
    return "\nUNION ALL\n".join(sql for sql, _ in parts), valid


def hosts_sql(view: str) -> str:
    """Bytes and items of crawled rows per URL key (see ``URL_KEY``); validity is left to the
    totals pass (and ``correction_sql``), so this costs what a plain group-by costs."""
    return (f"SELECT {URL_KEY} AS key, count(*) AS items, "
            f"CAST(coalesce(sum(bytes), 0) AS BIGINT) AS bytes "
            f"FROM {view} WHERE source_kind = 'crawled' GROUP BY 1")


def valid_crawled(valid: list[str]) -> str:
    """The condition of a valid crawled row (before its URL is checked)."""
    # an OR chain, not IN: DuckDB turns a 5-value IN list into a join
    modality = " OR ".join(f"modality = '{m}'" for m in MODALITIES)
    return " AND ".join(["source_id <> ''", f"({modality})", *valid])


def correction_sql(view: str, valid: list[str]) -> str:
    """What the hosts pass counted from invalid crawled rows, per URL key (to take out)."""
    return (f"SELECT {URL_KEY} AS key, count(*) AS items, "
            "CAST(coalesce(sum(bytes), 0) AS BIGINT) AS bytes FROM "
            f"{view} WHERE source_kind = 'crawled' AND NOT coalesce({valid_crawled(valid)}, "
            "FALSE) GROUP BY 1")


def totals_sql(view: str, bad_keys_view: str | None) -> str:
    """Sizes per (file, source kind, source, modality, language, checks).

    With ``bad_keys_view`` (URL keys without a valid host), crawled rows are checked for a
    missing or invalid URL by a left join, not ``IN (subquery)``: Spark refuses a subquery
    over a Python-computed relation inside a grouping expression."""
    url_check, source = "0", view
    if bad_keys_view:
        url_check = (f"CASE WHEN source_kind <> 'crawled' THEN 0 "
                     f"WHEN url IS NULL OR url = '' THEN {URL_MISSING} "
                     f"WHEN bad_key IS NOT NULL THEN {URL_BAD} ELSE 0 END")
        source = (f"(SELECT v.*, b.key AS bad_key FROM {view} v LEFT JOIN {bad_keys_view} b "
                  f"ON v.source_kind = 'crawled' AND {url_key('v.url')} = b.key) t")
    keys = ["file", "source_kind", "source_id", "modality", "language", *CHECKS,
            f"{url_check} AS url_check"]
    return (f"SELECT {', '.join(keys)}, count(*) AS items, "
            "CAST(sum(bytes) AS BIGINT) AS bytes, CAST(sum(tokens) AS BIGINT) AS tokens, "
            "sum(TRY_CAST(round(seconds * 1000) AS BIGINT)) AS ms, "
            "count(tokens) AS tokens_rows, "
            "count(seconds) AS seconds_rows, count(ts) AS dated_rows, "
            "CAST(CAST(min(ts) AS DATE) AS STRING) AS first, "
            "CAST(CAST(max(ts) AS DATE) AS STRING) AS last "
            f"FROM {source} GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}")
