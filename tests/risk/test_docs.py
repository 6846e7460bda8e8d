"""docs/risk.md documents every schema field and every command (fails when one is added)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pydantic import BaseModel

from gpact.cli.risk import incident_app, risk_app
from gpact.risk import schema

DOC = (Path(__file__).parents[2] / "docs" / "risk.md").read_text(encoding="utf-8")
MODELS = [cls for name, cls in inspect.getmembers(schema, inspect.isclass)
          if issubclass(cls, BaseModel) and cls.__module__ == schema.__name__
          and not name.startswith("_")]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_schema_field_is_documented(model: type[BaseModel]) -> None:
    assert f"`{model.__name__}`" in DOC
    missing = [f for f in model.model_fields if f"`{f}`" not in DOC and f"{f}[]" not in DOC
               and f" {f}," not in DOC]
    assert missing == []


def test_every_command_is_documented() -> None:
    for prefix, app in (("gpact risk", risk_app), ("gpact incident", incident_app)):
        for cmd in app.registered_commands:
            assert f"{prefix} {cmd.name}" in DOC
    assert "gpact calendar" in DOC
