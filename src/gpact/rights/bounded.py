"""Bounded reads of the files `gpact rights` is given: never more than a stated number of octets.

A robots.txt is read only up to the parse limit (RFC 9309 §2.5) plus one octet, so that
``--robots /dev/zero`` or a multi-gigabyte file costs at most the limit; the other inputs
(tdmrep.json, the crawler description, the infringing-domains list) have fixed size limits
documented in docs/rights.md and are rejected with one clear line beyond them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from gpact.errors import InputError

TDMREP_LIMIT = 1 << 20          # /.well-known/tdmrep.json: a short list of rules
CRAWLER_PAGE_LIMIT = 1 << 20     # crawlers.yaml / .json describing one provider's crawlers
INFRINGING_LIMIT = 64 << 20      # domain list, one per line
FEED_LIMIT = 16 << 20            # the Atom feed of crawler-page versions gpact wrote before


@dataclass(frozen=True)
class Prefix:
    """The first octets of a file, and how much there was."""

    data: bytes
    truncated: bool
    size: int | None  # total octets when known (regular files), else ``None``


def read_prefix(path: Path, limit: int, option: str | None) -> Prefix:
    """Read at most ``limit`` octets (plus one, to tell whether there was more)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
            info = os.fstat(handle.fileno())
            size = info.st_size if stat.S_ISREG(info.st_mode) else None
    except OSError as exc:
        raise InputError(str(path), option, f"cannot read: {exc.strerror or exc}") from None
    truncated = len(data) > limit
    if not truncated:
        size = len(data)
    return Prefix(data[:limit], truncated, size)


def read_limited(path: Path, limit: int, option: str | None) -> bytes:
    """The whole file, or one clear error line if it is larger than ``limit`` octets."""
    prefix = read_prefix(path, limit, option)
    if prefix.truncated:
        size = f" ({prefix.size} octets)" if prefix.size else ""
        raise InputError(str(path), option, f"file is larger than the limit of {limit} "
                         f"octets{size}")
    return prefix.data


def read_text_limited(path: Path, limit: int, option: str | None) -> str:
    """Like :func:`read_limited`, decoded as UTF-8 (a decoding error is one clear line)."""
    data = read_limited(path, limit, option)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), option, f"not UTF-8 text (octet {exc.start})") from None
