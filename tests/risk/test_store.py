"""Record files: hand-written YAML loads, problems name file/field/line, writing round-trips."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pydantic import BaseModel

from gpact.errors import InputError
from gpact.risk import schema
from gpact.risk.schema import EvaluationLog, EvaluationRun, RiskRegister
from gpact.risk.store import load_file, load_records, risk_folder, save_file

EXAMPLE = Path(__file__).parents[2] / "examples" / "systemic-risk"
YAML11_BOOLEANS = {"on", "off", "yes", "no", "y", "n", "true", "false"}


def test_example_records_load() -> None:
    records = load_records(risk_folder(EXAMPLE / "frontier.yaml"))
    assert records.present == {"register", "evaluations", "incidents", "requests"}
    assert len(records.register.risks) == 4
    assert records.register.risks[0].estimate is not None
    assert records.incidents.incidents[0].reports[0].kind == "initial"


@pytest.mark.parametrize("model", [cls for name, cls in inspect.getmembers(
    schema, inspect.isclass) if issubclass(cls, BaseModel) and cls.__module__ == schema.__name__
    and not name.startswith("_")], ids=lambda m: m.__name__)
def test_no_field_name_that_yaml_reads_as_a_boolean(model: type[BaseModel]) -> None:
    assert not set(model.model_fields) & YAML11_BOOLEANS


def test_missing_file_is_an_empty_record(tmp_path: Path) -> None:
    assert load_file(tmp_path / "register.yaml", RiskRegister).risks == []


@pytest.mark.parametrize(("text", "expected"), [
    ("risks:\n  - id: a\n    taxonomy: cbrn\n    colour: red\n",
     "register.yaml: risks[0].colour (line 4): unknown field"),
    ("risks: [\n", "invalid YAML"),
    ("- 1\n- 2\n", "expected a mapping at the top level"),
    ("risks:\n  - id: a b\n    taxonomy: cbrn\n", "risks[0].id (line 2)"),
])
def test_problems_name_file_field_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "register.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_file(path, RiskRegister)
    assert expected in err.value.message()


@pytest.mark.parametrize("name", ["evaluations.yaml", "evaluations.json"])
def test_save_round_trips(tmp_path: Path, name: str) -> None:
    log = EvaluationLog(evaluations=[EvaluationRun.model_validate(
        {"id": "e1", "benchmark": "b", "run_on": "2026-01-02", "results": [
            {"name": "acc", "value": 0.5}]})])
    save_file(tmp_path / name, log)
    assert load_file(tmp_path / name, EvaluationLog) == log


def test_per_model_folder_when_present(tmp_path: Path) -> None:
    profile = tmp_path / "a.yaml"
    assert risk_folder(profile) == tmp_path / "risk"
    (tmp_path / "risk" / "a").mkdir(parents=True)
    assert risk_folder(profile) == tmp_path / "risk" / "a"
    assert risk_folder(profile, tmp_path / "x") == tmp_path / "x"
