"""Readable rendering (plain text or Markdown) of the summary document."""

from __future__ import annotations

from typing import Any

from gpact import NOT_LEGAL_ADVICE


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f} %"


def _table(headers: list[str], rows: list[list[str]], md: bool) -> list[str]:
    if md:
        out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        return out + ["| " + " | ".join(r) + " |" for r in rows] + [""]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*headers), fmt.format(*("-" * w for w in widths)),
            *(fmt.format(*r) for r in rows), ""]


def render(doc: dict[str, Any], md: bool = False, show: int = 25) -> str:
    """The report people read; the JSON document stays the reference."""
    h1, h2 = ("# ", "## ") if md else ("", "")
    lines = [f"{h1}Training-content statistics for the public summary (Art. 53(1)(d))", ""]
    lines += [f"gpact {doc['gpact_version']}, rulebook {doc['rulebook_version']} "
              f"({doc['rulebook_published']}), as of {doc['as_of']}, engine {doc['engine']}"
              + (", SME rule" if doc["sme"] else "") + ".", NOT_LEGAL_ADVICE, ""]
    rows = doc["rows"]
    files = doc["inputs"]["files"]
    lines += [f"Inputs: {len(files)} file(s), {_num(sum(f['bytes'] for f in files))} bytes; "
              f"rows read {_num(rows['read'])}, used {_num(rows['used'])}, "
              f"skipped {_num(rows['skipped'])}.", ""]

    lines += [f"{h2}1.3 Modalities and size", ""]
    lines += _table(["modality", "items", "bytes", "tokens", "hours", "size bin"], [
        [m, _num(s["items"]), _num(s["bytes"]), _num(s["tokens"]),
         _num(s["seconds"] / 3600 if s["seconds"] is not None else None),
         (s["size_bin"] or {}).get("label") or "no bins (state size and unit)"]
        for m, s in doc["modalities"].items()], md)
    if len(doc["modalities"]) == 1:
        lines += [f"Only one modality is present ({next(iter(doc['modalities']))}).", ""]
    period = doc["collection_period"]
    lines += [f"Collection period: {period['first_month'] or '—'} to "
              f"{period['last_month'] or '—'} (latest collection date {period['last'] or '—'}"
              + (f"; {_num(period['undated_items'])} items undated" if period["undated_items"]
                 else "") + ").", ""]
    langs = ", ".join(f"{x['language']} {_pct(x['bytes_share'])}" for x in doc["languages"])
    other = doc["languages_other"]
    lines += [f"Languages ({doc['language_count']}, by bytes): {langs}"
              + (f"; {other['count']} others {_pct(other['bytes_share'])}" if other["count"]
                 else ""), ""]

    lines += [f"{h2}2. Data sources by kind", ""]
    lines += _table(["section", "kind", "items", "bytes", "modalities"], [
        [k.get("section", "?"), kind, _num(k["items"]), _num(k["bytes"]),
         ", ".join(k["modalities"])] for kind, k in doc["source_kinds"].items()], md)

    pub = doc["public_datasets"]
    lines += [f"{h2}2.1(c) Large public datasets (at least {_pct(pub['threshold'])} of the "
              f"public data of a modality, by {pub['measure']}; rule {pub['confidence']})", ""]
    pub_rows = [[m, d["source_id"], _num(d["bytes"]), _pct(d["bytes_share"]),
                 "listed" if d["listed"] else "describe in 2.1(d)"]
                for m, entry in pub["by_modality"].items() for d in entry["datasets"]]
    lines += _table(["modality", "dataset", "bytes", "share", "template"], pub_rows, md) \
        if pub_rows else ["No public datasets.", ""]

    rule = doc["domain_rule"]
    lines += [f"{h2}2.3(h) Most relevant domain names", "",
              f"Rule ({rule['variant']}, {rule['confidence']}): {rule['text']}. "
              f"Ties: {rule['tie_break']}"
              + (f"; {rule['ties_at_cutoff']} domain(s) tied with the last listed one are "
                 "not listed" if rule["ties_at_cutoff"] else "") + ".", ""]
    top = doc["top_domains"]
    lines += _table(["rank", "domain", "bytes", "share"], [
        [str(d["rank"]), d["domain"], _num(d["bytes"]), _pct(d["bytes_share"])]
        for d in top[:show]], md)
    if len(top) > show:
        lines += [f"… and {len(top) - show:,} more (the full list is in --format json).", ""]
    conc = doc["domain_concentration"]
    lines += [f"{_num(doc['domain_count'])} domains from "
              f"{_num(doc['crawled_hosts']['distinct_hosts'])} hosts (Public Suffix List "
              f"{doc['crawled_hosts']['public_suffix_list']['snapshot']}). The listed domains "
              f"hold {_pct(conc['top_list_bytes_share'])} of crawled bytes; "
              f"{_num(conc['domains_for_half_of_bytes'])} domain(s) hold half; "
              f"HHI {conc['hhi'] if conc['hhi'] is not None else '—'}.", ""]

    skipped = doc["skipped_rows"]
    if skipped["reasons"]:
        lines += [f"{h2}Skipped rows ({_num(skipped['total'])})", ""]
        lines += _table(["reason", "column", "rows", "description"], [
            [r["reason"], r["column"], _num(r["rows"]), r["description"]
             + (f" (seen: {', '.join(r['values_seen'])})" if r.get("values_seen") else "")]
            for r in skipped["reasons"]], md)
    if doc["warnings"]:
        lines += [f"{h2}Warnings", "", *(f"- {w}" for w in doc["warnings"]), ""]
    lines += [f"{h2}Rules applied", ""]
    lines += _table(["rule", "value", "confidence", "source"], [
        [r["key"], _short(r["value"]), r["confidence"], r["source"]]
        for r in doc["rules_applied"]], md)
    return "\n".join(lines).rstrip() + "\n"


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return f"{len(value)} entries"
    return str(value)
