"""Reading the small structured files compute takes (ledgers, configs) with one-line errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gpact.errors import InputError


def read_mapping(path: Path, what: str, parse: Callable[[str], Any],
                 errors: tuple[type[Exception], ...]) -> dict[str, Any]:
    """Parse a text file that must hold a mapping; ``what`` names it in errors."""
    file = str(path)
    unreadable: tuple[type[Exception], ...] = (UnicodeDecodeError, *errors)
    try:
        data = parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(file, None, "no such file") from None
    except IsADirectoryError:
        raise InputError(file, None, f"is a folder, expected {what}") from None
    except unreadable as exc:
        raise InputError(file, None, f"not {what}: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise InputError(file, None, f"expected {what} (a mapping at the top level)")
    return data
