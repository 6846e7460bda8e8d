"""Hugging Face Hub licence ids ↔ SPDX licence ids (naming table in ``data/hf_licences.yaml``).

Hub ids without an SPDX counterpart (``llama3.1``, ``gemma``, ``openrail`` …) map to
``LicenseRef-hf-<id>``: a valid SPDX expression that maps back to the hub id unchanged.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

REF_PREFIX = "LicenseRef-hf-"


@cache
def _table() -> dict[str, dict[str, Any]]:
    text = resources.files("gpact.interop").joinpath("data/hf_licences.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return {str(k): dict(v) for k, v in data["licences"].items()}


@cache
def _reverse() -> dict[str, str]:
    return {str(v["spdx"]).lower(): hub for hub, v in _table().items()}


def spdx_from_hub(hub_id: str) -> tuple[str, str | None]:
    """SPDX id for a hub licence id, and a note when the mapping is ambiguous."""
    entry = _table().get(hub_id.strip().lower())
    if entry is None:
        return REF_PREFIX + hub_id.strip(), None
    note = entry.get("note")
    return str(entry["spdx"]), str(note) if note else None


def hub_from_spdx(spdx_id: str) -> str | None:
    """Hub licence id for an SPDX id; None when the hub has none (write ``license: other``)."""
    text = spdx_id.strip()
    if text.startswith(REF_PREFIX):
        return text.removeprefix(REF_PREFIX)
    found = _reverse().get(text.lower())
    if found is None and text.lower().endswith("-or-later"):
        found = _reverse().get(text.lower().replace("-or-later", "-only"))
    return found
