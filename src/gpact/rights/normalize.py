"""Percent-encoding normalisation of URL paths and robots.txt patterns (RFC 9309 §2.2.2, §2.2.3).

Both sides of a comparison go through the same canonical form so that matching is a plain
octet comparison:

* octets outside printable ASCII (non-ASCII text, controls, space) and the characters that may
  not appear literally in a URI (``"<>\\^`{|}``) are percent-encoded, upper-case hex;
* a percent-encoded *unreserved* character (``A-Z a-z 0-9 - . _ ~``) is decoded (``%62`` → ``b``);
  every other escape keeps its encoding with upper-case hex (``%2f`` → ``%2F``);
* a ``%`` that does not start a valid escape is itself encoded (``%25``);
* in URLs a literal ``*`` becomes ``%2A`` and ``$`` becomes ``%24``, so that a pattern written
  ``%2A`` / ``%24`` (the RFC's way of matching those characters verbatim) matches them.

Invalid UTF-8 in a robots.txt body arrives here as surrogate escapes and is encoded as the
original octet, so a rule written in Latin-1 still matches a URL carrying the same octets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress

UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

# A URL needs no normalisation when it is "scheme://authority/" followed only by characters that
# the canonical form keeps as they are. Used to skip per-URL Python work in batch evaluation.
FAST_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\s%*$\"<>\\^`{|}\x7f-\U0010ffff]*"
                      r"/[A-Za-z0-9\-._~!&'()+,;=:@/?\[\]]*")
_FAST_BATCH = re.compile(r"(?:" + FAST_URL.pattern + r"\n)*")
_CANONICAL = (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
              b"-._~!&'()+,;=:@/?[]")  # kept as they are by normalize(); FAST_URL's path set

_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^#]*)(?:#.*)?", re.DOTALL)
_AUTHORITY = re.compile(r"(?:[^@]*@)?(\[[^\]]*\]|[^:]*)(?::(\d*))?")
_DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}


def _encode_char(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogate escape of an invalid UTF-8 octet
        return f"%{code - 0xDC00:02X}"
    if 0xD800 <= code <= 0xDFFF:  # lone surrogate: not encodable, keep a visible replacement
        return "%EF%BF%BD"
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))


_SPECIAL = re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~!&'()+,;=:@/?\[\]]")


def _replace(m: re.Match[str], pattern: bool) -> str:
    token = m.group()
    if len(token) == 3:  # a valid escape
        value = int(token[1:], 16)
        decoded = chr(value)
        return decoded if decoded in UNRESERVED else f"%{value:02X}"
    if token == "%":
        return "%25"
    if token == "*":
        return "*" if pattern else "%2A"
    if token == "$":
        return "$" if pattern and m.end() == len(m.string) else "%24"
    return _encode_char(token)


def _replace_url(m: re.Match[str]) -> str:
    return _replace(m, False)


def _replace_pattern(m: re.Match[str]) -> str:
    return _replace(m, True)


def normalize(text: str, *, pattern: bool = False) -> str:
    """Canonical form of a URL path (``pattern=False``) or of a robots.txt path pattern.

    In a pattern ``*`` stays a wildcard and a final ``$`` stays the end anchor; a ``$`` elsewhere
    is literal (as in Google's parser) and is encoded like a URL's ``$``.
    """
    return _SPECIAL.sub(_replace_pattern if pattern else _replace_url, text)


_CANONICAL_PATTERN = re.compile(r"[A-Za-z0-9\-._~!&'()+,;=:@/?\[\]*]*\$?")


def normalize_pattern(text: str) -> str:
    """``normalize(text, pattern=True)``, with a fast exit for patterns already canonical."""
    if _CANONICAL_PATTERN.fullmatch(text) is not None:
        return text
    return _SPECIAL.sub(_replace_pattern, text)


@dataclass(frozen=True)
class SplitUrl:
    """A URL reduced to what robots.txt matching needs."""

    origin: str  # scheme://host[:port], lower-case, default port dropped
    path: str    # normalised path + query, always starting with "/"


def split_url(url: str) -> SplitUrl | None:
    """The origin and normalised path of an absolute URL; ``None`` if it has no scheme or host."""
    m = _URL.fullmatch(url.strip())
    if m is None:
        return None
    scheme, authority, rest = m.group(1).lower(), m.group(2), m.group(3)
    origin = origin_of(scheme, authority)
    if origin is None:
        return None
    if not rest.startswith("/"):
        rest = "/" + rest
    return SplitUrl(origin, normalize(rest))


def origin_of(scheme: str, authority: str) -> str | None:
    """``scheme://host[:port]`` in canonical form (lower case, default port dropped)."""
    m = _AUTHORITY.fullmatch(authority)
    if m is None or not m.group(1):
        return None
    host = m.group(1).lower().rstrip(".")
    port = m.group(2)
    if not host:
        return None
    if port and port != _DEFAULT_PORTS.get(scheme.lower()):
        return f"{scheme.lower()}://{host}:{port}"
    return f"{scheme.lower()}://{host}"


def normalize_origin(origin: str) -> str | None:
    """Canonical form of a snapshot's ``origin`` column (``scheme://host[:port]``)."""
    m = _URL.fullmatch(origin.strip())
    if m is None or m.group(3) not in ("", "/"):
        return None
    return origin_of(m.group(1), m.group(2))


def non_canonical_lines(joined: str) -> list[int]:
    """Indices of the lines of a newline-terminated URL batch that need normalisation.

    One regex pass over the whole batch; Python work only per line that is not canonical.
    """
    bad: list[int] = []
    pos = line = 0
    size = len(joined)
    while True:
        end = _FAST_BATCH.match(joined, pos).end()  # type: ignore[union-attr]  # always matches
        line += joined.count("\n", pos, end)
        if end >= size:
            return bad
        bad.append(line)
        pos = joined.index("\n", end) + 1
        line += 1


def lines_to_normalize(joined: str, lines: int) -> list[int] | None:
    """For a batch ``"\n" + "\n".join(urls)`` of ``lines`` URLs: the indices of the URLs
    holding a character that normalisation would change (anything outside the canonical set,
    non-ASCII included); ``None`` if a URL holds a newline (the batch has more lines).

    Deleting the canonical octets with ``bytes.translate`` leaves the newlines and the odd
    characters: usually only the newlines, which a length check shows, so a clean batch costs
    no Python loop and no split."""
    kept = joined.encode("utf-8", "surrogatepass").translate(None, _CANONICAL)
    if kept.count(b"\n") != lines:
        return None
    if len(kept) == lines:
        return []
    pieces = kept.split(b"\n")
    return [i - 1 for i in compress(range(len(pieces)), pieces)]


_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")
_PRODUCT = re.compile(r"([A-Za-z][A-Za-z0-9_\-]*)/[0-9]")
_GENERIC = frozenset({"mozilla", "applewebkit", "chrome", "safari", "gecko", "firefox",
                      "version", "mobile", "khtml", "edg", "opera", "like"})


def product_token(user_agent: str) -> str | None:
    """The product token (RFC 9309 §2.2.1: letters, ``_``, ``-``; gpact also allows digits).

    A bare token is returned as given. From a full User-Agent header the first ``Name/1.x``
    product that is not a browser-engine name is taken (e.g. ``GPTBot`` from
    ``Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)``); ``None`` if none.
    """
    text = user_agent.strip()
    if _TOKEN.fullmatch(text):
        return text
    for m in _PRODUCT.finditer(text):
        if m.group(1).lower() not in _GENERIC:
            return m.group(1)
    return None
