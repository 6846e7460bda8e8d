"""``gpact docs import``: facts from other tools' files merged into one documentation record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gpact.documents.record import DocumentationRecord
from gpact.errors import InputError
from gpact.interop.files import parse_json, read_bytes
from gpact.interop.merge import Imported, merge

FORMATS = ("auto", "hf", "codecarbon", "croissant")


@dataclass
class Result:
    record: DocumentationRecord
    sources: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def detect(path: Path) -> str:
    """Which reader a file or folder needs."""
    if path.is_dir():
        return "hf"
    if not path.exists():
        raise InputError(str(path), None, "no such file or folder")
    if path.suffix.lower() == ".csv":
        return "codecarbon"
    if path.suffix.lower() in (".json", ".jsonld"):
        data = parse_json(read_bytes(path), str(path))
        nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
        if isinstance(data, dict) and ("@context" in data or "conformsTo" in data):
            return "croissant"
        if isinstance(nodes, list) and nodes and isinstance(nodes[0], dict) and \
                "energy_consumed" in nodes[0]:
            return "codecarbon"
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            return "codecarbon"
    raise InputError(str(path), None, "unknown format: expected a Hugging Face model folder, "
                     "a codecarbon emissions.csv or JSON, or a Croissant JSON-LD file "
                     "(or give --format)")


def read_one(path: Path, fmt: str = "auto") -> Imported:
    kind = detect(path) if fmt == "auto" else fmt
    if kind == "hf":
        from gpact.documents.hf_import import read_model_card

        return read_model_card(path)
    if kind == "codecarbon":
        from gpact.interop.codecarbon import read_codecarbon

        return read_codecarbon(path)
    if kind == "croissant":
        from gpact.interop.croissant import read_croissant

        return read_croissant(path)
    raise InputError(None, "--format", f"unknown import format {fmt!r}; use "
                     f"{', '.join(FORMATS)}")


def import_into(paths: list[Path], fmt: str = "auto", into: Path | None = None) -> Result:
    """Read every source and merge it into ``into`` (or an empty record); validate the result."""
    from gpact.documents.sources import parse_record, read_data_file

    base: dict[str, Any] = {"gpact_record": 1}
    if into is not None:
        loaded = read_data_file(into, "documentation record")  # as gpact docs reads it
        if not isinstance(loaded, dict):
            raise InputError(str(into), None, "expected a documentation record (a mapping)")
        parse_record(loaded, str(into))  # the record itself must be valid before we add to it
        base = loaded
    result_sources: list[str] = []
    skipped: list[str] = []
    conflicts: list[str] = []
    for path in paths:
        found = read_one(path, fmt)
        conflicts += [f"{path.name}: {c}" for c in merge(base, found.data)]
        result_sources += found.sources
        skipped += [f"{path.name}: {s}" for s in found.skipped]
    record = parse_record(base, str(into or paths[0]))
    return Result(record, result_sources, skipped, conflicts)


def record_yaml(record: DocumentationRecord, origin: str) -> str:
    data = record.model_dump(mode="json", exclude_defaults=True)
    header = (f"# Documentation record drafted by gpact from {origin} on "
              f"{dt.date.today().isoformat()}.\n# Review every field; then run "
              "'gpact docs check PROFILE --record THIS_FILE'.\n")
    body = yaml.safe_dump({"gpact_record": 1, **data}, sort_keys=False, allow_unicode=True,
                          width=100)
    return header + body
