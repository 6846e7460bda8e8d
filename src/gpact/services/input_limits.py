"""Bounds on the YAML/JSON text the server validates, checked before the real loader runs.

Any viewer can call the as-you-type validation, so the work one request can cause must be
small whatever the text holds. A streaming pass over the parser's events (libyaml when
installed; no tree is built and nothing recurses) stops at the first bound crossed: depth,
number of nodes, aliases (each one could expand a shared subtree many times over in the
validation that follows) or time. Only text that passes goes to the profile or record
loader, whose work then grows with those bounds.

The loaders then apply ``gpact.safeio``'s limits (docs/limits.md), the same as on the
command line; these are tighter because any viewer can send them, and are checked first so
a hostile text costs one event pass. Keeping one implementation: ``check`` could become a
call into ``safeio`` with these values once it can stop on a node count without composing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import yaml

from gpact.services.server_errors import Invalid, TooLarge

_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_NODES = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)


@dataclass(frozen=True)
class Limits:
    """What one text may hold. ``nodes`` counts scalars, mappings and lists (a key and its
    value are two)."""

    max_bytes: int
    max_depth: int = 32
    max_nodes: int = 5_000
    max_aliases: int = 0
    max_seconds: float = 1.0


# The example profiles hold under 100 nodes, the largest example record under 500.
PROFILE = Limits(max_bytes=256 * 1024, max_nodes=2_000)
RECORD = Limits(max_bytes=1024 * 1024, max_nodes=20_000)


def check(text: str, what: str, limits: Limits) -> None:
    """Raise ``TooLarge`` (413) or ``Invalid`` (422) naming ``what`` and the bound crossed
    or the YAML syntax error, with its line."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise Invalid([f"{what}: not valid Unicode text (a lone surrogate such as "
                       "\\ud800)"]) from None
    if size > limits.max_bytes:
        raise TooLarge(f"{what} larger than {limits.max_bytes // 1024} KiB")
    started = time.monotonic()
    depth = nodes = aliases = 0
    try:
        for n, event in enumerate(yaml.parse(text, Loader=_PARSER)):
            if isinstance(event, _OPEN):
                depth += 1
                if depth > limits.max_depth:
                    raise Invalid([f"{what}: {_line(event)}nested deeper than "
                                   f"{limits.max_depth} levels"])
            elif isinstance(event, _CLOSE):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.max_aliases:
                    raise Invalid([f"{what}: {_line(event)}YAML aliases (*name) are not "
                                   "accepted; write the value out"
                                   if not limits.max_aliases else
                                   f"{what}: more than {limits.max_aliases} YAML aliases"])
            if isinstance(event, _NODES):
                nodes += 1
                if nodes > limits.max_nodes:
                    raise Invalid([f"{what}: {_line(event)}more than {limits.max_nodes} "
                                   "keys and values; a profile needs far fewer"
                                   if limits is PROFILE else
                                   f"{what}: {_line(event)}more than {limits.max_nodes} "
                                   "keys and values"])
            if n % 1024 == 1023 and time.monotonic() - started > limits.max_seconds:
                raise TooLarge(f"{what}: took longer than {limits.max_seconds:g} s to read")
    except yaml.YAMLError as exc:  # reported here: the loader could recurse before the error
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise Invalid([f"{what}: {where}invalid YAML: {problem}"]) from None


def _line(event: yaml.Event) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}: " if mark is not None else ""


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, default: str = "file") -> str:
    """A file name safe in a ``Content-Disposition`` header and on any disk: letters,
    digits, ``.``, ``_`` and ``-`` only (so no CR/LF, quotes or path separators), no leading
    dot, at most 200 characters, the extension kept."""
    stem, dot, ext = name.replace("\\", "/").rsplit("/", 1)[-1].rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = _UNSAFE.sub("_", stem).strip("._") or default
    ext = _UNSAFE.sub("", ext)[:16]
    return f"{stem[:200 - len(ext) - 1]}.{ext}" if ext else stem[:200]
