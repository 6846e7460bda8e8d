"""The official SPDX 3.0.1 JSON schema, shipped as package data (see data/SOURCES.md).

Validated with jsonschema-rs: the schema's many ``oneOf``/``unevaluatedProperties`` make the
pure-Python validator take seconds per document; jsonschema-rs takes milliseconds.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SPDX_SCHEMA = "data/spdx-3.0.1.schema.json"


@cache
def _spdx_validator() -> Any:
    import jsonschema_rs

    text = resources.files("gpact.interop").joinpath(SPDX_SCHEMA).read_text("utf-8")
    return jsonschema_rs.Draft202012Validator(json.loads(text))


def spdx_schema_errors(document: dict[str, Any]) -> list[str]:
    """Schema violations, each as 'path: problem' (empty when the document is valid)."""
    found = []
    for err in _spdx_validator().iter_errors(document):
        where = "/".join(str(p) for p in err.instance_path) or "(document)"
        message = str(err.message)
        cut = message.rfind(" is not ")  # messages start with the whole offending value
        found.append(f"{where}: value{message[cut:]}" if cut > 0 else f"{where}: {message}")
    return found
