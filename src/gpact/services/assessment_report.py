"""Readable renderings of assessments (Markdown, and the rows of a portfolio table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.assess import Assessment, Finding
from gpact.tracking import Due, next_due

VERDICTS = {True: "yes", False: "no", None: "cannot decide"}


def verdict(finding: Finding[bool]) -> str:
    return VERDICTS[finding.value]


def role_label(finding: Finding[str]) -> str:
    return finding.value or "cannot decide"


@dataclass(frozen=True)
class PortfolioRow:
    model: str
    provider: str
    gpai: str
    systemic_risk: str
    role: str
    applies: int
    next_due: str
    next_obligation: str
    days_left: int | None
    missing: int


def portfolio(assessments: Sequence[Assessment]) -> list[PortfolioRow]:
    """One row per model, sorted by the next upcoming due date.

    Models whose due dates have all passed (the obligations must already be met) follow,
    most recent first; models with nothing dated come last.
    """
    rows = []
    for a in assessments:
        applying = [o for o in a.obligations if o.status == "applies"]
        chosen = next_due((Due(o.id, o.due) for o in applying), a.as_of)
        first = next(o for o in applying if o.id == chosen.key) if chosen else None
        name = f"{a.model} {a.model_version}" if a.model_version else a.model
        rows.append(PortfolioRow(
            name, a.provider, verdict(a.gpai), verdict(a.systemic_risk), role_label(a.role),
            len(applying), first.due.isoformat() if first and first.due else "—",
            first.id if first else "—", first.days_left(a.as_of) if first else None,
            len(a.missing)))
    def order(r: PortfolioRow) -> tuple[int, int, str]:
        if r.days_left is None:
            return (2, 0, r.model)
        return (0, r.days_left, r.model) if r.days_left >= 0 else (1, -r.days_left, r.model)

    return sorted(rows, key=order)


def to_markdown(a: Assessment) -> str:
    out = [f"# Assessment: {a.model}" + (f" {a.model_version}" if a.model_version else ""),
           "",
           f"Provider: {a.provider} · As of {a.as_of} · gpact {__version__} · rulebook "
           f"{a.rulebook.label()}", ""]
    for title, finding, value in (("GPAI model", a.gpai, verdict(a.gpai)),
                                  ("Systemic risk", a.systemic_risk, verdict(a.systemic_risk)),
                                  ("Role", a.role, role_label(a.role))):
        out.append(f"## {title}: **{value}**")
        out += [f"- {r.text} *({r.source})*" for r in finding.reasons]
        out.append("")
    if a.exemptions:
        out.append("## Exemptions")
        for e in a.exemptions:
            out.append(f"- **{e.id}** ({e.source}) waives: {', '.join(e.waives)}")
        out.append("")
    out += ["## Obligations", "",
            "| obligation | source | status | applies from | due | days left |",
            "|---|---|---|---|---|---|"]
    for o in a.obligations:
        left = o.days_left(a.as_of)
        out.append(f"| {o.id}{' (modification only)' if o.scope != 'full' else ''} | {o.source} "
                   f"| {o.status} | {o.applies_from or '—'} | {o.due or '—'} "
                   f"| {left if left is not None else '—'} |")
    out += ["", "## Enforcement"] + [f"- {r.text} *({r.source})*" for r in a.enforcement.reasons]
    if a.missing:
        out += ["", "## Missing input"] + [f"- `{m}`" for m in a.missing]
    if a.unverified:
        out += ["", "## Unverified rules relied on"]
        out += [f"- `{v.key}` = {v.value} ({v.source})" for v in a.unverified]
    if a.warnings:
        out += ["", "## Warnings"] + [f"- {w}" for w in a.warnings]
    out += ["", f"*{NOT_LEGAL_ADVICE}*", ""]
    return "\n".join(out)


def portfolio_markdown(assessments: Sequence[Assessment]) -> str:
    rows = portfolio(assessments)
    out = ["| model | provider | GPAI | systemic risk | role | obligations | next due | "
           "what | days left | missing |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r.model} | {r.provider} | {r.gpai} | {r.systemic_risk} | {r.role} | "
                   f"{r.applies} | {r.next_due} | {r.next_obligation} | "
                   f"{r.days_left if r.days_left is not None else '—'} | {r.missing} |")
    return "\n".join(out) + f"\n\n*{NOT_LEGAL_ADVICE}*\n"
