"""The shape of a rulebook file, checked on load (pydantic at the edge).

A malformed entry must fail loudly: a YAML flow mapping with an unquoted comma
(``{label: A, or B, check: text}``) silently yields a stray key ``or B`` with no value, so no
mapping inside a value may hold a null. Catalogues the engine reads have their own item schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gpact.errors import InputError

Confidence = Literal["verified", "secondary", "unverified"]
CONFIDENCES: tuple[Confidence, ...] = ("verified", "secondary", "unverified")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class EntryModel(_Strict):
    """One dated value: in force from ``from`` until superseded or until ``ended``."""

    since: dt.date = Field(alias="from")
    value: Any
    source: str = Field(min_length=1)
    confidence: Confidence
    note: str | None = None
    ended: dt.date | None = None

    @field_validator("since", "ended", mode="before")
    @classmethod
    def _plain_date(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if value is not None and not isinstance(value, dt.date):
            raise ValueError(f"not a date (YYYY-MM-DD): {value!r}")
        return value


class FileModel(_Strict):
    description: str = Field(min_length=1)
    unit: str | None = None
    values: list[EntryModel] = Field(min_length=1)


class ObligationItem(_Strict):
    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    source: str = Field(min_length=1)
    title: str = Field(min_length=1)
    applies_to: Literal["gpai", "non_eu_provider", "systemic_risk", "presumed_systemic_risk"]
    due: Literal["placement", "threshold_known"]
    limited_to_modification: bool


class MonetisationItem(_Strict):
    fact: str = Field(min_length=1)
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    confidence: Confidence = "verified"
    overrides: list[str] = Field(default_factory=list)  # exceptions: forms it cancels, * = all


class MonetisationCatalogue(_Strict):
    forms: list[MonetisationItem] = Field(min_length=1)
    exceptions: list[MonetisationItem] = Field(min_length=1)


class TaxonomyItem(_Strict):
    id: str = Field(min_length=1)
    group: Literal["specified_risk", "other_risk", "capability", "propensity", "affordance"]
    title: str = Field(min_length=1)
    description: str | None = None


class IncidentItem(_Strict):
    item: int
    from_report: Literal["initial", "final"]
    field: str = Field(min_length=1)
    title: str = Field(min_length=1)


# Catalogues the engine reads, by rulebook key: a list of items or one mapping.
CATALOGUES: dict[str, type[BaseModel]] = {
    "ai_act.obligations": ObligationItem,
    "code_of_practice.safety_security.systemic_risk_taxonomy": TaxonomyItem,
    "code_of_practice.safety_security.incident_report_contents": IncidentItem,
}
MAPPINGS: dict[str, type[BaseModel]] = {
    "guidelines.open_source.monetisation": MonetisationCatalogue,
}


def parse_file(doc: Any, path: str, key: str) -> FileModel:
    """Validate one rulebook file; the first problem becomes one InputError line."""
    if not isinstance(doc, dict):
        raise InputError(path, None, "a rulebook file is a mapping with description, unit "
                         "and values")
    try:
        parsed = FileModel.model_validate(doc)
    except ValidationError as exc:
        raise _first(exc, path) from None
    for i, entry in enumerate(parsed.values):
        where = f"values[{i}].value"
        _no_nulls(entry.value, path, where)
        _catalogue(key, entry.value, path, where)
        if entry.ended is not None and entry.ended <= entry.since:
            raise InputError(path, f"values[{i}].ended", "must be after 'from'")
    return parsed


def _first(exc: ValidationError, path: str) -> InputError:
    err = exc.errors()[0]
    field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err["loc"])
    field = field.replace(".[", "[")
    problem = "missing" if err["type"] == "missing" else err["msg"]
    if err["type"] == "extra_forbidden":
        problem = "unknown field"
    elif err["type"] == "literal_error":
        problem = f"must be one of {err['ctx']['expected']}"
    return InputError(path, field or None, problem)


def _no_nulls(value: Any, path: str, where: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k is None or v is None:
                raise InputError(path, f"{where}.{k}", "has no value — an unquoted comma in a "
                                 "flow mapping? Quote text that contains commas")
            _no_nulls(v, path, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_nulls(v, path, f"{where}[{i}]")


def _catalogue(key: str, value: Any, path: str, where: str) -> None:
    model = CATALOGUES.get(key)
    if model is not None:
        if not isinstance(value, list) or not value:
            raise InputError(path, where, "must be a non-empty list")
        items = [(f"{where}[{i}]", item) for i, item in enumerate(value)]
    elif key in MAPPINGS:
        model, items = MAPPINGS[key], [(where, value)]
    else:
        return
    for at, item in items:
        try:
            model.model_validate(item)
        except ValidationError as exc:
            inner = _first(exc, path)
            raise InputError(path, f"{at}.{inner.field}" if inner.field else at,
                             inner.problem) from None
