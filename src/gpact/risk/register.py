"""Check a risk register against what the Code asks of it (Commitments 2-6).

Each finding is a problem (a requirement not met), a warning (something to look at) or a note,
with the provision it comes from. The register's tiers give the "highest tier reached" either as
stated in the estimate or, for measurable tiers, from the estimate's metric values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from gpact.risk.schema import EvaluationLog, Risk, RiskRegister
from gpact.rulebook import RulesInForce

TAXONOMY = "code_of_practice.safety_security.systemic_risk_taxonomy"

Severity = Literal["problem", "warning", "note"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    subject: str
    text: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "subject": self.subject, "text": self.text,
                "source": self.source}


@dataclass(frozen=True)
class TaxonomyEntry:
    id: str
    group: str
    title: str
    description: str | None


def taxonomy(rules: RulesInForce) -> list[TaxonomyEntry]:
    """The systemic-risk taxonomy catalogue in force."""
    return [TaxonomyEntry(str(e["id"]), str(e["group"]), str(e["title"]),
                          str(e["description"]) if e.get("description") else None)
            for e in rules.value(TAXONOMY)]


def reached_tiers(risk: Risk) -> list[str]:
    """Ids of the tiers the estimate reaches: the stated tier and those below it, or, for
    measurable tiers, those whose threshold the estimate's metric values cross."""
    est = risk.estimate
    if est is None:
        return []
    ids = [t.id for t in risk.tiers]
    reached: set[str] = set(ids[: ids.index(est.tier) + 1]) if est.tier else set()
    for tier in risk.tiers:
        if tier.measurable and tier.metric in est.metrics and tier.reached_by(
                est.metrics[tier.metric]):
            reached.add(tier.id)
    return [i for i in ids if i in reached]


def check_register(register: RiskRegister, rules: RulesInForce, *,
                   evaluations: EvaluationLog | None = None,
                   placed_on: dt.date | None = None, as_of: dt.date | None = None,
                   ) -> list[Finding]:
    """Findings on the register; an empty list means no gap was found (not that all is well)."""
    catalogue = {e.id: e for e in taxonomy(rules)}
    src = rules.rule(TAXONOMY).source
    out: list[Finding] = []
    covered = {r.taxonomy for r in register.risks}
    for entry in catalogue.values():
        if entry.group == "specified_risk" and entry.id not in covered:
            out.append(Finding("problem", entry.id, f"specified systemic risk '{entry.title}' "
                               "is not in the register; the four specified risks are always "
                               "covered", "GPAI Code of Practice, Safety & Security, Commitment 2"))
    evaluated = {r for e in (evaluations.evaluations if evaluations else []) for r in e.risks}
    eval_ids = {e.id for e in evaluations.evaluations} if evaluations else set()
    for risk in register.risks:
        out.extend(_check_risk(risk, catalogue, src, evaluated, eval_ids, placed_on, as_of))
    mitigated = {a for m in register.mitigations if m.status != "retired" for a in m.addresses}
    for risk in register.risks:
        if risk.id not in mitigated:
            out.append(Finding("warning", risk.id, "no safety or security mitigation is linked "
                               "to this risk", "GPAI Code of Practice, Safety & Security, "
                               "Commitments 5-6"))
    if not any(m.kind == "security" and m.status == "in_place" for m in register.mitigations):
        out.append(Finding("warning", "mitigations", "no security mitigation is in place",
                           "GPAI Code of Practice, Safety & Security, Commitment 6"))
    if register.framework.security_goal is None:
        out.append(Finding("warning", "framework.security_goal", "no Security Goal (the threat "
                           "actors to be resisted) is recorded",
                           "GPAI Code of Practice, Safety & Security, Commitment 6"))
    return out


def _check_risk(risk: Risk, catalogue: dict[str, Any], src: str, evaluated: set[str],
                eval_ids: set[str], placed_on: dt.date | None,
                as_of: dt.date | None) -> list[Finding]:
    out: list[Finding] = []
    c = "GPAI Code of Practice, Safety & Security, "
    entry = catalogue.get(risk.taxonomy)
    if entry is None:
        out.append(Finding("problem", risk.id, f"taxonomy {risk.taxonomy!r} is not in the "
                           "rulebook's systemic-risk taxonomy (see 'gpact risk taxonomy')", src))
    if not risk.scenarios:
        out.append(Finding("problem", risk.id, "no risk scenario", c + "Commitment 2"))
    specified = entry is not None and entry.group == "specified_risk"
    if not risk.tiers:
        out.append(Finding("problem" if specified else "warning", risk.id,
                           "no systemic-risk tiers" + (" (mandatory for the specified risks)"
                                                       if specified else ""),
                           c + "Commitment 4"))
    else:
        for tier in risk.tiers:
            if not tier.measurable:
                out.append(Finding("problem", f"{risk.id}.{tier.id}", "tier is not measurable: "
                                   "give 'metric' and 'threshold'", c + "Commitment 4"))
        reached = reached_tiers(risk)
        if len(reached) == len(risk.tiers):
            out.append(Finding("problem", risk.id, "every tier is reached: at least one tier "
                               "must not yet be reached", c + "Commitment 4"))
        est = risk.estimate
        if est is not None and est.tier is not None and reached and reached[-1] != est.tier:
            out.append(Finding("warning", risk.id, f"the estimate states tier {est.tier!r} but "
                               f"its metrics reach {reached[-1]!r}", c + "Commitment 3"))
    est = risk.estimate
    if est is None:
        out.append(Finding("problem", risk.id, "no current risk estimate (date and evidence)",
                           c + "Commitment 3"))
    else:
        if not est.evidence:
            out.append(Finding("problem", risk.id, "the estimate cites no evidence",
                               c + "Commitment 3"))
        for ref in est.evidence:
            if ref.startswith("eval:") and ref[5:] not in eval_ids:
                out.append(Finding("warning", risk.id, f"evidence {ref!r} names no evaluation "
                                   "in risk/evaluations.yaml", c + "Commitment 3"))
        if as_of is not None and (as_of - est.estimated_on).days > 365:
            out.append(Finding("warning", risk.id, f"the estimate is from {est.estimated_on}, "
                               "more than a year old", c + "Commitment 3"))
    if risk.id not in evaluated:
        out.append(Finding("note", risk.id, "no evaluation in the log is linked to this risk",
                           "AI Act Art. 55(1)(a); " + c + "Commitment 3"))
    acc = risk.acceptance
    if acc is None or acc.decision == "pending":
        out.append(Finding("problem", risk.id, "no acceptance decision", c + "Commitment 4"))
    else:
        if acc.decision == "accepted" and not acc.safety_margin:
            out.append(Finding("problem", risk.id, "accepted without a stated safety margin",
                               c + "Commitment 4"))
        if acc.decision == "not_accepted" and placed_on is not None and (
                as_of is None or placed_on <= as_of):
            out.append(Finding("problem", risk.id, "the risk is not accepted but the model is on "
                               "the market: do not place, restrict, withdraw or recall",
                               c + "Commitment 4"))
    return out
