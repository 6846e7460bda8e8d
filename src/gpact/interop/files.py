"""Bounded reads of the files other tools write, with one-line errors naming the file.

Parsing goes through :mod:`gpact.safeio` with the ``IMPORTED`` limits; bytes are read here in
chunks, so a 64 MB limit does not cost a 64 MB buffer for every small file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpact import safeio
from gpact.errors import InputError

MAX_FILE_BYTES = 64 * 1024 * 1024  # cards, logs, CSVs and JSON-LD we read whole
CHUNK = 1024 * 1024
# other tools' files: codecarbon JSON and HELM statistics hold long lists
IMPORTED = safeio.Limits("imported file", MAX_FILE_BYTES, max_items=1_000_000,
                         max_nodes=5_000_000)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing anything larger than ``limit``."""
    file = str(path)
    try:
        with path.open("rb") as fh:
            chunks, size = [], 0
            while size <= limit:  # in chunks: read(limit) would allocate the whole limit
                chunk = fh.read(min(CHUNK, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            data = b"".join(chunks)
    except FileNotFoundError:
        raise InputError(file, None, "no such file") from None
    except IsADirectoryError:
        raise InputError(file, None, "is a folder, expected a file") from None
    except OSError as exc:
        raise InputError(file, None, f"cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise InputError(file, None, f"larger than {limit // (1024 * 1024)} MB: refusing to "
                         "read it whole")
    return data


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    try:
        return read_bytes(path, limit).decode("utf-8-sig")
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
