"""Which obligations apply, from when, and by when (Arts 52-55, 111(3); Guidelines §§3-4).

The catalogue (ids, sources, who owes them, which due-date rule) is rulebook data; this module
only decides, for one model, each entry's status, dates and scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gpact.assess.exemptions import APPLIES, Exemption
from gpact.assess.findings import Finding, Reason, iso
from gpact.assess.role import MODIFIER_PROVIDER, NOT_GPAI, NOT_IN_SCOPE, NOT_PROVIDER, PROVIDER
from gpact.assess.sources import guidelines
from gpact.assess.systemic import SystemicRisk
from gpact.profile.schema import Profile
from gpact.rulebook import RulesInForce

CATALOGUE_KEY = "ai_act.obligations"
CHAPTER_V_KEY = "ai_act.dates.chapter_v_application"
LEGACY_CUTOFF_KEY = "ai_act.art111.legacy_placement_cutoff"
LEGACY_DEADLINE_KEY = "ai_act.art111.legacy_compliance_deadline"
NOTIFICATION_DAYS_KEY = "ai_act.art52.notification_period_days"

APPLIES_STATUS = "applies"
WAIVED = "waived"
NOT_APPLICABLE = "not_applicable"
UNDETERMINED = "undetermined"


@dataclass
class Obligation:
    id: str
    title: str
    source: str
    status: str
    label: str = ""
    applies_from: dt.date | None = None
    due: dt.date | None = None
    scope: str = "full"
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The human label: the obligation's short name and its article."""
        return f"{self.label or self.title} ({self.source})"

    def days_left(self, as_of: dt.date) -> int | None:
        return (self.due - as_of).days if self.due and self.status == APPLIES_STATUS else None

    def as_dict(self, as_of: dt.date) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "label": self.label, "title": self.title, "source": self.source,
            "status": self.status,
            "applies_from": iso(self.applies_from), "due": iso(self.due),
            "days_left": self.days_left(as_of), "scope": self.scope,
            "reasons": [r.as_dict() for r in self.reasons],
        }
        if self.missing:
            out["missing"] = self.missing
        return out


@dataclass(frozen=True)
class Context:
    profile: Profile
    rules: RulesInForce
    gpai: Finding[bool]
    role: Finding[str]
    systemic: SystemicRisk
    open_source: Exemption
    exclusion: Exemption | None


def obligations(ctx: Context) -> list[Obligation]:
    return [_one(entry, ctx) for entry in ctx.rules.value(CATALOGUE_KEY)]


def _one(entry: dict[str, Any], ctx: Context) -> Obligation:
    ob = Obligation(entry["id"], entry["title"], entry["source"], UNDETERMINED,
                    label=entry["label"])
    _status(ob, entry["applies_to"], ctx)
    if ob.status == APPLIES_STATUS and ctx.open_source.status == APPLIES \
            and ob.id in ctx.open_source.waives:
        ob.status = WAIVED
        ob.reasons.append(Reason("Waived by the free and open-source exemption.",
                                 ctx.open_source.source))
    if ob.status == APPLIES_STATUS:
        _dates(ob, entry["due"], ctx)
        _scope(ob, bool(entry["limited_to_modification"]), ctx)
    return ob


def _status(ob: Obligation, applies_to: str, ctx: Context) -> None:
    role, gpai = ctx.role.value, ctx.gpai.value
    if role == NOT_GPAI:
        ob.status = NOT_APPLICABLE
        ob.reasons.append(Reason("Not a GPAI model: Chapter V does not apply.",
                                 "AI Act Art. 3(63)"))
        return
    excluded = ctx.exclusion is not None and ob.id in ctx.exclusion.waives
    if excluded and ctx.exclusion is not None:
        ob.status = NOT_APPLICABLE
        ob.reasons.extend(ctx.exclusion.reasons)
        return
    if role == NOT_PROVIDER:
        ob.status = NOT_APPLICABLE
        ob.reasons.append(Reason("The modifier did not become the provider; the original "
                                 "provider keeps this obligation.",
                                 guidelines(ctx.rules, "points 59-62")))
        return
    if role not in (PROVIDER, MODIFIER_PROVIDER, NOT_IN_SCOPE):
        ob.reasons.append(Reason("Cannot decide whether the profile's provider is the model's "
                                 "provider.", "AI Act Art. 3(3)"))
        return
    if gpai is False:
        ob.status = NOT_APPLICABLE
        ob.reasons.append(Reason("Not a GPAI model.", "AI Act Art. 3(63)"))
        return
    if gpai is None:
        ob.reasons.append(Reason("Cannot decide whether the model is a GPAI model.",
                                 "AI Act Art. 3(63)"))
        return
    decide = _APPLIES_TO[applies_to]
    decide(ob, ctx)


def _for_gpai(ob: Obligation, ctx: Context) -> None:
    ob.status = APPLIES_STATUS
    ob.reasons.append(Reason("Owed by every provider of a GPAI model.", ob.source))


def _for_non_eu(ob: Obligation, ctx: Context) -> None:
    in_eu = ctx.profile.provider.established_in_eu
    if in_eu is None:
        ob.missing.append("provider.established_in_eu")
        ob.reasons.append(Reason("Whether the provider is established in the Union is not given.",
                                 ob.source))
    elif in_eu:
        ob.status = NOT_APPLICABLE
        ob.reasons.append(Reason("The provider is established in the Union.", ob.source))
    else:
        ob.status = APPLIES_STATUS
        ob.reasons.append(Reason("The provider is established in a third country and must "
                                 "appoint an authorised representative by written mandate "
                                 "before placing the model on the Union market.", ob.source))


def _for_presumed(ob: Obligation, ctx: Context) -> None:
    sr = ctx.systemic
    if sr.presumed:
        ob.status = APPLIES_STATUS
        ob.reasons.append(Reason("The Art. 51(1)(a) condition is met or known to be met: notify "
                                 "the Commission without delay and within two weeks, with the "
                                 "information demonstrating it (compute in FLOP to two "
                                 "significant figures and the estimation method).",
                                 f"{ob.source}; {guidelines(ctx.rules, 'point 31')}"))
    elif sr.finding.value is True:
        ob.status = NOT_APPLICABLE
        ob.reasons.append(Reason("The model's systemic risk rests on a Commission designation, "
                                 "not on the notification route.", "AI Act Art. 52(4)"))
    elif sr.finding.value is False:
        ob.status = NOT_APPLICABLE
        ob.reasons.append(Reason("The 10^25 FLOP condition is not met.", ob.source))
    else:
        ob.reasons.append(Reason("Cannot decide whether the 10^25 FLOP condition is met.",
                                 ob.source))


def _for_systemic(ob: Obligation, ctx: Context) -> None:
    value = ctx.systemic.finding.value
    if value is True:
        ob.status = APPLIES_STATUS
        ob.reasons.append(Reason("Owed by providers of GPAI models with systemic risk, in "
                                 "addition to Arts 53 and 54.", ob.source))
    elif value is False:
        ob.status = NOT_APPLICABLE
        ob.reasons.append(Reason("Not a GPAI model with systemic risk.", ob.source))
    else:
        ob.reasons.append(Reason("Cannot decide whether the model has systemic risk.", ob.source))


_APPLIES_TO = {
    "gpai": _for_gpai,
    "non_eu_provider": _for_non_eu,
    "presumed_systemic_risk": _for_presumed,
    "systemic_risk": _for_systemic,
}


def _dates(ob: Obligation, rule: str, ctx: Context) -> None:
    rules = ctx.rules
    chapter_v = rules.value(CHAPTER_V_KEY)
    if rule == "threshold_known":
        known = ctx.systemic.known_on
        if known is None:
            ob.missing.append("model.threshold_known_on")
            ob.reasons.append(Reason("The date on which the threshold was met or became known is "
                                     "not given, so the deadline cannot be computed.", ob.source))
            return
        days = int(rules.value(NOTIFICATION_DAYS_KEY))
        start = max(known, chapter_v)
        ob.applies_from = start
        ob.due = start + dt.timedelta(days=days)
        since = f"Chapter V applies from {chapter_v}" if known < chapter_v else f"known on {known}"
        ob.reasons.append(Reason(f"Due {days} days after the condition was met or became known "
                                 f"({since}).", rules.rule(NOTIFICATION_DAYS_KEY).source))
        return
    release = ctx.profile.model.release
    placed = release.placed_on_market_on if release else None
    if placed is None:
        ob.missing.append("model.release.placed_on_market_on")
        ob.reasons.append(Reason("The date of placing on the market is not given, so the due date "
                                 "cannot be computed (due at placing).", "AI Act Art. 3(9)"))
        return
    cutoff = rules.value(LEGACY_CUTOFF_KEY)
    if placed < cutoff:
        deadline = rules.value(LEGACY_DEADLINE_KEY)
        ob.applies_from, ob.due = chapter_v, deadline
        ob.reasons.append(Reason(f"Placed on the market on {placed}, before {cutoff}: must comply "
                                 f"by {deadline}.", rules.rule(LEGACY_DEADLINE_KEY).source))
    else:
        ob.applies_from = ob.due = placed
        when = "before placing" if ob.id == "authorised_representative" else "when placing"
        ob.reasons.append(Reason(f"Must be met {when} the model on the market ({placed}).",
                                 "AI Act Art. 53-55, Art. 111(3)"))
    start = _systemic_start(ctx) if ob.id in _systemic_ids(ctx) else None
    if start is not None and ob.due is not None and start > ob.due:
        ob.applies_from = ob.due = start
        ob.reasons.append(Reason(f"The model became a systemic-risk model on {start}, after it "
                                 "was placed on the market: owed from then.", "AI Act Art. 55(1)"))
    ended = ctx.open_source.ended_on
    if ended is not None and ob.id in ctx.open_source.waives and ob.due is not None \
            and ended > ob.due:
        ob.applies_from = ob.due = ended
        ob.reasons.append(Reason(f"Waived by the free and open-source exemption until the "
                                 f"designation; owed from {ended}.", ctx.open_source.source))
    if ob.applies_from is not None and ctx.rules.as_of < chapter_v:
        ob.reasons.append(Reason(f"On {ctx.rules.as_of} Chapter V did not yet apply; it applies "
                                 f"from {chapter_v}.", rules.rule(CHAPTER_V_KEY).source))


def _systemic_ids(ctx: Context) -> set[str]:
    return {o["id"] for o in ctx.rules.value(CATALOGUE_KEY) if o["applies_to"] == "systemic_risk"}


def _systemic_start(ctx: Context) -> dt.date | None:
    designation = ctx.profile.model.systemic_risk_designation
    if designation and designation.designated_on and not ctx.systemic.presumed:
        return designation.informed_on or designation.designated_on
    return ctx.systemic.known_on


def _scope(ob: Obligation, limited: bool, ctx: Context) -> None:
    if ctx.role.value != MODIFIER_PROVIDER:
        return
    if ctx.systemic.finding.value is True:
        ob.reasons.append(Reason("The modified model is a systemic-risk model: the obligation is "
                                 "owed in full, not only for the modification.",
                                 guidelines(ctx.rules, "point 67")))
    elif limited:
        ob.scope = "modification_only"
        ob.reasons.append(Reason("Limited to the modification: document the modification and the "
                                 "data used for it, and refer to the base model's documentation.",
                                 "AI Act Recital 109; "
                                 + guidelines(ctx.rules, "points 65-66")))
