"""Resolvers shared by the technical documents (MDF, Annex XI, Annex XII, downstream package).

Each resolver answers one field from the record, falling back to the profile or to a
referenced gpact output, and says where a fallback value came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpact.documents.context import Context
from gpact.documents.document import Answer, Num, Value, format_number
from gpact.documents.labels import channel_label, modality_label
from gpact.documents.record import Quantity

Resolver = Callable[[Context], Value | Answer]
DAYS_PER_MONTH = 30.44
SOURCE_KINDS = (
    ("public_datasets", "publicly available datasets"),
    ("licensed", "data licensed from rightsholders"),
    ("private_other", "private datasets from other third parties"),
    ("crawling", "web crawling by or for the provider"),
    ("user_data", "user data"),
    ("synthetic", "synthetic data"),
    ("other_sources", "other sources"),
)


def _join(*parts: tuple[str, str | None]) -> str | None:
    """'Label: text' parts, skipping empty ones (None when all are empty)."""
    kept = [f"{label}: {text.strip()}" if label else text.strip()
            for label, text in parts if text and text.strip()]
    return " ".join(k if k.endswith((".", "!", "?")) else k + "." for k in kept) or None


def provider_name(ctx: Context) -> str:
    return ctx.record.provider.legal_name or ctx.profile.provider.name


def provider_contact(ctx: Context) -> str | None:
    rec = ctx.record.provider
    contact = rec.contact or ctx.profile.provider.contact
    return _join(("", provider_name(ctx)), ("Address", rec.address), ("Contact", contact),
                 ("Website", rec.website)) if contact or rec.address else None


def authorised_representative(ctx: Context) -> str | None:
    rep = ctx.record.provider.authorised_representative
    if rep is None:
        return None
    return _join(("", rep.name), ("Address", rep.address), ("Contact", rep.contact))


def model_name(ctx: Context) -> str:
    rec, model = ctx.record.model, ctx.profile.model
    name = rec.identifier or (f"{model.name} {model.version}" if model.version else model.name)
    return f"{name} (collection: {rec.collection})" if rec.collection else name


def model_versions(ctx: Context) -> list[str]:
    model = ctx.profile.model
    if ctx.record.model.versions:
        return list(ctx.record.model.versions)
    return [f"{model.name} {model.version}"] if model.version else []


def placed_on(ctx: Context) -> Answer:
    if ctx.record.model.union_release_date is not None:
        return Answer(ctx.record.model.union_release_date)
    release = ctx.profile.model.release
    placed = release.placed_on_market_on if release else None
    return Answer(placed, notes=("From the profile (model.release.placed_on_market_on).",)
                  if placed else ())


def release_date(ctx: Context) -> Answer:
    if ctx.record.model.first_release_date is not None:
        return Answer(ctx.record.model.first_release_date)
    placed = placed_on(ctx)
    return Answer(placed.value, notes=("Union placement date used; set "
                                       "model.first_release_date if an earlier release exists.",)
                  if placed.value else ())


def dependencies(ctx: Context) -> Answer:
    rec = ctx.record.model
    base = ctx.profile.model.base_model
    if rec.dependencies:
        text = rec.dependencies
    elif base is not None:
        who = f" by {base.provider}" if base.provider else ""
        text = f"Modification or fine-tune of {base.name or 'an unnamed base model'}{who}."
    else:
        return Answer("N/A (not a modification or fine-tune of another model).")
    if rec.base_model_summary_url:
        text += f" Base model summary: {rec.base_model_summary_url}"
    problems = ("base model's training summary not linked (model.base_model_summary_url)",) \
        if base is not None and not rec.base_model_summary_url else ()
    return Answer(text, problems=problems)


def parameters(ctx: Context) -> Answer:
    raw = ctx.record.architecture.parameters
    if raw is not None:
        return Answer(Num(raw, "parameters"))
    if ctx.profile.model.parameters is not None:
        return Answer(Num(ctx.profile.model.parameters, "parameters"),
                      notes=("From the profile (model.parameters).",))
    return Answer(None)


def _modalities(ctx: Context, direction: str) -> Answer:
    arch = ctx.record.architecture
    if direction == "input":
        listed = arch.input_modalities or list(ctx.profile.model.inputs)
        formats, size = arch.input_formats, arch.max_input_size
    else:
        listed = arch.output_modalities or list(ctx.profile.model.generates)
        formats, size = arch.output_formats, arch.max_output_size
    if not listed:
        return Answer(None)
    text = _join(("", ", ".join(modality_label(m) for m in listed).capitalize() + "."),
                 ("Format", formats),
                 (f"Maximum {direction} size", quantity_text(size)))
    problems = (f"maximum {direction} size not given (architecture.max_{direction}_size)",) \
        if size is None else ()
    return Answer(text, problems=problems)


def inputs(ctx: Context) -> Answer:
    return _modalities(ctx, "input")


def outputs(ctx: Context) -> Answer:
    return _modalities(ctx, "output")


def modalities_format(ctx: Context) -> Value:
    parts = [a.value for a in (inputs(ctx), outputs(ctx))]
    if not all(parts):
        return None
    return f"Input: {parts[0]} Output: {parts[1]}"


def quantity_text(q: Quantity | None) -> str | None:
    if q is None:
        return None
    return format_number(Num(q.value, q.unit)) + (f" ({q.note})" if q.note else "")


def channels(ctx: Context) -> Answer:
    listed = [
        ", ".join(p for p in (c.channel, c.access, c.url) if p)
        for c in ctx.record.distribution.channels
    ]
    if listed:
        return Answer(listed)
    release = ctx.profile.model.release
    from_profile = [channel_label(str(c)) for c in release.channels] if release else []
    return Answer(from_profile, notes=("Channels from the profile; add the level of access per "
                                       "channel in distribution.channels.",)
                  if from_profile else ())


def licence(ctx: Context) -> Answer:
    dist = ctx.record.distribution
    spdx = dist.licence or (ctx.profile.model.licence.spdx if ctx.profile.model.licence else None)
    return Answer(_join(("", spdx), ("Link", dist.licence_url)))


def aup(ctx: Context) -> str | None:
    return ctx.record.distribution.acceptable_use_policy


def intended_and_prohibited(ctx: Context) -> str | None:
    use = ctx.record.use
    return _join(("Intended uses", use.intended_uses),
                 ("Restricted or prohibited uses", use.prohibited_uses))


def training_compute(ctx: Context) -> Answer:
    raw = ctx.record.training.compute_flop
    if raw is not None:
        return Answer(Num(raw, "FLOP"))
    ledger = ctx.sources.compute_ledger or {}
    for key in ("flop", "total_flop", "cumulative_flop"):
        if isinstance(ledger.get(key), int | float):
            return Answer(Num(ledger[key], "FLOP"), notes=(_ledger_note(ledger),))
    if ctx.profile.model.training_compute_flop is not None:
        return Answer(Num(ctx.profile.model.training_compute_flop, "FLOP"),
                      notes=("From the profile (model.training_compute_flop).",))
    return Answer(None)


def _ledger_note(ledger: dict[str, object]) -> str:
    low, high = ledger.get("low"), ledger.get("high")
    span = f" (range {low:.2g} to {high:.2g} FLOP)" if isinstance(low, int | float) \
        and isinstance(high, int | float) else ""
    return f"From the referenced compute ledger{span}."


def compute_methodology(ctx: Context) -> str | None:
    method = (ctx.sources.compute_ledger or {}).get("method")
    return ctx.record.training.compute_methodology or (str(method) if method else None)


def training_time(ctx: Context) -> Answer:
    training = ctx.record.training
    if training.wall_clock_days is None:
        return Answer(None)
    days = Num(training.wall_clock_days).value
    months = days / DAYS_PER_MONTH
    label = next(b["label"] for b in ctx.rules.value("documents.training_time_bins")
                 if "below" not in b or months <= b["below"])
    parts = [f"Range: {label}.",
             f"Wall-clock time: {format_number(Num(training.wall_clock_days, 'days'))}."]
    if training.hardware_days is not None:
        hw = f" ({training.hardware})" if training.hardware else ""
        parts.append(f"Hardware time: "
                     f"{format_number(Num(training.hardware_days, 'accelerator-days'))}{hw}.")
    problems = () if training.hardware_days is not None else \
        ("hardware-days not given (training.hardware_days)",)
    return Answer(" ".join(parts), problems=problems)


def energy(ctx: Context) -> Answer:
    en = ctx.record.energy
    if en.training_mwh is not None:
        return Answer(Num(en.training_mwh, "MWh"))
    if en.unknown_reason:
        return Answer(None, status="weak", problems=(
            f"energy not given ({en.unknown_reason.strip()}); Annex XI 2(e) allows an estimate "
            "from the computational resources used",))
    return Answer(None)


def energy_methodology(ctx: Context) -> str | None:
    en = ctx.record.energy
    return _join(("", en.methodology), ("Why energy is unknown", en.unknown_reason))


def inference_compute(ctx: Context) -> Answer:
    raw = ctx.record.energy.inference_compute_flop
    return Answer(Num(raw, "FLOP") if raw is not None else None)


def data_modalities(ctx: Context) -> Answer:
    if ctx.record.data.modalities:
        return Answer(list(ctx.record.data.modalities))
    summary = (ctx.sources.data_summary or {}).get("modalities") or {}
    return Answer(sorted(summary), notes=("From the referenced data summary.",)
                  if summary else ())


def provenance_kinds(ctx: Context) -> list[str]:
    return [label for gate, label in SOURCE_KINDS if ctx.conditions.get(gate)]


def data_provenance(ctx: Context) -> list[str]:
    kinds = provenance_kinds(ctx)
    if ctx.record.data.provenance:
        kinds.append(ctx.record.data.provenance)
    return kinds


def data_type_provenance(ctx: Context) -> str | None:
    mods = data_modalities(ctx).value
    kinds = data_provenance(ctx)
    return _join(("Types", ", ".join(modality_label(m) for m in mods) + "."
                  if isinstance(mods, list) and mods else None),
                 ("Provenance", "; ".join(kinds) + "." if kinds else None))


def data_points(ctx: Context) -> Answer:
    q = ctx.record.data.data_points
    if q is not None:
        return Answer(Num(q.value, q.unit))
    text = ((ctx.sources.data_summary or {}).get("modalities") or {}).get("text") or {}
    if isinstance(text.get("tokens"), int | float):
        return Answer(Num(text["tokens"], "tokens (text)"),
                      notes=("Text tokens from the referenced data summary.",))
    return Answer(None)


def record_field(path: str) -> Resolver:
    """A resolver reading one record field by dotted path, e.g. ``"use.integration_means"``."""
    parts = path.split(".")

    def resolve(ctx: Context) -> Value:
        obj: Any = ctx.record
        for part in parts:
            obj = getattr(obj, part)
        return obj  # type: ignore[no-any-return]

    resolve.__name__ = "record_" + "_".join(parts)
    return resolve


TECHNICAL: dict[str, Resolver] = {
    "provider_legal_name": provider_name,
    "model_name": model_name,
    "model_versions": model_versions,
    "model_authenticity": record_field("model.authenticity"),
    "release_date": release_date,
    "union_release_date": placed_on,
    "model_dependencies": dependencies,
    "architecture": record_field("architecture.description"),
    "design_specifications": record_field("architecture.design_specifications"),
    "input_modalities": inputs,
    "output_modalities": outputs,
    "max_input_size": inputs,
    "max_output_size": outputs,
    "modalities_format": modalities_format,
    "parameters": parameters,
    "total_model_size": parameters,
    "distribution_channels": channels,
    "distribution_methods": channels,
    "licence": licence,
    "acceptable_use_policy": aup,
    "intended_uses": intended_and_prohibited,
    "intended_tasks": record_field("use.intended_uses"),
    "integration_system_types": record_field("use.integration_system_types"),
    "integration_means": record_field("use.integration_means"),
    "required_hardware": record_field("use.required_hardware"),
    "required_software": record_field("use.required_software"),
    "software_versions": record_field("use.software_versions"),
    "external_interaction": record_field("use.external_interaction"),
    "training_process": record_field("training.process"),
    "training_rationale": record_field("training.decision_rationale"),
    "data_modalities": data_modalities,
    "data_provenance": data_provenance,
    "data_type_provenance": data_type_provenance,
    "data_obtained_selected": record_field("data.obtained_selected"),
    "data_points": data_points,
    "data_scope": record_field("data.scope"),
    "data_curation": record_field("data.curation"),
    "unsuitable_sources": record_field("data.unsuitable_sources"),
    "bias_detection": record_field("data.bias_detection"),
    "training_time": training_time,
    "training_compute": training_compute,
    "compute_methodology": compute_methodology,
    "training_energy": energy,
    "energy_methodology": energy_methodology,
    "inference_compute": inference_compute,
    "evaluation_strategies": record_field("evaluation.strategies"),
    "evaluation_results": record_field("evaluation.results"),
    "adversarial_testing": record_field("evaluation.adversarial_testing"),
    "model_adaptations": record_field("evaluation.adaptations"),
    "system_architecture": record_field("evaluation.system_architecture"),
}


def pick(*ids: str) -> dict[str, Resolver]:
    """The shared resolvers for the named fields, in the order given."""
    return {i: TECHNICAL[i] for i in ids}
