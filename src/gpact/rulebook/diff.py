"""What changed in the law between two dates: rulebook entries added, changed, restated, ended.

A provider reads it to see what a new act or guidance means for its portfolio. "Restated" is a
new entry with the same value (a reissued text, or an amendment that left the value unchanged).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from gpact.errors import InputError
from gpact.rulebook.loader import Parameter, Rulebook, RuleValue

Kind = Literal["added", "changed", "restated", "ended"]
SENTENCE_END = re.compile(r"(?<!\bArt)(?<!\bArts)(?<!\be\.g)(?<!\bi\.e)(?<!\bNo)[.:;]\s")
CITATION_KEYS = frozenset({"source", "confidence", "note"})
KIND_LABELS: dict[str, str] = {"added": "added", "changed": "value changed",
                               "restated": "same value, new source", "ended": "ended"}


@dataclass(frozen=True)
class Change:
    kind: Kind
    on: dt.date
    parameter: Parameter
    before: RuleValue | None
    after: RuleValue | None

    @property
    def label(self) -> str:
        return label(self.parameter)

    @property
    def entry(self) -> RuleValue:
        """The entry the change is about: the new one, or the one that ended."""
        found = self.after or self.before
        assert found is not None  # every change has one side
        return found

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "on": self.on.isoformat(), "key": self.parameter.key,
                "label": self.label,
                "before": self.before.as_dict() if self.before else None,
                "after": self.after.as_dict() if self.after else None}


def label(param: Parameter) -> str:
    """A short human name: the first sentence of the rule's description."""
    first = SENTENCE_END.split(param.description.strip(), maxsplit=1)[0].rstrip(".")
    return first if len(first) <= 90 else first[:87].rstrip() + "…"


def substance(value: Any) -> Any:
    """A value without the citations inside catalogue items (a reissued text that cites the
    new document but keeps every item is a restatement, not a change)."""
    if isinstance(value, dict):
        return {k: substance(v) for k, v in value.items() if k not in CITATION_KEYS}
    if isinstance(value, list):
        return [substance(v) for v in value]
    return value


def diff(book: Rulebook, start: dt.date, end: dt.date) -> list[Change]:
    """Every entry taking effect or ending after ``start`` and on or before ``end``."""
    if end < start:
        raise InputError(None, "TO", f"{end} is before FROM ({start})")
    changes: list[Change] = []
    for key in book.keys():
        param = book.parameter(key)
        for entry in param.history:
            if start < entry.since <= end:
                before = param.at(entry.since - dt.timedelta(days=1))
                kind: Kind = "added" if before is None else (
                    "changed" if substance(before.value) != substance(entry.value) else "restated")
                changes.append(Change(kind, entry.since, param, before, entry))
            if entry.ended is not None and start < entry.ended <= end \
                    and param.at(entry.ended) is None:
                changes.append(Change("ended", entry.ended, param, entry, None))
    return sorted(changes, key=lambda c: (c.on, c.parameter.key))
