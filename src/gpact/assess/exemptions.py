"""Exemptions: the free and open-source exemption (Arts 53(2), 54(6)) and the scope exclusions
(research and development before placing, purely internal use, no Union market)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gpact.assess.findings import Reason
from gpact.assess.monetisation import monetised
from gpact.assess.role import INTERNAL_USE_KEY, NOT_IN_SCOPE
from gpact.assess.sources import guidelines
from gpact.assess.systemic import SystemicRisk
from gpact.profile.schema import Profile
from gpact.rulebook import RulesInForce

OPEN_SOURCE_KEY = "ai_act.art53.open_source_exemption"
CATALOGUE_KEY = "ai_act.obligations"
DESIGNATION_KEY = "guidelines.designation.waivers_end"

APPLIES = "applies"
DOES_NOT_APPLY = "does_not_apply"
UNDETERMINED = "undetermined"


@dataclass
class Exemption:
    id: str
    source: str
    status: str
    waives: list[str]
    never_waives: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    label: str = ""
    ended_on: dt.date | None = None  # applied until then (a designation ended it)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "source": self.source,
                               "status": self.status, "waives": self.waives,
                               "never_waives": self.never_waives,
                               "reasons": [r.as_dict() for r in self.reasons]}
        if self.missing:
            out["missing"] = self.missing
        if self.ended_on:
            out["ended_on"] = self.ended_on.isoformat()
        return out


def open_source(profile: Profile, rules: RulesInForce, sr: SystemicRisk) -> Exemption:
    """All conditions must hold; an unknown condition means the exemption is not established."""
    rule = rules.rule(OPEN_SOURCE_KEY)
    ex = Exemption("open_source", "Art. 53(2), Art. 54(6)", UNDETERMINED,
                   list(rule.value["waives"]), list(rule.value["never_waives"]),
                   label="Free and open-source exemption")
    systemic = sr.finding.value
    m = profile.model
    licence, public = m.licence, m.public
    money = monetised(profile, rules)
    ex.reasons += money.reasons
    checks: list[tuple[str, bool | None, str, str]] = [
        ("model.licence.free_and_open_source", licence.free_and_open_source if licence else None,
         "the licence allows access, use, modification and distribution",
         "AI Act Art. 53(2); Recital 102; Guidelines §4.2"),
        ("model.public.weights", public.weights if public else None,
         "the parameters including the weights are public", "AI Act Art. 53(2)"),
        ("model.public.architecture", public.architecture if public else None,
         "information on the model architecture is public", "AI Act Art. 53(2)"),
        ("model.public.usage_information", public.usage_information if public else None,
         "information on model usage is public", "AI Act Art. 53(2)"),
        ("model.licence.monetised", (not money.value) if money.value is not None else None,
         "the model is not monetised", f"AI Act Recital 103; {guidelines(rules, '§4.2')}"),
        ("systemic_risk", (not systemic) if systemic is not None else None,
         "the model is not a systemic-risk model", "AI Act Art. 53(2), Art. 54(6); Recital 104"),
    ]
    failed: list[str] = []
    unknown: list[str] = []
    for name, ok, text, source in checks:
        if ok is None:
            unknown.append(name)
        elif ok:
            ex.reasons.append(Reason(f"Met: {text}.", source))
        else:
            failed.append(name)
            ex.reasons.append(Reason(f"Not met: {text}.", source))
    ex.missing = [u for u in unknown if u != "model.licence.monetised"] + money.missing
    if failed == ["systemic_risk"] and not unknown:
        _ended_by_designation(profile, rules, sr, ex)
    if failed:
        ex.status = DOES_NOT_APPLY
        ex.missing.clear()  # one failed condition settles it; the unknown ones do not matter
    elif ex.missing:
        ex.reasons.append(Reason("Not established: the conditions named in 'missing' are not "
                                 "given, and gpact does not assume them.", rule.source))
    else:
        ex.status = APPLIES
        ex.reasons.append(Reason("Exempt from Art. 53(1)(a), 53(1)(b) and Art. 54; the copyright "
                                 "policy and the training-content summary are still owed.",
                                 rule.source))
    return ex


def _ended_by_designation(profile: Profile, rules: RulesInForce, sr: SystemicRisk,
                          ex: Exemption) -> None:
    """A designation ends the waivers from the date the provider is informed, not before."""
    designation = profile.model.systemic_risk_designation
    if sr.presumed or designation is None or designation.designated_on is None:
        return
    rule = rules.rule(DESIGNATION_KEY)
    if rule.value["retroactive"]:
        return
    start = designation.informed_on or designation.designated_on
    ex.ended_on = start
    how = "informed of" if designation.informed_on else "the date of (informed date not given)"
    ex.reasons.append(Reason(
        f"The other conditions are met, so the exemption applied until the designation: the "
        f"waived obligations are owed from {start}, {how} the Commission's designation "
        "decision, not retroactively.", rule.source))


def scope_exclusion(profile: Profile, rules: RulesInForce, role: str | None) -> Exemption | None:
    """The exclusion that put the model outside Chapter V, if any."""
    if role != NOT_IN_SCOPE:
        return None
    release = profile.model.release
    every = [o["id"] for o in rules.value(CATALOGUE_KEY)]
    if release and release.status == "development":
        waived = [i for i in every if i != "notification"]
        return Exemption("research_development", "Art. 2(8), Art. 3(63)", APPLIES, waived,
                         ["notification"], [Reason(
                             "Research, development and prototyping before placing on the market "
                             "are outside the Act; the Art. 52(1) notification can fall due "
                             "before placing.", "AI Act Art. 2(8); Recital 112")],
                         label="Research and development before placing on the market")
    if release and release.status == "internal_use":
        return Exemption("internal_use", "Recital 97", APPLIES, every, [], [Reason(
            "Purely internal, non-essential use that does not affect people's rights, of a "
            "model without systemic risk, is not placing on the market.",
            rules.rule(INTERNAL_USE_KEY).source)], label="Purely internal use")
    return Exemption("outside_union_market", "Guidelines §3.1.3", APPLIES, every, [], [Reason(
        "Distribution and use in the Union are excluded.",
        guidelines(rules, "§3.1.3"))], label="Not placed on the Union market")
