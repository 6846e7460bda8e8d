"""Use cases of the documents engine: build one document, check all that apply.

Which documents a model owes follows the assessment's obligations; without an assessment all
documents are checked, except the notification, which is checked only when the profile's
compute exceeds the rulebook's presumption threshold or a threshold date is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gpact.documents import consistency
from gpact.documents.builders import BUILDERS, KINDS
from gpact.documents.context import Context
from gpact.documents.document import Document, Presentation
from gpact.documents.fields import Audience
from gpact.documents.sources import Sources
from gpact.errors import InputError
from gpact.rulebook.loader import Rulebook, default_rulebook


def make_context(sources: Sources, as_of: dt.date, rulebook: Rulebook | None = None,
                 assessment: dict[str, Any] | None = None) -> Context:
    """The build context; ``assessment`` (an assessment's JSON) is used unless the record
    references one."""
    return Context(sources, as_of, rulebook or default_rulebook(), assessment)


PUBLIC_KINDS: tuple[str, ...] = ("training-summary", "copyright-policy")


def build(ctx: Context, kind: str, audience: Audience | None = None,
          build_date: dt.date | None = None, presentation: Presentation = "review") -> Document:
    """Build one document; ``presentation="public"`` is the published rendering (only for the
    documents a provider publishes: the training summary and the copyright policy summary)."""
    if kind not in BUILDERS:
        raise InputError(None, "--kind", f"unknown document kind {kind!r}; choose from "
                         f"{', '.join(KINDS)}")
    if presentation == "public" and kind not in PUBLIC_KINDS:
        raise InputError(None, "--audience", f"'public' is for the published documents "
                         f"({', '.join(PUBLIC_KINDS)}), not {kind}")
    return BUILDERS[kind].build(ctx, audience, build_date, presentation)


@dataclass
class CheckReport:
    """Per document: its gaps, or why it is not required; and the contradictions between
    the documents, the profile and the data summary."""

    documents: list[Document] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    contradictions: list[consistency.Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.missing_required() for d in self.documents)

    def failed_strict(self) -> bool:
        """``--strict``: weak fields and contradictions fail too."""
        return self.failed or bool(self.contradictions) or any(
            e.status == "weak" for d in self.documents for e in d.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.failed,
            "contradictions": [c.to_dict() for c in self.contradictions],
            "documents": [
                {"kind": d.kind, "audience": d.audience,
                 "missing": [_gap(e) for e in d.entries if e.status == "missing"],
                 "weak": [_gap(e) for e in d.entries if e.status == "weak"]}
                for d in self.documents
            ],
            "not_required": self.skipped,
            **(self.documents[0].meta if self.documents else {}),
        }


def _gap(entry: Any) -> dict[str, Any]:
    return {"id": entry.spec.id, "number": entry.spec.number, "label": entry.spec.label,
            "problems": entry.problems, "source": entry.spec.source,
            "required": entry.spec.required, "audiences": list(entry.spec.audiences)}


def required_kinds(ctx: Context) -> tuple[list[str], dict[str, str]]:
    """The document kinds the model owes, and the reason each other kind is skipped."""
    if ctx.assessment is not None and ctx.finding("gpai") is False:
        return [], {k: "not a general-purpose AI model (assessment)" for k in KINDS}
    kinds, skipped = [], {}
    for kind in KINDS:
        reason = _skip_reason(ctx, kind)
        if reason:
            skipped[kind] = reason
        else:
            kinds.append(kind)
    return kinds, skipped


def _skip_reason(ctx: Context, kind: str) -> str | None:
    obligation_id = BUILDERS[kind].obligation
    if obligation_id is None:
        return None
    if ctx.assessment is not None:
        found = ctx.obligation(obligation_id)
        if found is None:
            return f"obligation {obligation_id} not in the assessment"
        if found.get("status") != "applies":
            return f"{obligation_id}: {found.get('status')} ({found.get('source')})"
        return None
    if kind == "notification":
        threshold = float(ctx.rules.value("ai_act.art51.presumption_threshold_flop"))
        flop = ctx.profile.model.training_compute_flop
        if ctx.profile.model.threshold_known_on is None and (flop is None or flop <= threshold):
            return "compute not above the Art. 51(2) threshold and no threshold date given"
    return None


def check(ctx: Context, kinds: list[str] | None = None,
          audience: Audience | None = None) -> CheckReport:
    report = CheckReport()
    wanted, report.skipped = required_kinds(ctx)
    for kind in kinds or wanted:
        report.documents.append(build(ctx, kind, audience))
    if kinds:
        report.skipped = {k: v for k, v in report.skipped.items() if k in kinds}
    report.contradictions = consistency.check(ctx)
    return report
