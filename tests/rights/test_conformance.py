"""RFC 9309 conformance: every case of conformance.yaml, against the compiled engine and the
naive reference matcher."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gpact.rights import RobotsPolicy, parse_status, product_token, reference, split_url
from gpact.rights.policy import Access

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "conformance.yaml").read_text(encoding="utf-8"))
BASE = "https://example.com"


def _body(case: dict[str, Any]) -> bytes:
    if "body_hex" in case:
        return bytes.fromhex(case["body_hex"])
    return str(case["body"]).encode("utf-8")


def _url(target: str) -> str:
    return BASE + target if target.startswith("/") else target


def test_suite_size_and_citations() -> None:
    assert len(CASES) >= 80
    assert len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert str(case["section"]).split(".")[0] in {"2", "5"}, case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    policy = RobotsPolicy(parse_status(case.get("status", 200)), _body(case))
    token = product_token(case["agent"])
    assert token is not None
    urls = [_url(target) for target, _, _ in case["checks"]]
    verdicts = policy.check(urls, token)
    fast = policy.allowed(urls, token)
    for (target, allowed, line), verdict, quick in zip(case["checks"], verdicts, fast,
                                                       strict=True):
        where = f"{case['id']} (RFC 9309 §{case['section']}): {target}"
        assert verdict.allowed is allowed, where
        assert verdict.line == line, where
        assert quick is allowed, f"batch path: {where}"
        split = split_url(_url(target))
        if policy.access is Access.rules and split is not None:
            assert policy.robots is not None
            rules = list(policy.robots.select(token).rules)
            assert reference.allowed(rules, split.path) is allowed, f"reference: {where}"
