"""Imported facts as record fragments, merged into a documentation record without loss.

Every importer (model card, codecarbon, Croissant) yields a fragment of a ``gpact_record: 1``
mapping plus what it read and what it skipped. Merging fills fields the record leaves empty,
appends list entries it does not have yet (datasets by name) and keeps the record's own value
where both have one, reporting each such conflict, so an import never overwrites a reviewed fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Imported:
    data: dict[str, Any]
    sources: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def merge(base: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """Merge ``new`` into ``base`` in place; return the conflicts where ``base`` was kept."""
    conflicts: list[str] = []
    for key, value in new.items():
        where = f"{path}.{key}" if path else key
        if value in (None, [], {}):
            continue
        have = base.get(key)
        if have in (None, [], {}, ""):
            base[key] = value
        elif isinstance(have, dict) and isinstance(value, dict):
            conflicts += merge(have, value, where)
        elif isinstance(have, list) and isinstance(value, list):
            conflicts += _merge_list(have, value, where)
        elif have != value:
            conflicts.append(f"{where}: kept {have!r}, imported {value!r}")
    return conflicts


def _merge_list(have: list[Any], new: list[Any], where: str) -> list[str]:
    conflicts: list[str] = []
    names = {_key(x) for x in have}
    for item in new:
        key = _key(item)
        if key in names:
            index = next(i for i, x in enumerate(have) if _key(x) == key)
            if isinstance(have[index], dict) and isinstance(item, dict):
                conflicts += merge(have[index], item, f"{where}[{key}]")
            continue
        have.append(item)
        names.add(key)
    return conflicts


def _key(item: Any) -> Any:
    return item.get("name") if isinstance(item, dict) and "name" in item else repr(item)


def significant(value: float, digits: int = 3) -> str:
    """A number as text with ``digits`` significant figures kept (``2.00``, ``0.114``)."""
    text = f"{value:#.{digits}g}"
    return text.rstrip(".") if "e" not in text else text
