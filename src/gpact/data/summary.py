"""From the engine's aggregates to the public summary's figures (engine-neutral, pure).

Everything the template decides comes from the rulebook in force on ``as_of``: the size bins
(1.3), the large-dataset threshold (2.1(c)) and the domain-list rule (2.3(h), normal or SME,
with the rounding gpact chose). The output names each rule used with its confidence.

Domain ranking (reproducible): bytes descending, then the domain name ascending in Unicode
code-point order. The list has exactly the rule's count; domains tied with the last listed one
but left out are counted in ``domain_rule.ties_at_cutoff``. The list is the engine's
``RankedDomains`` (read from disk as it is iterated; ``domain_list.write_json`` streams it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.data.domain_list import share as _share
from gpact.data.engine import Aggregates, DomainFigures
from gpact.data.inputs import MODALITIES, SOURCE_KINDS, ManifestFile
from gpact.data.psl import load_rules
from gpact.data.query import URL_BAD, URL_MISSING
from gpact.data.sources import Source
from gpact.errors import InputError
from gpact.rulebook import Rulebook, RulesInForce, default_rulebook

SCHEMA = "gpact.data.summary/1"
RULE = "template_training_summary."
TIE_RULE = ("bytes descending, then domain name ascending (Unicode code points); exactly the "
            "rule's count is listed")
UNKNOWN_LANGUAGE = "und"

# Why a row is skipped (code -> column, description); a row counts once, under the first.
REASONS: dict[str, tuple[str, str]] = {
    "source_id_missing": ("source_id", "no source id"),
    "source_kind_unknown": ("source_kind", "source kind is not one of " + ", ".join(SOURCE_KINDS)),
    "modality_unknown": ("modality", "modality is not one of " + ", ".join(MODALITIES)),
    "bytes_missing": ("bytes", "no byte size"),
    "bytes_not_a_number": ("bytes", "byte size is not an integer"),
    "bytes_negative": ("bytes", "negative byte size"),
    "tokens_not_a_number": ("tokens", "token count is not an integer"),
    "tokens_negative": ("tokens", "negative token count"),
    "seconds_not_a_number": ("seconds", "duration is not a number"),
    "seconds_negative": ("seconds", "negative duration"),
    "collected_at_unparseable": ("collected_at", "collection date cannot be parsed"),
    "url_missing": ("url", "crawled item without URL"),
    "url_unparseable": ("url", "URL has no valid scheme://host"),
}
_ROUNDING = {"ceil": ROUND_CEILING, "floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP}


@dataclass(frozen=True)
class Options:
    """What the caller chooses; everything legal comes from the rulebook."""

    as_of: dt.date
    sme: bool = False
    top_languages: int = 20
    psl_private: bool = False
    strict: bool = False


@dataclass
class Stat:
    """Running totals of one group of valid rows."""

    items: int = 0
    bytes: int = 0
    tokens: int = 0
    tokens_rows: int = 0
    ms: int = 0
    seconds_rows: int = 0
    dated_rows: int = 0
    first: str | None = None
    last: str | None = None

    def add(self, row: dict[str, Any]) -> None:
        self.items += int(row["items"])
        self.bytes += int(row["bytes"] or 0)
        self.tokens += int(row["tokens"] or 0)
        self.tokens_rows += int(row["tokens_rows"])
        self.ms += int(row["ms"] or 0)
        self.seconds_rows += int(row["seconds_rows"])
        self.dated_rows += int(row["dated_rows"])
        if row["first"] is not None:
            self.first = min(self.first or row["first"], row["first"])
        if row["last"] is not None:
            self.last = max(self.last or row["last"], row["last"])

    def sizes(self) -> dict[str, Any]:
        return {"items": self.items, "bytes": self.bytes,
                "tokens": self.tokens if self.tokens_rows else None,
                "seconds": self.ms / 1000 if self.seconds_rows else None}


@dataclass
class _Skipped:
    rows: int = 0
    files: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    values: set[str] = field(default_factory=set)


@dataclass
class _Tally:
    """The totals groups folded into the views the summary reports."""

    per_file_rows: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    skipped: dict[str, _Skipped] = field(default_factory=lambda: defaultdict(_Skipped))
    modalities: dict[str, Stat] = field(default_factory=lambda: defaultdict(Stat))
    kinds: dict[str, Stat] = field(default_factory=lambda: defaultdict(Stat))
    kind_modalities: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    per_source: dict[tuple[str, str], dict[str, Stat]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Stat)))
    languages: dict[str, Stat] = field(default_factory=lambda: defaultdict(Stat))
    overall: Stat = field(default_factory=Stat)

    def add(self, row: dict[str, Any], file_ix: int) -> None:
        self.per_file_rows[file_ix] += int(row["items"])
        reason = reason_of(row)
        if reason is not None:
            s = self.skipped[reason]
            s.rows += int(row["items"])
            s.files[file_ix] += int(row["items"])
            if reason in ("source_kind_unknown", "modality_unknown"):
                s.values.add(repr(row[REASONS[reason][0]]))
            return
        kind, modality, sid = row["source_kind"], row["modality"], str(row["source_id"])
        for stat in (self.modalities[modality], self.kinds[kind],
                     self.per_source[(kind, sid)][modality],
                     self.languages[_language(row["language"])], self.overall):
            stat.add(row)
        self.kind_modalities[kind].add(modality)

    def skip_list(self, files: list[ManifestFile], mapping: dict[str, str]) -> list[
            dict[str, Any]]:
        out = []
        for code, (col, text) in REASONS.items():
            if code not in self.skipped:
                continue
            s = self.skipped[code]
            entry: dict[str, Any] = {"reason": code, "column": mapping.get(col, col),
                                     "description": text, "rows": s.rows,
                                     "files": {str(files[i].path) if i >= 0 else "?": n
                                               for i, n in sorted(s.files.items())}}
            if s.values:
                entry["values_seen"] = sorted(s.values)[:10]
            out.append(entry)
        return out


def reason_of(row: dict[str, Any]) -> str | None:
    """The first problem of a group of rows, in the documented order; None when valid."""
    if row["source_id"] is None or str(row["source_id"]) == "":
        return "source_id_missing"
    if row["source_kind"] not in SOURCE_KINDS:
        return "source_kind_unknown"
    if row["modality"] not in MODALITIES:
        return "modality_unknown"
    if row["b_sign"] is None:
        return "bytes_not_a_number" if row["b_bad"] else "bytes_missing"
    if row["b_sign"] < 0:
        return "bytes_negative"
    for prefix, name in (("t", "tokens"), ("s", "seconds")):
        if row[f"{prefix}_bad"]:
            return f"{name}_not_a_number"
        if row[f"{prefix}_sign"] is not None and row[f"{prefix}_sign"] < 0:
            return f"{name}_negative"
    if row["ts_bad"]:
        return "collected_at_unparseable"
    return {URL_MISSING: "url_missing", URL_BAD: "url_unparseable"}.get(int(row["url_check"]))


def _language(value: Any) -> str:
    text = str(value).strip().lower() if value is not None else ""
    return text or UNKNOWN_LANGUAGE


def list_length(n_domains: int, share: float, rounding: str, cap: int | None) -> int:
    """Number of domains to list: ``share`` of ``n_domains`` rounded by the rule, capped."""
    if rounding not in _ROUNDING:
        raise InputError(None, RULE + "domain_list_rounding",
                         f"unknown rounding {rounding!r}; use ceil, floor or half_up")
    exact = Decimal(str(share)) * n_domains
    k = int(exact.quantize(Decimal(1), rounding=_ROUNDING[rounding]))
    if cap is not None:
        k = min(k, int(cap))
    return max(0, min(k, n_domains))


def size_bin(modality: str, stat: Stat, bins_rule: dict[str, Any]) -> dict[str, Any] | None:
    """The template's size bin (section 1.3) for one modality, from the rulebook's bins."""
    spec = bins_rule.get(modality)
    if spec is None:
        return None
    unit = str(spec["unit"])
    if unit == "tokens":
        value, known = float(stat.tokens), stat.tokens_rows
    elif unit == "hours":
        value, known = stat.ms / 3.6e6, stat.seconds_rows
    else:
        value, known = float(stat.items), stat.items
    if known == 0:
        return {"label": None, "unit": unit, "measured": None, "complete": False,
                "note": f"no {unit} recorded for {modality} items"}
    label = None
    for b in spec["bins"]:
        if "below" in b and value < float(b["below"]):
            label = b["label"]
            break
        if "above" in b and value > float(b["above"]):
            label = b["label"]
            break
    if label is None:
        label = next(b["label"] for b in spec["bins"] if "below" not in b and "above" not in b)
    out: dict[str, Any] = {"label": label, "unit": unit, "measured": value,
                           "complete": known == stat.items}
    if known != stat.items:
        out["note"] = (f"{unit} known for {known} of {stat.items} items; the bin is a lower "
                       "bound")
    return out


def _concentration(figures: DomainFigures) -> dict[str, Any]:
    total, n = figures.bytes, figures.count
    if total <= 0:
        return {"top_list_bytes_share": None, "top_1_percent_bytes_share": None,
                "top_10_percent_bytes_share": None, "domains_for_half_of_bytes": None,
                "hhi": None}
    top = figures.top_bytes
    return {
        "top_list_bytes_share": round(top[len(figures.listed)] / total, 6),
        "top_1_percent_bytes_share": round(top[math.ceil(n / 100)] / total, 6),
        "top_10_percent_bytes_share": round(top[math.ceil(n / 10)] / total, 6),
        "domains_for_half_of_bytes": figures.half,
        "hhi": round(figures.sum_of_squares / total ** 2, 6),
    }


def _domain_rules(rules: RulesInForce, sme: bool) -> tuple[Any, int | None, Any, list[Any]]:
    """The share rule, the cap, the rounding rule and all rules used for the domain list."""
    rounding = rules.rule(RULE + "domain_list_rounding")
    if sme:
        share_rule, cap_rule = rules.rule(RULE + "sme_domain_top_share"), \
            rules.rule(RULE + "sme_domain_cap")
        return share_rule, int(cap_rule.value), rounding, [share_rule, cap_rule, rounding]
    share_rule = rules.rule(RULE + "domain_top_share")
    return share_rule, None, rounding, [share_rule, rounding]


def domain_list_length(n_domains: int, rules: RulesInForce, sme: bool) -> int:
    """How many domains section 2.3(h) lists out of ``n_domains`` (what the engine fetches)."""
    share_rule, cap, rounding, _ = _domain_rules(rules, sme)
    return list_length(n_domains, float(share_rule.value), str(rounding.value), cap)


def _crawled(agg: Aggregates, rules: RulesInForce, options: Options) -> dict[str, Any]:
    figures, host_counts = agg.domains, agg.host_counts
    n = figures.count
    share_rule, cap, rounding, used = _domain_rules(rules, options.sme)
    k = list_length(n, float(share_rule.value), str(rounding.value), cap)
    if len(figures.listed) != k:
        raise RuntimeError("internal error: the engine listed another number of domains")
    weakest = min((r.confidence for r in used), key=("unverified", "secondary",
                                                     "verified").index)
    variant = "sme" if options.sme else "standard"
    text = (f"top {float(share_rule.value):.0%} of {n} domains by bytes"
            + (f", at most {cap}" if cap is not None else "")
            + f", rounded {rounding.value}: {k} listed")
    return {
        "top_domains": figures.listed,
        "domain_count": n,
        "crawled_bytes": figures.bytes,
        "domain_rule": {"variant": variant, "text": text, "share": float(share_rule.value),
                        "cap": cap, "rounding": rounding.value, "count": k,
                        "ties_at_cutoff": figures.ties_at_cutoff, "tie_break": TIE_RULE,
                        "confidence": weakest, "rules": [r.key for r in used]},
        "domain_concentration": _concentration(figures),
        "hosts": {**host_counts,
                  "public_suffix_list": load_rules(options.psl_private).describe()},
    }


def _public_datasets(per_source: dict[tuple[str, str], dict[str, Stat]],
                     rules: RulesInForce, sources: dict[str, Source]) -> dict[str, Any]:
    threshold_rule = rules.rule(RULE + "large_dataset_share")
    threshold = Decimal(str(threshold_rule.value))
    out: dict[str, Any] = {}
    for modality in MODALITIES:
        rows = [(sid, stats[modality]) for (kind, sid), stats in per_source.items()
                if kind == "public_dataset" and modality in stats]
        if not rows:
            continue
        total = sum(s.bytes for _, s in rows)
        rows.sort(key=lambda r: (-r[1].bytes, r[0]))
        datasets = []
        for sid, stat in rows:
            entry: dict[str, Any] = {"source_id": sid, "bytes": stat.bytes, "items": stat.items,
                                     "bytes_share": _share(stat.bytes, total),
                                     "listed": total > 0 and stat.bytes >= threshold * total}
            if sid in sources:
                entry["source"] = sources[sid].public()
            datasets.append(entry)
        out[modality] = {"bytes": total, "datasets": datasets,
                         "listed": sum(1 for d in datasets if d["listed"])}
    return {"threshold": float(threshold_rule.value), "measure": "bytes",
            "confidence": threshold_rule.confidence, "rule": threshold_rule.key,
            "by_modality": out}


def summarize(files: list[ManifestFile], agg: Aggregates, *, engine: str,
              mapping: dict[str, str], options: Options,
              sources: dict[str, Source] | None = None, sources_path: str | None = None,
              rulebook: Rulebook | None = None) -> dict[str, Any]:
    """The JSON document of docs/data.md (schema ``gpact.data.summary/1``)."""
    book = rulebook or default_rulebook()
    rules = book.at(options.as_of)
    sources = sources or {}
    tally = _Tally()
    for row in agg.totals:
        tally.add(row, agg.files.get(str(row["file"]), -1))
    per_file_rows, overall, kinds = tally.per_file_rows, tally.overall, tally.kinds
    per_source, languages, modalities = tally.per_source, tally.languages, tally.modalities
    rows_read = sum(per_file_rows.values())
    label = ", ".join(str(f.path) for f in files[:3]) + (" …" if len(files) > 3 else "")
    if rows_read == 0:
        raise InputError(label, None, "the manifest has no rows")
    skipped_total = sum(s.rows for s in tally.skipped.values())
    skip_list = tally.skip_list(files, mapping)
    if options.strict and skip_list:
        first = skip_list[0]
        where = next(iter(first["files"]))
        raise InputError(where, first["column"], f"{first['rows']} row(s): {first['description']}"
                         f" (--strict; {skipped_total} invalid rows in all)")
    if overall.items == 0:
        reasons = "; ".join(f"{e['reason']}: {e['rows']}" for e in skip_list)
        raise InputError(label, None, f"no valid rows ({skipped_total} skipped: {reasons})")

    bins_rule = rules.rule(RULE + "size_bins")
    sections = rules.value(RULE + "source_kind_sections")
    crawled = _crawled(agg, rules, options)
    crawl_stat = kinds.get("crawled")
    if crawled["crawled_bytes"] != (crawl_stat.bytes if crawl_stat else 0):
        raise RuntimeError("internal error: bytes by domain do not add up to crawled bytes")
    lang_total = sum(s.bytes for s in languages.values())
    lang_sorted = sorted(languages.items(), key=lambda kv: (-kv[1].bytes, kv[0]))
    top_langs = lang_sorted[: options.top_languages]
    rest = lang_sorted[options.top_languages:]
    warnings: list[str] = []
    for rel, cols in agg.columns_missing.items():
        warnings.append(f"{rel}: no column for {', '.join(cols)} (treated as empty)")
    undescribed = sorted({sid for (_, sid) in per_source} - set(sources)) if sources else []
    if undescribed:
        warnings.append("sources not described in the sources file: " + ", ".join(undescribed))
    for (kind, sid) in per_source:
        declared = sources.get(sid)
        if declared is not None and declared.kind is not None and declared.kind != kind:
            warnings.append(f"source {sid}: manifest says {kind}, sources file says "
                            f"{declared.kind}")
    present = [m for m in MODALITIES if m in modalities]
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "gpact_version": __version__,
        "rulebook_version": book.version,
        "rulebook_published": book.published.isoformat(),
        "as_of": options.as_of.isoformat(),
        "not_legal_advice": NOT_LEGAL_ADVICE,
        "engine": engine,
        "sme": options.sme,
        "inputs": {
            "files": [dict(f.as_dict(), rows=per_file_rows.get(i, 0))
                      for i, f in enumerate(files)],
            "column_mapping": mapping,
            "sources_file": sources_path,
        },
        "rows": {"read": rows_read, "used": overall.items, "skipped": skipped_total},
        "modalities": {m: {**modalities[m].sizes(),
                           "size_bin": size_bin(m, modalities[m], bins_rule.value)}
                       for m in present},
        "source_kinds": {k: {**sections.get(k, {}), **kinds[k].sizes(),
                             "modalities": [m for m in MODALITIES
                                            if m in tally.kind_modalities[k]]}
                         for k in SOURCE_KINDS if k in kinds},
        "sources": [
            {"source_id": sid, "source_kind": kind,
             **({"source": sources[sid].public()} if sid in sources else {}),
             "modalities": {m: stats[m].sizes() for m in MODALITIES if m in stats},
             "collection_period": _period(stats.values())}
            for (kind, sid), stats in sorted(per_source.items(), key=lambda kv: kv[0][::-1])],
        "public_datasets": _public_datasets(per_source, rules, sources),
        "top_domains": crawled["top_domains"],
        "domain_count": crawled["domain_count"],
        "domain_rule": crawled["domain_rule"],
        "domain_concentration": crawled["domain_concentration"],
        "crawled_hosts": crawled["hosts"],
        "collection_period": {**_period([overall]),
                              "crawled": _period([crawl_stat]) if crawl_stat else None},
        "languages": [{"language": lang, "items": s.items, "bytes": s.bytes,
                       "tokens": s.tokens if s.tokens_rows else None,
                       "bytes_share": _share(s.bytes, lang_total)} for lang, s in top_langs],
        "languages_other": {"count": len(rest), "bytes": sum(s.bytes for _, s in rest),
                            "bytes_share": _share(sum(s.bytes for _, s in rest), lang_total)},
        "language_count": len(languages),
        "skipped_rows": {"total": skipped_total, "reasons": skip_list},
        "warnings": warnings,
        "rules_applied": [v.as_dict() for v in rules.used.values()],
        "unverified_rules_used": [v.key for v in rules.unverified_used()],
    }
    return doc


def _period(stats: Any) -> dict[str, Any]:
    stats = list(stats)
    firsts = [s.first for s in stats if s.first]
    lasts = [s.last for s in stats if s.last]
    first, last = (min(firsts) if firsts else None), (max(lasts) if lasts else None)
    return {"first": first, "last": last, "first_month": _month(first),
            "last_month": _month(last),
            "undated_items": sum(s.items - s.dated_rows for s in stats)}


def _month(day: str | None) -> str | None:
    return f"{day[5:7]}/{day[:4]}" if day else None
