"""Bounded reads of the files other tools write, with one-line errors naming the file.

Reading and parsing go through :mod:`gpact.safeio` with the ``IMPORTED`` limits, which are
larger than for gpact's own files: other tools' logs and statistics hold long lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpact import safeio
from gpact.errors import InputError

MAX_FILE_BYTES = 64 * 1024 * 1024  # cards, logs, CSVs and JSON-LD we read whole
# other tools' files: codecarbon JSON and HELM statistics hold long lists
IMPORTED = safeio.Limits("imported file", MAX_FILE_BYTES, max_items=1_000_000,
                         max_nodes=5_000_000)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing anything larger than ``limit`` while reading."""
    return safeio.read_bytes(path, limit, IMPORTED.what)


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """A bounded UTF-8 text file (a leading byte-order mark is allowed)."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(str(path), None, "not UTF-8 text") from None


def parse_json(text: str | bytes, file: str) -> Any:
    """JSON through gpact.safeio (duplicate keys, NaN, depth and breadth are refused)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(file, None, "not UTF-8 JSON text") from None
    return safeio.parse_json(text, file, IMPORTED)


def read_json(path: Path, limit: int = MAX_FILE_BYTES) -> Any:
    return parse_json(read_bytes(path, limit), str(path))


def parse_yaml(text: str, file: str) -> Any:
    """YAML through gpact.safeio (bounded composition, no duplicate keys)."""
    return safeio.parse_yaml(text, file, IMPORTED).data
