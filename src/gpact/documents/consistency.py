"""Do the documents agree with each other, with the profile and with the data summary?

`gpact docs check` runs these before publication: the same total must not be stated two ways
(training summary 1.3, the Model Documentation Form's data points, the data summary), the
modalities ticked must fit what the model takes and produces, and dates must run in order.
A contradiction is an error under ``--strict`` and a warning otherwise.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from gpact.documents.context import Context
from gpact.documents.document import Num, format_number, significant_figures
from gpact.documents.labels import TEMPLATE_MODALITY, modality_label

BYTE_UNITS = {"b": 1, "bytes": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15}
SUMMARY_UNITS = {"tokens": "tokens", "items": "items", "seconds": "hours", "bytes": "bytes"}
UNIT_ALIASES = {"token": "tokens", "tokens": "tokens", "images": "items", "image": "items",
                "items": "items", "hours": "hours", "hour": "hours", "h": "hours"}
MONTH = re.compile(r"(?:(\d{1,2})/)?(\d{4})")
SECTION_2 = (("public_datasets", "2.1(b)"), ("licensed", "2.2.1(b)"),
             ("private_other", "2.2.2(b)"), ("crawling", "2.3(g)"), ("user_data", "2.4(d)"),
             ("synthetic", "2.5(b)"))


@dataclass(frozen=True)
class Finding:
    """One contradiction between two statements, each named by document and field."""

    subject: str
    text: str
    where: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "text": self.text, "where": list(self.where)}


@dataclass(frozen=True)
class Stated:
    value: float
    figures: int
    where: str


def check(ctx: Context) -> list[Finding]:
    """Every contradiction found across the record, the profile and the data summary."""
    return [*_totals(ctx), *_modalities(ctx), *_dates(ctx)]


# --- totals ----------------------------------------------------------------------------------

def _unit(unit: str) -> tuple[str, float] | None:
    u = unit.strip().lower()
    if u in BYTE_UNITS:
        return "bytes", BYTE_UNITS[u]
    if u in UNIT_ALIASES:
        return UNIT_ALIASES[u], 1.0
    return None


def _figures(raw: Any) -> int:
    return significant_figures(raw) if isinstance(raw, int | float | str) else 2


def _agree(a: Stated, b: Stated) -> bool:
    """Equal at the precision of the less precise statement."""
    figures = min(a.figures, b.figures)
    return float(f"{a.value:.{figures - 1}e}") == float(f"{b.value:.{figures - 1}e}")


def _totals(ctx: Context) -> list[Finding]:
    data = ctx.record.data
    stated: dict[tuple[str, str], list[Stated]] = defaultdict(list)
    for modality, size in data.sizes.items():
        known = _unit(size.unit)
        if known:
            stated[(modality, known[0])].append(Stated(Num(size.value).value * known[1],
                                                      _figures(size.value),
                                                      "training summary 1.3"))
    points = data.data_points
    if points is not None and points.unit and "token" in points.unit.lower():
        stated[("text", "tokens")].append(Stated(Num(points.value).value,
                                                 _figures(points.value),
                                                 "Model Documentation Form, data points"))
    summary = (ctx.sources.data_summary or {}).get("modalities") or {}
    for name, figures in summary.items():
        if not isinstance(figures, dict):
            continue
        for key, unit_name in SUMMARY_UNITS.items():
            value = figures.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                amount = value / 3600 if key == "seconds" else float(value)
                stated[(str(name), unit_name)].append(Stated(amount, _figures(value),
                                                            "data summary"))
    findings = []
    for (row, unit_name), values in stated.items():
        for i, a in enumerate(values):
            for b in values[i + 1:]:
                if not _agree(a, b):
                    findings.append(Finding(
                        f"{modality_label(row)} {unit_name}",
                        f"{a.where} states {_shown_amount(a, unit_name)}, {b.where} "
                        f"states {_shown_amount(b, unit_name)}",
                        (a.where, b.where)))
    findings += _public_within_total(ctx, stated)
    return findings


def _shown_amount(s: Stated, unit: str) -> str:
    return format_number(Num(f"{s.value:.{max(s.figures, 1) - 1}e}", unit))


def _public_within_total(ctx: Context,
                         stated: dict[tuple[str, str], list[Stated]]) -> list[Finding]:
    """The public datasets are part of the training data: together they cannot exceed it."""
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for d in ctx.record.data.public_datasets.datasets:
        unit = _unit(d.unit) if d.unit and d.size is not None else None
        if unit and d.size is not None:
            sums[(d.modality, unit[0])] += Num(d.size).value * unit[1]
    findings = []
    for key, total in sums.items():
        for s in stated.get(key, []):
            if total > s.value * 1.005:
                findings.append(Finding(
                    f"{modality_label(key[0])} {key[1]}",
                    f"the public datasets listed in 2.1 add up to "
                    f"{format_number(Num(float(f'{total:.2g}'), key[1]))}, more than the "
                    f"{_shown_amount(s, key[1])} of all training data in {s.where}",
                    ("training summary 2.1", s.where)))
    return findings


# --- modalities ------------------------------------------------------------------------------

def training_modalities(ctx: Context) -> set[str]:
    """The modalities ticked in summary 1.3 (record, else the data summary)."""
    data = ctx.record.data
    summary = (ctx.sources.data_summary or {}).get("modalities") or {}
    return set(data.modalities) | set(data.sizes) | set(data.content_types) \
        | {str(m) for m in summary}


def _modalities(ctx: Context) -> list[Finding]:
    findings = []
    trained = training_modalities(ctx)
    model = ctx.profile.model
    if trained:
        for direction, names in (("input", model.inputs), ("output", model.generates)):
            verb = "takes" if direction == "input" else "produces"
            for m in names:
                row = TEMPLATE_MODALITY.get(m, "other")
                if row not in trained and m != "other":
                    findings.append(Finding(
                        f"{modality_label(m)} {direction}",
                        f"the profile says the model {verb} "
                        f"{modality_label(m)}, but training summary 1.3 ticks no "
                        f"{modality_label(row)} training data",
                        (f"profile model.{'inputs' if direction == 'input' else 'generates'}",
                         "training summary 1.3")))
    data = ctx.record.data
    summary = (ctx.sources.data_summary or {}).get("modalities") or {}
    if data.modalities:
        for m in sorted(set(summary) - set(data.modalities)):
            findings.append(Finding(f"{modality_label(m)} data",
                                    f"the data summary has {modality_label(m)} data, but the "
                                    "record's data.modalities leaves it out",
                                    ("data summary", "record data.modalities")))
    for attr, number in SECTION_2:
        ticked = set(getattr(data, attr).modalities)
        for m in sorted(ticked - trained) if trained else []:
            findings.append(Finding(f"{modality_label(m)} data",
                                    f"{number} ticks {modality_label(m)}, but 1.3 has no "
                                    f"{modality_label(m)} training data",
                                    (f"training summary {number}", "training summary 1.3")))
    arch = ctx.record.architecture
    pairs: tuple[tuple[str, list[str], list[str]], ...] = (
        ("input", arch.input_modalities, list(model.inputs)),
        ("output", arch.output_modalities, list(model.generates)))
    for direction, listed, profile_list in pairs:
        if listed and profile_list:
            rows = {TEMPLATE_MODALITY.get(_singular(x), _singular(x)) for x in listed}
            expected = {TEMPLATE_MODALITY.get(x, x) for x in profile_list}
            if rows != expected:
                findings.append(Finding(
                    f"{direction} modalities",
                    f"the Model Documentation Form lists {', '.join(listed)}; the profile "
                    f"says {', '.join(modality_label(x) for x in profile_list)}",
                    (f"Model Documentation Form, {direction} modalities",
                     f"profile model.{'inputs' if direction == 'input' else 'generates'}")))
    return findings


def _singular(text: str) -> str:
    t = text.strip().lower()
    return t[:-1] if t.endswith("s") and t[:-1] in TEMPLATE_MODALITY else t


# --- dates -----------------------------------------------------------------------------------

def _month(text: str | None) -> tuple[int, int] | None:
    """(year, month) of 'MM/YYYY', 'YYYY-MM-DD' or 'YYYY' (December for a bare year); of a
    range such as '01/2024 – 06/2025', its end."""
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text.strip()[:10])
        return day.year, day.month
    except ValueError:
        pass
    found = [(int(y), int(m or 12)) for m, y in MONTH.findall(text)]  # a range: its end
    valid = [f for f in found if 1 <= f[1] <= 12]
    return valid[-1] if valid else None


def _shown(month: tuple[int, int]) -> str:
    return f"{month[1]:02d}/{month[0]}"


def _dates(ctx: Context) -> list[Finding]:
    rec, data = ctx.record, ctx.record.data
    findings: list[Finding] = []
    period = (ctx.sources.data_summary or {}).get("collection_period") or {}
    ends = [(m, w) for m, w in (
        (_month(data.latest_collection), "training summary 1.3(d)"),
        (_month(str(period.get("last") or "")), "data summary collection period"),
    ) if m]
    ends += [(m, f"training summary 2.3(e), {c.name}")
             for c in data.crawling.crawlers if (m := _month(c.period_to))]
    latest = _month(data.latest_collection)
    for month, where in ends[1:]:
        if latest and month > latest:
            findings.append(Finding("latest collection date", f"{where} ends {_shown(month)}, "
                                    f"after the latest collection date {_shown(latest)}",
                                    (where, "training summary 1.3(d)")))
    for c in data.crawling.crawlers:
        start, end = _month(c.period_from), _month(c.period_to)
        if start and end and start > end:
            findings.append(Finding(f"{c.name} collection period",
                                    f"starts {_shown(start)}, after it ends {_shown(end)}",
                                    (f"training summary 2.3(e), {c.name}",)))
    newest = max((m for m, _ in ends), default=None)
    placed = rec.model.union_release_date or (
        ctx.profile.model.release.placed_on_market_on if ctx.profile.model.release else None)
    for day, where in ((placed, "placement on the Union market (1.2(c))"),
                       (rec.document.last_update, "the summary's last update")):
        if day and newest and newest > (day.year, day.month):
            findings.append(Finding("collection period",
                                    f"data was collected until {_shown(newest)}, after "
                                    f"{where} on {day.isoformat()}",
                                    ("training summary 1.3(d)", where)))
    first = rec.model.first_release_date
    if first and placed and first > placed:
        findings.append(Finding("release dates", f"first release {first.isoformat()} is after "
                                f"the Union placement {placed.isoformat()}",
                                ("Model Documentation Form, release date",
                                 "Union market release date")))
    findings += _version_dates(ctx)
    return findings


def _version_dates(ctx: Context) -> list[Finding]:
    doc = ctx.record.document
    dated = [(v.version, v.date) for v in doc.previous_versions if v.date]
    if doc.version and doc.last_update:
        dated.append((doc.version, doc.last_update))
    findings = []
    for (va, da), (vb, db) in itertools.pairwise(dated):
        if db <= da:
            findings.append(Finding("version dates", f"version {vb} is dated {db.isoformat()}, "
                                    f"not after version {va} ({da.isoformat()})",
                                    ("document.previous_versions", "document.last_update")))
    if doc.version and any(v.version == doc.version for v in doc.previous_versions):
        findings.append(Finding("version", f"version {doc.version} is both the current and an "
                                "earlier version", ("document.version",
                                                    "document.previous_versions")))
    return findings
