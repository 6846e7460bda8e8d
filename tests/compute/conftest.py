"""Fixtures for the compute tests: rules in force and small files the tests create."""

from __future__ import annotations

import datetime as dt
import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gpact.rulebook import RulesInForce, default_rulebook

AS_OF = dt.date(2026, 11, 22)


@pytest.fixture
def rules() -> RulesInForce:
    return default_rulebook().at(AS_OF)


def write_safetensors(path: Path, tensors: dict[str, tuple[str, list[int]]],
                      truncate: int = 0) -> Path:
    """A valid safetensors file with zero-filled tensors (dtype, shape) — no torch needed."""
    widths = {"F32": 4, "BF16": 2, "F16": 2, "I64": 8, "U8": 1}
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, (dtype, shape) in tensors.items():
        n = 1
        for d in shape:
            n *= d
        size = n * widths[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + b"\0" * (offset - truncate))
    return path


@pytest.fixture
def safetensors() -> Callable[..., Path]:
    return write_safetensors
