"""Manifest files: expand globs, recognise formats, fingerprint inputs, map column names.

A summary must be traceable to its inputs, so every file is recorded with its size and a hash
of its metadata: for Parquet the SHA-256 of the footer (schema, row groups and their
statistics); for CSV and JSON Lines, which have no footer, the SHA-256 of the file's size
plus its first and last MiB. Neither reads the whole file.
"""

from __future__ import annotations

import glob
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gpact.errors import InputError

Format = Literal["parquet", "csv", "jsonl"]

FIELDS: tuple[str, ...] = ("source_id", "source_kind", "modality", "url", "bytes", "tokens",
                           "seconds", "collected_at", "language")
REQUIRED: tuple[str, ...] = ("source_id", "source_kind", "modality", "bytes")
SOURCE_KINDS: tuple[str, ...] = ("public_dataset", "licensed", "private_other", "crawled",
                                 "user_data", "synthetic", "other")
MODALITIES: tuple[str, ...] = ("text", "image", "audio", "video", "other")
MAPPING_HINT = "map it with --column FIELD=COLUMN, e.g. --column bytes=size_bytes"

_COMPRESSION = (".gz", ".zst", ".zstd")
_FORMATS: dict[str, Format] = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv",
                               ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                               ".json": "jsonl"}
_EDGE = 1 << 20


@dataclass(frozen=True)
class ManifestFile:
    """One input file and what identifies it."""

    path: Path
    format: Format
    size: int
    fingerprint_method: str
    fingerprint: str

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "format": self.format, "bytes": self.size,
                "metadata_sha256": self.fingerprint, "metadata_hash_of": self.fingerprint_method}


def detect_format(path: Path) -> Format:
    name = path.name.lower()
    for ext in _COMPRESSION:
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    fmt = _FORMATS.get(os.path.splitext(name)[1])
    if fmt is None:
        raise InputError(str(path), None, "unknown manifest format; use .parquet, .csv or "
                         ".jsonl (optionally .gz or .zst compressed)")
    return fmt


def _parquet_footer_hash(path: Path, size: int) -> str:
    with path.open("rb") as fh:
        if size < 12:
            raise InputError(str(path), None, "not a Parquet file (too short)")
        fh.seek(size - 8)
        tail = fh.read(8)
        if tail[4:] != b"PAR1":
            raise InputError(str(path), None, "not a Parquet file (no PAR1 footer)")
        footer_len = int.from_bytes(tail[:4], "little")
        if footer_len + 12 > size:
            raise InputError(str(path), None, "corrupt Parquet footer length")
        fh.seek(size - 8 - footer_len)
        return hashlib.sha256(fh.read(footer_len)).hexdigest()


def _edges_hash(path: Path, size: int) -> str:
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as fh:
        digest.update(fh.read(_EDGE))
        if size > _EDGE:
            fh.seek(max(_EDGE, size - _EDGE))
            digest.update(fh.read(_EDGE))
    return digest.hexdigest()


def fingerprint(path: Path) -> ManifestFile:
    fmt = detect_format(path)
    size = path.stat().st_size
    if fmt == "parquet":
        return ManifestFile(path, fmt, size, "parquet footer", _parquet_footer_hash(path, size))
    return ManifestFile(path, fmt, size, "size + first and last MiB", _edges_hash(path, size))


def expand(patterns: list[str]) -> list[ManifestFile]:
    """Files named by ``patterns`` (paths, globs or folders), sorted, each once."""
    seen: dict[Path, None] = {}
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            matches = sorted(str(p) for p in path.rglob("*") if p.is_file() and _known(p))
            if not matches:
                raise InputError(pattern, None, "folder holds no .parquet, .csv or .jsonl files")
        elif glob.has_magic(pattern):
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                raise InputError(pattern, None, "the pattern matches no file")
        elif path.is_file():
            matches = [pattern]
        else:
            raise InputError(pattern, None, "no such file")
        for match in matches:
            seen.setdefault(Path(match).resolve(), None)
    return [fingerprint(p) for p in seen]


def _known(path: Path) -> bool:
    try:
        detect_format(path)
    except InputError:
        return False
    return True


def parse_mapping(options: list[str]) -> dict[str, str]:
    """``["bytes=size_bytes", …]`` -> ``{"bytes": "size_bytes", …}`` (field -> column)."""
    mapping: dict[str, str] = {}
    for option in options:
        field, sep, column = option.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise InputError(None, "--column", f"expected FIELD=COLUMN, got {option!r}")
        if field not in FIELDS:
            raise InputError(None, "--column", f"unknown field {field!r}; fields are "
                             f"{', '.join(FIELDS)}")
        mapping[field] = column
    return mapping
