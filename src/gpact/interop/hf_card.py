"""Export the model's facts as a Hugging Face model card (README.md).

The YAML front matter is built with huggingface_hub's ``ModelCardData`` (licence as the hub's
id, base_model, datasets, language, pipeline_tag, model-index from the evaluation log,
co2_eq_emissions from the energy record); the body carries the standard model-card sections
(so ``gpact docs import`` reads them back), a link to the public training summary, and the
Model Documentation Form as downstream providers receive it. The card is parsed back with
``huggingface_hub.ModelCard`` before it is returned. Nothing is fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gpact.documents import api
from gpact.documents.builders.common import provider_name
from gpact.documents.context import Context
from gpact.documents.document import Num
from gpact.documents.hf_import import (
    DEVELOPED_BY,
    EMISSIONS_LINE,
    ENERGY_LINE,
    HARDWARE_LINE,
    HOURS_LINE,
    LANGUAGES_PHRASE,
    MDF_HEADING,
    PIPELINE_MODALITIES,
    RELATIONS,
    SUMMARY_HEADING,
)
from gpact.documents.render import render
from gpact.errors import InputError
from gpact.risk.schema import EvaluationRun

HUB_DATASET = re.compile(r"^https?://huggingface\.co/datasets/([\w.-]+(?:/[\w.-]+)?)/?$")


class CardInvalid(Exception):
    """The card gpact wrote does not read back with huggingface_hub (a gpact bug)."""


@dataclass(frozen=True)
class HfCard:
    text: str
    skipped: list[str] = field(default_factory=list)


def _missing(exc: ImportError) -> InputError:
    return InputError(None, "--format", "hf export needs the optional extra: pip install "
                      f"'gpact[interop]' ({exc})")


def pipeline_tag(inputs: list[str], outputs: list[str]) -> str | None:
    """The hub pipeline tag whose modalities match exactly, else None."""
    def norm(mods: list[str]) -> set[str]:  # the hub has no code modality: code is text
        return {"text" if m == "code" else m for m in mods}

    wanted = (norm(inputs), norm(outputs))
    for tag, (ins, outs) in PIPELINE_MODALITIES.items():
        if (set(ins), set(outs)) == wanted:
            return tag
    return None


def _languages(ctx: Context) -> list[str]:
    found: list[str] = []
    summary = ctx.sources.data_summary or {}
    langs = summary.get("languages")
    if isinstance(langs, dict):
        found += [str(k) for k in langs]
    elif isinstance(langs, list):
        found += [str(x.get("language") if isinstance(x, dict) else x) for x in langs]
    for d in ctx.record.data.public_datasets.datasets:
        found += d.languages
    text = ctx.record.data.linguistic or ""
    if text.startswith(LANGUAGES_PHRASE):
        found += [p.strip() for p in text.removeprefix(LANGUAGES_PHRASE).rstrip(".").split(",")]
    return list(dict.fromkeys(x for x in found if x and x != "None"))


def _base_models(ctx: Context) -> list[str]:
    base = ctx.profile.model.base_model
    if base is not None and base.name:
        return [base.name]
    deps = ctx.record.model.dependencies or ""
    for relation in [*RELATIONS.values(), "Modification or fine-tune"]:
        if deps.startswith(f"{relation} of "):
            return [b.strip() for b in deps.removeprefix(f"{relation} of ").rstrip(".").split(",")]
    return []


def _relation(ctx: Context) -> str | None:
    deps = ctx.record.model.dependencies or ""
    return next((k for k, v in RELATIONS.items() if deps.startswith(f"{v} of ")), None)


def _eval_results(runs: list[EvaluationRun], task: str, skipped: list[str]) -> list[Any]:
    from huggingface_hub import EvalResult

    results = []
    for run in runs:
        if not run.results:
            skipped.append(f"evaluation {run.id}: no metrics")
            continue
        for metric in run.results:
            results.append(EvalResult(
                task_type=task, dataset_type=run.benchmark, dataset_name=run.benchmark,
                dataset_revision=run.benchmark_version, metric_type=metric.name,
                metric_value=metric.value))  # source_name needs a source_url gpact lacks
    return results


def _co2(ctx: Context) -> dict[str, Any] | None:
    en, tr = ctx.record.energy, ctx.record.training
    if en.emissions_kg_co2eq is None:
        return None
    out: dict[str, Any] = {"emissions": Num(en.emissions_kg_co2eq).value * 1000.0}
    if en.methodology:
        out["source"] = en.methodology
    out["training_type"] = "fine-tuning" if _base_models(ctx) else "pre-training"
    if en.emissions_location:
        out["geographical_location"] = en.emissions_location
    if tr.hardware:
        out["hardware_used"] = tr.hardware
    return out


def card_data(ctx: Context, runs: list[EvaluationRun], skipped: list[str]) -> Any:
    """huggingface_hub ``ModelCardData`` for the model (front matter of the card)."""
    try:
        from huggingface_hub import ModelCardData
    except ImportError as exc:
        raise _missing(exc) from None
    from gpact.interop.licences import hub_from_spdx

    rec, prof = ctx.record, ctx.profile
    spdx = rec.distribution.licence or (prof.model.licence.spdx if prof.model.licence else None)
    kwargs: dict[str, Any] = {}
    hub = hub_from_spdx(spdx) if spdx else None
    if hub is not None:
        kwargs["license"] = hub
    elif spdx:
        ref = re.search(r"LicenseRef-([\w.-]+)", spdx)
        slug = ref.group(1) if ref else spdx
        kwargs.update(license="other",
                      license_name=re.sub(r"[^a-z0-9.]+", "-", slug.lower()).strip("-"))
        if rec.distribution.licence_url:
            kwargs["license_link"] = rec.distribution.licence_url
    datasets = []
    for d in rec.data.public_datasets.datasets:
        m = HUB_DATASET.match(d.url or "")
        if m:
            datasets.append(m.group(1))
        else:
            skipped.append(f"dataset {d.name!r}: not a hub dataset, listed in the body only")
    inputs = rec.architecture.input_modalities or list(prof.model.inputs)
    outputs = rec.architecture.output_modalities or list(prof.model.generates)
    tag = pipeline_tag(inputs, outputs)
    if tag is None and (inputs or outputs):
        skipped.append(f"pipeline_tag: no hub tag for inputs {inputs} → outputs {outputs}")
    bases = _base_models(ctx)
    extra: dict[str, Any] = {}
    relation = _relation(ctx)
    if relation:
        extra["base_model_relation"] = relation
    co2 = _co2(ctx)
    if co2:
        extra["co2_eq_emissions"] = co2
    elif rec.energy.training_mwh is not None:
        skipped.append("co2_eq_emissions: energy known but emissions not recorded "
                       "(energy.emissions_kg_co2eq); energy stated in the body")
    results = _eval_results(runs, tag or "text-generation", skipped)
    return ModelCardData(
        model_name=prof.model.name, base_model=bases or None, datasets=datasets or None,
        language=_languages(ctx) or None, pipeline_tag=tag, tags=["eu-ai-act", "gpact"],
        eval_results=results or None, **kwargs, **extra)


def _section(title: str, text: str | None, level: int = 3) -> list[str]:
    return [f"{'#' * level} {title}", "", text.strip(), ""] if text else []


def _mdf_markdown(ctx: Context) -> str:
    """The MDF for downstream providers, headings one level down, without its own title."""
    doc = api.build(ctx, "mdf", "dp")
    text = render(doc, "md").decode("utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("#" + line if line.startswith("#") else line for line in lines).strip()


def card_body(ctx: Context) -> str:
    rec, prof = ctx.record, ctx.profile
    name = f"{prof.model.name} {prof.model.version or ''}".strip()
    details = [f"- {DEVELOPED_BY} {provider_name(ctx)}"]
    licence = rec.distribution.licence or (prof.model.licence.spdx if prof.model.licence else None)
    if licence:
        details.append(f"- **License:** {licence}")
    if rec.model.dependencies:
        details.append(f"- **Base model:** {rec.model.dependencies}")
    impact = []
    if rec.training.hardware:
        impact.append(f"- {HARDWARE_LINE} {rec.training.hardware}")
    if rec.training.wall_clock_days is not None:
        impact.append(f"- {HOURS_LINE} {Num(rec.training.wall_clock_days).value * 24:g}")
    if rec.energy.training_mwh is not None:
        impact.append(f"- {ENERGY_LINE} {rec.energy.training_mwh} MWh")
    if rec.energy.emissions_kg_co2eq is not None:
        impact.append(f"- {EMISSIONS_LINE} {rec.energy.emissions_kg_co2eq} kg CO2eq")
    if rec.energy.emissions_location:
        impact.append(f"- **Compute Region:** {rec.energy.emissions_location}")
    datasets = "\n".join(
        f"- {d.name}" + (f" (version {d.version})" if d.version else "")
        + (f": <{d.url}>" if d.url else "") for d in rec.data.public_datasets.datasets)
    summary_url = rec.model.summary_url or rec.downstream.training_summary_url
    summary = (f"The public summary of the content used to train this model (Art. 53(1)(d) AI "
               f"Act) is published at <{summary_url}>." if summary_url else
               "The public summary of training content is not yet linked "
               "(record field model.summary_url).")
    parts = [
        f"# {name}", "",
        "<!-- Written by gpact from the model's documentation record; gpact is not legal "
        "advice. -->", "",
        "## Model Details", "", *_section("Model Description", "\n".join(
            [rec.architecture.description or "", "", *details]).strip()),
        "## Uses", "",
        *_section("Direct Use", rec.use.intended_uses),
        *_section("Downstream Use", rec.use.integration_system_types),
        *_section("Out-of-Scope Use", rec.use.prohibited_uses),
        "## Training Details", "",
        *_section("Training Data", rec.data.scope),
        *_section("Public datasets", datasets),
        *_section("Preprocessing", rec.data.curation),
        *_section("Training Procedure", rec.training.process),
        "## Evaluation", "",
        *_section("Testing Data, Factors & Metrics", rec.evaluation.strategies),
        *_section("Results", rec.evaluation.results),
        *_section("Environmental Impact", "\n".join(impact), level=2),
        "## Technical Specifications", "",
        *_section("Model Architecture and Objective", rec.architecture.design_specifications),
        *_section("Hardware", rec.use.required_hardware),
        *_section("Software", rec.use.required_software),
        *_section(SUMMARY_HEADING, summary, level=2),
        f"## {MDF_HEADING}", "", _mdf_markdown(ctx), "",
    ]
    return "\n".join(parts)


def export_card(ctx: Context, runs: list[EvaluationRun]) -> HfCard:
    """The README.md text, checked by parsing it back with huggingface_hub."""
    skipped: list[str] = []
    data = card_data(ctx, runs, skipped)
    text = f"---\n{data.to_yaml()}\n---\n\n{card_body(ctx)}"
    validate_card(text)
    return HfCard(text=text, skipped=skipped)


def validate_card(text: str) -> None:
    """Parse a card with huggingface_hub; raise CardInvalid if its metadata does not load."""
    from huggingface_hub import ModelCard

    try:
        card = ModelCard(text, ignore_metadata_errors=False)
    except (ValueError, TypeError) as exc:
        raise CardInvalid(f"huggingface_hub rejected the model card: {exc}") from exc
    if not getattr(card.data, "model_name", None) and not getattr(card.data, "license", None):
        raise CardInvalid("model card front matter lost its metadata when read back")
