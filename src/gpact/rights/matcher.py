"""Compile one group's rules into a single regular expression and evaluate paths in batches.

RFC 9309 §2.2.2 picks the matching rule with the most octets, allow winning ties. Sorting the
rules in that order and joining them as alternatives of one regex makes the regex engine's
"first alternative that matches" the deciding rule; an empty capture group after each
alternative tells which one it was (``Match.lastindex``). Every alternative begins with its
first literal character after the leading ``/``, which lets the engine skip non-starters in
one comparison. Batches are joined with newlines and scanned by one ``finditer`` call, so the
per-URL cost is one match object, not one Python regex call per rule.

Wildcard segments are matched inside atomic groups (``(?>…)``): a pattern matches a prefix of
the path as soon as each literal segment is found after the previous one, so committing to the
earliest occurrence is correct and keeps absurd patterns (``/a*a*a*…``) linear.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

from gpact.rights.normalize import (
    FAST_URL,
    lines_to_normalize,
    non_canonical_lines,
    normalize,
    split_url,
)
from gpact.rights.robots import Rule

ROBOTS_TXT = 1      # index: the implicitly allowed /robots.txt (§2.2.2)
INVALID_URL = -1    # index: not an absolute URL (decide_urls only)
_LASTINDEX = attrgetter("lastindex")


def _literal(text: str) -> str:
    return re.escape(text)


def _sequence(body: str, anchored: bool) -> str:
    """Regex for ``body`` (no leading '/', no final '$') matched from the current position."""
    segments = body.split("*")
    out = [_literal(segments[0])]
    if len(segments) == 1:
        return out[0] + ("$" if anchored else "")
    for seg in segments[1:-1]:
        out.append(f"(?>[^\\n]*?{_literal(seg)})")
    last = segments[-1]
    if anchored:
        out.append(f"[^\\n]*{_literal(last)}$")
    elif last:
        out.append(f"(?>[^\\n]*?{_literal(last)})")
    return "".join(out)


def pattern_regex(pattern: str) -> str | None:
    """Regex for a canonical pattern, to be matched just after the path's leading '/'.

    ``None`` for a pattern that cannot match any path (it starts with neither '/' nor '*').
    """
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    if body.startswith("/"):
        return _sequence(body[1:], anchored)
    if body.startswith("*"):
        rest = body.lstrip("*")
        later = _sequence("*" + rest, anchored)  # the rest found after the leading '/'
        if rest.startswith("/"):  # ... or at the very start of the path
            return f"(?:{_sequence(rest[1:], anchored)}|{later})"
        return later
    return None


@dataclass(frozen=True)
class Outcome:
    """What decided one path: the rule (or ``None``) and whether access is allowed."""

    allowed: bool
    rule: Rule | None
    implicit_robots_txt: bool = False


def simple_match(pattern: str, path: str) -> bool:
    """Does a canonical pattern match a canonical path? Plain Python, nothing to build.

    Used while a rule set has seen few URLs, where compiling its regex would cost more than
    it saves; same semantics as :func:`pattern_regex` (the earliest occurrence of each literal
    segment; a final ``$`` anchors the last one at the end).
    """
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    if "*" not in body:
        return path == body if anchored else path.startswith(body)
    first, *middle, last = body.split("*")
    if not path.startswith(first):
        return False
    pos = len(first)
    for segment in middle:
        found = path.find(segment, pos)
        if found < 0:
            return False
        pos = found + len(segment)
    if anchored:
        return path.endswith(last) and len(path) - len(last) >= pos
    return path.find(last, pos) >= 0


# URLs a rule set answers rule by rule before its regex is compiled: compiling a typical
# group costs about as much as 100 rule-by-rule checks (benchmarks/rights_robots.py)
LAZY_URLS = 100


class CompiledRules:
    """One group's rules, evaluated over many paths; the regex is compiled lazily.

    Until ``lazy`` URLs have been asked about, each path is tested rule by rule in Python
    (:func:`simple_match`): a crawl touching one page of a host does not pay for a regex
    compile. After that, one compiled alternation answers each batch.
    """

    def __init__(self, rules: Sequence[Rule], origin: str | None = None,
                 lazy: int = LAZY_URLS) -> None:
        unique: dict[tuple[str, bool], Rule] = {}
        for rule in rules:
            unique.setdefault((rule.pattern, rule.allow), rule)
        self.rules = tuple(sorted(unique.values(), key=lambda r: r.priority))
        # index -> deciding rule; 0 is unused (group numbers start at 1), 1 is /robots.txt
        # (patterns that start with neither '/' nor '*' can never match: left out)
        self.table: list[Rule | None] = [None, None]
        self.table += [rule for rule in self.rules if rule.pattern[0] in "/*"]
        self.table.append(None)  # the final empty alternative: no rule matched
        # one extra entry so that INVALID_URL (-1) reads as "not allowed" in allowed()
        self.allowed_table = [r is None or r.allow for r in self.table] + [False]
        self._lazy = lazy
        self._seen = 0
        self._alternation_text: str | None = None
        # Lines are matched behind a literal "\n" + prefix: the regex engine then jumps from
        # line to line with its fast literal search instead of testing every position.
        self._paths: re.Pattern[str] | None = None
        self._urls: re.Pattern[str] | None = None
        self._any_origin: re.Pattern[str] | None = None
        self._origin: tuple[str, re.Pattern[str]] | None = None
        self._home = origin

    @property
    def _alternation(self) -> str:
        if self._alternation_text is None:
            alternatives = [r"robots\.txt$()"]
            for rule in self.table[2:-1]:
                assert rule is not None
                regex = pattern_regex(rule.pattern)
                assert regex is not None  # the table holds only patterns starting with / or *
                alternatives.append(regex + "()")
            self._alternation_text = "(?:" + "|".join(alternatives) + "|())"
        return self._alternation_text

    def compile(self, origin: str | None = None) -> CompiledRules:
        """Build the regex now (for callers that know a large batch follows)."""
        self._seen = max(self._seen, self._lazy + 1)
        if origin is not None:
            self._origin_regex(origin)
        return self

    def _use_regex(self, count: int) -> bool:
        self._seen += count
        return self._seen > self._lazy

    def _origin_regex(self, origin: str) -> re.Pattern[str]:
        """The regex for one origin's URLs: behind that origin's literal for the first origin
        (usually the only one); behind any ``scheme://authority/`` for a rule set shared by
        several origins (same robots.txt content), so it is compiled once."""
        if self._origin is None and (self._home is None or self._home == origin):
            self._origin = (origin, re.compile(
                "(?m)" + re.escape("\n" + origin + "/") + self._alternation))
        if self._origin is not None and self._origin[0] == origin:
            return self._origin[1]
        if self._any_origin is None:
            self._any_origin = re.compile(r"(?m)\n[^/\n]*//[^/\n]*/" + self._alternation)
        return self._any_origin

    def _decide_simple(self, paths: Sequence[str]) -> list[int]:
        """Rule by rule, in precedence order: the first rule that matches decides."""
        patterns = [rule.pattern for rule in self.table[2:-1] if rule is not None]
        none = len(self.table) - 1
        out = []
        for path in paths:
            if path == "/robots.txt":
                out.append(ROBOTS_TXT)
                continue
            for k, pattern in enumerate(patterns, start=2):
                if (path.startswith(pattern) if "*" not in pattern and pattern[-1] != "$"
                     else simple_match(pattern, path)):
                    out.append(k)
                    break
            else:
                out.append(none)
        return out

    @staticmethod
    def _scan(regex: re.Pattern[str], joined: str, count: int,
              invalid: Sequence[int] = ()) -> list[int]:
        found = list(map(_LASTINDEX, regex.finditer(joined)))
        if len(found) != count:  # pragma: no cover - canonical lines hold no newline
            raise AssertionError("batch lost its line structure")
        for i in invalid:
            found[i] = INVALID_URL
        return found

    def decide_paths(self, paths: Sequence[str]) -> list[int]:
        """Index of the deciding rule for each canonical path (see :meth:`outcome`)."""
        joined = "\n" + "\n".join(paths)
        if joined.count("\n/") != len(paths) or joined.count("\n") != len(paths):
            raise ValueError("paths must be canonical (start with '/', no newline)")
        if not paths:
            return []
        if not self._use_regex(len(paths)):
            return self._decide_simple(paths)
        if self._paths is None:
            self._paths = re.compile(r"(?m)\n/" + self._alternation)
        return self._scan(self._paths, joined, len(paths))

    def decide_urls(self, urls: Sequence[str], origin: str | None = None) -> list[int]:
        """Like :meth:`decide_paths` for absolute URLs of this rule set's origin.

        The origin is not checked; URLs without scheme or host give ``INVALID_URL``. With
        ``origin`` (canonical, see :func:`normalize_origin`) and URLs that all start with it, the
        batch is matched as one string and only URLs whose path needs normalisation cost
        Python work.
        """
        if not urls:
            return []
        regex = self._use_regex(len(urls))
        if origin is not None:
            joined = "\n" + "\n".join(urls)
            if regex:
                found = self._decide_origin(joined, urls, origin)
                if found is not None:
                    return found
            elif joined.count("\n" + origin + "/") == len(urls):
                bad = lines_to_normalize(joined, len(urls))
                if bad is not None:
                    cut = len(origin)
                    return self._decide_simple([
                        u[cut:] for u in (self._canonical(urls, bad, origin)[1] or urls)])
        if not regex:
            splits = [split_url(url) for url in urls]
            found = self._decide_simple([s.path if s else "/" for s in splits])
            return [INVALID_URL if s is None else k for s, k in zip(splits, found, strict=True)]
        joined = "\n".join(urls) + "\n"
        if joined.count("\n") == len(urls):
            bad = non_canonical_lines(joined)
        else:  # some URL holds a newline: classify one by one
            bad = [i for i, url in enumerate(urls) if FAST_URL.fullmatch(url) is None]
        invalid, canonical = self._canonical(urls, bad, None)
        if bad:
            joined = "\n".join(canonical) + "\n"
        if self._urls is None:
            self._urls = re.compile(r"(?m)^[^/\n]*//[^/\n]*/" + self._alternation)
        return self._scan(self._urls, joined, len(urls), invalid)

    def _decide_origin(self, joined: str, urls: Sequence[str], origin: str) -> list[int] | None:
        """The batch scanned as one string behind ``"\n" + origin + "/"``; ``None`` when some
        URL is not written as ``origin + "/..."`` or holds a newline (the caller falls back).

        One match per line proves every URL starts with the origin (matches start only after
        a newline, and the batch has one per URL; the regex shared by several origins is
        checked with a count of the prefix); the few URLs whose path needs normalising
        are matched again, canonical, without rebuilding the batch."""
        bad = lines_to_normalize(joined, len(urls))
        if bad is None:
            return None
        regex = self._origin_regex(origin)
        if regex is self._any_origin and joined.count("\n" + origin + "/") != len(urls):
            return None  # the shared regex matches any origin: check this one's prefix
        found = list(map(_LASTINDEX, regex.finditer(joined)))
        if len(found) != len(urls):
            return None
        if bad:
            cut = len(origin)
            fixed = [origin + normalize(urls[i].strip()[cut:].split("#", 1)[0]) for i in bad]
            for i, k in zip(bad, map(_LASTINDEX, regex.finditer("\n" + "\n".join(fixed))),
                            strict=True):
                found[i] = k
        return found

    @staticmethod
    def _canonical(urls: Sequence[str], bad: list[int],
                   origin: str | None) -> tuple[list[int], list[str]]:
        """Canonical replacements for the ``bad`` lines: (indices of invalid URLs, all lines)."""
        if not bad:
            return [], []
        canonical = list(urls)
        invalid: list[int] = []
        for i in bad:
            if origin is not None:  # the line starts with origin + "/": only the path changes
                path = urls[i].strip()[len(origin):].split("#", 1)[0]  # as split_url does
                canonical[i] = origin + normalize(path)
                continue
            split = split_url(urls[i])
            if split is None:
                invalid.append(i)
                canonical[i] = (origin or "invalid://invalid") + "/"
            else:
                canonical[i] = (origin or split.origin) + split.path
        return invalid, canonical

    def outcome(self, index: int) -> Outcome:
        """What an index from :meth:`decide_paths` / :meth:`decide_urls` means."""
        if index < 0:  # INVALID_URL
            return Outcome(False, None)
        return Outcome(self.allowed_table[index], self.table[index], index == ROBOTS_TXT)

    def allowed(self, indices: Sequence[int]) -> list[bool]:
        """Allowed/disallowed per index (``INVALID_URL`` counts as not allowed)."""
        return list(map(self.allowed_table.__getitem__, indices))
