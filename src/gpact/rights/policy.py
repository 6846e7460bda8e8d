"""What a fetched robots.txt means for a crawler: access results (RFC 9309 §2.3.1) + rules."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from gpact.rights.matcher import INVALID_URL, CompiledRules
from gpact.rights.parallel import Workers, check_jobs
from gpact.rights.robots import DEFAULT_PARSE_LIMIT, RobotsTxt, parse

UNREACHABLE = "unreachable"


class Access(StrEnum):
    rules = "rules"                # 2xx: obey the parsed rules (§2.3.1.1)
    allow_all = "allow_all"        # 4xx "unavailable" (§2.3.1.3), or redirects exhausted (§2.3.1.2)
    disallow_all = "disallow_all"  # 5xx / network error "unreachable" (§2.3.1.4)


def parse_status(value: int | str | None) -> int | None:
    """An HTTP status from a file or option; ``None`` for ``unreachable`` (network error).

    Raises ``ValueError`` for anything else.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        status = value
    else:
        text = str(value).strip().strip("\"").strip().lower()
        if text in (UNREACHABLE, "", "none", "network_error"):
            return None
        try:
            status = int(float(text)) if text.replace(".", "", 1).isdigit() else int(text)
        except ValueError:
            raise ValueError(f"not an HTTP status or 'unreachable': {value!r}") from None
    if not 100 <= status <= 599:
        raise ValueError(f"HTTP status out of range: {status}")
    return status


def access_for(status: int | None) -> tuple[Access, str]:
    """How a fetch result constrains the crawler, with the reason and its RFC section."""
    if status is None:
        return Access.disallow_all, "robots.txt unreachable: complete disallow (RFC 9309 §2.3.1.4)"
    if 200 <= status < 300:
        return Access.rules, f"robots.txt fetched (HTTP {status}) (RFC 9309 §2.3.1.1)"
    if 300 <= status < 400:
        return Access.allow_all, (f"robots.txt redirects not resolved (HTTP {status}): treated as "
                                  "unavailable (RFC 9309 §2.3.1.2)")
    if 400 <= status < 500:
        return Access.allow_all, (f"robots.txt unavailable (HTTP {status}): any resource may be "
                                  "accessed (RFC 9309 §2.3.1.3)")
    if 500 <= status < 600:
        return Access.disallow_all, (f"robots.txt unreachable (HTTP {status}): complete "
                                     "disallow (RFC 9309 §2.3.1.4)")
    return Access.disallow_all, f"HTTP {status} is not a final response: treated as unreachable"


@dataclass(frozen=True)
class Verdict:
    """The answer for one URL: allowed or not, and the line that decided it."""

    url: str
    allowed: bool
    rule: str | None
    line: int | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"url": self.url, "allowed": self.allowed, "rule": self.rule, "line": self.line,
                "reason": self.reason}


class _Content:
    """One robots.txt body, parsed, and its rule sets per product token (compiled lazily)."""

    def __init__(self, robots: RobotsTxt) -> None:
        self.robots = robots
        self.compiled: dict[str, CompiledRules] = {}


CONTENT_CACHE_SIZE = 4096
_contents: OrderedDict[tuple[bytes, int, bool, int | None], _Content] = OrderedDict()
_contents_lock = threading.Lock()


def _content(body: bytes | str, limit: int, cut: bool, size: int | None) -> _Content:
    """Parsed content shared by every policy with the same body (many hosts serve the same
    robots.txt: CMS defaults, one operator's many sites): parsed and compiled once."""
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogateescape")
    key = (hashlib.sha256(raw).digest(), limit, cut, size)
    with _contents_lock:
        found = _contents.get(key)
        if found is not None:
            _contents.move_to_end(key)
            return found
    found = _Content(parse(raw, limit, cut=cut, size=size))
    with _contents_lock:
        _contents[key] = found
        while len(_contents) > CONTENT_CACHE_SIZE:
            _contents.popitem(last=False)
    return found


class RobotsPolicy:
    """A robots.txt as fetched (status and body), ready to answer for any product token.

    Policies with the same body share its parse and compiled rules (cache keyed by the
    body's SHA-256); rules are compiled lazily (see :class:`CompiledRules`).
    """

    def __init__(self, status: int | None, body: bytes | str | None,
                 parse_limit: int = DEFAULT_PARSE_LIMIT, origin: str | None = None, *,
                 cut: bool = False, size: int | None = None) -> None:
        self.status = status
        self.origin = origin  # canonical scheme://host[:port]; enables the fastest batch path
        self.access, self.reason = access_for(status)
        self._content = (_content(body or b"", parse_limit, cut, size)
                         if self.access is Access.rules else None)
        self.robots: RobotsTxt | None = self._content.robots if self._content else None
        self._compiled: dict[str, CompiledRules] = (
            self._content.compiled if self._content is not None else {})

    def compiled(self, token: str) -> CompiledRules:
        """The rules of the group selected for ``token``, compiled once."""
        key = token.lower()
        found = self._compiled.get(key)
        if found is None:
            rules = self.robots.select(token).rules if self.robots is not None else ()
            found = self._compiled[key] = CompiledRules(rules, self.origin)
        return found

    def allowed(self, urls: Sequence[str], token: str) -> list[bool]:
        """Allowed or not, per URL (all of this robots.txt's origin); the fast path."""
        if self.access is Access.allow_all:
            return [True] * len(urls)
        compiled = self.compiled(token)
        if self.access is Access.disallow_all:
            return [i == 1 for i in compiled.decide_urls(urls, self.origin)]
        return compiled.allowed(compiled.decide_urls(urls, self.origin))

    def check(self, urls: Sequence[str], token: str) -> list[Verdict]:
        """A verdict with its deciding line for each URL."""
        compiled = self.compiled(token)
        verdicts: list[Verdict] = []
        for url, index in zip(urls, compiled.decide_urls(urls, self.origin), strict=True):
            if index == INVALID_URL:
                verdicts.append(Verdict(url, False, None, None,
                                        "not an absolute URL (scheme://host/path); not allowed"))
                continue
            outcome = compiled.outcome(index)
            if outcome.implicit_robots_txt:
                verdicts.append(Verdict(url, True, None, None,
                                        "/robots.txt is always allowed (RFC 9309 §2.2.2)"))
            elif self.access is not Access.rules:
                verdicts.append(Verdict(url, self.access is Access.allow_all, None, None,
                                        self.reason))
            elif outcome.rule is None:
                verdicts.append(Verdict(url, True, None, None, self._no_rule_reason(token)))
            else:
                rule = outcome.rule
                verdicts.append(Verdict(url, rule.allow, rule.text, rule.line,
                                        "longest matching rule (RFC 9309 §2.2.2)"))
        return verdicts

    def _no_rule_reason(self, token: str) -> str:
        assert self.robots is not None
        selection = self.robots.select(token)
        if selection.matched == "none":
            return "no group for this user-agent and no '*' group: no rules apply (§2.2.1)"
        which = f"group for {token!r}" if selection.matched == "token" else "'*' group"
        return f"no rule of the {which} matches: allowed (RFC 9309 §2.2.2)"


class HostUrls(NamedTuple):
    """One host's robots.txt as fetched and the URLs to check against it."""

    status: int | None
    body: bytes | str | None
    urls: Sequence[str]
    origin: str | None = None  # canonical scheme://host[:port] of the URLs (fastest path)


CHUNK_URLS = 50_000  # about this many URLs per message to a worker (a few MB)


def _allowed_chunk(hosts: Sequence[HostUrls], token: str, parse_limit: int) -> list[bytes]:
    """One worker's share: each host's answers packed one octet per URL (cheap to send)."""
    out = []
    for h in hosts:
        urls = h.urls.split("\n") if isinstance(h.urls, str) else h.urls
        out.append(bytes(RobotsPolicy(h.status, h.body, parse_limit, h.origin).allowed(
            urls, token)))
    return out


def _packed(host: HostUrls) -> HostUrls:
    """The host with its URLs as one newline-joined string: one object to pickle instead of
    one per URL (a URL holding a newline keeps the list)."""
    joined = "\n".join(host.urls)
    if host.urls and joined.count("\n") == len(host.urls) - 1:
        return host._replace(urls=joined)
    return host


def allowed_many(hosts: Sequence[HostUrls], token: str, jobs: int | None = None, *,
                 pool: Workers | None = None,
                 parse_limit: int = DEFAULT_PARSE_LIMIT) -> list[list[bool]]:
    """Allowed or not for every URL of every host, parsed and matched on ``jobs`` processes
    (default: every usable core; 1 runs here, without a pool). ``pool`` reuses running
    :class:`~gpact.rights.parallel.Workers` across calls. Answers are those of
    :meth:`RobotsPolicy.allowed`, host by host, in order."""
    workers = pool.jobs if pool is not None else check_jobs(jobs)
    if workers == 1 or len(hosts) < 2:
        return [RobotsPolicy(h.status, h.body, parse_limit, h.origin).allowed(h.urls, token)
                for h in hosts]
    # many small chunks, each sent when a worker frees up: the load evens out, and hosts are
    # packed and answers unpacked here while the workers compute
    per_host = max(1, sum(len(h.urls) for h in hosts) // len(hosts))
    size = max(1, min(CHUNK_URLS // per_host, len(hosts) // (2 * workers)))
    tasks = (([_packed(h) for h in hosts[a:a + size]], token, parse_limit)
             for a in range(0, len(hosts), size))
    if pool is None:
        with Workers(workers) as own:
            return _unpacked(own.imap(_allowed_chunk, tasks))
    return _unpacked(pool.imap(_allowed_chunk, tasks))


def _unpacked(parts: Iterator[list[bytes]]) -> list[list[bool]]:
    return [list(map(bool, answers)) for part in parts for answers in part]
