"""Reading the small structured files compute takes (ledgers, configs) with one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpact import safeio
from gpact.errors import InputError


def read_mapping(path: Path, limits: safeio.Limits) -> dict[str, Any]:
    """Parse a bounded YAML or JSON file (by suffix) that must hold a mapping."""
    data = safeio.load(path, limits).data
    if not isinstance(data, dict):
        raise InputError(str(path), None, f"expected a {limits.what} (a mapping at the top level)")
    return data
