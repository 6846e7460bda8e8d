"""Bounded reads of the files `gpact rights` is given: never more than a stated number of octets.

A robots.txt (or ai.txt) is read only up to the parse limit (RFC 9309 §2.5) plus one octet:
the rest of the file is ignored, not refused, so ``--robots /dev/zero`` or a multi-gigabyte
file costs at most the limit. The other inputs are refused beyond the size limits below
(documented in docs/rights.md), read with :func:`gpact.safeio.read_bytes`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from gpact.errors import InputError

TDMREP_LIMIT = 1 << 20          # /.well-known/tdmrep.json: a short list of rules
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
