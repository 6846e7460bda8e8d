"""Property tests: the compiled engine against the naive oracle, and parser robustness."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpact.rights import CompiledRules, RobotsPolicy, normalize, parse, reference, split_url
from gpact.rights.normalize import lines_to_normalize, normalize_pattern
from gpact.rights.robots import Rule

# A small alphabet makes overlaps, wildcards, anchors and escapes collide often.
PATH_CHARS = st.sampled_from([*list("ab/.?="), "%61", "%2F", "%2f", "*", "$", "é", " "])
PATTERN_CHARS = st.sampled_from([*list("ab/.?=*"), "%61", "%2A", "%24", "é", "$"])

paths = st.lists(PATH_CHARS, max_size=12).map(lambda cs: normalize("/" + "".join(cs)))
patterns = st.builds(lambda lead, cs, anchor: normalize(lead + "".join(cs) + anchor,
                                                        pattern=True),
                     st.sampled_from(["/", "*", "/*"]), st.lists(PATTERN_CHARS, max_size=8),
                     st.sampled_from(["", "$"]))
rule_lists = st.lists(st.tuples(st.booleans(), patterns), max_size=12).map(
    lambda items: [Rule(allow, pat, i + 1, f"{'Allow' if allow else 'Disallow'}: {pat}")
                   for i, (allow, pat) in enumerate(items)])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_lists, st.lists(paths, min_size=1, max_size=20))
def test_compiled_agrees_with_reference(rules: list[Rule], batch: list[str]) -> None:
    for lazy in (0, 10**9):  # the compiled regex and the rule-by-rule path before it
        _agrees_with_reference(CompiledRules(rules, lazy=lazy), rules, batch)


def _agrees_with_reference(compiled: CompiledRules, rules: list[Rule], batch: list[str]) -> None:
    for path, index in zip(batch, compiled.decide_paths(batch), strict=True):
        outcome = compiled.outcome(index)
        expected = reference.decide(rules, path)
        assert outcome.allowed is reference.allowed(rules, path), (path, rules)
        if path != "/robots.txt" and expected is not None:
            assert outcome.rule is not None
            assert (len(outcome.rule.pattern), outcome.rule.allow) == (
                len(expected.pattern), expected.allow)


@settings(max_examples=200, deadline=None)
@given(rule_lists, st.lists(paths, min_size=1, max_size=10))
def test_batch_equals_one_by_one(rules: list[Rule], batch: list[str]) -> None:
    compiled = CompiledRules(rules)
    assert compiled.decide_paths(batch) == [compiled.decide_paths([p])[0] for p in batch]


url_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=300, deadline=None)
@given(rule_lists, st.lists(url_text, min_size=1, max_size=10))
def test_url_fast_path_equals_slow_path(rules: list[Rule], tails: list[str]) -> None:
    compiled = CompiledRules(rules, lazy=0)
    lazy = CompiledRules(rules, lazy=10**9)
    shared = CompiledRules(rules, "https://example.com", lazy=0)
    shared.decide_urls(["https://example.com/x"], "https://example.com")
    urls = ["https://example.com/" + t for t in tails]
    for got in (compiled.decide_urls(urls), compiled.decide_urls(urls, "https://example.com"),
                lazy.decide_urls(urls), lazy.decide_urls(urls, "https://example.com"),
                # a rule set shared by two origins (same content) matches behind any origin
                shared.decide_urls([u.replace("example.com", "other.example", 1)
                                    for u in urls], "https://other.example")):
        for url, index in zip(urls, got, strict=True):
            split = split_url(url)
            expected = compiled.decide_paths([split.path])[0] if split else -1
            assert index == expected, url


@settings(deadline=None)
@given(st.text(max_size=30))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    p_once = normalize(text, pattern=True)
    assert normalize(p_once, pattern=True) == p_once


@settings(deadline=None)
@given(st.one_of(st.text(max_size=30), st.lists(PATTERN_CHARS, max_size=10).map("".join)))
def test_pattern_fast_path_equals_normalize(text: str) -> None:
    assert normalize_pattern(text) == normalize(text, pattern=True)


@settings(deadline=None)
@given(st.text(max_size=30))
def test_normalized_text_is_printable_ascii(text: str) -> None:
    for form in (normalize(text), normalize(text, pattern=True)):
        assert all(0x20 < ord(c) < 0x7F for c in form), form


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parser_never_fails_on_bytes(body: bytes) -> None:
    robots = parse(body)
    lines = body.count(b"\n") + body.count(b"\r") + 1
    for group in robots.groups:
        for rule in group.rules:
            assert rule.pattern and rule.line <= lines
    for note in robots.notes:
        assert 0 <= note.line <= lines
    policy = RobotsPolicy(200, body)
    assert len(policy.allowed(["https://example.com/a", "https://example.com/"], "x")) == 2


lines = st.lists(st.sampled_from([
    "User-agent: *", "User-agent: FooBot", "user-AGENT: foobot/1.0", "Disallow: /a",
    "Allow: /a/b", "Disallow: *.gif$", "Disallow:", "# c", "", "Sitemap: /s.xml", "junk",
    "Disallow: /%E3%83%84", "Allow: /$"]), max_size=15)


@settings(max_examples=300, deadline=None)
@given(lines, st.sampled_from(["\n", "\r\n", "\r"]), st.lists(paths, min_size=1, max_size=5))
def test_line_endings_do_not_change_verdicts(body: list[str], eol: str,
                                             batch: list[str]) -> None:
    urls = ["https://example.com" + p for p in batch]
    unix = RobotsPolicy(200, "\n".join(body)).allowed(urls, "FooBot")
    assert RobotsPolicy(200, eol.join(body)).allowed(urls, "FooBot") == unix
    assert RobotsPolicy(200, "\ufeff" + eol.join(body)).allowed(urls, "FooBot") == unix


@settings(deadline=None)
@given(lines, st.lists(paths, min_size=1, max_size=5))
def test_unreachable_never_allows(body: list[str], batch: list[str]) -> None:
    urls = ["https://example.com" + p for p in batch]
    for status in (None, 500, 503, 599):
        verdicts = RobotsPolicy(status, "\n".join(body)).check(urls, "FooBot")
        assert all(v.allowed == (v.url.endswith("/robots.txt")) for v in verdicts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=15).map(lambda t: t.replace("\n", "")), min_size=1,
                max_size=8))
def test_lines_to_normalize_finds_exactly_the_non_canonical_lines(tails: list[str]) -> None:
    lines = ["https://example.com/" + t for t in tails]
    flagged = lines_to_normalize("\n" + "\n".join(lines), len(lines))
    # a '%' is always flagged: a valid escape such as %2F comes back unchanged, at no harm
    assert flagged == [i for i, line in enumerate(lines) if normalize(line) != line
                       or "%" in line]
    # a URL holding a newline breaks the batch's line structure
    assert lines_to_normalize("\n" + "\n".join(lines) + "\nx", len(lines)) is None


def test_same_body_is_parsed_and_compiled_once() -> None:
    body = "User-agent: *\nDisallow: /shared-content-test\n"
    first = RobotsPolicy(200, body, origin="https://a.example")
    second = RobotsPolicy(200, body.encode(), origin="https://b.example")
    assert first.robots is second.robots
    assert first.compiled("x") is second.compiled("x")
    urls_b = [f"https://b.example/shared-content-test/{i}" for i in range(300)]
    urls_a = [u.replace("b.example", "a.example") for u in urls_b]
    assert second.allowed(urls_b, "x") == [False] * 300  # compiled, behind any origin
    assert first.allowed([*urls_a, "https://a.example/ok"], "x") == [False] * 300 + [True]
    assert RobotsPolicy(200, body, 20).robots is not first.robots  # other limit, other parse
