"""Risk register checks (Commitments 2-6) and the systemic-risk taxonomy."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from typing import Any

import pytest

from gpact.risk.register import check_register, reached_tiers, taxonomy
from gpact.risk.schema import EvaluationLog, RiskRegister
from gpact.rulebook import default_rulebook
from tests.risk.conftest import EVALUATIONS, REGISTER

RULES = default_rulebook().at(dt.date(2026, 11, 22))
AS_OF = dt.date(2026, 11, 22)
PLACED = dt.date(2026, 6, 1)


def _problems(register: dict[str, Any], **kw: Any) -> list[str]:
    reg = RiskRegister.model_validate(register)
    return [f"{f.subject}: {f.text}" for f in check_register(
        reg, RULES, evaluations=EvaluationLog.model_validate(EVALUATIONS), placed_on=PLACED,
        as_of=AS_OF, **kw) if f.severity == "problem"]


def test_taxonomy_groups() -> None:
    counts = Counter(e.group for e in taxonomy(RULES))
    # Safety and Security chapter, Appendix 1 (checked against its text): 1.4 specified risks,
    # 1.1 types of risks (other risks, issue #11), 1.3.1 capabilities, 1.3.2 propensities
    # (misalignment with human intent and with human values are two), 1.3.3 affordances.
    assert counts == {"specified_risk": 4, "other_risk": 5, "capability": 14, "propensity": 10,
                      "affordance": 13}
    assert {"propensity_misalignment", "propensity_misalignment_values"} <= set(
        e.id for e in taxonomy(RULES) if e.group == "propensity")
    assert {e.id for e in taxonomy(RULES) if e.group == "specified_risk"} == {
        "cbrn", "loss_of_control", "cyber_offence", "harmful_manipulation"}
    ids = [e.id for e in taxonomy(RULES)]
    assert len(ids) == len(set(ids))


def test_complete_register_has_no_problem() -> None:
    assert _problems(REGISTER) == []


def _edit(path: list[Any], value: Any) -> dict[str, Any]:
    reg = copy.deepcopy(REGISTER)
    target: Any = reg
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return reg


_DELETE = object()


@pytest.mark.parametrize(("path", "value", "expected"), [
    (["risks", 0, "taxonomy"], "capability_cbrn", "cbrn: specified systemic risk"),
    (["risks", 1, "taxonomy"], "weather", "not in the rulebook's systemic-risk taxonomy"),
    (["risks", 0, "scenarios"], [], "no risk scenario"),
    (["risks", 0, "tiers"], [], "no systemic-risk tiers (mandatory"),
    (["risks", 0, "tiers", 1, "threshold"], _DELETE, "t2: tier is not measurable"),
    (["risks", 0, "estimate", "tier"], "t2", "every tier is reached"),
    (["risks", 0, "estimate", "metrics"], {"cbrn_score": 0.9}, "every tier is reached"),
    (["risks", 0, "estimate"], _DELETE, "no current risk estimate"),
    (["risks", 0, "estimate", "evidence"], [], "cites no evidence"),
    (["risks", 0, "acceptance"], _DELETE, "no acceptance decision"),
    (["risks", 0, "acceptance", "safety_margin"], _DELETE, "without a stated safety margin"),
    (["risks", 0, "acceptance", "decision"], "not_accepted", "not accepted but the model is on"),
])
def test_register_problems(path: list[Any], value: Any, expected: str) -> None:
    problems = _problems(_edit(path, value))
    assert any(expected in p for p in problems), problems


def test_not_accepted_before_placement_is_not_a_market_problem() -> None:
    reg = RiskRegister.model_validate(_edit(["risks", 0, "acceptance", "decision"],
                                            "not_accepted"))
    findings = check_register(reg, RULES, placed_on=dt.date(2027, 1, 1), as_of=AS_OF)
    assert not any("on the market" in f.text for f in findings)


def test_reached_tiers_from_stated_tier_and_metrics() -> None:
    reg = RiskRegister.model_validate(REGISTER)
    assert reached_tiers(reg.risks[0]) == []
    reg2 = RiskRegister.model_validate(_edit(["risks", 0, "estimate", "metrics"],
                                             {"cbrn_score": 0.6}))
    assert reached_tiers(reg2.risks[0]) == ["t1"]


def test_mismatch_between_stated_tier_and_metrics_is_a_warning() -> None:
    reg = copy.deepcopy(REGISTER)
    reg["risks"][0]["estimate"].update(tier="t1", metrics={"cbrn_score": 0.9})
    warnings = [f.text for f in check_register(RiskRegister.model_validate(reg), RULES)
                if f.severity == "warning"]
    assert "the estimate states tier 't1' but its metrics reach 't2'" in warnings
    reg["risks"][0]["estimate"].update(tier="t1", metrics={"cbrn_score": 0.6})
    warnings = [f.text for f in check_register(RiskRegister.model_validate(reg), RULES)
                if f.severity == "warning"]
    assert not any("states tier" in w for w in warnings)


def test_unlinked_risk_and_missing_security_are_warnings() -> None:
    reg = RiskRegister.model_validate(_edit(["mitigations"], []))
    warnings = [f"{f.subject}: {f.text}" for f in check_register(reg, RULES)
                if f.severity == "warning"]
    assert "cbrn: no safety or security mitigation is linked to this risk" in warnings
    assert "mitigations: no security mitigation is in place" in warnings


@pytest.mark.parametrize(("register", "message"), [
    ({"risks": [{"id": "a", "taxonomy": "cbrn"}, {"id": "a", "taxonomy": "cbrn"}]},
     "duplicate id 'a'"),
    ({"risks": [{"id": "a", "taxonomy": "cbrn"}],
      "mitigations": [{"id": "m", "kind": "safety", "description": "x", "addresses": ["b"]}]},
     "unknown risk"),
    ({"risks": [{"id": "a", "taxonomy": "cbrn", "tiers": [{"id": "t1"}],
                 "estimate": {"estimated_on": "2026-01-01", "tier": "t9"}}]},
     "not one of its tiers"),
])
def test_inconsistent_register_is_refused(register: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RiskRegister.model_validate(register)
