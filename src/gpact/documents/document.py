"""A built document: sections of answered fields, each judged complete, weak or missing.

Renderers (Markdown, HTML, PDF, JSON) and the completeness check all read this one structure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from gpact.documents.fields import AUDIENCE_NAMES, Audience, FieldSpec

Status = Literal["ok", "weak", "missing", "not_applicable", "optional_empty"]
Presentation = Literal["review", "public"]
PRESENTATIONS: tuple[Presentation, ...] = ("review", "public")
STATUS_LABELS: dict[Status, str] = {
    "ok": "complete", "weak": "weak", "missing": "missing",
    "not_applicable": "not applicable", "optional_empty": "optional, not given",
}


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Num:
    """A number as the author wrote it (a string keeps significant figures) and its unit."""

    raw: float | int | str
    unit: str | None = None
    range: str | None = None  # a form's size range next to the number, e.g. parameter bins

    @property
    def value(self) -> float:
        return float(str(self.raw).replace("_", "")) if isinstance(self.raw, str) \
            else float(self.raw)


Value = str | bool | list[str] | Table | Num | dt.date | None


@dataclass(frozen=True)
class Answer:
    """What a resolver found for a field; `status` overrides the generic quality check.

    ``notes`` are for the reviewer (rule ids, provenance of fallback values); ``method`` is the
    one short methodology sentence a published document keeps (how a listing rule was applied).
    """

    value: Value
    notes: tuple[str, ...] = ()
    status: Status | None = None
    problems: tuple[str, ...] = ()
    method: str | None = None


@dataclass
class Entry:
    spec: FieldSpec
    value: Value
    status: Status
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    method: str | None = None

    @property
    def is_gap(self) -> bool:
        return self.status in ("missing", "weak")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.spec.id, "number": self.spec.number, "label": self.spec.label,
            "value": value_to_json(self.value), "text": format_value(self.value),
            "status": self.status, "problems": self.problems, "notes": self.notes,
            "method": self.method,
            "required": self.spec.required, "source": self.spec.source,
            "confidence": self.spec.confidence, "audiences": list(self.spec.audiences),
            "unverified_audiences": list(self.spec.unverified_audiences),
        }


@dataclass
class Section:
    number: str
    title: str
    entries: list[Entry]
    note: str | None = None

    @property
    def heading(self) -> str:
        """The title, prefixed with the number unless the title already carries it."""
        if self.number in ("", "0") or self.title[:1].isdigit():
            return self.title
        return f"{self.number} {self.title}"


@dataclass(frozen=True)
class ControlItem:
    """One line of a public document's document-control block (version, status, links...)."""

    label: str
    value: str | tuple[str, ...]


VOLATILE = ("build_date", "content_sha256")


def content_digest(data: dict[str, Any]) -> str:
    """SHA-256 of a document's JSON without the build date (and without the hash itself)."""
    stable = {k: v for k, v in data.items() if k not in VOLATILE}
    canonical = json.dumps(stable, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Document:
    kind: str
    title: str
    model: str
    provider: str
    audience: Audience | None
    reader: str
    sections: list[Section]
    meta: dict[str, str]
    notes: list[str] = field(default_factory=list)
    unverified_rules: list[dict[str, Any]] = field(default_factory=list)
    presentation: Presentation = "review"
    public_notes: list[str] = field(default_factory=list)
    control: list[ControlItem] = field(default_factory=list)
    form: bool = False  # rendered as the official form's table, with audience columns
    marking: str | None = None  # confidentiality marking, on every page
    approval: list[ControlItem] = field(default_factory=list)
    review_note: list[str] = field(default_factory=list)  # the caveats, gathered in one place

    @property
    def public(self) -> bool:
        """Rendered as published: no rule ids, sources or review banners."""
        return self.presentation == "public"

    @property
    def entries(self) -> list[Entry]:
        return [e for s in self.sections for e in s.entries]

    def gaps(self) -> list[Entry]:
        return [e for e in self.entries if e.is_gap]

    def missing_required(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "missing" and e.spec.required]

    def audience_label(self) -> str:
        return AUDIENCE_NAMES[self.audience] if self.audience else self.reader

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "title": self.title, "model": self.model,
            "provider": self.provider, "audience": self.audience, "reader": self.reader,
            "presentation": self.presentation, **self.meta,
            "sections": [
                {"number": s.number, "title": s.title, "note": s.note,
                 "fields": [e.to_dict() for e in s.entries]}
                for s in self.sections
            ],
            "notes": self.notes, "public_notes": self.public_notes,
            "gaps": {"missing": sum(e.status == "missing" for e in self.entries),
                     "weak": sum(e.status == "weak" for e in self.entries)},
            "unverified_rules_used": self.unverified_rules,
            "control": _items(self.control), "marking": self.marking,
            "approval": _items(self.approval), "review_note": self.review_note,
        }

    def content_hash(self) -> str:
        return content_digest(self.to_dict())


def _items(items: list[ControlItem]) -> list[dict[str, Any]]:
    return [{"label": c.label, "value": list(c.value) if isinstance(c.value, tuple)
             else c.value} for c in items]


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def significant_figures(raw: float | int | str) -> int:
    """Significant figures as written: "7.0e10" has 2, 7e10 has 1, 70000000000 has 1."""
    if isinstance(raw, str):
        text = raw.strip().lower().replace("_", "").lstrip("+-")
        mantissa = text.split("e")[0]
        digits = mantissa.replace(".", "").lstrip("0")
        if "." not in mantissa:
            digits = digits.rstrip("0")
        return max(len(digits), 1) if float(text) != 0 else 1
    mantissa = f"{abs(float(raw)):.14e}".split("e")[0].rstrip("0").rstrip(".")
    return max(len(mantissa.replace(".", "").lstrip("0")), 1)


def format_number(num: Num) -> str:
    """7.3×10¹⁰ style, keeping the significant figures written (small numbers stay plain)."""
    value = num.value
    figures = significant_figures(num.raw)
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        mantissa, exponent = f"{value:.{max(figures - 1, 0)}e}".split("e")
        text = f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    else:
        text = _grouped(num.raw, value)
    text = f"{text} {num.unit}" if num.unit else text
    return f"{text} (range: {num.range})" if num.range else text


THIN_SPACE = "\u202f"  # digit groups as in "10 000 hours" (narrow no-break space)


def _grouped(raw: float | int | str, value: float) -> str:
    """A plain number as written, its integer digits grouped by three: 256 000, 8 192, 0.5."""
    written = str(raw).strip() if isinstance(raw, str) else f"{value:g}"
    if "e" in written.lower():
        written = f"{value:f}".rstrip("0").rstrip(".")
    sign, digits = ("-", written[1:]) if written.startswith("-") else ("", written)
    whole, dot, fraction = digits.partition(".")
    if len(whole) > 4 or (len(whole) == 4 and not fraction):
        whole = f"{int(whole):,}".replace(",", THIN_SPACE)
    return sign + whole + dot + fraction


def format_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Num):
        return format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, Table):
        return "; ".join(", ".join(c for c in row if c) for row in value.rows)
    return value


def value_to_json(value: Value) -> Any:
    if isinstance(value, Num):
        return {"value": value.value, "written": str(value.raw), "unit": value.unit,
                "significant_figures": significant_figures(value.raw), "range": value.range}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Table):
        return {"columns": list(value.columns), "rows": [list(r) for r in value.rows]}
    return value
