"""docs/documents.md documents every record field and every document kind."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from gpact.documents import KINDS
from gpact.documents.record import DocumentationRecord

PAGE = (Path(__file__).parents[2] / "docs" / "documents.md").read_text(encoding="utf-8")


def _leaf_names(cls: type[BaseModel]) -> set[str]:
    names = set()
    for name, field in cls.model_fields.items():
        names.add(name)
        for arg in (field.annotation, *typing.get_args(field.annotation)):
            inner = [arg, *typing.get_args(arg)]
            for a in inner:
                if isinstance(a, type) and issubclass(a, BaseModel):
                    names |= _leaf_names(a)
    return names


def test_every_record_field_is_documented() -> None:
    missing = sorted(n for n in _leaf_names(DocumentationRecord) if f"`{n}" not in PAGE
                     and f".{n}" not in PAGE and f"{n}`" not in PAGE)
    assert missing == []


def test_every_kind_is_documented() -> None:
    assert all(f"| `{kind}` |" in PAGE for kind in KINDS)
