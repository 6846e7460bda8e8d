"""Export the model's facts as SPDX 3.0.1 (AI and Dataset profiles) or CycloneDX 1.6 (ML-BOM).

The key facts travel in each standard's own properties, not as custom ones: SPDX's AI profile
(energy with its unit, metrics from the evaluation log, autonomy type, domain, download
location) under the provider's own id namespace; CycloneDX's modelCard (environmental
considerations, quantitative analysis) with the model as the BOM's one root component.
Both are validated before they leave gpact: SPDX with the official ``spdx-python-model``
bindings (read back) and against the official SPDX 3.0.1 JSON schema shipped in
``gpact/interop/data/``, CycloneDX against the JSON schema shipped in
``cyclonedx-python-lib``. Nothing is downloaded. Needs the optional extra ``gpact[interop]``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.documents.builders.common import model_versions, provider_name, training_compute
from gpact.documents.context import Context
from gpact.documents.document import Num
from gpact.errors import InputError
from gpact.risk.schema import EvaluationRun

SPDX_MODALITIES = {"text": "text", "image": "image", "audio": "audio", "video": "video",
                   "other": "other"}
MWH_TO_KWH = 1000.0
KG_PER_TONNE = 1000.0
CDX_MODALITY = {"text": "text data", "image": "image data", "audio": "audio data",
                "video": "video data", "other": "other data"}


class ExportInvalid(Exception):
    """gpact produced a document its standard's validator rejects (a gpact bug)."""


def _facts(ctx: Context) -> dict[str, Any]:
    prof, rec = ctx.profile, ctx.record
    release = prof.model.release
    compute = training_compute(ctx).value
    params = rec.architecture.parameters or prof.model.parameters
    energy = rec.energy.training_mwh
    spdx = rec.distribution.licence if rec.distribution.licence and _is_spdx_id(
        rec.distribution.licence) else (prof.model.licence.spdx if prof.model.licence else None)
    datasets = [
        {"name": d.name, "url": d.url, "version": d.version, "modality": d.modality}
        for d in rec.data.public_datasets.datasets
    ]
    return {
        "name": prof.model.name, "version": prof.model.version or "unversioned",
        "provider": provider_name(ctx), "contact": rec.provider.contact or prof.provider.contact,
        "released": release.placed_on_market_on if release else None,
        "licence": spdx, "description": rec.architecture.description,
        "intended_uses": rec.use.intended_uses, "limitations": rec.use.prohibited_uses,
        "training": rec.training.process, "curation": rec.data.curation,
        "parameters": Num(params).value if params is not None else None,
        "compute_flop": compute.value if isinstance(compute, Num) else None,
        "energy_mwh": Num(energy).value if energy is not None else None,
        "inputs": rec.architecture.input_modalities or list(prof.model.inputs),
        "outputs": rec.architecture.output_modalities or list(prof.model.generates),
        "modalities": list(rec.data.modalities), "datasets": datasets,
        "versions": model_versions(ctx), "systemic_risk": ctx.systemic_risk,
        "emissions_kg": Num(rec.energy.emissions_kg_co2eq).value
        if rec.energy.emissions_kg_co2eq is not None else None,
        "energy_method": rec.energy.methodology,
        "download": next((c.url for c in rec.distribution.channels if c.url), None),
        "domains": [d.strip() for d in (rec.use.integration_system_types or "").rstrip(".")
                    .split(",") if d.strip()],
        "website": rec.provider.website,
        "base_model": prof.model.base_model.name if prof.model.base_model else None,
    }


def _provenance(ctx: Context) -> str:
    return (f"Exported by gpact {__version__} with rulebook {ctx.rulebook.label()}, as of "
            f"{ctx.as_of.isoformat()}. {NOT_LEGAL_ADVICE}")


def _is_spdx_id(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9.\-+]+", text) is not None


def export_bom(ctx: Context, fmt: str, now: dt.datetime | None = None,
               runs: list[EvaluationRun] | None = None,
               namespace: str | None = None) -> dict[str, Any]:
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    if fmt == "spdx":
        return spdx_document(ctx, now, runs or [], namespace)
    if fmt == "cyclonedx":
        return cyclonedx_bom(ctx, now, runs or [])
    raise InputError(None, "--format", f"unknown export format {fmt!r}; choose spdx or cyclonedx")


def _interop_missing(exc: ImportError) -> InputError:
    return InputError(None, "--format", "export needs the optional extra: pip install "
                      f"'gpact[interop]' ({exc})")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "model"


def spdx_namespace(f: dict[str, Any], namespace: str | None) -> str:
    """Ids under the provider's own namespace: ``--namespace``, else its website, else a URN
    derived from provider and model (stable across exports, never a shared default)."""
    version = _slug(str(f["version"]))
    if namespace:
        return namespace.rstrip("/#")
    site = f.get("website")
    if site and re.match(r"^https?://[^/\s]+", site):
        return f"{site.rstrip('/')}/spdx/{_slug(f['name'])}/{version}"
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                        f"gpact:{f['provider']}:{f['name']}:{version}"))


def _metrics(runs: list[EvaluationRun]) -> list[tuple[str, float]]:
    return [(f"{r.benchmark}{' ' + r.benchmark_version if r.benchmark_version else ''}: "
             f"{m.name}", m.value) for r in runs for m in r.results]


def spdx_document(ctx: Context, now: dt.datetime, runs: list[EvaluationRun] | None = None,
                  namespace: str | None = None) -> dict[str, Any]:
    try:
        from spdx_python_model.bindings import v3_0_1 as spdx
    except ImportError as exc:
        raise _interop_missing(exc) from None
    f = _facts(ctx)
    base = spdx_namespace(f, namespace)
    tool = spdx.Tool(_id=f"{base}#gpact", name=f"gpact {__version__}")
    creation = spdx.CreationInfo(specVersion="3.0.1", created=now,
                                 createdBy=[f"{base}#supplier"], createdUsing=[tool])
    tool.creationInfo = creation
    supplier = spdx.Organization(_id=f"{base}#supplier", name=f["provider"],
                                 creationInfo=creation)
    model = spdx.ai_AIPackage(
        _id=f"{base}#model", name=f["name"], software_packageVersion=f["version"],
        creationInfo=creation, suppliedBy=supplier, originatedBy=[supplier],
        software_primaryPurpose=spdx.software_SoftwarePurpose.model,
        ai_standardCompliance=["Regulation (EU) 2024/1689 (AI Act), Art. 53"],
        ai_typeOfModel=["general-purpose AI model"],
        # gpact does not know whether a human reviews the model's outputs in each system
        ai_autonomyType=spdx.PresenceType.noAssertion,
        ai_domain=f["domains"] or ["general purpose"],
    )
    if f["download"]:
        model.software_downloadLocation = f["download"]
    if f["curation"]:
        model.ai_modelDataPreprocessing = [f["curation"]]
    metrics = _metrics(runs or [])
    if metrics:
        model.ai_metric = [spdx.DictionaryEntry(key=k, value=f"{v:g}") for k, v in metrics]
    if f["released"]:
        model.releaseTime = dt.datetime.combine(f["released"], dt.time(), dt.UTC)
    if f["description"]:
        model.description = f["description"]
    if f["intended_uses"]:
        model.ai_informationAboutApplication = f["intended_uses"]
    if f["limitations"]:
        model.ai_limitation = f["limitations"]
    training = f["training"]
    if training:
        model.ai_informationAboutTraining = training
    hyper = [("parameters", f["parameters"]), ("training_compute_flop", f["compute_flop"])]
    model.ai_hyperparameter = [spdx.DictionaryEntry(key=k, value=f"{v:.3g}")
                               for k, v in hyper if v is not None]
    if f["energy_mwh"] is not None:
        used = [spdx.ai_EnergyConsumptionDescription(
            ai_energyQuantity=f["energy_mwh"] * MWH_TO_KWH,
            ai_energyUnit=spdx.ai_EnergyUnitType.kilowattHour)]
        # a modification's recorded energy is that of its own (fine-)tuning, not pre-training
        model.ai_energyConsumption = spdx.ai_EnergyConsumption(
            ai_finetuningEnergyConsumption=used) if f["base_model"] else \
            spdx.ai_EnergyConsumption(ai_trainingEnergyConsumption=used)
    if f["systemic_risk"] is not None:
        model.ai_safetyRiskAssessment = (spdx.ai_SafetyRiskAssessmentType.serious
                                         if f["systemic_risk"] else
                                         spdx.ai_SafetyRiskAssessmentType.low)
    elements: list[Any] = [supplier, model]
    datasets = []
    for i, d in enumerate(f["datasets"]):
        ds = spdx.dataset_DatasetPackage(
            _id=f"{base}#dataset-{i}", name=d["name"], creationInfo=creation,
            software_primaryPurpose=spdx.software_SoftwarePurpose.data,
            dataset_datasetType=[getattr(spdx.dataset_DatasetType,
                                         SPDX_MODALITIES.get(d["modality"], "other"))],
            software_packageVersion=d["version"] or None,
            software_downloadLocation=d["url"] or None,
        )
        ds.dataset_datasetAvailability = spdx.dataset_DatasetAvailabilityType.directDownload \
            if d["url"] else spdx.dataset_DatasetAvailabilityType.query
        datasets.append(ds)
    elements += datasets
    if datasets:
        elements.append(spdx.Relationship(
            _id=f"{base}#trained-on", creationInfo=creation, from_=model,
            relationshipType=spdx.RelationshipType.trainedOn, to=datasets))
    if f["licence"]:
        lic = spdx.simplelicensing_LicenseExpression(
            _id=f"{base}#licence", creationInfo=creation,
            simplelicensing_licenseExpression=f["licence"])
        elements += [lic, spdx.Relationship(
            _id=f"{base}#declared-licence", creationInfo=creation, from_=model,
            relationshipType=spdx.RelationshipType.hasDeclaredLicense, to=[lic])]
    document = spdx.SpdxDocument(_id=base, name=f"{f['name']} {f['version']} (gpact export)",
                                 comment=_provenance(ctx),
                                 creationInfo=creation, rootElement=[model], element=elements,
                                 profileConformance=[spdx.ProfileIdentifierType.core,
                                                     spdx.ProfileIdentifierType.software,
                                                     spdx.ProfileIdentifierType.ai,
                                                     spdx.ProfileIdentifierType.dataset])
    objects = spdx.SHACLObjectSet([document, tool, *elements])
    try:
        data: dict[str, Any] = spdx.JSONLDSerializer().serialize_data(objects)
    except (ValueError, TypeError) as exc:
        raise ExportInvalid(f"SPDX 3.0.1 model rejected the export: {exc}") from exc
    validate_spdx(data)
    return data


def validate_spdx(data: dict[str, Any]) -> None:
    """Check an SPDX 3.0.1 JSON-LD document against the official JSON schema, then read it
    back with the official bindings; raise if either rejects it."""
    from spdx_python_model.bindings import v3_0_1 as spdx

    from gpact.interop.schemas import spdx_schema_errors

    errors = spdx_schema_errors(data)
    if errors:
        raise ExportInvalid(f"SPDX 3.0.1 JSON schema rejected the export: {errors[0]}")

    objects = spdx.SHACLObjectSet()
    try:
        spdx.JSONLDDeserializer().deserialize_data(json.loads(json.dumps(data)), objects)
    except (ValueError, TypeError, KeyError) as exc:
        raise ExportInvalid(f"SPDX 3.0.1 document does not read back: {exc}") from exc
    missing = objects.link()
    if missing:
        raise ExportInvalid(f"SPDX 3.0.1 document references unknown ids: {sorted(missing)}")
    if not any(isinstance(o, spdx.ai_AIPackage) for o in objects.foreach()):
        raise ExportInvalid("SPDX 3.0.1 document has no AI package")


def _environment(f: dict[str, Any]) -> dict[str, Any] | None:
    """modelCard.considerations.environmentalConsiderations from the energy record."""
    if f["energy_mwh"] is None:
        return None
    use: dict[str, Any] = {"activity": "fine-tuning" if f["base_model"] else "training",
                           "energyProviders": [],  # the record does not name the utility
                           "activityEnergyCost": {"value": f["energy_mwh"] * MWH_TO_KWH,
                                                  "unit": "kWh"}}
    if f["emissions_kg"] is not None:
        use["co2CostEquivalent"] = {"value": f["emissions_kg"] / KG_PER_TONNE, "unit": "tCO2eq"}
    if f["energy_method"]:
        use["properties"] = [{"name": "gpact:energy:methodology", "value": f["energy_method"]}]
    return {"energyConsumptions": [use]}


def _performance(runs: list[EvaluationRun]) -> list[dict[str, Any]]:
    out = []
    for r in runs:
        for m in r.results:
            metric: dict[str, Any] = {"type": m.name, "value": f"{m.value:g}",
                                      "slice": r.benchmark + (f" {r.benchmark_version}"
                                                              if r.benchmark_version else "")}
            if m.stderr is not None:  # a 95 % interval from the standard error
                metric["confidenceInterval"] = {"lowerBound": f"{m.value - 1.96 * m.stderr:g}",
                                                "upperBound": f"{m.value + 1.96 * m.stderr:g}"}
            out.append(metric)
    return out


def cyclonedx_bom(ctx: Context, now: dt.datetime,
                  runs: list[EvaluationRun] | None = None) -> dict[str, Any]:
    f = _facts(ctx)
    datasets = [
        {"type": "data", "bom-ref": f"dataset-{i}", "name": d["name"],
         **({"version": d["version"]} if d["version"] else {}),
         "data": [{"type": "dataset", "name": d["name"],
                   **({"contents": {"url": d["url"]}} if d["url"] else {}),
                   "classification": CDX_MODALITY.get(d["modality"], "other data")}]}
        for i, d in enumerate(f["datasets"])
    ]
    params: dict[str, Any] = {"approach": {"type": "self-supervised"},
                              "task": "general-purpose AI model"}
    if f["description"]:
        params["modelArchitecture"] = f["description"]
    if datasets:
        params["datasets"] = [{"ref": d["bom-ref"]} for d in datasets]
    if f["inputs"]:
        params["inputs"] = [{"format": m} for m in f["inputs"]]
    if f["outputs"]:
        params["outputs"] = [{"format": m} for m in f["outputs"]]
    considerations: dict[str, Any] = {}
    if f["intended_uses"]:
        considerations["useCases"] = [f["intended_uses"]]
    if f["limitations"]:
        considerations["technicalLimitations"] = [f["limitations"]]
    environment = _environment(f)
    if environment:
        considerations["environmentalConsiderations"] = environment
    card: dict[str, Any] = {"modelParameters": params}
    performance = _performance(runs or [])
    if performance:
        card["quantitativeAnalysis"] = {"performanceMetrics": performance}
    if considerations:
        card["considerations"] = considerations
    properties = [{"name": f"gpact:{k}", "value": f"{v:.3g}"} for k, v in (
        ("parameters", f["parameters"]), ("training_compute_flop", f["compute_flop"])
    ) if v is not None]
    if f["systemic_risk"] is not None:
        properties.append({"name": "gpact:eu-ai-act:systemic-risk", "value": (
            "general-purpose AI model with systemic risk (Art. 51 AI Act)" if f["systemic_risk"]
            else "general-purpose AI model without systemic risk (Art. 51 AI Act)")})
    model: dict[str, Any] = {
        "type": "machine-learning-model", "bom-ref": "model", "name": f["name"],
        "version": f["version"], "supplier": {"name": f["provider"]}, "modelCard": card,
    }
    if properties:
        model["properties"] = properties
    if f["contact"] and "@" in f["contact"]:
        model["supplier"]["contact"] = [{"email": f["contact"]}]
    if f["description"]:
        model["description"] = f["description"]
    if f["licence"]:
        model["licenses"] = [{"expression": f["licence"]}]
    if f["download"]:
        model["externalReferences"] = [{"type": "distribution", "url": f["download"]}]
    bom: dict[str, Any] = {
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}", "version": 1,
        "metadata": {"timestamp": now.isoformat().replace("+00:00", "Z"),
                     "tools": {"components": [{"type": "application", "name": "gpact",
                                               "version": __version__}]},
                     "component": model,  # the model is the BOM's subject, listed once
                     "properties": [{"name": "gpact:provenance", "value": _provenance(ctx)}]},
        "components": datasets,
    }
    if datasets:
        bom["dependencies"] = [{"ref": "model", "dependsOn": [d["bom-ref"] for d in datasets]}]
    validate_cyclonedx(bom)
    return bom


def validate_cyclonedx(bom: dict[str, Any]) -> None:
    """Validate against the CycloneDX 1.6 JSON schema bundled in cyclonedx-python-lib."""
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError as exc:
        raise _interop_missing(exc) from None
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(bom))
    if error is not None:
        raise ExportInvalid(f"CycloneDX 1.6 schema rejected the export: {error}")
