"""Readable renderings of assessments (Markdown, and the rows of a portfolio table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.assess import Assessment, Finding
from gpact.assess.role import ROLE_LABELS
from gpact.rulebook import RuleValue

VERDICTS = {True: "yes", False: "no", None: "cannot decide"}
STATUS_LABELS = {"applies": "applies", "waived": "waived", "not_applicable": "not applicable",
                 "undetermined": "cannot decide"}


def verdict(finding: Finding[bool]) -> str:
    return VERDICTS[finding.value]


def role_label(finding: Finding[str]) -> str:
    return ROLE_LABELS.get(finding.value or "", "cannot decide")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def sources(values: Sequence[RuleValue]) -> list[str]:
    """The distinct sources of rulebook values, in order: what people read instead of keys.

    Provisions restated as unchanged by the same amending act are listed once under it.
    """
    plain: dict[str, None] = {}
    unchanged: dict[str, dict[str, None]] = {}
    for v in values:
        provision, sep, act = v.source.partition(", unchanged by ")
        if sep:
            unchanged.setdefault(act, {})[provision] = None
        else:
            plain[v.source] = None
    return list(plain) + [f"{'; '.join(p)} (unchanged by {act})"
                          for act, p in unchanged.items()]


def context_lines(a: Assessment) -> list[tuple[str, str]]:
    """(heading, text) lines that qualify the verdicts: unpublished texts, secondary and
    unverified rules, amendments in force, estimates near a threshold."""
    out: list[tuple[str, str]] = []
    if a.not_yet_published:
        out.append(("Not yet published on that date (applied as later guidance)",
                    "; ".join(sorted({f"{v.key.split('.')[0].replace('_', ' ')} rules from "
                                      f"{v.since}" for v in a.not_yet_published}))))
    if a.amendments is not None and a.amendments.value:
        for act in a.amendments.value:
            out.append(("Amended by", f"{act['title']}, in force {act['in_force']} — unchanged "
                        f"for GPAI providers: {'; '.join(act['unchanged'])} "
                        f"[{a.amendments.confidence}]"))
    if a.near_threshold:
        out.append(("Near a threshold", ", ".join(t.replace("_", " ")
                                                 for t in a.near_threshold)))
    if a.secondary:
        out.append(("Rules known from secondary sources only", "; ".join(sources(a.secondary))))
    if a.unverified:
        out.append(("Unverified rules relied on", "; ".join(sources(a.unverified))))
    return out


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
        dated = sorted((o for o in applying if o.due), key=lambda o: o.due or a.as_of)
        upcoming = [o for o in dated if o.due and o.due >= a.as_of]
        first = upcoming[0] if upcoming else (dated[-1] if dated else None)
        name = f"{a.model} {a.model_version}" if a.model_version else a.model
        rows.append(PortfolioRow(
            name, a.provider, verdict(a.gpai), verdict(a.systemic_risk), role_label(a.role),
            len(applying), first.due.isoformat() if first and first.due else "—",
            first.name if first else "—", first.days_left(a.as_of) if first else None,
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
        labels = {o.id: o.label for o in a.obligations}
        for e in a.exemptions:
            waived = ", ".join(labels.get(w, w) for w in e.waives)
            out.append(f"- **{e.label}** ({e.source}) waives: {waived}")
        out.append("")
    out += ["## Obligations", "",
            "| obligation | source | status | applies from | due | days left |",
            "|---|---|---|---|---|---|"]
    for o in a.obligations:
        left = o.days_left(a.as_of)
        out.append(f"| {o.label}{' (modification only)' if o.scope != 'full' else ''} | "
                   f"{o.source} | {status_label(o.status)} | {o.applies_from or '—'} | "
                   f"{o.due or '—'} | {left if left is not None else '—'} |")
    out += ["", "## Enforcement"] + [f"- {r.text} *({r.source})*" for r in a.enforcement.reasons]
    if a.missing:
        out += ["", "## Missing input"] + [f"- `{m}`" for m in a.missing]
    for heading, text in context_lines(a):
        out += ["", f"## {heading}", f"- {text}"]
    if a.warnings:
        out += ["", "## Warnings"] + [f"- {w}" for w in a.warnings]
    out += ["", f"*{NOT_LEGAL_ADVICE}*", ""]
    return "\n".join(out)


@dataclass(frozen=True)
class Difference:
    """One verdict or date of a model that differs between two assessment dates."""

    model: str
    key: str     # machine name, e.g. obligations.notification.due
    what: str    # human label, e.g. "Notification to the Commission (Art. 52(1)): due"
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return {"model": self.model, "key": self.key, "what": self.what,
                "before": self.before, "after": self.after}


def differences(a: Assessment, b: Assessment) -> list[Difference]:
    """Which verdicts, statuses and dates of one profile differ between two assessments."""
    name = f"{a.model} {a.model_version}" if a.model_version else a.model
    rows: list[tuple[str, str, str, str]] = [
        ("gpai", "GPAI model", verdict(a.gpai), verdict(b.gpai)),
        ("systemic_risk", "Systemic risk", verdict(a.systemic_risk), verdict(b.systemic_risk)),
        ("role", "Role", role_label(a.role), role_label(b.role)),
        ("exemptions", "Exemptions", ", ".join(e.label for e in a.exemptions) or "none",
         ", ".join(e.label for e in b.exemptions) or "none"),
    ]
    later = {o.id: o for o in b.obligations}
    for o in a.obligations:
        other = later.get(o.id)
        if other is None:
            continue
        rows += [(f"obligations.{o.id}.status", f"{o.name}: status", status_label(o.status),
                  status_label(other.status)),
                 (f"obligations.{o.id}.applies_from", f"{o.name}: applies from",
                  str(o.applies_from or "—"), str(other.applies_from or "—")),
                 (f"obligations.{o.id}.due", f"{o.name}: due", str(o.due or "—"),
                  str(other.due or "—"))]
    return [Difference(name, key, what, x, y) for key, what, x, y in rows if x != y]


def portfolio_markdown(assessments: Sequence[Assessment]) -> str:
    rows = portfolio(assessments)
    out = ["| model | provider | GPAI | systemic risk | role | obligations | next due | "
           "what | days left | missing |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r.model} | {r.provider} | {r.gpai} | {r.systemic_risk} | {r.role} | "
                   f"{r.applies} | {r.next_due} | {r.next_obligation} | "
                   f"{r.days_left if r.days_left is not None else '—'} | {r.missing} |")
    return "\n".join(out) + f"\n\n*{NOT_LEGAL_ADVICE}*\n"
