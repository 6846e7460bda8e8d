"""A systemic-risk model with its risk records, written to a temporary folder per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

PROFILE: dict[str, Any] = {
    "gpact": 1,
    "provider": {"name": "Example AI SAS", "established_in_eu": True,
                 "code_of_practice_signatory": True},
    "model": {
        "name": "Example-400B", "version": "1.0", "parameters": 4.0e11,
        "training_compute_flop": 3.0e25, "generates": ["text", "code"], "inputs": ["text"],
        "threshold_known_on": "2026-01-10",
        "release": {"status": "placed_on_market", "placed_on_market_on": "2026-06-01",
                    "eu_market": True, "channels": ["api"]},
    },
}

REGISTER: dict[str, Any] = {
    "risks": [
        {"id": rid, "taxonomy": rid, "title": rid.replace("_", " "),
         "scenarios": [{"id": "s1", "description": f"A {rid} scenario."}],
         "tiers": [{"id": "t1", "metric": f"{rid}_score", "threshold": 0.5},
                   {"id": "t2", "metric": f"{rid}_score", "threshold": 0.8}],
         "estimate": {"estimated_on": "2026-05-01", "tier": None, "metrics": {f"{rid}_score": 0.3},
                      "evidence": ["eval:wmdp-1"], "forecast": "t1 not before 2027"},
         "acceptance": {"decision": "accepted", "decided_on": "2026-05-10",
                        "safety_margin": "0.2 below t1"}}
        for rid in ("cbrn", "loss_of_control", "cyber_offence", "harmful_manipulation")
    ],
    "mitigations": [
        {"id": "m1", "kind": "safety", "description": "Refusal training",
         "addresses": ["cbrn", "cyber_offence", "harmful_manipulation", "loss_of_control"],
         "status": "in_place"},
        {"id": "m2", "kind": "security", "description": "Weight access controls",
         "addresses": ["loss_of_control"], "status": "in_place"},
    ],
    "framework": {"version": "1.0", "notified_on": "2026-01-20", "confirmed_on": "2026-02-13",
                  "sent_to_ai_office_on": "2026-02-18", "security_goal": "Resist non-state "
                  "external threats",
                  "evaluation_triggers": [{"point": "before placement",
                                           "evaluations": "full suite"}],
                  "responsibilities": {"oversight": "Board", "ownership": "CTO",
                                       "support_monitoring": "Risk office",
                                       "assurance": "Internal audit",
                                       "resources": "Dedicated risk budget"},
                  "incident_process": "Tracked in the incident register.",
                  "external_evaluators": "Pre-deployment access for two evaluators."},
    "model_report": {"sent_on": "2026-06-01", "among_most_capable": True,
                     "justification": "All risks below tier 1 with margin.",
                     "justification_limits": "Any tier 1 threshold crossed.",
                     "description": {"capabilities": "General text", "propensities": "Low",
                                     "affordances": "API only", "intended_uses": "Chat",
                                     "behaviour": "Refuses harmful requests"},
                     "no_external_evaluation_reason": "Not required: similarly safe.",
                     "security_review_reports": ["Audit 2026-05"],
                     "landscape_changes": "None since the last report."},
}

EVALUATIONS: dict[str, Any] = {"evaluations": [
    {"id": "wmdp-1", "benchmark": "wmdp", "run_on": "2026-04-20", "adversarial": True,
     "elicitation": "5-shot, helpful-only variant", "run_by": "Safety team",
     "results": [{"name": "acc", "value": 0.3}],
     "risks": ["cbrn", "cyber_offence", "harmful_manipulation", "loss_of_control"]}]}


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """Profile ``model.yaml`` with ``risk/register.yaml`` and ``risk/evaluations.yaml``."""
    write_yaml(tmp_path / "model.yaml", PROFILE)
    write_yaml(tmp_path / "risk" / "register.yaml", REGISTER)
    write_yaml(tmp_path / "risk" / "evaluations.yaml", EVALUATIONS)
    return tmp_path
