"""The public summary of training content (Art. 53(1)(d)) in the Commission template's numbering.

The size bins, the large-dataset rule (2.1(c)) and the domain-list rule (2.3(h), with its SME
variant) come from ``rulebook/data/template_training_summary/``; the summary states which rule
it applied and with what confidence, because several of them are unconfirmed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from gpact.documents.builders.base import Builder
from gpact.documents.builders.common import (
    authorised_representative,
    dependencies,
    model_versions,
    placed_on,
    provider_contact,
    record_field,
)
from gpact.documents.context import Context
from gpact.documents.document import Answer, Document, Num, Table, Value, format_number
from gpact.documents.record import PublicDataset
from gpact.rulebook.loader import RuleValue

TEMPLATE_MODALITIES = ("text", "image", "audio", "video", "other")
SECONDS_PER_HOUR = 3600.0


def _rule_note(rule: RuleValue, what: str, show_value: bool = True) -> str:
    flag = " — UNVERIFIED, check before publishing" if rule.unverified else ""
    value = f" = {rule.value}" if show_value else ""
    return f"{what} (rule {rule.key}{value}, {rule.source}; confidence {rule.confidence}{flag})."


def _provider(ctx: Context) -> Value:
    text = provider_contact(ctx)
    if text and ctx.profile.provider.sme:
        text += " The provider is an SME (Commission Recommendation 2003/361/EC)."
    return text


def _model_names(ctx: Context) -> Value:
    names = model_versions(ctx)
    url = ctx.record.model.summary_url
    return [f"{n} ({url})" if url else n for n in names] or None


def _summary_modalities(ctx: Context) -> dict[str, Any]:
    raw = (ctx.sources.data_summary or {}).get("modalities") or {}
    return {str(k): v for k, v in raw.items() if isinstance(v, dict)}


def _size(ctx: Context, modality: str) -> tuple[float, str] | None:
    """The size of one modality in the unit the template's bins use, if known."""
    given = ctx.record.data.sizes.get(modality)  # type: ignore[call-overload]
    if given is not None:
        return Num(given.value).value, given.unit
    figures = _summary_modalities(ctx).get(modality)
    if not figures:
        return None
    if modality == "text" and isinstance(figures.get("tokens"), int | float):
        return float(figures["tokens"]), "tokens"
    if modality == "image" and isinstance(figures.get("items"), int | float):
        return float(figures["items"]), "images"
    if modality in ("audio", "video") and isinstance(figures.get("seconds"), int | float):
        return float(figures["seconds"]) / SECONDS_PER_HOUR, "hours"
    if isinstance(figures.get("bytes"), int | float):
        return float(figures["bytes"]), "bytes"
    return None


def size_bin(bins: dict[str, Any], modality: str, amount: float, unit: str) -> str | None:
    """The template bin for an amount, or None when the unit is not the bin unit."""
    spec = bins.get(modality)
    if spec is None or spec["unit"] != unit:
        return None
    for b in spec["bins"]:
        # float(): a custom rulebook (GPACT_RULEBOOK) may hold numbers that YAML 1.1 reads as text
        if "below" in b and amount < float(b["below"]):
            return str(b["label"])
        if "above" in b and amount > float(b["above"]):
            return str(b["label"])
    middle = [b for b in spec["bins"] if "below" not in b and "above" not in b]
    return str(middle[0]["label"])


def _modality_table(ctx: Context) -> Answer:
    data = ctx.record.data
    rule = ctx.rules.rule("template_training_summary.size_bins")
    used = set(data.modalities) | set(data.sizes) | set(data.content_types) \
        | set(_summary_modalities(ctx))
    if not used:
        return Answer(None)
    rows, problems = [], []
    for modality in TEMPLATE_MODALITIES:
        if modality not in used:
            rows.append((f"☐ {modality.capitalize()}", "", ""))
            continue
        size = _size(ctx, modality)
        if size is None:
            shown = ""
            problems.append(f"{modality}: no training data size")
        else:
            amount, unit = size
            label = size_bin(rule.value, modality, amount, unit)
            approx = f"approx. {format_number(Num(float(f'{amount:.2g}'), unit))}"
            shown = f"{label} ({approx})" if label else approx
            if label is None and modality != "other":
                problems.append(f"{modality}: size given in {unit}; the template's bins use "
                                f"{rule.value[modality]['unit']}")
        types = data.content_types.get(modality, "")  # type: ignore[call-overload]
        if not types:
            problems.append(f"{modality}: types of content not described (data.content_types)")
        rows.append((f"☒ {modality.capitalize()}", shown, types))
    notes = [_rule_note(rule, "Size bins per modality", show_value=False)]
    if rule.note:
        notes.append(rule.note)
    method = ("Each size is placed in the Commission template's size bin for its modality "
              "(text in tokens, images in number of images, audio and video in hours).")
    return Answer(Table(("Modality", "Training data size", "Types of content"), tuple(rows)),
                  notes=tuple(notes), problems=tuple(problems), method=method)


def _month(value: Any) -> str:
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.month:02d}/{day.year}"


def _latest_collection(ctx: Context) -> Answer:
    data = ctx.record.data
    period = (ctx.sources.data_summary or {}).get("collection_period") or {}
    latest = data.latest_collection or (_month(period["last"]) if period.get("last") else None)
    if latest is None:
        return Answer(None)
    notes = () if data.latest_collection else ("From the referenced data summary.",)
    if not data.continued_training:
        return Answer(latest, notes=notes, problems=(
            "say whether training continues on data collected after this date "
            "(data.continued_training)",))
    return Answer(f"{latest}. {data.continued_training.strip()}", notes=notes)


def _languages(ctx: Context) -> Answer:
    if ctx.record.data.linguistic:
        return Answer(ctx.record.data.linguistic)
    raw = (ctx.sources.data_summary or {}).get("languages")
    names: list[str] = []
    if isinstance(raw, dict):
        names = [f"{k} ({v:.0%})" if isinstance(v, float) else str(k) for k, v in raw.items()]
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and "language" in item:
                share = item.get("share")
                names.append(f"{item['language']} ({share:.0%})" if isinstance(share, float)
                             else str(item["language"]))
            elif isinstance(item, str):
                names.append(item)
    if not names:
        return Answer(None)
    return Answer("Languages by share of the data: " + ", ".join(names) + ".",
                  notes=("From the referenced data summary.",))


def _shares(datasets: list[PublicDataset]) -> dict[str, float | None]:
    """Each dataset's share of its modality's public data (None: cannot be computed)."""
    totals: dict[str, float] = defaultdict(float)
    units: dict[str, set[str | None]] = defaultdict(set)
    for d in datasets:
        if d.size is not None:
            totals[d.modality] += Num(d.size).value
            units[d.modality].add(d.unit)
    out: dict[str, float | None] = {}
    for d in datasets:
        if d.share is not None:
            out[d.name] = d.share
        elif d.size is not None and totals[d.modality] > 0 and len(units[d.modality]) == 1:
            out[d.name] = Num(d.size).value / totals[d.modality]
        else:
            out[d.name] = None
    return out


def _large_datasets(ctx: Context) -> Answer:
    public = ctx.record.data.public_datasets
    if not public.datasets:
        return Answer(None)
    rule = ctx.rules.rule("template_training_summary.large_dataset_share")
    shares = _shares(public.datasets)
    rows, problems = [], []
    for d in public.datasets:
        share = shares[d.name]
        if share is None:
            problems.append(f"{d.name}: give size or share to apply the listing rule (sizes "
                            "of one modality must share a unit)")
            continue
        if share < rule.value:
            continue
        if not (d.url or d.collected):
            problems.append(f"{d.name}: no link (or description with collection dates)")
        if not d.version:
            problems.append(f"{d.name}: no version")
        rows.append((d.name, d.modality, d.version or "", d.url or d.collected or "",
                     f"{share:.1%}", d.subset or ""))
    notes = [_rule_note(rule, f"Listed: each public dataset making up {rule.value:.0%} or more "
                              "of all public datasets used for its modality, by size")]
    if rule.note:
        notes.append(rule.note)
    method = (f"Listed: each public dataset that makes up {rule.value:.0%} or more of all "
              "publicly available data used for its modality, by size; the others are "
              "described in 2.1(d).")
    if not rows and not problems:
        return Answer("No public dataset reaches the listing threshold; see 2.1(d).",
                      notes=tuple(notes), method=method)
    table = Table(("Dataset", "Modality", "Version", "Link or description", "Share of modality",
                   "Subset selection"), tuple(rows))
    return Answer(table, notes=tuple(notes), problems=tuple(problems), method=method)


def domain_list_length(domain_count: int, sme: bool, share: float, cap: int | None) -> int:
    """How many domains 2.3(h) asks for: top share (rounded up), capped for SMEs."""
    n = math.ceil(share * domain_count)
    return min(n, cap) if sme and cap is not None else n


def _domains(ctx: Context) -> Answer:
    crawling = ctx.record.data.crawling
    summary = ctx.sources.data_summary or {}
    from_summary = [str(d["domain"]) for d in summary.get("top_domains", [])]
    domains = list(crawling.domains) or from_summary
    sme = bool(ctx.profile.provider.sme)
    if sme:
        share_rule = ctx.rules.rule("template_training_summary.sme_domain_top_share")
        cap_rule: RuleValue | None = ctx.rules.rule("template_training_summary.sme_domain_cap")
    else:
        share_rule, cap_rule = ctx.rules.rule("template_training_summary.domain_top_share"), None
    notes = [_rule_note(share_rule, "Domain list: top share of all crawled domains, ranked by "
                                    "size of content scraped" + (" (SME variant)" if sme else ""))]
    if cap_rule is not None:
        notes.append(_rule_note(cap_rule, "SME cap: the lower of the share and the cap"))
    if ctx.profile.provider.sme is None:
        notes.append("SME status unknown (provider.sme): the non-SME rule was applied.")
    if share_rule.note:
        notes.append(share_rule.note)
    count = summary.get("domain_count")
    problems: list[str] = []
    method: str | None = None
    if isinstance(count, int):
        n = domain_list_length(count, sme, share_rule.value,
                               cap_rule.value if cap_rule else None)
        notes.append(f"{count} crawled domains → {n} listed (share rounded up).")
        cap = f" (at most {format_number(Num(cap_rule.value))})" if cap_rule else ""
        who = "As an SME, the provider lists" if sme else "Listed:"
        method = (f"{who} the top {share_rule.value:.0%}{cap} of the "
                  f"{format_number(Num(count))} domains crawled, ranked by the size of the "
                  f"content collected from each ({n} domain{'s' if n != 1 else ''}).")
        if len(domains) > n:
            domains = domains[:n]
        elif len(domains) < n:
            problems.append(f"lists {len(domains)} of the {n} domains the rule requires")
    elif domains:
        problems.append("total number of crawled domains unknown (reference a data summary "
                        "with domain_count): the list length cannot be checked")
    if domains and not crawling.domains:
        notes.append("Domains from the referenced data summary.")
    return Answer(domains or None, notes=tuple(notes), problems=tuple(problems), method=method)


def _crawlers(ctx: Context, attr: str) -> Value:
    crawlers = ctx.record.data.crawling.crawlers
    parts = [f"{c.name}: {getattr(c, attr)}" for c in crawlers if getattr(c, attr)]
    return " ".join(p if p.endswith(".") else p + "." for p in parts) or None


def _crawl_period(ctx: Context) -> Answer:
    crawlers = ctx.record.data.crawling.crawlers
    listed = [f"{c.name}: {c.period_from} – {c.period_to or 'ongoing'}"
              for c in crawlers if c.period_from]
    if listed:
        missing = [c.name for c in crawlers if not c.period_from]
        return Answer("; ".join(listed), problems=tuple(f"{m}: no collection period"
                                                        for m in missing))
    period = (ctx.sources.data_summary or {}).get("collection_period") or {}
    if period.get("first") and period.get("last"):
        return Answer(f"{_month(period['first'])} – {_month(period['last'])}",
                      notes=("Overall period from the referenced data summary; reviewers "
                             "expect one period per crawler.",))
    return Answer(None)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _third_party_data_used(ctx: Context) -> bool:
    data = ctx.record.data
    return bool(data.public_datasets.used or data.licensed.used or data.private_other.used)


def _protocols(ctx: Context) -> str | None:
    """Protocols honoured, with the robots.txt user-agent tokens obeyed."""
    cr = ctx.record.copyright
    res = cr.reservations
    tokens = list(res.crawler_tokens) or [c.name for c in ctx.record.data.crawling.crawlers]
    listed = []
    for p in res.protocols:
        text = p.name + (f" ({p.detail})" if p.detail else "")
        if p.name.lower().startswith("robots") and tokens:
            text += f", for the user-agent token{'s' if len(tokens) > 1 else ''} " \
                    + ", ".join(tokens)
        listed.append(text)
    if listed:
        return "; ".join(listed)
    return " ".join(t.strip() for t in (cr.robots_txt, cr.other_protocols) if t) or None


def _tdm_measures(ctx: Context) -> Answer:
    """3.1(b) from the copyright section: what is honoured, when it is read, and what happens
    to reservations made after collection and to third-party datasets."""
    data, cr = ctx.record.data, ctx.record.copyright
    res = cr.reservations
    crawling = bool(data.crawling.used)
    third_party = res.third_party or cr.third_party_datasets
    parts = [("Protocols honoured", _protocols(ctx))]
    if crawling:
        timing = " ".join(t for t in (
            f"robots.txt is fetched again {res.robots_refetch.strip().rstrip('.')}."
            if res.robots_refetch else None,
            f"Reservations are evaluated {res.evaluated_at.strip().rstrip('.')}."
            if res.evaluated_at else None) if t)
        parts.append(("When reservations are read", timing or None))
    parts += [("Reservations made after collection", res.after_collection),
              ("Third-party datasets", third_party if _third_party_data_used(ctx) else None),
              ("", data.tdm_measures)]
    text = "\n\n".join(_sentence(f"{label}: {t.strip()}" if label else t.strip())
                        for label, t in parts if t and t.strip()) or None
    problems = []
    if text is not None:
        if not _protocols(ctx):
            problems.append("name the opt-out protocols honoured (copyright.reservations."
                            "protocols)")
        if crawling and not res.robots_refetch:
            problems.append("say how often robots.txt is fetched again "
                            "(copyright.reservations.robots_refetch)")
        if crawling and not res.evaluated_at:
            problems.append("say at what point of collection reservations are evaluated "
                            "(copyright.reservations.evaluated_at)")
        if not res.after_collection:
            problems.append("say how reservations made after collection are handled for data "
                            "already held (copyright.reservations.after_collection)")
        if _third_party_data_used(ctx) and not third_party:
            problems.append("say which opt-out lists or protocols were applied to third-party "
                            "datasets (copyright.reservations.third_party)")
    audit = ctx.sources.rights_audit
    notes: tuple[str, ...] = ()
    if isinstance(audit, dict):
        figures = ", ".join(f"{k}: {v}" for k, v in audit.items()
                            if isinstance(v, int | float) and not isinstance(v, bool))
        if figures:
            notes = (f"Crawl opt-out audit (referenced): {figures}.",)
    return Answer(text, notes=notes, problems=tuple(problems))


def _tdm_comments(ctx: Context) -> Value:
    url = ctx.record.copyright.policy_url
    comments = ctx.record.data.tdm_comments
    return " ".join(p for p in (comments, f"Copyright policy: {url}" if url else None) if p) \
        or None


def _market_models(ctx: Context) -> Value:
    return [f"{m.name} (summary: {m.summary_url})" if m.summary_url else m.name
            for m in ctx.record.data.synthetic.market_models] or None


def _signatory(ctx: Context) -> Value:
    return ctx.profile.provider.code_of_practice_signatory


def _previous_versions(ctx: Context, doc: Document) -> None:
    for v in ctx.record.document.previous_versions:
        parts = [f"Previous version {v.version}"]
        parts += [f"of {v.date.isoformat()}"] if v.date else []
        parts += [f"at {v.url}"] if v.url else []
        doc.notes.append(" ".join(parts) + (f": {v.changes}" if v.changes else "") + ".")


TRAINING_SUMMARY = Builder(
    reader="the public",
    finish=_previous_versions,
    kind="training-summary", obligation="training_content_summary",
    tree_key="template_training_summary.fields",
    resolvers={
        "summary_version": record_field("document.version"),
        "last_update": record_field("document.last_update"),
        "provider_name_contact": _provider,
        "authorised_representative": authorised_representative,
        "versioned_model_names": _model_names,
        "model_dependencies": dependencies,
        "union_placement_date": placed_on,
        "modality_sizes": _modality_table,
        "latest_collection_date": _latest_collection,
        "linguistic_characteristics": _languages,
        "other_characteristics": record_field("data.other_characteristics"),
        "general_comments": record_field("data.comments"),
        "public_used": record_field("data.public_datasets.used"),
        "public_modalities": record_field("data.public_datasets.modalities"),
        "public_large_datasets": _large_datasets,
        "public_other_description": record_field("data.public_datasets.other_description"),
        "public_comments": record_field("data.public_datasets.comments"),
        "licensed_used": record_field("data.licensed.used"),
        "licensed_modalities": record_field("data.licensed.modalities"),
        "licensed_comments": record_field("data.licensed.comments"),
        "private_used": record_field("data.private_other.used"),
        "private_modalities": record_field("data.private_other.modalities"),
        "private_known_list": record_field("data.private_other.known"),
        "private_description": record_field("data.private_other.description"),
        "private_comments": record_field("data.private_other.comments"),
        "crawl_used": record_field("data.crawling.used"),
        "crawler_names": lambda ctx: [c.name for c in ctx.record.data.crawling.crawlers] or None,
        "crawler_purposes": lambda ctx: _crawlers(ctx, "purpose"),
        "crawler_behaviour": lambda ctx: _crawlers(ctx, "behaviour"),
        "crawl_period": _crawl_period,
        "crawl_content_description": record_field("data.crawling.content_description"),
        "crawl_modalities": record_field("data.crawling.modalities"),
        "crawl_domains": _domains,
        "crawl_comments": record_field("data.crawling.comments"),
        "user_data_model": record_field("data.user_data.from_model"),
        "user_data_services": record_field("data.user_data.from_other_services"),
        "user_data_description": record_field("data.user_data.description"),
        "user_data_modalities": record_field("data.user_data.modalities"),
        "user_data_comments": record_field("data.user_data.comments"),
        "synthetic_used": record_field("data.synthetic.used"),
        "synthetic_modalities": record_field("data.synthetic.modalities"),
        "synthetic_market_models": _market_models,
        "synthetic_other_models": record_field("data.synthetic.other_models"),
        "synthetic_comments": record_field("data.synthetic.comments"),
        "other_used": record_field("data.other.used"),
        "other_description": record_field("data.other.description"),
        "other_comments": record_field("data.other.comments"),
        "cop_signatory": _signatory,
        "tdm_measures": _tdm_measures,
        "tdm_comments": _tdm_comments,
        "illegal_content_measures": record_field("data.illegal_content_measures"),
        "other_processing": record_field("data.other_processing"),
    },
)
