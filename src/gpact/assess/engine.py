"""The assessment: from a profile and a date to findings, exemptions and obligations.

Pure: it reads only the profile, the compute figures and the rulebook values in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.assess.compute_facts import ComputeFigure
from gpact.assess.enforcement import Enforcement, enforcement
from gpact.assess.exemptions import APPLIES, Exemption, open_source, scope_exclusion
from gpact.assess.findings import Finding
from gpact.assess.gpai import gpai_status
from gpact.assess.obligations import APPLIES_STATUS, Context, Obligation, obligations
from gpact.assess.role import (
    MODIFIER_PROVIDER,
    PROVIDER,
    ROLE_LABELS,
    provider_role,
    settle_role,
)
from gpact.assess.systemic import systemic_risk
from gpact.errors import InputError
from gpact.profile.schema import Profile
from gpact.rulebook import Rulebook, RuleValue

ENTRY_INTO_FORCE_KEY = "ai_act.dates.entry_into_force"
AMENDMENTS_KEY = "ai_act.amendments"


@dataclass
class Assessment:
    model: str
    provider: str
    as_of: dt.date
    rulebook: Rulebook
    gpai: Finding[bool]
    systemic_risk: Finding[bool]
    role: Finding[str]
    exemption_checks: list[Exemption]
    obligations: list[Obligation]
    enforcement: Enforcement
    unverified: list[RuleValue]
    secondary: list[RuleValue] = field(default_factory=list)
    not_yet_published: list[RuleValue] = field(default_factory=list)
    amendments: RuleValue | None = None  # acts amending the AI Act in force on the date
    model_version: str | None = None
    source: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def exemptions(self) -> list[Exemption]:
        return [e for e in self.exemption_checks if e.status == APPLIES]

    @property
    def missing(self) -> list[str]:
        seen: dict[str, None] = {}
        for items in ([self.gpai.missing, self.role.missing, self.systemic_risk.missing,
                       self.enforcement.missing]
                      + [e.missing for e in self.exemption_checks]
                      + [o.missing for o in self.obligations]):
            for item in items:
                seen.setdefault(item, None)
        return list(seen)

    @property
    def near_threshold(self) -> list[str]:
        """The tests whose deciding compute estimate lies within its margin of the threshold."""
        return [name for name, f in (("gpai", self.gpai), ("systemic_risk", self.systemic_risk),
                                     ("role", self.role)) if f.near_threshold]

    def next_due(self) -> dt.date | None:
        dues = [o.due for o in self.obligations if o.status == APPLIES_STATUS and o.due]
        return min(dues) if dues else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "gpact_version": __version__,
            "rulebook_version": self.rulebook.version,
            "rulebook_published": self.rulebook.published.isoformat(),
            "as_of": self.as_of.isoformat(),
            "model": self.model,
            "model_version": self.model_version,
            "provider": self.provider,
            "profile": self.source,
            "gpai": self.gpai.as_dict(),
            "systemic_risk": self.systemic_risk.as_dict(),
            "role": {**self.role.as_dict(), "label": ROLE_LABELS.get(self.role.value or "",
                                                                     "cannot decide")},
            "exemptions": [{"id": e.id, "label": e.label, "source": e.source,
                            "waives": e.waives, "reasons": [r.as_dict() for r in e.reasons]}
                           for e in self.exemptions],
            "exemption_checks": [e.as_dict() for e in self.exemption_checks],
            "obligations": [o.as_dict(self.as_of) for o in self.obligations],
            "enforcement": self.enforcement.as_dict(),
            "fine_ceiling_eur": self.enforcement.fine_ceiling_eur,
            "unverified_rules_used": [
                {"key": v.key, "value": v.as_dict()["value"], "source": v.source,
                 "note": v.note} for v in self.unverified],
            "secondary_rules_used": [
                {"key": v.key, "source": v.source, "note": v.note} for v in self.secondary],
            "not_yet_published": [
                {"key": v.key, "source": v.source, "from": v.since.isoformat()}
                for v in self.not_yet_published],
            "near_threshold": self.near_threshold,
            "amendments_in_force": [] if self.amendments is None else [
                {**_plain(a), "source": self.amendments.source,
                 "confidence": self.amendments.confidence} for a in self.amendments.value],
            "missing": self.missing,
            "warnings": self.warnings,
            "notice": NOT_LEGAL_ADVICE,
        }


def assess(profile: Profile, as_of: dt.date, rulebook: Rulebook, cumulative: ComputeFigure,
           update: ComputeFigure, planned: ComputeFigure | None = None) -> Assessment:
    """Decide GPAI status, role, systemic risk, exemptions and obligations on ``as_of``.

    Order matters: the role's modification test comes first (a modifier that becomes the
    provider provides a GPAI model), then GPAI status, then systemic risk, and only then the
    rest of the role (the internal-use carve-out does not cover systemic-risk models).
    """
    rules = rulebook.at(as_of, lookahead=True)
    check_as_of(rulebook, as_of)
    role = provider_role(profile, rules)
    gpai = gpai_status(profile, rules, update, role.value)
    systemic = systemic_risk(profile, rules, as_of, gpai, role, cumulative, planned)
    role = settle_role(profile, rules, role, gpai.value, systemic.finding.value)
    owes = role.value in (PROVIDER, MODIFIER_PROVIDER) and gpai.value is True
    oss = open_source(profile, rules, systemic)
    exclusion = scope_exclusion(profile, rules, role.value)
    # The open-source check is shown only where it can matter: a provider of a GPAI model.
    checks = ([oss] if owes else []) + ([exclusion] if exclusion else [])
    obs = obligations(Context(profile, rules, gpai, role, systemic, oss, exclusion))
    enf = enforcement(profile, rules, as_of, owes)
    amendments = rules.rule(AMENDMENTS_KEY)
    pending = rules.pending_used()
    for finding in (gpai, systemic.finding, role):
        _say_when_pending(finding, as_of)
    return Assessment(
        model=profile.model.name, provider=profile.provider.name, as_of=as_of,
        rulebook=rulebook, gpai=gpai, systemic_risk=systemic.finding, role=role,
        exemption_checks=checks, obligations=obs, enforcement=enf,
        unverified=rules.unverified_used(), secondary=rules.secondary_used(),
        not_yet_published=pending, amendments=amendments, model_version=profile.model.version)


def _plain(value: Any) -> Any:
    """Rulebook data as JSON-ready values (dates as ISO strings)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def check_as_of(rulebook: Rulebook, as_of: dt.date) -> None:
    """The Act is the first rule: nothing can be answered for a date before it was in force."""
    start = rulebook.parameter(ENTRY_INTO_FORCE_KEY).history[0].value
    if as_of < start:
        raise InputError(None, "--as-of", f"{as_of} is before the AI Act entered into force "
                         f"({start}); gpact answers for dates from {start} on")


def _say_when_pending(finding: Finding[Any], as_of: dt.date) -> None:
    if any("not yet published on" in r.source for r in finding.reasons):
        finding.because(f"On {as_of} some texts this verdict relies on were not yet published "
                        "(marked in the sources): the Act alone does not decide it, so gpact "
                        "applies their later reading of the same provisions.",
                        "AI Act Art. 3(63), Arts 51-52")
