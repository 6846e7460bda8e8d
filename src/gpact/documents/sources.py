"""Read everything a document is built from: profile, record, and the gpact outputs it references.

Each problem becomes one ``InputError`` naming the file, the field and what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from gpact import safeio
from gpact.documents.record import RECORD_MARKER, DocumentationRecord, empty_record
from gpact.errors import InputError
from gpact.profile import LoadedProfile, load_profile

RECORD_SUFFIXES = (".record.yaml", ".record.yml", ".record.json")


@dataclass(frozen=True)
class Sources:
    """The inputs of one build, already validated."""

    loaded: LoadedProfile
    record: DocumentationRecord
    record_path: Path | None
    assessment: dict[str, Any] | None
    compute_ledger: dict[str, Any] | None
    data_summary: dict[str, Any] | None
    rights_audit: dict[str, Any] | None


def find_record(profile_path: Path) -> Path | None:
    """The record beside a profile: NAME.record.yaml next to it or in a ``records/`` folder."""
    for folder in (profile_path.parent, profile_path.parent / "records"):
        for suffix in RECORD_SUFFIXES:
            candidate = folder / f"{profile_path.stem}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def load_sources(profile: str | Path, record: str | Path | None = None,
                 allow_missing_record: bool = False) -> Sources:
    """Load a profile, its documentation record and every file the record references."""
    loaded = load_profile(profile)
    record_path = Path(record) if record is not None else find_record(Path(profile))
    if record_path is None:
        if not allow_missing_record:
            raise InputError(str(profile), None, "no documentation record found (looked for "
                             f"{Path(profile).stem}.record.yaml beside it and in records/); "
                             "pass --record FILE (see docs/documents.md)")
        return Sources(loaded, empty_record(), None, None, None, None, None)
    rec = load_record(record_path)
    base = record_path.parent
    refs = rec.references
    return Sources(
        loaded, rec, record_path,
        assessment=_pick_assessment(_reference(record_path, "assessment", base, refs.assessment),
                                    loaded, record_path),
        compute_ledger=_reference(record_path, "compute_ledger", base, refs.compute_ledger),
        data_summary=_checked_summary(
            _reference(record_path, "data_summary", base, refs.data_summary), record_path),
        rights_audit=_reference(record_path, "rights_audit", base, refs.rights_audit),
    )


def load_record(path: str | Path) -> DocumentationRecord:
    path = Path(path)
    data = read_data_file(path, "documentation record")
    return parse_record(data, str(path))


def parse_record(data: Any, name: str) -> DocumentationRecord:
    if not isinstance(data, dict) or RECORD_MARKER not in data:
        raise InputError(name, RECORD_MARKER, "missing: a documentation record starts with "
                         f"'{RECORD_MARKER}: 1'")
    try:
        return DocumentationRecord.model_validate(data)
    except ValidationError as exc:
        raise InputError(name, None, _describe(exc)) from None


def read_data_file(path: Path, what: str, limits: safeio.Limits = safeio.RECORD) -> Any:
    """YAML or JSON from a file, or an InputError saying why not (bounded: gpact.safeio)."""
    if not path.exists():
        raise InputError(str(path), None, f"no such file (expected a {what})")
    return safeio.load(path, limits, yaml12_numbers=False).data


def _describe(exc: ValidationError) -> str:
    """All problems in one line: field path, message, and a 'did you mean' for typos."""
    problems = []
    errors = exc.errors()
    for err in errors[:safeio.MAX_PROBLEMS]:  # suggestions for the shown ones only
        loc = tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            close = safeio.did_you_mean(str(loc[-1]), _fields_at(loc[:-1]))
            problems.append(f"{dotted}: unknown field" + (f"; did you mean '{close}'?"
                                                          if close else ""))
        else:
            got = err.get("input")
            shown = f" (got {safeio.shown(got)})" if not isinstance(got, dict | list) else ""
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{dotted}: {msg}{shown}")
    return "; ".join(safeio.capped(problems, len(errors)))


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    cls: Any = DocumentationRecord
    for part in loc:
        if isinstance(part, int) or not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        fld = cls.model_fields.get(str(part))
        if fld is None:
            return []
        cls = next((a for a in (fld.annotation, *getattr(fld.annotation, "__args__", ()))
                    if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return sorted(cls.model_fields) if isinstance(cls, type) and issubclass(cls, BaseModel) \
        else []


def _reference(record_path: Path, name: str, base: Path, ref: str | None) -> Any:
    if ref is None:
        return None
    target = (base / ref) if not Path(ref).is_absolute() else Path(ref)
    if not target.is_file():
        raise InputError(str(record_path), f"references.{name}", f"no such file: {target}")
    data = read_data_file(target, name.replace("_", " "), safeio.STORED_DOCUMENT)
    if not isinstance(data, dict | list):
        raise InputError(str(target), None, f"expected a JSON object ({name.replace('_', ' ')})")
    return data


def _pick_assessment(data: Any, loaded: LoadedProfile, record_path: Path) -> dict[str, Any] | None:
    if data is None:
        return None
    name = loaded.profile.model.name
    candidates = data if isinstance(data, list) else [data]
    for item in candidates:
        if isinstance(item, dict) and item.get("model") in (name, None):
            if "systemic_risk" not in item:
                raise InputError(str(record_path), "references.assessment",
                                 "not a gpact assessment (no 'systemic_risk' key)")
            return item
    raise InputError(str(record_path), "references.assessment",
                     f"no assessment for model {name!r} in the referenced file")


SUMMARY_KEYS = ("modalities", "top_domains", "domain_count", "collection_period", "languages")


def _checked_summary(data: Any, record_path: Path) -> dict[str, Any] | None:
    """The data engineer's summary JSON (issue 5 contract); type-check the keys we read."""
    if data is None:
        return None
    where = "references.data_summary"
    if not isinstance(data, dict) or not any(k in data for k in SUMMARY_KEYS):
        raise InputError(str(record_path), where,
                         "not a gpact data summary (expected 'modalities', 'top_domains', ...)")
    if not isinstance(data.get("modalities", {}), dict):
        raise InputError(str(record_path), where, "'modalities' must map modality to figures")
    domains = data.get("top_domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, dict) and "domain" in d
                                                 for d in domains):
        raise InputError(str(record_path), where,
                         "'top_domains' must be a list of {domain, bytes} objects")
    return data


