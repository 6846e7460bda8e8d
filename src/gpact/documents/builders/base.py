"""Turn a field tree plus a builder's resolvers into a Document, judging every answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.documents.context import Context
from gpact.documents.document import Answer, Document, Entry, Presentation, Section, Value
from gpact.documents.fields import Audience, FieldSpec, FieldTree, load_tree
from gpact.documents.quality import judge

Resolver = Callable[[Context], Value | Answer]
GATE_NAMES = {
    "systemic_risk": "the model is not a GPAI model with systemic risk",
    "transparency_chapter": "the model is exempt under Art. 53(2) (open source, no systemic risk)",
    "non_eu_provider": "the provider is established in the Union",
    "legacy_model": "the model was placed on the market on or after the Art. 111(3) cutoff",
}


@dataclass(frozen=True)
class Builder:
    """One document kind: its field tree in the rulebook and where each field's value comes from."""

    kind: str
    tree_key: str
    resolvers: Mapping[str, Resolver]
    reader: str
    obligation: str | None = None  # the assessment obligation this document discharges
    extra_tree_keys: tuple[str, ...] = ()
    audience_aware: bool = False
    finish: Callable[[Context, Document], None] | None = None

    def trees(self, ctx: Context) -> list[FieldTree]:
        return [load_tree(ctx.rules, k) for k in (self.tree_key, *self.extra_tree_keys)]

    def field_ids(self) -> list[str]:
        return list(self.resolvers)

    def build(self, ctx: Context, audience: Audience | None = None,
              build_date: dt.date | None = None,
              presentation: Presentation = "review") -> Document:
        trees = self.trees(ctx)
        sections = [
            _section(ctx, spec_section.number, spec_section.title, spec_section.when,
                     spec_section.fields, self.resolvers, audience)
            for tree in trees for spec_section in tree.sections
        ]
        doc = Document(
            kind=self.kind, title=trees[0].title,
            model=_model_label(ctx), provider=ctx.profile.provider.name,
            audience=audience if self.audience_aware else None, reader=self.reader,
            sections=[s for s in sections if s.entries],
            meta=document_meta(ctx, build_date), presentation=presentation,
        )
        doc.notes.append(ctx.assessment_note())
        scope = _scope_notes(ctx, self.obligation)
        doc.notes.extend(scope)
        doc.public_notes.extend(scope)
        doc.notes.extend(_unknown_gate_notes(ctx, trees))
        if self.finish is not None:
            self.finish(ctx, doc)
        doc.unverified_rules = [r.as_dict() for r in ctx.rules.unverified_used()]
        return doc


def document_meta(ctx: Context, build_date: dt.date | None = None) -> dict[str, str]:
    return {
        "gpact_version": __version__,
        "rulebook_version": ctx.rulebook.version,
        "rulebook_date": ctx.rulebook.published.isoformat(),
        "as_of": ctx.as_of.isoformat(),
        "build_date": (build_date or dt.date.today()).isoformat(),
        "notice": NOT_LEGAL_ADVICE,
    }


def _model_label(ctx: Context) -> str:
    model = ctx.profile.model
    return f"{model.name} {model.version}" if model.version else model.name


def _section(ctx: Context, number: str, title: str, when: str | None,
             specs: tuple[FieldSpec, ...], resolvers: Mapping[str, Resolver],
             audience: Audience | None) -> Section:
    gate = ctx.conditions.get(when) if when else True
    entries = []
    for spec in specs:
        if audience is not None and audience not in spec.audiences:
            continue
        entries.append(_entry(ctx, spec, resolvers[spec.id], gate))
    note = f"Not applicable: {GATE_NAMES.get(when or '', when)}." if gate is False else None
    return Section(number, title, entries, note)


def _entry(ctx: Context, spec: FieldSpec, resolver: Resolver, section_gate: bool | None) -> Entry:
    field_gate = ctx.conditions.get(spec.when) if spec.when else True
    if section_gate is False or field_gate is False:
        return Entry(spec, "N/A", "not_applicable")
    answer = resolver(ctx)
    if not isinstance(answer, Answer):
        answer = Answer(answer)
    if answer.status is not None:
        status, problems = answer.status, list(answer.problems)
    else:
        status, problems = judge(spec, answer.value)
        problems += list(answer.problems)
        if answer.problems and status == "ok":
            status = "weak"
    return Entry(spec, answer.value, status, problems, list(answer.notes), answer.method)


def _scope_notes(ctx: Context, obligation_id: str | None) -> list[str]:
    """A modifier that became the provider documents only the modification (Recital 109)."""
    found = ctx.obligation(obligation_id) if obligation_id else None
    if not found or found.get("scope") != "modification_only":
        return []
    texts = [r["text"] for r in found.get("reasons", []) if "modification" in r.get("text", "")]
    return [f"Scope: {texts[-1]}" if texts else
            "Scope: limited to the modification and the data used for it."]


def _unknown_gate_notes(ctx: Context, trees: list[FieldTree]) -> list[str]:
    used = {s.when for t in trees for s in t.sections if s.when}
    notes = []
    for gate in sorted(used):
        if ctx.conditions.get(gate) is None and gate in GATE_NAMES:
            notes.append(f"Cannot decide whether '{gate}' holds (no assessment or missing "
                         "profile facts); the section is kept.")
    return notes
