"""The field trees of the official forms, read from the rulebook.

Which fields a document has, their numbering, audiences and legal source are law, so they live
in ``rulebook/data/documents/`` (and ``template_training_summary/fields.yaml``); builders only
say where each field's value comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from gpact.rulebook.loader import RulesInForce, RuleValue

Audience = Literal["aio", "nca", "dp"]
AUDIENCES: tuple[Audience, ...] = ("aio", "nca", "dp")
AUDIENCE_NAMES: dict[Audience, str] = {
    "aio": "AI Office", "nca": "national competent authorities", "dp": "downstream providers",
}
Check = Literal["text", "list", "date", "sig2", "quantity", "yes_no", "table"]
CHECKS: tuple[str, ...] = ("text", "list", "date", "sig2", "quantity", "yes_no", "table")


@dataclass(frozen=True)
class FieldSpec:
    """One field of an official form: what it asks, who gets it, and how to judge an answer."""

    id: str
    number: str
    label: str
    check: Check
    source: str
    confidence: str
    required: bool = True
    audiences: tuple[Audience, ...] = AUDIENCES
    unverified_audiences: tuple[Audience, ...] = ()
    unit: str | None = None
    min_words: int = 0
    when: str | None = None
    derive: str | None = None


@dataclass(frozen=True)
class SectionSpec:
    number: str
    title: str
    fields: tuple[FieldSpec, ...]
    when: str | None = None


@dataclass(frozen=True)
class FieldTree:
    key: str
    title: str
    rule: RuleValue
    sections: tuple[SectionSpec, ...]

    def field_ids(self) -> list[str]:
        return [f.id for s in self.sections for f in s.fields]


def load_tree(rules: RulesInForce, key: str) -> FieldTree:
    """The field tree stored under rulebook ``key``, as in force on the rules' date."""
    rule = rules.rule(key)
    value: dict[str, Any] = rule.value
    sections = tuple(
        SectionSpec(
            number=str(s["number"]), title=str(s["title"]), when=s.get("when"),
            fields=tuple(_field(f) for f in s["fields"]),
        )
        for s in value["sections"]
    )
    return FieldTree(key, str(value["title"]), rule, sections)


FIELD_KEYS = frozenset(("id", "number", "label", "check", "source", "confidence", "required",
                        "audiences", "unverified_audiences", "unit", "min_words", "when",
                        "derive"))


def _field(raw: dict[str, Any]) -> FieldSpec:
    unknown = set(raw) - FIELD_KEYS
    if unknown:  # e.g. an unquoted comma in a YAML flow mapping splits the label
        raise ValueError(f"field {raw.get('id')}: unknown keys {sorted(unknown)}")
    check = str(raw["check"]) if "check" in raw else "text"
    if check not in CHECKS:
        raise ValueError(f"field {raw['id']}: unknown check {check!r}")
    return FieldSpec(
        id=str(raw["id"]),
        number=str(raw.get("number", "")),  # only official numbering is shown
        label=str(raw["label"]),
        check=check,  # type: ignore[arg-type]
        source=str(raw["source"]),
        confidence=str(raw["confidence"]),
        required=bool(raw.get("required", True)),
        audiences=tuple(raw.get("audiences", AUDIENCES)),
        unverified_audiences=tuple(raw.get("unverified_audiences", ())),
        unit=raw.get("unit"),
        min_words=int(raw.get("min_words", 0)),
        when=raw.get("when"),
        derive=raw.get("derive"),
    )
