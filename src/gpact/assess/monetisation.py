"""Is the model monetised? Decided from the profile's facts (Guidelines §4.2; Recital 103).

The forms of monetisation and the exceptions are a rulebook catalogue; each names the profile
fact (``model.licence.monetisation.<fact>``) it reads. A plain ``model.licence.monetised`` is
an override; when both are given they must agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gpact.assess.findings import Reason
from gpact.errors import InputError
from gpact.profile.schema import Profile
from gpact.rulebook import RulesInForce

MONETISATION_KEY = "guidelines.open_source.monetisation"
FIELD = "model.licence.monetisation"


@dataclass
class Monetised:
    value: bool | None
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def monetised(profile: Profile, rules: RulesInForce) -> Monetised:
    licence = profile.model.licence
    stated = licence.monetised if licence else None
    facts = licence.monetisation if licence else None
    if facts is None:
        if stated is None:
            return Monetised(None, missing=["model.licence.monetised"])
        return Monetised(stated, [Reason(
            f"The profile states that the model is {'' if stated else 'not '}monetised "
            "(model.licence.monetised).", "AI Act Recital 103")])
    decided = _decide(profile, facts.model_dump(), rules)
    if stated is not None and decided.value is not None and stated != decided.value:
        raise InputError(None, "model.licence.monetised",
                         f"says {str(stated).lower()}, but the facts in {FIELD} make the model "
                         f"{'' if decided.value else 'not '}monetised; remove one or make them "
                         "agree")
    if decided.value is None and stated is not None:
        decided.reasons.append(Reason(
            f"The facts do not settle it; the profile's model.licence.monetised "
            f"({str(stated).lower()}) decides.", "AI Act Recital 103"))
        return Monetised(stated, decided.reasons)
    return decided


def _decide(profile: Profile, facts: dict[str, Any], rules: RulesInForce) -> Monetised:
    rule = rules.rule(MONETISATION_KEY)
    forms, exceptions = rule.value["forms"], rule.value["exceptions"]
    out = Monetised(None)
    excepted = [e for e in exceptions if facts.get(e["fact"]) is True and e.get("overrides")]
    for e in excepted:
        if e["fact"] == "microenterprise_transactions_only" \
                and profile.provider.microenterprise is False:
            raise InputError(None, f"{FIELD}.{e['fact']}", "is true, but "
                             "provider.microenterprise is false: a transaction between "
                             "microenterprises needs the provider to be one")
    overridden = {f for e in excepted for f in e.get("overrides", [])}
    present = [f for f in forms if facts.get(f["fact"]) is True]
    counted = [f for f in present if f["fact"] not in overridden and "*" not in overridden]
    unknown = [f for f in forms if facts.get(f["fact"]) is None
               and f["fact"] not in overridden and "*" not in overridden]
    for f in counted:
        out.reasons.append(Reason(f"Monetisation: {f['title']}.", _cite(f)))
    for e in excepted:
        names = ", ".join(f["title"].lower() for f in present) or "no form of monetisation"
        out.reasons.append(Reason(f"Exception: {e['title']} — so {names} does not count as "
                                  "monetisation.", _cite(e)))
    for e in exceptions:
        if facts.get(e["fact"]) is True and not e.get("overrides"):
            out.reasons.append(Reason(f"Not monetisation: {e['title']}.", _cite(e)))
    if counted:
        out.value = True
    elif unknown:
        out.missing = [f"{FIELD}.{f['fact']}" for f in unknown]
        out.reasons.append(Reason("Whether the model is monetised cannot be decided: the facts "
                                  "named in 'missing' are not given.", rule.source))
    else:
        out.value = False
        out.reasons.append(Reason("None of the forms of monetisation applies: the model is not "
                                  "monetised.", rule.source))
    return out


def _cite(item: dict[str, Any]) -> str:
    flag = f" [{item['confidence']}]" if item.get("confidence", "verified") != "verified" else ""
    return f"{item['source']}{flag}"
