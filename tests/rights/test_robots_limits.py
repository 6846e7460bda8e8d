"""Bad and extreme robots.txt input: size limit (RFC 9309 §2.5), absurd patterns, binary."""

from __future__ import annotations

from gpact.rights import RobotsPolicy, parse
from gpact.rights.robots import DEFAULT_PARSE_LIMIT

URL = "https://example.com"


def _padded(rule_at: int) -> bytes:
    head = b"User-agent: *\n"
    filler = b"# " + b"x" * 98 + b"\n"
    body = head + filler * ((rule_at - len(head)) // len(filler))
    return body + b"Disallow: /late\n"


def test_rule_inside_limit_is_used() -> None:
    body = _padded(DEFAULT_PARSE_LIMIT - 200)
    assert len(body) <= DEFAULT_PARSE_LIMIT
    assert RobotsPolicy(200, body).allowed([URL + "/late"], "x") == [False]


def test_rule_after_limit_is_ignored_and_reported() -> None:
    body = _padded(DEFAULT_PARSE_LIMIT + 1000)
    robots = parse(body)
    assert robots.truncated and robots.size == len(body)
    assert any("§2.5" in n.problem for n in robots.notes)
    assert RobotsPolicy(200, body).allowed([URL + "/late"], "x") == [True]


def test_line_cut_by_limit_is_dropped() -> None:
    # an Allow line cut to "Allow: /" would allow everything: the cut line must not count
    body = b"User-agent: *\nDisallow: /\nAllow: /abcdef\n"
    robots = parse(body, limit=len(body) - 6)
    assert [r.pattern for g in robots.groups for r in g.rules] == ["/"]


def test_limit_is_configurable() -> None:
    body = b"User-agent: *\nDisallow: /a\nDisallow: /b\n"
    assert RobotsPolicy(200, body, parse_limit=28).allowed([URL + "/b"], "x") == [True]


def test_absurd_wildcards_stay_linear() -> None:
    pattern = "/" + "a*" * 500 + "b"
    body = f"User-agent: *\nDisallow: {pattern}\nDisallow: /****************c\n"
    policy = RobotsPolicy(200, body)
    long_path = URL + "/" + "a" * 20000
    assert policy.allowed([long_path, long_path + "b", URL + "/xc"], "x") == [True, False, False]


def test_thousands_of_rules() -> None:
    rules = "\n".join(f"Disallow: /p{i}/" if i % 2 else f"Allow: /p{i}/" for i in range(6000))
    policy = RobotsPolicy(200, "User-agent: *\n" + rules)
    got = policy.allowed([URL + "/p1/x", URL + "/p2/x", URL + "/q"], "x")
    assert got == [False, True, True]


def test_binary_body_is_reported_and_parsed_line_by_line() -> None:
    body = bytes(range(256)) * 10 + b"\nUser-agent: *\nDisallow: /x\n"
    robots = parse(body)
    assert any("NUL" in n.problem for n in robots.notes)
    assert RobotsPolicy(200, body).allowed([URL + "/x"], "x") == [False]


def test_huge_single_line() -> None:
    body = "User-agent: *\nDisallow: /" + "z" * 400_000 + "\nDisallow: /y\n"
    assert RobotsPolicy(200, body).allowed([URL + "/y", URL + "/z"], "x") == [False, True]


def test_notes_name_lines() -> None:
    robots = parse("Disallow: /a\nUser-agent: *\nnonsense\nDisalow: /b\nDisallow: c\n")
    problems = {n.line: n.problem for n in robots.notes}
    assert "before any user-agent" in problems[1]
    assert "no ':'" in problems[3]
    assert "Google reads it as 'disallow'" in problems[4]
    assert "can never match" in problems[5]


def test_odd_urls() -> None:
    policy = RobotsPolicy(200, "User-agent: *\nDisallow: /a\n")
    verdicts = policy.check(["/a", "a", "mailto:x@y", "https://", "https://h/a\n/b",
                             "HTTPS://H/a"], "x")
    assert [v.allowed for v in verdicts] == [False, False, False, False, False, False]
    assert "not an absolute URL" in verdicts[0].reason
