"""A deliberately naive RFC 9309 matcher: the oracle the compiled regex engine is tested against.

One rule at a time, one path at a time, wildcards by dynamic programming; slow and obvious.
"""

from __future__ import annotations

from gpact.rights.robots import Rule


def pattern_matches(pattern: str, path: str) -> bool:
    """Does the canonical ``pattern`` match ``path`` from its first octet (RFC 9309 §2.2.2-3)?"""
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    # reachable[i]: the pattern consumed so far can end at path position i
    reachable = {0}
    for ch in body:
        if ch == "*":
            start = min(reachable) if reachable else None
            reachable = set(range(start, len(path) + 1)) if start is not None else set()
        else:
            reachable = {i + 1 for i in reachable if i < len(path) and path[i] == ch}
        if not reachable:
            return False
    return len(path) in reachable if anchored else bool(reachable)


def decide(rules: list[Rule], path: str) -> Rule | None:
    """The deciding rule: most octets, allow on a tie; ``None`` if none matches."""
    best: Rule | None = None
    for rule in rules:
        if not pattern_matches(rule.pattern, path):
            continue
        if best is None or (len(rule.pattern), rule.allow) > (len(best.pattern), best.allow):
            best = rule
    return best


def allowed(rules: list[Rule], path: str) -> bool:
    if path == "/robots.txt":
        return True
    rule = decide(rules, path)
    return rule is None or rule.allow
