"""Monetisation decided from profile facts (Guidelines §4.2; Recital 103): properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gpact.assess.monetisation import monetised
from gpact.errors import InputError
from gpact.profile.schema import Profile
from gpact.rulebook import Rulebook

FORMS = ("price", "dual_licensing", "paid_support_required", "exclusive_paid_hosting",
         "personal_data_required")
FACT = st.one_of(st.none(), st.booleans())
RULES = Rulebook.load().at(dt.date(2026, 12, 1))


def profile(facts: dict[str, Any], stated: bool | None, micro: bool | None) -> Profile:
    return Profile.model_validate({
        "gpact": 1, "provider": {"name": "P", "microenterprise": micro},
        "model": {"name": "M", "licence": {"monetised": stated, "monetisation": facts}}})


def test_catalogue_facts_are_profile_fields() -> None:
    from gpact.profile.schema import Monetisation
    catalogue = RULES.value("guidelines.open_source.monetisation")
    facts = [i["fact"] for i in catalogue["forms"] + catalogue["exceptions"]]
    assert sorted(facts) == sorted(Monetisation.model_fields)
    assert [f["fact"] for f in catalogue["forms"]] == list(FORMS)


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({name: FACT for name in FORMS}),
       FACT, FACT, FACT, FACT)
def test_decision_follows_the_list(forms: dict[str, bool | None], optional: bool | None,
                                   micro_only: bool | None, stated: bool | None,
                                   micro: bool | None) -> None:
    facts = {**forms, "optional_paid_services": optional,
             "microenterprise_transactions_only": micro_only}
    excepted = micro_only is True
    if excepted:
        expected: bool | None = False
    elif any(v is True for v in forms.values()):
        expected = True
    elif any(v is None for v in forms.values()):
        expected = None
    else:
        expected = False
    try:
        result = monetised(profile(facts, stated, micro), RULES)
    except InputError as exc:
        contradiction = expected is not None and stated is not None and stated != expected
        assert contradiction or (excepted and micro is False), exc.message()
        return
    assert not (excepted and micro is False)
    assert result.value == (expected if expected is not None else stated)
    assert result.reasons or result.missing
    if result.value is None:
        assert result.missing and all(m.startswith("model.licence.monetisation.")
                                      for m in result.missing)
