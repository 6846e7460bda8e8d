"""SPDX 3.0.1 and CycloneDX 1.6 carry the key facts in the standards' own properties and
validate against the official schemas."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from gpact.documents import make_context
from gpact.documents.context import Context
from gpact.documents.sources import load_sources
from gpact.risk.schema import EvaluationRun, Metric

export = pytest.importorskip("gpact.documents.export")
pytest.importorskip("spdx_python_model", reason="optional extra gpact[interop]")
pytest.importorskip("cyclonedx", reason="optional extra gpact[interop]")
from gpact.interop.schemas import spdx_schema_errors  # noqa: E402

DOCS = Path(__file__).parents[1] / "documents" / "data"
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
RUNS = [EvaluationRun(id="mmlu-1", benchmark="MMLU", benchmark_version="1.0",
                      run_on=dt.date(2026, 2, 1),
                      results=[Metric(name="accuracy", value=0.881, stderr=0.003)])]


@pytest.fixture(scope="module")
def frontier() -> Context:
    return make_context(load_sources(DOCS / "frontier.yaml"), dt.date(2026, 11, 22))


@pytest.fixture(scope="module")
def spdx_doc(frontier: Context) -> dict[str, object]:
    return export.export_bom(frontier, "spdx", NOW, runs=RUNS)


def _model(doc: dict[str, object]) -> dict[str, object]:
    graph = doc["@graph"]
    assert isinstance(graph, list)
    found: dict[str, object] = next(o for o in graph if o["type"] == "ai_AIPackage")
    return found


def test_spdx_ai_profile_properties(spdx_doc: dict[str, object]) -> None:
    model = _model(spdx_doc)
    assert model["ai_autonomyType"] == "noAssertion"
    assert model["ai_domain"] == ["Chat assistants", "coding assistants",
                                  "document-processing pipelines", "agents with tool use"]
    assert model["software_downloadLocation"] == "https://api.frontier.example"
    assert model["ai_metric"] == [{"type": "DictionaryEntry", "key": "MMLU 1.0: accuracy",
                                   "value": "0.881"}]
    energy = model["ai_energyConsumption"]
    assert isinstance(energy, dict)
    assert energy["ai_trainingEnergyConsumption"][0]["ai_energyUnit"] == "kilowattHour"


def test_spdx_ids_use_the_providers_namespace(spdx_doc: dict[str, object],
                                              frontier: Context) -> None:
    graph = spdx_doc["@graph"]
    assert isinstance(graph, list)
    ids = [o["spdxId"] for o in graph if "spdxId" in o]
    assert ids and all(i.startswith("https://frontier.example/spdx/Frontier-1/1.0") for i in ids)
    custom = export.export_bom(frontier, "spdx", NOW, namespace="https://ids.example/x/")
    assert all(o["spdxId"].startswith("https://ids.example/x") for o in custom["@graph"]
               if "spdxId" in o)


def test_spdx_without_website_gets_a_stable_urn() -> None:
    ctx = make_context(load_sources(DOCS / "opensmall.yaml"), dt.date(2026, 11, 22))
    a = export.export_bom(ctx, "spdx", NOW)
    b = export.export_bom(ctx, "spdx", NOW)
    ids = sorted(o["spdxId"] for o in a["@graph"] if "spdxId" in o)
    assert ids == sorted(o["spdxId"] for o in b["@graph"] if "spdxId" in o)
    assert all(i.startswith("urn:uuid:") and "spdx.org/spdxdocs" not in i for i in ids)


def test_official_spdx_schema_rejects_what_it_should(spdx_doc: dict[str, object]) -> None:
    assert spdx_schema_errors(spdx_doc) == []
    broken = copy.deepcopy(spdx_doc)
    model = _model(broken)
    model["ai_energyConsumption"]["ai_trainingEnergyConsumption"][0]["ai_energyUnit"] = "MWh"
    assert spdx_schema_errors(broken)
    with pytest.raises(export.ExportInvalid, match="JSON schema"):
        export.validate_spdx(broken)


def test_cyclonedx_model_card(frontier: Context) -> None:
    bom = export.export_bom(frontier, "cyclonedx", NOW, runs=RUNS)
    root = bom["metadata"]["component"]
    assert [c["type"] for c in bom["components"]] == ["data"] * 4  # the model is listed once
    assert bom["dependencies"] == [{"ref": "model", "dependsOn": [
        "dataset-0", "dataset-1", "dataset-2", "dataset-3"]}]
    card = root["modelCard"]
    use = card["considerations"]["environmentalConsiderations"]["energyConsumptions"][0]
    assert use["activity"] == "training"
    assert use["activityEnergyCost"] == {"value": 2.4e7, "unit": "kWh"}
    assert card["quantitativeAnalysis"]["performanceMetrics"] == [
        {"type": "accuracy", "value": "0.881", "slice": "MMLU 1.0",
         "confidenceInterval": {"lowerBound": "0.87512", "upperBound": "0.88688"}}]
    classes = {d["data"][0]["classification"] for d in bom["components"]}
    assert classes == {"text data", "image data"}
    values = [p["value"] for p in root["properties"]]
    assert "true" not in values and "false" not in values


def test_fine_tune_energy_is_fine_tuning(tmp_path: Path) -> None:
    import yaml

    profile = yaml.safe_load((DOCS / "opensmall.yaml").read_text())
    profile["model"]["base_model"] = {"name": "meta-llama/Llama-3.1-8B"}
    (tmp_path / "ft.yaml").write_text(yaml.safe_dump(profile))
    (tmp_path / "ft.record.yaml").write_text(yaml.safe_dump(
        {"gpact_record": 1, "energy": {"training_mwh": "1.5", "emissions_kg_co2eq": "400"}}))
    ctx = make_context(load_sources(tmp_path / "ft.yaml"), dt.date(2026, 11, 22))
    energy = _model(export.export_bom(ctx, "spdx", NOW))["ai_energyConsumption"]
    assert isinstance(energy, dict) and "ai_trainingEnergyConsumption" not in energy
    assert float(energy["ai_finetuningEnergyConsumption"][0]["ai_energyQuantity"]) == 1500.0
    use = export.export_bom(ctx, "cyclonedx", NOW)["metadata"]["component"]["modelCard"][
        "considerations"]["environmentalConsiderations"]["energyConsumptions"][0]
    assert use["activity"] == "fine-tuning" and use["co2CostEquivalent"] == {
        "value": 0.4, "unit": "tCO2eq"}
