"""The public summary of training content (Art. 53(1)(d)) in the Commission template's numbering.

The size bins, the large-dataset rule (2.1(c)) and the domain-list rule (2.3(h), with its SME
variant) come from ``rulebook/data/template_training_summary/``; the summary states which rule
it applied and with what confidence, because several of them are unconfirmed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

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
from gpact.documents.control import document_control
from gpact.documents.document import Answer, Document, Num, Table, Value, format_number
from gpact.documents.labels import EU_LANGUAGES, language_label
from gpact.documents.labels import modality_label as _modality_label
from gpact.documents.record import Number, PublicDataset
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
    return model_versions(ctx) or None


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


def _languages(ctx: Context, from_record: bool = True) -> Answer:
    if from_record and ctx.record.data.linguistic:
        return Answer(ctx.record.data.linguistic)
    raw = (ctx.sources.data_summary or {}).get("languages")
    names: list[str] = []
    codes: list[str] = []
    if isinstance(raw, dict):
        raw = [{"language": k, "share": v} for k, v in raw.items()]
    for item in raw if isinstance(raw, list) else []:
        code, share = (item.get("language"), item.get("share")) if isinstance(item, dict) \
            else (item, None)
        if not isinstance(code, str):
            continue
        codes.append(code.lower())
        names.append(f"{language_label(code)} ({share:.0%})" if isinstance(share, float)
                     else language_label(code))
    if not names:
        return Answer(None)
    eu = [name for c, name in EU_LANGUAGES.items() if c in codes]
    text = "Largest languages by share of the data: " + ", ".join(names) + "."
    if eu:
        text += f" Official EU languages among them: {', '.join(eu)}."
    return Answer(text, notes=("From the referenced data summary.",))


def _public_shares(ctx: Context) -> dict[str, float | None]:
    """The shares of the record's public datasets, computed once per build."""
    if "public_shares" not in ctx.memo:
        ctx.memo["public_shares"] = _shares(ctx.record.data.public_datasets.datasets)
    shares: dict[str, float | None] = ctx.memo["public_shares"]
    return shares


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


def _is_home_page(url: str) -> bool:
    """A link to a site's front page names the publisher, not the dataset."""
    parsed = urlsplit(url)
    return bool(parsed.netloc) and parsed.path.strip("/") == "" and not parsed.query


def _size_text(size: Number | None, unit: str | None) -> str:
    return format_number(Num(size, unit)) if size is not None else ""


def _part_used(d: PublicDataset) -> str:
    if d.whole and not d.subset:
        return "Whole dataset"
    return " ".join(p for p in (_sentence(d.subset) if d.subset else None,
                                _sentence(f"Selection: {d.selection}") if d.selection else None)
                    if p)


def _dataset_problems(d: PublicDataset) -> list[str]:
    problems = []
    if not (d.url or d.collected):
        problems.append(f"{d.name}: no link (or description with collection dates)")
    elif d.url and _is_home_page(d.url):
        problems.append(f"{d.name}: the link is a home page; link the versioned dataset")
    if not d.version:
        problems.append(f"{d.name}: no version")
    if (d.whole is False or d.subset) and not (d.subset and d.selection):
        problems.append(f"{d.name}: only part of the dataset is used: say which part (subset) "
                        "and how it was selected (selection)")
    elif d.whole is None and not d.subset:
        problems.append(f"{d.name}: say whether the whole dataset was used (whole: true) or "
                        "which subset")
    if d.size is None:
        problems.append(f"{d.name}: no size (size, unit)")
    if d.modality in ("text", "audio", "video") and not d.languages:
        problems.append(f"{d.name}: no languages")
    if not d.collected:
        problems.append(f"{d.name}: no collection period (collected)")
    return problems


def _large_datasets(ctx: Context) -> Answer:
    public = ctx.record.data.public_datasets
    if not public.datasets:
        return Answer(None)
    rule = ctx.rules.rule("template_training_summary.large_dataset_share")
    shares = _public_shares(ctx)
    rows, problems = [], []
    for d in public.datasets:
        share = shares[d.name]
        if share is None:
            problems.append(f"{d.name}: give size or share to apply the listing rule (sizes "
                            "of one modality must share a unit)")
            continue
        if share < rule.value:
            continue
        problems += _dataset_problems(d)
        name = f"{d.name}, version {d.version}" if d.version else d.name
        size = _size_text(d.size, d.unit)
        rows.append((f"{name}\n{d.url}" if d.url else name, _part_used(d),
                     f"{size} of {_modality_label(d.modality)} ({share:.0%} of public "
                     f"{_modality_label(d.modality)})" if size
                     else f"{share:.0%} of public {_modality_label(d.modality)}",
                     ", ".join(d.languages), d.collected or ""))
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
    table = Table(("Dataset, version and link", "Part used and how it was selected", "Size",
                   "Languages", "Collection period"), tuple(rows))
    return Answer(table, notes=tuple(notes), problems=tuple(problems), method=method)


def _dataset_line(name: str, url: str | None, version: str | None, size: str,
                  languages: list[str], collected: str | None) -> str:
    facts = [f"version {version}" if version else None, size or None,
             ", ".join(languages) if languages else None,
             f"collected {collected}" if collected else None, url]
    kept = [f for f in facts if f]
    return f"{name} ({'; '.join(kept)})" if kept else name


def _other_public(ctx: Context) -> Answer:
    """2.1(d): the narrative, then the smaller public datasets the record names."""
    public = ctx.record.data.public_datasets
    rule = ctx.rules.rule("template_training_summary.large_dataset_share")
    shares = _public_shares(ctx)
    small = [d for d in public.datasets if (shares[d.name] or 0) < rule.value
             and shares[d.name] is not None]
    listed = [_dataset_line(d.name, d.url, d.version, _size_text(d.size, d.unit),
                            d.languages, d.collected) for d in small]
    parts = [public.other_description.strip() if public.other_description else None,
             "Named public datasets below the listing threshold: " + "; ".join(listed) + "."
             if listed else None]
    text = "\n\n".join(p for p in parts if p) or None
    problems = ("describe the public datasets not listed in 2.1(c) (modality, nature of the "
                "content, languages, collection period): public_datasets.other_description",) \
        if listed and not public.other_description else ()
    return Answer(text, problems=problems)


def _private_known(ctx: Context) -> Value:
    out = []
    for k in ctx.record.data.private_other.known:
        if isinstance(k, str):
            out.append(k)
        else:
            out.append(_dataset_line(k.name, k.url, None, _size_text(k.size, k.unit),
                                     k.languages, k.collected))
    return out or None


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
    return " ".join(_sentence(p) for p in parts) or None


def _behaviour(ctx: Context) -> Answer:
    """2.3(d): each crawler's behaviour, plus what the copyright record already says about
    the crawler page for rightsholders and the sites excluded."""
    cr = ctx.record.copyright
    base = _crawlers(ctx, "behaviour")
    if base is None:
        return Answer(None)
    extra = [_sentence(f"Excluded sites: {cr.infringing_sites.strip()}")
             if cr.infringing_sites else None,
             _sentence(f"Paywalls and other technical protection measures: "
                       f"{cr.no_circumvention.strip()}") if cr.no_circumvention else None,
             _sentence(f"Information for rightsholders about the crawlers: "
                       f"{cr.crawler_disclosure.strip()}") if cr.crawler_disclosure else None]
    problems = () if cr.crawler_disclosure else (
        "no published crawler information for rightsholders (copyright.crawler_disclosure)",)
    return Answer(" ".join([str(base)] + [e for e in extra if e]), problems=problems)


def _summary_languages(ctx: Context) -> str | None:
    answer = _languages(ctx, from_record=False)
    return str(answer.value) if answer.value else None


CRAWL_ASPECTS = (("geography", "Geography"), ("languages", "Languages"),
                 ("site_types", "Types of sites"), ("demographics", "Demographics"),
                 ("other_characteristics", "Other characteristics"))


def _crawled_content(ctx: Context) -> Answer:
    """2.3(f): the content crawled, one part per aspect reviewers look for."""
    crawling = ctx.record.data.crawling
    parts = [crawling.content_description.strip()] if crawling.content_description else []
    problems, notes = [], []
    for attr, label in CRAWL_ASPECTS:
        text = getattr(crawling, attr)
        if attr == "languages" and not text:
            text = _summary_languages(ctx)
            if text:
                notes.append("Languages from the referenced data summary.")
        if text:
            parts.append(_sentence(f"{label}: {text.strip()}"))
        else:
            problems.append(f"{label.lower()} of the crawled content not described "
                            f"(data.crawling.{attr})")
    if not parts:
        return Answer(None)
    return Answer("\n".join(_sentence(p) for p in parts), notes=tuple(notes),
                  problems=tuple(problems))


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


def _market_models(ctx: Context) -> Answer:
    """2.5(c): required when synthetic data is used; "none" is an answer, and each model's
    own training summary is linked."""
    models = ctx.record.data.synthetic.market_models
    if models == "none":
        return Answer("None: no general-purpose AI model available on the market was used to "
                      "generate the synthetic data.")
    listed = [f"{m.name} (training summary: {m.summary_url})" if m.summary_url else m.name
              for m in models]
    problems = tuple(f"{m.name}: link its public training summary (summary_url)"
                     for m in models if not m.summary_url)
    return Answer(listed or None, problems=problems)


SECTION_2_ORDER = ("text", "image", "video", "audio", "other")  # the template's order in 2.x


def ticked(path: str) -> Callable[[Context], Value]:
    """A modality answer as the template's checkboxes, ticked where the record lists one."""
    read = record_field(path)

    def resolve(ctx: Context) -> Value:
        chosen = read(ctx)
        if not chosen:
            return None
        assert isinstance(chosen, list)
        return "  ".join(f"{'☒' if m in chosen else '☐'} {m.capitalize()}"
                         for m in SECTION_2_ORDER)

    return resolve


def _signatory(ctx: Context) -> Value:
    return ctx.profile.provider.code_of_practice_signatory


def _finish(ctx: Context, doc: Document) -> None:
    document_control(ctx, doc, ctx.record.model.summary_url)


TRAINING_SUMMARY = Builder(
    reader="the public",
    finish=_finish,
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
        "public_modalities": ticked("data.public_datasets.modalities"),
        "public_large_datasets": _large_datasets,
        "public_other_description": _other_public,
        "public_comments": record_field("data.public_datasets.comments"),
        "licensed_used": record_field("data.licensed.used"),
        "licensed_modalities": ticked("data.licensed.modalities"),
        "licensed_comments": record_field("data.licensed.comments"),
        "private_used": record_field("data.private_other.used"),
        "private_modalities": ticked("data.private_other.modalities"),
        "private_known_list": _private_known,
        "private_description": record_field("data.private_other.description"),
        "private_comments": record_field("data.private_other.comments"),
        "crawl_used": record_field("data.crawling.used"),
        "crawler_names": lambda ctx: [c.name for c in ctx.record.data.crawling.crawlers] or None,
        "crawler_purposes": lambda ctx: _crawlers(ctx, "purpose"),
        "crawler_behaviour": _behaviour,
        "crawl_period": _crawl_period,
        "crawl_content_description": _crawled_content,
        "crawl_modalities": ticked("data.crawling.modalities"),
        "crawl_domains": _domains,
        "crawl_comments": record_field("data.crawling.comments"),
        "user_data_model": record_field("data.user_data.from_model"),
        "user_data_services": record_field("data.user_data.from_other_services"),
        "user_data_description": record_field("data.user_data.description"),
        "user_data_modalities": ticked("data.user_data.modalities"),
        "user_data_comments": record_field("data.user_data.comments"),
        "synthetic_used": record_field("data.synthetic.used"),
        "synthetic_modalities": ticked("data.synthetic.modalities"),
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
