"""The law as dated data.

Each YAML file below ``data/`` holds one legal parameter or catalogue. Its key is its path
(``ai_act/art51/presumption_threshold_flop.yaml`` -> ``ai_act.art51.presumption_threshold_flop``)
and it lists the values the parameter has taken, each with the date from which it applies, its
source and a confidence flag. ``Rulebook.at(date)`` answers with the values in force that day,
so a delegated act that moves a threshold is one more dated entry, not a code change. An
entry may also end (``ended``) without a successor. The shape of each file is checked by
``gpact.rulebook.schema``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from gpact import yamlio
from gpact.errors import InputError
from gpact.rulebook.schema import CONFIDENCES, Confidence, parse_file

__all__ = ["CONFIDENCES", "Confidence", "Parameter", "RuleNotInForce", "RuleValue", "Rulebook",
           "RulesInForce", "default_rulebook"]

DEFAULT_ROOT = Path(__file__).parent / "data"
META_FILE = "rulebook.yaml"


@dataclass(frozen=True)
class RuleValue:
    """One value of a legal parameter, in force from ``since`` until superseded."""

    key: str
    value: Any
    since: dt.date
    source: str
    confidence: Confidence
    description: str
    unit: str | None = None
    note: str | None = None
    ended: dt.date | None = None
    pending_on: dt.date | None = None  # asked for on this earlier date, before it existed

    @property
    def unverified(self) -> bool:
        return self.confidence == "unverified"

    @property
    def secondary(self) -> bool:
        return self.confidence == "secondary"

    def in_force(self, as_of: dt.date) -> bool:
        return self.since <= as_of and (self.ended is None or as_of < self.ended)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": _jsonable(self.value),
            "since": self.since.isoformat(),
            "source": self.source,
            "confidence": self.confidence,
            "description": self.description,
            "unit": self.unit,
            "note": self.note,
            "ended": self.ended.isoformat() if self.ended else None,
        }


@dataclass(frozen=True)
class Parameter:
    """A legal parameter and the history of its values, oldest first."""

    key: str
    description: str
    unit: str | None
    history: tuple[RuleValue, ...]

    def at(self, as_of: dt.date) -> RuleValue | None:
        current = None
        for entry in self.history:
            if entry.since <= as_of:
                current = entry
        return current if current is not None and current.in_force(as_of) else None

    def first_after(self, as_of: dt.date) -> RuleValue | None:
        return next((e for e in self.history if e.since > as_of), None)


class RuleNotInForce(InputError, KeyError):
    """A rule was asked for on a date before its first value applies (or it does not exist).

    It is bad input, not a crash: every face reports it as one line (the date asked about is
    outside what the rulebook answers), so a command that does not look ahead still exits 2.
    """

    def __init__(self, problem: str, field: str | None = None) -> None:
        InputError.__init__(self, None, field, problem)

    def __str__(self) -> str:
        return self.message()


@dataclass
class RulesInForce:
    """The rulebook's values on one date; remembers which values were used.

    With ``lookahead`` a rule that has no value yet on the date (a text published later, such
    as the Commission Guidelines before 18 July 2025) answers with its first later value,
    marked in its source as not yet published on that date, so a question about the past is
    answered from what was in force and says where it leans on later texts.
    """

    rulebook: Rulebook
    as_of: dt.date
    lookahead: bool = False
    used: dict[str, RuleValue] = field(default_factory=dict)

    def rule(self, key: str) -> RuleValue:
        param = self.rulebook.parameter(key)
        found = param.at(self.as_of)
        if found is None and self.lookahead:
            later = param.first_after(self.as_of)
            if later is not None:
                found = dataclasses.replace(
                    later, pending_on=self.as_of,
                    source=f"{later.source} [not yet published on {self.as_of}; from "
                           f"{later.since}]")
        if found is None:
            raise RuleNotInForce(f"rule {key!r} has no value in force on {self.as_of}; the "
                                 f"rulebook answers it from {param.history[0].since}",
                                 "--as-of")
        self.used[key] = found
        return found

    def value(self, key: str) -> Any:
        return self.rule(key).value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self.value(key)
        except RuleNotInForce:
            return default

    def unverified_used(self) -> list[RuleValue]:
        return [v for v in self.used.values() if v.unverified]

    def secondary_used(self) -> list[RuleValue]:
        return [v for v in self.used.values() if v.secondary]

    def pending_used(self) -> list[RuleValue]:
        """Values relied on that were not yet published on the date asked about."""
        return [v for v in self.used.values() if v.pending_on is not None]

    def __iter__(self) -> Iterator[RuleValue]:
        for key in self.rulebook.keys():
            value = self.rulebook.parameter(key).at(self.as_of)
            if value is not None:
                yield value


class Rulebook:
    """All legal parameters, loaded from a folder tree of YAML files."""

    def __init__(self, root: Path, version: str, published: dt.date, title: str,
                 parameters: dict[str, Parameter]) -> None:
        self.root = root
        self.version = version
        self.published = published
        self.title = title
        self._parameters = parameters

    @classmethod
    def load(cls, root: Path | None = None) -> Rulebook:
        root = Path(root) if root is not None else DEFAULT_ROOT
        meta_path = root / META_FILE
        if not meta_path.is_file():
            raise InputError(str(meta_path), None, "not a rulebook folder (no rulebook.yaml)")
        meta = _read_yaml(meta_path)
        if not isinstance(meta, dict) or "version" not in meta or "published" not in meta:
            raise InputError(str(meta_path), None, "needs 'version' and 'published'")
        parameters: dict[str, Parameter] = {}
        for path in sorted(root.rglob("*.yaml")):
            if path == meta_path:
                continue
            key = ".".join(path.relative_to(root).with_suffix("").parts)
            parameters[key] = _parse_parameter(path, key)
        return cls(root, str(meta["version"]), _as_date(meta["published"], meta_path, "published"),
                   str(meta.get("title", "gpact rulebook")), parameters)

    def keys(self) -> list[str]:
        return sorted(self._parameters)

    def parameter(self, key: str) -> Parameter:
        try:
            return self._parameters[key]
        except KeyError:
            raise RuleNotInForce(f"no rule {key!r} in the rulebook") from None

    def at(self, as_of: dt.date, lookahead: bool = False) -> RulesInForce:
        return RulesInForce(self, as_of, lookahead)

    def earliest(self) -> dt.date:
        """The first date on which any rule applies."""
        return min(p.history[0].since for p in self._parameters.values())

    def label(self) -> str:
        return f"{self.version} ({self.published.isoformat()})"


@cache
def _default() -> Rulebook:
    return Rulebook.load()


def default_rulebook() -> Rulebook:
    """The bundled rulebook, or the folder named by ``GPACT_RULEBOOK``."""
    override = os.environ.get("GPACT_RULEBOOK")
    if override:
        return Rulebook.load(Path(override))
    return _default()


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yamlio.load(fh.read())
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"line {line + 1}" if line is not None else None
        raise InputError(str(path), where, f"invalid YAML: {exc}") from None


def _as_date(value: Any, path: Path, field_name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(str(path), field_name, f"not a date (YYYY-MM-DD): {value!r}") from None


def _parse_parameter(path: Path, key: str) -> Parameter:
    parsed = parse_file(_read_yaml(path), str(path), key)
    description = parsed.description.strip()
    history = sorted((RuleValue(
        key=key, value=entry.value, since=entry.since, source=entry.source.strip(),
        confidence=entry.confidence, description=description, unit=parsed.unit,
        note=entry.note.strip() if entry.note else None, ended=entry.ended)
        for entry in parsed.values), key=lambda v: v.since)
    return Parameter(key, description, parsed.unit, tuple(history))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
