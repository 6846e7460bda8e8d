"""Hugging Face model-card import; SPDX 3.0.1 and CycloneDX 1.6 export, validated."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from gpact.cli.main import main
from gpact.documents.context import Context
from gpact.documents.hf_import import card_sections, import_model_card

from .conftest import DATA

export = pytest.importorskip("gpact.documents.export")
pytest.importorskip("spdx_python_model", reason="optional extra gpact[interop] not installed")
pytest.importorskip("cyclonedx", reason="optional extra gpact[interop] not installed")
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def test_import_model_card() -> None:
    record, found = import_model_card(DATA / "hf-model")
    assert found == ["README.md", "config.json"]
    assert record.distribution.licence == "Apache-2.0"  # hub id → SPDX id
    assert record.model.dependencies == "Fine-tune of meta-llama/Llama-3.1-8B."
    assert record.use.intended_uses == "Chat assistant for French and English customer support."
    assert record.data.scope is None  # "[More Information Needed]" is not imported
    assert record.training.process and "3 epochs" in record.training.process
    assert record.architecture.max_input_size is not None
    assert record.architecture.max_input_size.value == 131072
    assert "LlamaForCausalLM" in (record.architecture.description or "")
    assert record.data.public_datasets.datasets[0].name == "HuggingFaceFW/fineweb-edu"
    assert record.evaluation.results == "MMLU: accuracy 68.2"


def test_import_cli_writes_a_loadable_record(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    out = tmp_path / "petit.record.yaml"
    assert main(["docs", "import", str(DATA / "hf-model"), "-o", str(out)]) == 0
    assert "README.md, config.json" in capsys.readouterr().err
    assert yaml.safe_load(out.read_text())["gpact_record"] == 1
    code = main(["docs", "build", str(DATA / "opensmall.yaml"), "--record", str(out),
                 "--kind", "annex-xii", "--no-store"])
    assert code == 0 and "LlamaForCausalLM" in capsys.readouterr().out


@pytest.mark.parametrize(("files", "expected"), [
    ({}, "no README.md or config.json"),
    ({"README.md": "---\nlicense: [unclosed\n---\n"}, "(front matter): line 2: invalid YAML"),
    ({"config.json": "{nope"}, "config.json: line 1: invalid JSON"),
])
def test_import_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                          files: dict[str, str], expected: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert main(["docs", "import", str(tmp_path)]) == 2
    assert expected in capsys.readouterr().err


def test_card_sections_skip_comments_and_placeholders() -> None:
    body = "## Uses\n<!-- help -->\nReal text.\n## Results\n[More Information Needed]\n"
    assert card_sections(body) == {"uses": "Real text."}


def test_cyclonedx_export_validates(frontier: Context) -> None:
    bom = export.export_bom(frontier, "cyclonedx", NOW)
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    assert {"ref": "dataset-0"} in model["modelCard"]["modelParameters"]["datasets"]
    props = {p["name"]: p["value"] for p in model["properties"]}
    assert props["gpact:training_compute_flop"] == "3.2e+25"
    assert props["gpact:eu-ai-act:systemic-risk"].startswith("general-purpose AI model with")
    assert "not legal advice" in bom["metadata"]["properties"][0]["value"]
    export.validate_cyclonedx(bom)  # idempotent


def test_cyclonedx_validator_rejects_a_broken_bom(frontier: Context) -> None:
    bom = copy.deepcopy(export.export_bom(frontier, "cyclonedx", NOW))
    bom["metadata"]["component"]["type"] = "large-language-thing"
    with pytest.raises(export.ExportInvalid, match=r"CycloneDX 1\.6 schema"):
        export.validate_cyclonedx(bom)


def test_spdx_export_validates(frontier: Context) -> None:
    doc = export.export_bom(frontier, "spdx", NOW)
    assert doc["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    types = [o["type"] for o in doc["@graph"]]
    assert "ai_AIPackage" in types and types.count("dataset_DatasetPackage") == 4
    model = next(o for o in doc["@graph"] if o["type"] == "ai_AIPackage")
    assert model["ai_safetyRiskAssessment"] == "serious"
    document = next(o for o in doc["@graph"] if o["type"] == "SpdxDocument")
    assert "not legal advice" in document["comment"] and "rulebook 2026" in document["comment"]
    energy = model["ai_energyConsumption"]["ai_trainingEnergyConsumption"][0]
    assert float(energy["ai_energyQuantity"]) == 2.4e7 and energy["ai_energyUnit"] == "kilowattHour"
    trained = next(o for o in doc["@graph"] if o.get("relationshipType") == "trainedOn")
    assert len(trained["to"]) == 4


def test_spdx_validator_rejects_a_broken_document(frontier: Context) -> None:
    doc = copy.deepcopy(export.export_bom(frontier, "spdx", NOW))
    model = next(o for o in doc["@graph"] if o["type"] == "ai_AIPackage")
    model["ai_safetyRiskAssessment"] = "catastrophic"
    with pytest.raises(export.ExportInvalid):
        export.validate_spdx(doc)


@pytest.mark.parametrize("fmt", ["spdx", "cyclonedx"])
def test_export_cli(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    assert main(["docs", "export", str(DATA / "opensmall.yaml"), "-f", fmt]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data.get("bomFormat") == "CycloneDX" or "@graph" in data
