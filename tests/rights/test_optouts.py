"""Opt-out signals beyond robots.txt rules: agent-scoped noai, aipref Content-Usage (draft),
Content-Signal, ai.txt; the protocol list is dated rulebook data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gpact.cli.main import main
from gpact.errors import InputError
from gpact.rights import RobotsPolicy
from gpact.rights.optouts import UsageRules, noai_values, preferences, vocabulary
from gpact.rights.tdmrep import from_headers, from_html
from gpact.rulebook import default_rulebook

VOCAB = vocabulary("vocab-08", dt.date(2026, 12, 1))

# Real-looking response headers, as a crawler stores them (raw block).
NEWS_SITE = """HTTP/1.1 200 OK
Content-Type: text/html; charset=utf-8
Cache-Control: max-age=300
X-Robots-Tag: googlebot: noai, noimageai
X-Robots-Tag: otherbot: noindex, nofollow
Content-Usage: train-ai=n, search=y
"""


@pytest.mark.parametrize(("agent", "reserved"), [
    ("Googlebot", True), ("googlebot", True), ("GPTBot", None), (None, None)])
def test_scoped_noai_applies_to_that_crawler_only(agent: str | None,
                                                 reserved: bool | None) -> None:
    found = from_headers(NEWS_SITE, agent)
    assert found.reserved is reserved
    if reserved:
        assert found.source == "X-Robots-Tag header" and found.detail == "noai, noimageai"


@pytest.mark.parametrize(("values", "agent", "expected"), [
    (["noai"], "anybot", "noai"),
    (["noindex, noai"], None, "noai"),
    (["googlebot: noindex", "noai"], "ccbot", "noai"),           # second line is unscoped
    (["googlebot: noindex, ccbot: noai"], "ccbot", "noai"),      # scope switches mid-line
    (["googlebot: noindex, ccbot: noai"], "googlebot", None),
    (["unavailable_after: 25 Jun 2030 15:00:00 PST, noai"], "x", "noai"),  # valued directive
    (["max-snippet: 20"], "x", None),
])
def test_noai_scopes(values: list[str], agent: str | None, expected: str | None) -> None:
    assert noai_values(values, agent) == expected


def test_content_usage_header_only_with_a_draft_flag() -> None:
    assert from_headers("Content-Usage: train-ai=n\n").reserved is None  # drafts not read
    found = from_headers("Content-Usage: train-ai=n\n", aipref=VOCAB)
    assert found.reserved is True and found.source == "Content-Usage header (vocab-08)"
    assert from_headers("Content-Usage: train-genai=y\n", aipref=VOCAB).reserved is False
    # the more specific label decides; the parent is the fallback
    assert from_headers("Content-Usage: train-ai=n, train-genai=y\n",
                        aipref=VOCAB).reserved is False
    assert from_headers("Content-Usage: bots=n\n", aipref=VOCAB).reserved is True
    assert from_headers("Content-Usage: search=n\n", aipref=VOCAB).reserved is None
    assert from_headers("Content-Usage: train-ai=?1, foo=n\n", aipref=VOCAB).reserved is None


def test_preferences_follow_the_dictionary_syntax() -> None:
    assert preferences('train-ai=n;reason="x", search=y, ai-use, bad=maybe') == {
        "train-ai": False, "search": True}
    assert preferences("search=yes, ai-input=no, ai-train=no") == {
        "search": True, "ai-input": False, "ai-train": False}


def test_unknown_draft_is_one_clear_line() -> None:
    with pytest.raises(InputError, match="unknown aipref draft 'vocab-99'"):
        vocabulary("vocab-99")


ROBOTS = """# robots.txt of a publisher using Cloudflare's managed file and aipref
User-Agent: *
Content-Signal: search=yes, ai-train=no
Allow: /

User-Agent: ExampleBot
Content-Usage: train-ai=y
Content-Usage: /premium/ train-ai=n
Disallow: /cart
"""


def test_robots_usage_lines_by_group_and_path() -> None:
    robots = RobotsPolicy(200, ROBOTS).robots
    assert robots is not None
    star = UsageRules(robots.select("OtherBot").usage)
    assert star.training_signals("/article", None) == [
        (True, "robots.txt line 3: Content-Signal: search=yes, ai-train=no")]
    ours = UsageRules(robots.select("ExampleBot").usage)
    assert ours.training_signals("/premium/a", None) == []  # draft not enabled
    assert ours.training_signals("/premium/a", VOCAB) == [  # longest path wins
        (True, "robots.txt line 8: Content-Usage: train-ai=n (vocab-08)")]
    assert [r for r, _ in ours.training_signals("/free", VOCAB)] == [False]
    assert RobotsPolicy(200, ROBOTS).allowed(["https://x.example/cart"], "ExampleBot") == [False]


def test_meta_named_for_the_crawler() -> None:
    page = ('<html><head><meta name="googlebot" content="noai">'
            '<meta name="robots" content="index, follow"></head></html>')
    assert from_html(page, "Googlebot").reserved is True
    assert from_html(page, "GPTBot").reserved is None
    assert from_html('<meta name="robots" content="noimageai">', "x").source == "robots meta"


def test_protocol_list_is_dated_with_standing() -> None:
    book = default_rulebook()
    before = {p["id"]: p for p in book.at(dt.date(2025, 11, 1)).value(
        "rights.opt_out_protocols")}
    after = {p["id"]: p for p in book.at(dt.date(2026, 12, 1)).value(
        "rights.opt_out_protocols")}
    assert after["robots_txt"]["standard"] == "final"
    assert after["aipref"]["standard"] == "draft"
    assert {k for k, p in after.items() if p["eu_list"] == "shortlisted_not_final"} == {
        "robots_txt", "tdmrep", "c2pa"}
    assert before["tdmrep"]["eu_list"] == "none"
    assert not any(p["eu_list"] == "final" for p in after.values())  # no final EU list found
    rule = book.at(dt.date(2026, 12, 1)).rule("rights.aipref_vocabulary")
    assert rule.unverified


def test_check_reports_ai_txt_and_usage_lines(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    robots = tmp_path / "robots.txt"
    robots.write_text(ROBOTS)
    ai_txt = tmp_path / "ai.txt"
    ai_txt.write_text("# Spawning AI\n# Prevent datasets from using the following file types\n"
                      "User-Agent: *\nDisallow: *.jpg\nDisallow: /gallery/\nAllow: /\n")
    assert main(["rights", "check", "--robots", str(robots), "--agent", "OtherBot", "--ai-txt",
                 str(ai_txt), "--aipref", "vocab-08", "-f", "json",
                 "https://ex.com/gallery/a.png", "https://ex.com/news"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["training_opt_out"] == [
        [True, "robots.txt line 3: Content-Signal: search=yes, ai-train=no"],
        [True, "ai.txt line 5: Disallow: /gallery/"]]
    assert out[1]["training_opt_out"][1] == [False, "ai.txt line 6: Allow: /"]
    assert main(["rights", "check", "--robots", str(robots), "--agent", "x", "--aipref",
                 "draft-1", "https://ex.com/"]) == 2
    assert "unknown aipref draft" in capsys.readouterr().err
