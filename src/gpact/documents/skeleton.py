"""An empty documentation record with every field, for a provider to fill in."""

from __future__ import annotations

import typing
from typing import Any

import yaml
from pydantic import BaseModel

from gpact.documents.record import RECORD_MARKER, DocumentationRecord


def _blank(cls: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if name == RECORD_MARKER:
            continue
        annotation = field.annotation
        origin = typing.get_origin(annotation)
        nested = next((a for a in (annotation, *typing.get_args(annotation))
                       if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if origin is list or any(typing.get_origin(a) is list
                                 for a in typing.get_args(annotation)):
            out[name] = []
        elif origin is dict:
            out[name] = {}
        elif nested is not None and field.default is not None:
            out[name] = _blank(nested)
        elif isinstance(field.default, str):  # a choice with a default, e.g. status: current
            out[name] = field.default
        else:
            out[name] = None
    return out


def skeleton_yaml(profile_name: str) -> str:
    """Every record field, empty; ``gpact docs check`` then lists what each document needs."""
    header = (f"# Documentation record for {profile_name}: fill in what you know and delete the "
              "rest.\n# Field reference: docs/documents.md. Check with: gpact docs check "
              f"{profile_name}\n")
    body = yaml.safe_dump({RECORD_MARKER: 1, **_blank(DocumentationRecord)}, sort_keys=False,
                          allow_unicode=True, width=100)
    return header + body
