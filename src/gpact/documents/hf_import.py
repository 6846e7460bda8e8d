"""Start a documentation record from a local Hugging Face model folder.

Reads the model card's YAML front matter (licence → SPDX id, base model, datasets, languages,
pipeline tag, model-index results, co2_eq_emissions), the standard model-card sections (uses,
out-of-scope use, training data and procedure, evaluation, environmental impact, developers),
``config.json`` (architecture) and the parameter count (exact from ``.safetensors`` headers,
else by formula from ``config.json``, with gpact.compute). Everything imported is a draft: the
record says where it came from, and ``gpact docs check`` still judges it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gpact import safeio
from gpact.documents.record import DocumentationRecord
from gpact.documents.sources import parse_record
from gpact.errors import InputError
from gpact.interop.merge import Imported

HF_PLACEHOLDER = "[More Information Needed]"
MAX_CARD_BYTES = 8 * 1024 * 1024
MAX_FRONT_MATTER = 512 * 1024
# Phrases gpact writes into cards (interop.hf_card) and reads back here, as the hub template does.
LANGUAGES_PHRASE = "Languages declared in the model card: "
DEVELOPED_BY = "**Developed by:**"
HARDWARE_LINE = "**Hardware Type:**"
HOURS_LINE = "**Hours used:**"
ENERGY_LINE = "**Energy consumed:**"
EMISSIONS_LINE = "**Carbon Emitted:**"
SUMMARY_HEADING = "Public summary of training content"
MDF_HEADING = "Model Documentation Form (for downstream providers)"
# Hugging Face pipeline tags -> (input modalities, output modalities) in the template's terms
PIPELINE_MODALITIES: dict[str, tuple[list[str], list[str]]] = {
    "text-generation": (["text"], ["text"]),
    "text2text-generation": (["text"], ["text"]),
    "image-text-to-text": (["text", "image"], ["text"]),
    "visual-question-answering": (["text", "image"], ["text"]),
    "text-to-image": (["text"], ["image"]),
    "text-to-video": (["text"], ["video"]),
    "text-to-speech": (["text"], ["audio"]),
    "automatic-speech-recognition": (["audio"], ["text"]),
    "any-to-any": (["text", "image", "audio", "video"], ["text", "image", "audio"]),
}
RELATIONS = {"finetune": "Fine-tune", "adapter": "Adapter", "merge": "Merge",
             "quantized": "Quantised version"}
# model-card headings (lower case) -> record field (section.field)
CARD_SECTIONS = {
    "model description": "architecture.description",
    "direct use": "use.intended_uses",
    "uses": "use.intended_uses",
    "intended uses": "use.intended_uses",
    "intended uses & limitations": "use.intended_uses",
    "out-of-scope use": "use.prohibited_uses",
    "downstream use": "use.integration_system_types",
    "training data": "data.scope",
    "preprocessing": "data.curation",
    "training procedure": "training.process",
    "model architecture and objective": "architecture.design_specifications",
    "testing data, factors & metrics": "evaluation.strategies",
    "results": "evaluation.results",
    "hardware": "use.required_hardware",
    "software": "use.required_software",
}


def _front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    match = re.match(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", text, re.DOTALL)
    if not match:
        return {}, text
    if len(match.group(1)) > MAX_FRONT_MATTER:
        raise InputError(str(path), "front matter", f"larger than {MAX_FRONT_MATTER // 1024} KB: "
                         "not a model card's metadata")
    from gpact.interop.files import IMPORTED

    # through gpact.safeio: bounded, duplicate keys refused; lines count from the front matter
    meta = safeio.parse_yaml(match.group(1), f"{path} (front matter)", IMPORTED).data or {}
    if not isinstance(meta, dict):
        raise InputError(str(path), "front matter", "expected a YAML mapping")
    return meta, text[match.end():]


def card_sections(body: str) -> dict[str, str]:
    """Markdown sections by heading (lower case), skipping HF template placeholders."""
    found: dict[str, str] = {}
    heading: str | None = None
    lines: list[str] = []
    for line in [*body.splitlines(), "# end"]:
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            text = "\n".join(lines).strip()
            text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL).strip()
            if heading and text and HF_PLACEHOLDER not in text:
                found.setdefault(heading.lower(), text)
            heading, lines = m.group(1), []
        else:
            lines.append(line)
    return found


def _listify(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _architecture(config: dict[str, Any]) -> str | None:
    arch = _listify(config.get("architectures"))
    parts = []
    if arch or config.get("model_type"):
        parts.append(f"{', '.join(arch) or 'model'} ({config.get('model_type', 'unknown type')})")
    details = [(config.get(k), label) for k, label in (
        ("num_hidden_layers", "layers"), ("hidden_size", "hidden size"),
        ("num_attention_heads", "attention heads"), ("num_key_value_heads", "key-value heads"),
        ("num_local_experts", "experts"), ("num_experts_per_tok", "experts per token"),
        ("vocab_size", "vocabulary"))]
    shown = [f"{label} {value}" for value, label in details if isinstance(value, int)]
    if shown:
        parts.append(", ".join(shown))
    if config.get("torch_dtype"):
        parts.append(f"weights in {config['torch_dtype']}")
    return "; ".join(parts) + "." if parts else None


def _results(meta: dict[str, Any]) -> str | None:
    lines = []
    for model in meta.get("model-index") or []:
        for result in (model or {}).get("results") or []:
            dataset = (result.get("dataset") or {}).get("name", "unnamed dataset")
            metrics = ", ".join(f"{m.get('name') or m.get('type')} {m.get('value')}"
                                for m in result.get("metrics") or [])
            lines.append(f"{dataset}: {metrics}")
    return "; ".join(lines) or None


def _set(record: dict[str, Any], dotted: str, value: Any) -> None:
    section, name = dotted.split(".")
    record.setdefault(section, {}).setdefault(name, value)


def _card_lines(body: str, record: dict[str, Any]) -> None:
    """The hub template's bold list items: developers, hardware, hours, energy, emissions."""
    def item(label: str) -> str | None:
        m = re.search(r"^\s*[-*]\s*" + re.escape(label) + r"\s*(.+?)\s*$", body, re.MULTILINE)
        text = m.group(1).strip() if m else None
        return text if text and HF_PLACEHOLDER not in text else None

    if (dev := item(DEVELOPED_BY)) is not None:
        _set(record, "provider.legal_name", dev)
    if (hw := item(HARDWARE_LINE)) is not None:
        _set(record, "training.hardware", hw)
    hours = _number(item(HOURS_LINE))
    if hours is not None:
        _set(record, "training.wall_clock_days", f"{hours / 24:.3g}")
    mwh = _number_text(item(ENERGY_LINE), r"MWh")
    if mwh is not None:
        _set(record, "energy.training_mwh", mwh)
    kg = _number_text(item(EMISSIONS_LINE), r"kg")
    if kg is not None:
        _set(record, "energy.emissions_kg_co2eq", kg)


def _number_text(text: str | None, unit: str | None = None) -> str | None:
    """A leading number as written (``1,234.5``, ``2.4e4``), the unit required when given."""
    if not text:
        return None
    m = re.match(r"([0-9][0-9,]*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*(\S*)", text)
    if not m or (unit and not re.match(unit, m.group(2), re.IGNORECASE)):
        return None
    return m.group(1).replace(",", "")


def _number(text: str | None) -> float | None:
    found = _number_text(text)
    return float(found) if found is not None else None


def _body_lists(sections: dict[str, str], record: dict[str, Any]) -> None:
    """The summary link and the dataset list gpact writes under their own headings."""
    link = re.search(r"<(https?://[^>]+)>", sections.get(SUMMARY_HEADING.lower(), ""))
    if link:
        _set(record, "model.summary_url", link.group(1))
    datasets = []
    for line in sections.get("public datasets", "").splitlines():
        m = re.match(r"^[-*]\s+(.+?)(?: \(version (.+?)\))?(?:: <(\S+)>)?\s*$", line)
        if m:
            datasets.append({k: v for k, v in (("name", m.group(1)), ("version", m.group(2)),
                                               ("url", m.group(3))) if v})
    if datasets:
        public = record.setdefault("data", {}).setdefault("public_datasets", {"used": True})
        have = public.setdefault("datasets", [])
        by_url = {d.get("url"): d for d in have if d.get("url")}
        names = {d["name"] for d in have}
        for d in datasets:
            same = by_url.get(d.get("url"))
            if same is not None:  # the hub id from the metadata: keep the body's fuller entry
                same.update(d)
            elif d["name"] not in names:
                have.append(d)


def import_model_card(folder: Path) -> tuple[DocumentationRecord, list[str]]:
    """A draft record and the list of sources it was filled from."""
    found = read_model_card(folder)
    return parse_record(found.data, str(folder)), found.sources


def read_model_card(folder: Path) -> Imported:
    """The record fragment a model folder yields, what it was read from and what was skipped."""
    from gpact.interop.files import parse_json, read_text

    if not folder.is_dir():
        raise InputError(str(folder), None, "not a folder (expected a local Hugging Face model "
                         "folder with README.md and/or config.json)")
    out = Imported({"gpact_record": 1})
    record = out.data
    readme, config_path = folder / "README.md", folder / "config.json"
    if readme.is_file():
        meta, body = _front_matter(read_text(readme, MAX_CARD_BYTES), readme)
        body = body.split(f"## {MDF_HEADING}", 1)[0]  # gpact's own MDF copy is not card prose
        sections = card_sections(body)
        for heading, text in sections.items():
            if heading in CARD_SECTIONS:
                if heading == "model description":  # the template's bullets are read below
                    text = re.sub(r"^\s*[-*]\s*\*\*[^*]+:\*\*.*$\n?", "", text,
                                  flags=re.MULTILINE).strip()
                if text:
                    _set(record, CARD_SECTIONS[heading], text)
        # after the prose sections (a written Results section beats the model-index list),
        # before the template's bullets (co2_eq_emissions.hardware_used beats Hardware Type)
        _from_front_matter(record, meta, readme, out.skipped)
        _card_lines(body, record)
        _body_lists(sections, record)
        out.sources.append("README.md")
    if config_path.is_file():
        config = parse_json(read_text(config_path, MAX_CARD_BYTES), str(config_path))
        if not isinstance(config, dict):
            raise InputError(str(config_path), None, "expected a JSON object")
        _from_config(record, config)
        out.sources.append("config.json")
    counted = _parameters(folder, config_path, out.skipped)
    if counted is not None:
        _set(record, "architecture.parameters", counted[0])
        out.sources.append(f"parameters ({counted[1]})")
    if not out.sources:
        raise InputError(str(folder), None, "no README.md or config.json in this folder")
    return out


def _parameters(folder: Path, config_path: Path, skipped: list[str]) -> tuple[int, str] | None:
    """Exact count from the safetensors headers, else the config formula, else None."""
    from gpact.compute.params import count_from_config, count_from_safetensors

    try:
        if any(folder.glob("*.safetensors")):
            counted = count_from_safetensors([folder])
        elif config_path.is_file():
            counted = count_from_config(config_path)
        else:
            return None
    except InputError as exc:  # unsupported architecture, quantised weights: no count
        skipped.append(f"parameter count: {exc.message()}")
        return None
    return counted.total, counted.method


def _from_front_matter(record: dict[str, Any], meta: dict[str, Any], path: Path,
                       skipped: list[str]) -> None:
    from gpact.interop.licences import spdx_from_hub

    licence = meta.get("license")
    if isinstance(licence, list):  # the hub expects one id; keep the first, report the rest
        if len(licence) > 1:
            skipped.append(f"license: only the first of {licence} kept")
        licence = licence[0] if licence else None
    if licence and licence != "other":
        spdx, note = spdx_from_hub(str(licence))
        _set(record, "distribution.licence", spdx)
        if note:
            skipped.append(f"license {licence} → {spdx}: {note}; check the licence text")
    elif meta.get("license_name"):  # a custom licence: an SPDX reference to its name
        name = re.sub(r"[^A-Za-z0-9.-]+", "-", str(meta["license_name"])).strip("-")
        _set(record, "distribution.licence", f"LicenseRef-{name}")
    if meta.get("license_link"):
        _set(record, "distribution.licence_url", str(meta["license_link"]))
    bases = _listify(meta.get("base_model"))
    if bases:
        relation = RELATIONS.get(str(meta.get("base_model_relation")), "Modification or fine-tune")
        _set(record, "model.dependencies", f"{relation} of {', '.join(bases)}.")
    datasets = _listify(meta.get("datasets"))
    if datasets:
        record.setdefault("data", {})["public_datasets"] = {"used": True, "datasets": [
            {"name": d, "url": f"https://huggingface.co/datasets/{d}"} for d in datasets]}
    languages = _listify(meta.get("language"))
    if languages:
        _set(record, "data.linguistic", LANGUAGES_PHRASE + ", ".join(languages) + ".")
    _co2(record, meta.get("co2_eq_emissions"), path)
    pipeline = meta.get("pipeline_tag")
    if pipeline in PIPELINE_MODALITIES:
        inputs, outputs = PIPELINE_MODALITIES[pipeline]
        _set(record, "architecture.input_modalities", inputs)
        _set(record, "architecture.output_modalities", outputs)
    results = _results(meta)
    if results:
        _set(record, "evaluation.results", results)
    if meta.get("model_name"):
        _set(record, "model.identifier", str(meta["model_name"]))


def _co2(record: dict[str, Any], co2: Any, path: Path) -> None:
    """``co2_eq_emissions``: a number of grams, or the hub's mapping with its details."""
    if co2 is None:
        return
    if isinstance(co2, int | float) and not isinstance(co2, bool):
        co2 = {"emissions": co2}
    if not isinstance(co2, dict):
        raise InputError(str(path), "co2_eq_emissions", "expected a number of grams or a "
                         "mapping with 'emissions'")
    grams = co2.get("emissions")
    if grams is not None:
        if isinstance(grams, bool) or not isinstance(grams, int | float) or grams < 0:
            raise InputError(str(path), "co2_eq_emissions.emissions",
                             f"expected grams of CO2eq, got {grams!r}")
        _set(record, "energy.emissions_kg_co2eq", f"{grams / 1000:g}")
    if co2.get("geographical_location"):
        _set(record, "energy.emissions_location", str(co2["geographical_location"]))
    if co2.get("hardware_used"):
        _set(record, "training.hardware", str(co2["hardware_used"]))
    if co2.get("source"):
        kind = f" ({co2['training_type']})" if co2.get("training_type") else ""
        _set(record, "energy.methodology", f"{co2['source']}{kind}")


def _from_config(record: dict[str, Any], config: dict[str, Any]) -> None:
    description = _architecture(config)
    if description:
        _set(record, "architecture.description", description)
    context = config.get("max_position_embeddings") or config.get("n_positions")
    if isinstance(context, int):
        _set(record, "architecture.max_input_size", {"value": context, "unit": "tokens",
                                                     "note": "max_position_embeddings"})
