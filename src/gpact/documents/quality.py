"""Judge one answer: missing, weak (placeholder, no unit, too few significant figures) or ok.

The test applied to each field is named in the rulebook field tree (`check`), so what counts as
"complete" for a field is data next to the field's legal source.
"""

from __future__ import annotations

import datetime as dt
import re

from gpact.documents.document import Num, Status, Table, Value, significant_figures
from gpact.documents.fields import FieldSpec

PLACEHOLDER = re.compile(
    r"^\s*(todo|tbd|tba|tbc|n/?a\?|xxx+|\?+|-+|\.\.\.+|…|lorem ipsum.*|placeholder|fill (me )?in"
    r"|to be (completed|determined|confirmed|added)|<[^>]*>|\[[^\]]*\])\s*\.?\s*$"
    r"|\b(TODO|TBD|FIXME|lorem ipsum)\b|<[A-Za-z][\w .@-]*>",
    re.IGNORECASE,
)
MONTH_YEAR = re.compile(r"^\s*(0?[1-9]|1[0-2])/(\d{4})\s*$")
REQUIRED_FIGURES = 2
PLACEHOLDER_PROBLEM = "placeholder text"


def judge(spec: FieldSpec, value: Value) -> tuple[Status, list[str]]:
    """The status of an answer to ``spec`` and the problems that make it weak or missing."""
    if _empty(value):
        if not spec.required:
            return "optional_empty", []
        return "missing", ["no value given"]
    problems = _problems(spec, value)
    if spec.required and any(p.startswith(PLACEHOLDER_PROBLEM) for p in problems):
        return "missing", problems  # a placeholder is not an answer
    return ("weak", problems) if problems else ("ok", [])


def _empty(value: Value) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list):
        return not value or (isinstance(value, str) and not value.strip())
    if isinstance(value, Table):
        return not value.rows
    return False


def _problems(spec: FieldSpec, value: Value) -> list[str]:
    problems: list[str] = []
    for text in _texts(value):
        if PLACEHOLDER.search(text):
            problems.append(f"{PLACEHOLDER_PROBLEM}: {text.strip()[:40]!r}")
            break
    if spec.check == "sig2":
        problems += _number_problems(value, spec.unit)
    elif spec.check == "quantity":
        if not isinstance(value, Num):
            problems.append("expected a number with a unit")
        elif not value.unit:
            problems.append("value has no unit")
    elif spec.check == "date":
        if isinstance(value, str) and not (MONTH_YEAR.match(value) or _iso_date(value)):
            problems.append("not a date (YYYY-MM-DD or MM/YYYY)")
    elif spec.check == "yes_no" and not isinstance(value, bool):
        problems.append("answer Yes or No")
    elif spec.check == "text" and spec.min_words and isinstance(value, str):
        words = len(value.split())
        if words < spec.min_words:
            problems.append(f"{words} words; the form asks for a fuller description "
                            f"(gpact flags fewer than {spec.min_words})")
    return problems


def _number_problems(value: Value, unit: str | None) -> list[str]:
    if not isinstance(value, Num):
        return ["expected a number"]
    problems = []
    figures = significant_figures(value.raw)
    if figures < REQUIRED_FIGURES:
        problems.append(f"{figures} significant figure; give at least {REQUIRED_FIGURES} "
                        "(write e.g. \"7.0e10\" as a string to keep a trailing zero)")
    if value.value <= 0:
        problems.append("must be greater than zero")
    if unit is None and not value.unit:
        problems.append("value has no unit")
    return problems


def _texts(value: Value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return list(value)
    if isinstance(value, Table):
        return [c for row in value.rows for c in row]
    return []


def _iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True
