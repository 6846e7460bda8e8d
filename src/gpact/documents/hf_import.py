"""Start a documentation record from a local Hugging Face model folder.

Reads the model card's YAML front matter (licence, base model, datasets, languages, pipeline
tag, model-index results), the standard model-card sections (uses, out-of-scope use, training
data and procedure, evaluation) and ``config.json`` (architecture). Everything imported is a
draft: the record says where it came from, and ``gpact docs check`` still judges it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

from gpact.documents.record import DocumentationRecord
from gpact.documents.sources import parse_record
from gpact.errors import InputError

HF_PLACEHOLDER = "[More Information Needed]"
# Hugging Face pipeline tags -> (input modalities, output modalities) in the template's terms
PIPELINE_MODALITIES: dict[str, tuple[list[str], list[str]]] = {
    "text-generation": (["text"], ["text"]),
    "text2text-generation": (["text"], ["text"]),
    "image-text-to-text": (["text", "image"], ["text"]),
    "visual-question-answering": (["text", "image"], ["text"]),
    "text-to-image": (["text"], ["image"]),
    "text-to-video": (["text"], ["video"]),
    "text-to-speech": (["text"], ["audio"]),
    "text-to-audio": (["text"], ["audio"]),
    "automatic-speech-recognition": (["audio"], ["text"]),
    "any-to-any": (["text", "image", "audio", "video"], ["text", "image", "audio"]),
}
RELATIONS = {"finetune": "Fine-tune", "adapter": "Adapter", "merge": "Merge",
             "quantized": "Quantised version"}
# model-card headings (lower case) -> record field (section.field)
CARD_SECTIONS = {
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
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise InputError(str(path), "front matter", f"invalid YAML: {exc}") from None
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


def import_model_card(folder: Path) -> tuple[DocumentationRecord, list[str]]:
    """A draft record and the list of sources it was filled from."""
    if not folder.is_dir():
        raise InputError(str(folder), None, "not a folder (expected a local Hugging Face model "
                         "folder with README.md and/or config.json)")
    record: dict[str, Any] = {"gpact_record": 1}
    found: list[str] = []
    readme, config_path = folder / "README.md", folder / "config.json"
    if readme.is_file():
        meta, body = _front_matter(readme.read_text(encoding="utf-8"), readme)
        _from_front_matter(record, meta)
        for heading, text in card_sections(body).items():
            if heading in CARD_SECTIONS:
                _set(record, CARD_SECTIONS[heading], text)
        found.append("README.md")
    if config_path.is_file():
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(str(config_path), f"line {exc.lineno}",
                             f"invalid JSON: {exc.msg}") from None
        if not isinstance(config, dict):
            raise InputError(str(config_path), None, "expected a JSON object")
        _from_config(record, config)
        found.append("config.json")
    if not found:
        raise InputError(str(folder), None, "no README.md or config.json in this folder")
    return parse_record(record, str(folder)), found


def _from_front_matter(record: dict[str, Any], meta: dict[str, Any]) -> None:
    licence = meta.get("license")
    if licence and licence != "other":
        _set(record, "distribution.licence", str(licence))
    elif meta.get("license_name"):
        _set(record, "distribution.licence", str(meta["license_name"]))
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
        _set(record, "data.linguistic", "Languages declared in the model card: "
             + ", ".join(languages) + ".")
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


def _from_config(record: dict[str, Any], config: dict[str, Any]) -> None:
    description = _architecture(config)
    if description:
        _set(record, "architecture.description", description)
    context = config.get("max_position_embeddings") or config.get("n_positions")
    if isinstance(context, int):
        _set(record, "architecture.max_input_size", {"value": context, "unit": "tokens",
                                                     "note": "max_position_embeddings"})


def record_yaml(record: DocumentationRecord, folder: Path) -> str:
    data = record.model_dump(mode="json", exclude_defaults=True)
    header = (f"# Documentation record drafted by gpact from {folder} on "
              f"{dt.date.today().isoformat()}.\n# Review every field; then run "
              "'gpact docs check PROFILE --record THIS_FILE'.\n")
    body = yaml.safe_dump({"gpact_record": 1, **data}, sort_keys=False, allow_unicode=True,
                          width=100)
    return header + body
