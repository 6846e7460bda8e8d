"""Hugging Face model cards: export with huggingface_hub's ModelCardData, import back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gpact.cli.main import main
from gpact.documents.hf_import import import_model_card, read_model_card
from gpact.interop.licences import hub_from_spdx, spdx_from_hub

hub = pytest.importorskip("huggingface_hub", reason="optional extra gpact[interop]")
DATA = Path(__file__).parent / "data"
DOCS = Path(__file__).parents[1] / "documents" / "data"
EVALS = {"gpact_risk": 1, "evaluations": [
    {"id": "mmlu-1", "benchmark": "MMLU", "benchmark_version": "1.0", "run_on": "2026-02-01",
     "results": [{"name": "accuracy", "value": 0.881}, {"name": "accuracy_stderr",
                                                       "value": 0.003}]},
    {"id": "gpqa-1", "benchmark": "GPQA", "run_on": "2026-02-02",
     "source": "inspect 0.3.75: gpqa.eval",
     "results": [{"name": "accuracy", "value": 0.61}]}]}


@pytest.fixture
def frontier(data_dir: Path) -> Path:
    record = data_dir / "frontier.record.yaml"
    data = yaml.safe_load(record.read_text())
    data["energy"].update(emissions_kg_co2eq="8.6e6", emissions_location="US-West")
    record.write_text(yaml.safe_dump(data, sort_keys=False))
    (data_dir / "risk").mkdir()
    (data_dir / "risk" / "evaluations.yaml").write_text(yaml.safe_dump(EVALS))
    return data_dir / "frontier.yaml"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "data"
    shutil.copytree(DOCS, target)
    return target


def test_card_loads_with_huggingface_hub(frontier: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "card" / "README.md"
    assert main(["docs", "export", str(frontier), "-f", "hf", "-o", str(out)]) == 0
    assert "not a hub dataset" in capsys.readouterr().err  # partial: says what it left out
    card = hub.ModelCard.load(out)
    data = card.data
    assert data.model_name == "Frontier-1"
    assert data.license == "other" and data.license_name == "frontier-commercial"
    assert data.license_link == "https://frontier.example/terms"
    record = yaml.safe_load((frontier.parent / "frontier.record.yaml").read_text())
    hub_ids = [d["url"].removeprefix("https://huggingface.co/datasets/")
               for d in record["data"]["public_datasets"]["datasets"]
               if d.get("url", "").startswith("https://huggingface.co/datasets/")]
    assert "bigcode/the-stack-v2" in hub_ids and data.datasets == hub_ids
    assert data.pipeline_tag == "image-text-to-text"
    assert data.co2_eq_emissions == {"emissions": 8.6e9, "source": pytest.approx(
        "Metered facility energy for the training cluster, including cooling (PUE 1.2)."),
        "training_type": "pre-training", "geographical_location": "US-West",
        "hardware_used": "H100 SXM"}
    metrics = {(r.dataset_name, r.metric_type): r.metric_value for r in data.eval_results}
    assert metrics == {("MMLU", "accuracy"): 0.881, ("MMLU", "accuracy_stderr"): 0.003,
                       ("GPQA", "accuracy"): 0.61}
    assert "https://frontier.example/frontier-1/training-summary" in card.text
    assert "## Model Documentation Form (for downstream providers)" in card.text
    assert "not legal advice" in card.text


def test_card_round_trips_through_import(frontier: Path, tmp_path: Path) -> None:
    original = yaml.safe_load((frontier.parent / "frontier.record.yaml").read_text())
    folder = tmp_path / "card"
    assert main(["docs", "export", str(frontier), "-f", "hf", "-o", str(folder / "README.md")]) == 0
    back, sources = import_model_card(folder)
    assert sources == ["README.md"]
    assert back.distribution.licence == "LicenseRef-frontier-commercial"
    assert back.provider.legal_name == original["provider"]["legal_name"]
    assert back.model.summary_url == original["model"]["summary_url"]
    for section, name in [("architecture", "description"), ("use", "intended_uses"),
                          ("use", "prohibited_uses"), ("training", "process"),
                          ("training", "hardware"), ("data", "scope"), ("data", "curation"),
                          ("evaluation", "results"), ("use", "required_software")]:
        assert getattr(getattr(back, section), name) == original[section][name].strip(), name
    assert back.energy.training_mwh == "2.4e4"
    assert float(back.energy.emissions_kg_co2eq or 0) == 8.6e6
    assert back.energy.emissions_location == "US-West"
    assert back.training.wall_clock_days == "95"
    sent = {(d["name"], str(d.get("version")), d.get("url"))
            for d in original["data"]["public_datasets"]["datasets"]}
    back_sets = {(d.name, str(d.version), d.url) for d in back.data.public_datasets.datasets}
    assert back_sets == sent
    assert back.architecture.input_modalities == ["text", "image"]


def test_open_licence_maps_both_ways(tmp_path: Path) -> None:
    folder = tmp_path / "card"
    assert main(["docs", "export", str(DOCS / "opensmall.yaml"), "-f", "hf", "-o",
                 str(folder / "README.md")]) == 0
    assert hub.ModelCard.load(folder / "README.md").data.license == "apache-2.0"
    assert import_model_card(folder)[0].distribution.licence == "Apache-2.0"


@pytest.mark.parametrize(("hub_id", "spdx", "noted"), [
    ("apache-2.0", "Apache-2.0", False), ("mit", "MIT", False),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0", False), ("gpl-3.0", "GPL-3.0-only", True),
    ("llama3.1", "LicenseRef-hf-llama3.1", False), ("odbl", "ODbL-1.0", False),
])
def test_licence_table(hub_id: str, spdx: str, noted: bool) -> None:
    found, note = spdx_from_hub(hub_id)
    assert found == spdx and (note is not None) == noted
    assert hub_from_spdx(spdx) == hub_id


def test_import_reads_a_card_written_by_huggingface_hub(tmp_path: Path) -> None:
    data = hub.ModelCardData(
        license="gpl-3.0", base_model="Qwen/Qwen2.5-0.5B", language=["de", "fr"],
        co2_eq_emissions={"emissions": 1500, "source": "codecarbon", "training_type":
                          "fine-tuning", "geographical_location": "Paris, France",
                          "hardware_used": "8 x A100 80GB"})
    card = hub.ModelCard.from_template(data, model_id="tiny", developers="Petit Modèle SAS",
                                       hardware_type="A100", hours_used="12")
    card.save(tmp_path / "README.md")
    found = read_model_card(tmp_path)
    rec = found.data
    assert rec["distribution"]["licence"] == "GPL-3.0-only"
    assert any("later versions" in s for s in found.skipped)
    assert rec["energy"]["emissions_kg_co2eq"] == "1.5"
    assert rec["energy"]["emissions_location"] == "Paris, France"
    assert rec["energy"]["methodology"] == "codecarbon (fine-tuning)"
    assert rec["training"]["hardware"] == "8 x A100 80GB"  # the metadata wins over the body
    assert rec["training"]["wall_clock_days"] == "0.5"
    assert rec["provider"]["legal_name"] == "Petit Modèle SAS"
    assert rec["model"]["dependencies"] == "Modification or fine-tune of Qwen/Qwen2.5-0.5B."


def test_parameters_counted_from_safetensors_headers() -> None:
    """The fixture was written with the safetensors library (see data/README.md)."""
    record, sources = import_model_card(DATA / "tiny-model")
    assert record.architecture.parameters == 32 * 8 * 2 + 8
    assert "parameters (exact, from .safetensors headers)" in sources


def test_parameters_by_formula_without_weights(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text((DATA / "tiny-model" / "config.json").read_text())
    record, sources = import_model_card(tmp_path)
    assert record.architecture.parameters == 32 * 8 * 2 + 8
    assert any("formula for llama" in s for s in sources)


@pytest.mark.parametrize(("front", "expected"), [
    ("co2_eq_emissions: lots\n", "co2_eq_emissions: expected a number of grams"),
    ("co2_eq_emissions: {emissions: -3}\n", "co2_eq_emissions.emissions: expected grams"),
])
def test_bad_card_metadata_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       front: str, expected: str) -> None:
    (tmp_path / "README.md").write_text(f"---\n{front}---\n# x\n")
    assert main(["docs", "import", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err and str(tmp_path / "README.md") in err and "\n" not in err
