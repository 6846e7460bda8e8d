"""Technical documents: Model Documentation Form, Annex XI, Annex XII, downstream package.

Each builder lists, in the order of its official form, the fields it fills; a test checks the
list against the field tree in the rulebook so a field cannot be silently dropped.
"""

from __future__ import annotations

from gpact.documents.builders.base import Builder
from gpact.documents.builders.common import (
    Resolver,
    parameters,
    pick,
    provider_contact,
    record_field,
)
from gpact.documents.context import Context
from gpact.documents.document import Answer, ControlItem, Document, Num, Value


def _size_range(ctx: Context, count: float) -> str:
    bins = ctx.rules.value("documents.parameter_size_bins")
    return str(next(b["label"] for b in bins if "below" not in b or count < float(b["below"])))


def _total_model_size(ctx: Context) -> Answer:
    """The parameter count with the form's size range next to it."""
    found = parameters(ctx)
    if not isinstance(found.value, Num):
        return found
    rule = ctx.rules.rule("documents.parameter_size_bins")
    ranged = Num(found.value.raw, found.value.unit, _size_range(ctx, found.value.value))
    return Answer(ranged, notes=(*found.notes, f"Size range from rule {rule.key} "
                                 f"(confidence {rule.confidence})."))


def _mdf_finish(ctx: Context, doc: Document) -> None:
    """Form layout: version and date in the header, confidentiality marking, approval block,
    and every 'unverified' caveat in one review note."""
    info = ctx.record.document
    doc.form = True
    doc.control = [ControlItem("Version", info.version or "not given"),
                   ControlItem("Last updated", info.last_update.isoformat()
                               if info.last_update else "not given")]
    markings = ctx.rules.value("documents.mdf_confidentiality")
    doc.marking = str(markings[doc.audience or "all"])
    doc.approval = [ControlItem("Approved by", info.approved_by or ""),
                    ControlItem("Date of approval", info.approved_on.isoformat()
                                if info.approved_on else "")]
    if not (info.approved_by and info.approved_on):
        doc.notes.append("Approval block not filled in (document.approved_by, "
                         "document.approved_on).")
    unconfirmed_marks = [
        f"{e.spec.label} ({', '.join(a.upper() for a in e.spec.unverified_audiences)})"
        for e in doc.entries if e.spec.unverified_audiences]
    unverified_fields = [e.spec.label for e in doc.entries if e.spec.confidence == "unverified"]
    note = []
    if unconfirmed_marks:
        note.append("Audience marks not confirmed against the official form (marked *): "
                    + "; ".join(unconfirmed_marks) + ".")
    if unverified_fields:
        note.append("Field wording not confirmed against the official form: "
                    + "; ".join(unverified_fields) + ".")
    rule = ctx.rules.rule("documents.parameter_size_bins")
    if rule.unverified:
        note.append("The parameter size ranges are gpact's placeholder, not confirmed: "
                    f"{(rule.note or rule.source).strip()}")
    doc.review_note = note

MDF = Builder(
    reader="AI Office, national competent authorities and downstream providers (all fields)",
    kind="mdf", obligation="technical_documentation",
    tree_key="documents.model_documentation_form",
    audience_aware=True,
    finish=_mdf_finish,
    resolvers={**pick(
        "provider_legal_name", "model_name", "model_versions", "model_authenticity",
        "release_date", "union_release_date", "model_dependencies",
        "architecture", "design_specifications", "input_modalities", "output_modalities"),
        "total_model_size": _total_model_size, **pick(
        "distribution_channels", "licence",
        "acceptable_use_policy", "intended_uses", "integration_system_types",
        "integration_means", "required_hardware", "required_software",
        "training_process", "training_rationale",
        "data_modalities", "data_provenance", "data_obtained_selected", "data_points",
        "data_scope", "data_curation", "unsuitable_sources", "bias_detection",
        "training_time", "training_compute", "compute_methodology",
        "training_energy", "energy_methodology", "inference_compute",
    )},
)

ANNEX_XI = Builder(
    reader="AI Office and national competent authorities, on request",
    kind="annex-xi", obligation="technical_documentation",
    tree_key="documents.annex_xi",
    resolvers=pick(
        "intended_tasks", "integration_system_types", "acceptable_use_policy", "release_date",
        "distribution_methods", "architecture", "parameters", "modalities_format", "licence",
        "integration_means", "design_specifications", "training_process",
        "data_type_provenance", "data_curation", "data_points", "data_scope",
        "data_obtained_selected", "unsuitable_sources", "bias_detection",
        "training_compute", "training_time", "training_energy", "energy_methodology",
        "evaluation_strategies", "evaluation_results", "adversarial_testing",
        "model_adaptations", "system_architecture",
    ),
)

_ANNEX_XII_FIELDS = (
    "intended_tasks", "integration_system_types", "acceptable_use_policy", "release_date",
    "distribution_methods", "external_interaction", "software_versions", "architecture",
    "parameters", "modalities_format", "licence",
    "integration_means", "max_input_size", "max_output_size", "data_type_provenance",
    "data_curation",
)

ANNEX_XII = Builder(kind="annex-xii", obligation="downstream_information",
                    reader="downstream providers", tree_key="documents.annex_xii",
                    resolvers=pick(*_ANNEX_XII_FIELDS))


def _documentation_version(ctx: Context) -> Value:
    info = ctx.record.document
    if not info.version:
        return None
    return f"{info.version} ({info.last_update})" if info.last_update else info.version


def _request_contact(ctx: Context) -> Value:
    return ctx.record.downstream.request_contact or provider_contact(ctx)


def _answer_period(ctx: Context) -> Answer:
    rule = ctx.rules.rule("code_of_practice.transparency.downstream_answer_days")
    return Answer(f"Requests for additional information are answered within a reasonable time "
                  f"and no later than {rule.value} days after receipt, save in exceptional "
                  "circumstances.", notes=(f"Rule {rule.key} ({rule.confidence}).",))


def _summary_link(ctx: Context) -> Value:
    return ctx.record.downstream.training_summary_url or ctx.record.model.summary_url


_PACKAGE_EXTRAS: dict[str, Resolver] = {
    "documentation_version": _documentation_version,
    "request_contact": _request_contact,
    "answer_period": _answer_period,
    "infringing_use_prohibition": record_field("copyright.usage_prohibition"),
    "training_summary_link": _summary_link,
}

DOWNSTREAM_PACKAGE = Builder(
    reader="downstream providers",
    kind="downstream-package", obligation="downstream_information",
    tree_key="documents.annex_xii",
    extra_tree_keys=("documents.downstream_package",),
    resolvers={**pick(*_ANNEX_XII_FIELDS), **_PACKAGE_EXTRAS},
)
