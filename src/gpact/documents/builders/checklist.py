"""Code of Practice checklist: every applicable measure with its status and evidence.

A status written in the record wins. Otherwise, where a measure is about a document gpact
builds, the status is derived from that document's completeness; the rest stay "missing"
until the provider records a status, so the gap analysis never claims more than it knows.
"""

from __future__ import annotations

from collections.abc import Callable

from gpact.documents.builders.base import Builder
from gpact.documents.builders.policies import COPYRIGHT_POLICY
from gpact.documents.builders.technical import ANNEX_XI, DOWNSTREAM_PACKAGE, MDF
from gpact.documents.context import Context
from gpact.documents.document import Answer, Document, Status
from gpact.documents.fields import load_tree
from gpact.documents.record import MeasureStatus

TREE_KEY = "documents.code_of_practice_measures"
STATUS_OF: dict[MeasureStatus, Status] = {
    "implemented": "ok", "partial": "weak", "planned": "weak",
    "not_implemented": "missing", "not_applicable": "not_applicable",
}
DERIVABLE = {b.kind: b for b in (MDF, DOWNSTREAM_PACKAGE, COPYRIGHT_POLICY, ANNEX_XI)}


def _measure(measure_id: str) -> Callable[[Context], Answer]:
    def resolve(ctx: Context) -> Answer:
        recorded = ctx.record.code_of_practice.get(measure_id)
        if recorded is not None:
            parts = [f"Status: {recorded.status.replace('_', ' ')}."]
            if recorded.evidence:
                parts.append(f"Evidence: {recorded.evidence}")
            if recorded.alternative_means:
                parts.append(f"Alternative adequate means: {recorded.alternative_means}")
            status = STATUS_OF[recorded.status]
            problems: tuple[str, ...] = () if recorded.evidence \
                or recorded.status == "not_applicable" else ("no evidence given",)
            if status != "ok":
                problems += (f"status recorded as {recorded.status.replace('_', ' ')}",)
            return Answer(" ".join(parts), status="weak" if problems and status == "ok"
                          else status, problems=problems)
        derive = _derive_spec(ctx, measure_id)
        if derive is not None:
            return _derived(ctx, *derive)
        return Answer(None, problems=(f"record no status (code_of_practice.{measure_id})",))

    return resolve


def _derive_spec(ctx: Context, measure_id: str) -> tuple[str, str | None] | None:
    tree = load_tree(ctx.rules, TREE_KEY)
    for section in tree.sections:
        for spec in section.fields:
            if spec.id == measure_id and spec.derive:
                kind, _, part = spec.derive.partition("#")
                return kind, part or None
    return None


def _derived(ctx: Context, kind: str, section: str | None) -> Answer:
    doc = DERIVABLE[kind].build(ctx)
    entries = [e for s in doc.sections if section is None or s.number == section
               for e in s.entries]
    applicable = [e for e in entries if e.status != "not_applicable"]
    if not applicable:
        return Answer("Not applicable (derived).", status="not_applicable")
    gaps = [e for e in applicable if e.is_gap]
    where = f"{kind}" + (f" section {section}" if section else "")
    if not gaps:
        return Answer(f"Status: documented. Evidence: all {len(applicable)} fields of the {where} "
                      "are complete (gpact docs check).", status="ok")
    missing = sum(e.status == "missing" for e in gaps)
    return Answer(f"Status: partial. Evidence: {where} has {len(gaps)} of {len(applicable)} "
                  f"fields incomplete ({missing} missing).", status="weak",
                  problems=(f"complete the {where} or record a status",))


def _finish(ctx: Context, doc: Document) -> None:
    if ctx.profile.provider.code_of_practice_signatory is False:
        doc.notes.append("The provider is not a signatory of the Code: this checklist is a gap "
                         "analysis to show alternative adequate means (Art. 53(4), 55(2)).")


MEASURE_IDS = (
    "transparency_1_1", "transparency_1_2", "transparency_1_3",
    "copyright_1_1", "copyright_1_2", "copyright_1_3", "copyright_1_4", "copyright_1_5",
    "safety_c1", "safety_c2", "safety_c3", "safety_c4", "safety_c5", "safety_c6",
    "safety_c7", "safety_c8", "safety_c9", "safety_c10",
)

COP_CHECKLIST = Builder(
    reader="the provider; the AI Office on request",
    # the Code's copyright chapter binds every provider that owes a copyright policy
    kind="cop-checklist", obligation="copyright_policy",
    tree_key=TREE_KEY,
    resolvers={m: _measure(m) for m in MEASURE_IDS},
    finish=_finish,
)
