"""robots.txt parsing and group selection, as RFC 9309 specifies (§2.1, §2.2, §2.5).

The parser never fails: every line it cannot use becomes a :class:`Note` (line number and
problem) and parsing goes on, because §2.3.1.5 requires crawlers to use the parseable rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from gpact.rights.normalize import normalize_pattern

DEFAULT_PARSE_LIMIT = 512_000  # RFC 9309 §2.5: at least 500 KiB; the rulebook holds the value
_LINES = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")  # RFC: letters, "_" and "-"; digits too (AI2Bot)
_STARS = re.compile(r"\*{2,}")
_KNOWN_OTHER = frozenset({"sitemap", "crawl-delay", "host", "clean-param", "request-rate",
                          "visit-time", "noindex", "content-signal", "content-usage"})
_TYPOS = {"useragent": "user-agent", "user agent": "user-agent", "dissallow": "disallow",
          "disalow": "disallow", "dissalow": "disallow", "disallaw": "disallow",
          "diasllow": "disallow"}


class Rule(NamedTuple):
    """One allow/disallow line; ``pattern`` is in canonical form (see :mod:`normalize`).

    A named tuple rather than a dataclass: a robots.txt has many rules and parsing is on the
    path of every crawled host."""

    allow: bool
    pattern: str
    line: int
    text: str

    @property
    def priority(self) -> tuple[int, int, int]:
        """Sort key: most octets first (§2.2.2), allow before disallow on a tie, then file order."""
        return (-len(self.pattern), 0 if self.allow else 1, self.line)


class UsageLine(NamedTuple):
    """A ``Content-Usage`` (IETF aipref draft) or ``Content-Signal`` line of a group: the path
    it applies to (canonical pattern; ``/`` when none is given) and its preference text."""

    key: str
    pattern: str
    value: str
    line: int


@dataclass(frozen=True)
class Group:
    """A group: its user-agent product tokens (lower case; ``*`` for all) and its rules."""

    agents: tuple[str, ...]
    rules: tuple[Rule, ...]
    line: int
    usage: tuple[UsageLine, ...] = ()  # Content-Usage / Content-Signal lines (opt-out signals)


@dataclass(frozen=True)
class Note:
    """A line the parser could not use, or a warning about one it did use."""

    line: int
    problem: str


@dataclass(frozen=True)
class Selection:
    """The rules that apply to one product token and where they came from (§2.2.1)."""

    token: str
    matched: str  # "token", "*" or "none"
    rules: tuple[Rule, ...]
    group_lines: tuple[int, ...]
    usage: tuple[UsageLine, ...] = ()


@dataclass
class RobotsTxt:
    """A parsed robots.txt file."""

    groups: tuple[Group, ...]
    notes: tuple[Note, ...] = ()
    size: int | None = 0  # octets of the whole body; None when a bounded read cut it
    truncated: bool = False
    sitemaps: tuple[str, ...] = ()
    _selections: dict[str, Selection] = field(default_factory=dict, repr=False)

    def select(self, token: str) -> Selection:
        """Merge every group naming ``token`` (case-insensitive), else every ``*`` group."""
        key = token.lower()
        cached = self._selections.get(key)
        if cached is not None:
            return cached
        chosen = [g for g in self.groups if key in g.agents]
        matched = "token"
        if not chosen:
            chosen = [g for g in self.groups if "*" in g.agents]
            matched = "*" if chosen else "none"
        rules = tuple(r for g in chosen for r in g.rules)
        selection = Selection(token, matched, rules, tuple(g.line for g in chosen),
                              tuple(u for g in chosen for u in g.usage))
        self._selections[key] = selection
        return selection

    @cached_property
    def agents(self) -> frozenset[str]:
        return frozenset(a for g in self.groups for a in g.agents)


def _decode(body: bytes | str, limit: int, known: int | None, cut: bool,
            ) -> tuple[str, int | None, bool]:
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogateescape")
    size = known if cut else len(raw)
    truncated = cut or len(raw) > limit
    if truncated:
        raw = raw[:limit]
        end = max(raw.rfind(b"\n"), raw.rfind(b"\r"))
        raw = raw[:end + 1] if end >= 0 else b""  # a cut-off last line could change its meaning
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8", "surrogateescape"), size, truncated


def _agent_token(value: str) -> str | None:
    if value == "*" or (value.startswith("*") and value[1:2] in (" ", "\t")):
        return "*"
    m = _TOKEN.match(value)
    return m.group(0).lower() if m else None


def parse(body: bytes | str, limit: int = DEFAULT_PARSE_LIMIT, *, cut: bool = False,
          size: int | None = None) -> RobotsTxt:
    """Parse a robots.txt body (bytes as fetched, or text); content past ``limit`` octets is
    ignored, the last incomplete line included.

    ``cut=True`` says the body is already the first octets of a longer file (a bounded read,
    :func:`gpact.rights.bounded.read_prefix`) whose total ``size`` may be unknown."""
    text, total, truncated = _decode(body, limit, size, cut)
    notes: list[Note] = []
    if truncated:
        told = f"{total} octets" if total is not None else f"more than {limit} octets"
        notes.append(Note(0, f"body is {told}; only the first {limit} were parsed "
                             "(RFC 9309 §2.5)"))
    if "\x00" in text:
        notes.append(Note(0, "body contains NUL octets: not a text file; "
                             "only lines that parse were used"))
    groups: list[Group] = []
    sitemaps: list[str] = []
    agents: list[str] = []
    rules: list[Rule] = []
    usage: list[UsageLine] = []
    group_line = 0
    in_rules = False  # True once the current group has seen a rule line

    def close() -> None:
        if group_line:
            groups.append(Group(tuple(agents), tuple(rules), group_line, tuple(usage)))

    for number, line in enumerate(_LINES.split(text), start=1):
        if "#" in line:
            line = line[:line.index("#")]
        key, colon, value = line.partition(":")
        if not colon:
            if line.strip(" \t"):
                notes.append(Note(number, "no ':' separator; line ignored"))
            continue
        key = key.strip(" \t").lower()
        value = value.strip(" \t")
        if key == "disallow" or key == "allow":
            if not group_line:
                notes.append(Note(number, f"{key} line before any user-agent line; ignored"))
                continue
            in_rules = True
            if not value:
                continue  # empty pattern: matches nothing (§2.2.2)
            pattern = normalize_pattern(_STARS.sub("*", value) if "**" in value else value)
            if pattern[0] not in "/*":
                notes.append(Note(number, f"pattern {value!r} does not start with '/' or '*' "
                                          "and can never match a path (RFC 9309 §2.2.2)"))
            rules.append(Rule(key == "allow", pattern, number, line.strip(" \t")[:300]))
        elif key == "user-agent":
            if in_rules or not group_line:
                close()
                agents, rules, usage, group_line, in_rules = [], [], [], number, False
            token = _agent_token(value)
            if token is None:
                notes.append(Note(number, f"user-agent {value!r} is not a product token; "
                                          "ignored"))
            else:
                agents.append(token)
        elif key == "sitemap":
            sitemaps.append(value)
        elif key in ("content-usage", "content-signal") and group_line:
            in_rules = True
            path, _, prefs = value.partition(" ") if value.startswith("/") else ("/", "", value)
            usage.append(UsageLine(key, normalize_pattern(path), prefs.strip(" \t"), number))
        elif key in _TYPOS:
            notes.append(Note(number, f"unknown key {key!r} ignored (Google reads it as "
                                      f"{_TYPOS[key]!r}; RFC 9309 does not)"))
        elif key not in _KNOWN_OTHER:
            notes.append(Note(number, f"unknown key {key!r} ignored"))
    close()
    return RobotsTxt(tuple(groups), tuple(notes), total, truncated, tuple(sitemaps))
