"""Export the model's facts as SPDX 3.0.1 (AI and Dataset profiles) or CycloneDX 1.6 (ML-BOM).

Both are validated before they leave gpact, with the projects' own tooling: SPDX with the
official ``spdx-python-model`` bindings (typed properties, required fields checked when
serialising, then the output is read back), CycloneDX against the JSON schema shipped in
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

SPDX_MODALITIES = {"text": "text", "image": "image", "audio": "audio", "video": "video",
                   "other": "other"}
MWH_TO_KWH = 1000.0


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
    }


def _provenance(ctx: Context) -> str:
    return (f"Exported by gpact {__version__} with rulebook {ctx.rulebook.label()}, as of "
            f"{ctx.as_of.isoformat()}. {NOT_LEGAL_ADVICE}")


def _is_spdx_id(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9.\-+]+", text) is not None


def export_bom(ctx: Context, fmt: str, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    if fmt == "spdx":
        return spdx_document(ctx, now)
    if fmt == "cyclonedx":
        return cyclonedx_bom(ctx, now)
    raise InputError(None, "--format", f"unknown export format {fmt!r}; choose spdx or cyclonedx")


def _interop_missing(exc: ImportError) -> InputError:
    return InputError(None, "--format", "export needs the optional extra: pip install "
                      f"'gpact[interop]' ({exc})")


def spdx_document(ctx: Context, now: dt.datetime) -> dict[str, Any]:
    try:
        from spdx_python_model.bindings import v3_0_1 as spdx
    except ImportError as exc:
        raise _interop_missing(exc) from None
    f = _facts(ctx)
    base = f"https://spdx.org/spdxdocs/gpact/{uuid.uuid5(uuid.NAMESPACE_URL, f['name'])}"
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
    )
    if f["released"]:
        model.releaseTime = dt.datetime.combine(f["released"], dt.time(), dt.UTC)
    if f["description"]:
        model.description = f["description"]
    if f["intended_uses"]:
        model.ai_informationAboutApplication = f["intended_uses"]
    if f["limitations"]:
        model.ai_limitation = f["limitations"]
    training = " ".join(t for t in (f["training"], f["curation"]) if t)
    if training:
        model.ai_informationAboutTraining = training
    hyper = [("parameters", f["parameters"]), ("training_compute_flop", f["compute_flop"])]
    model.ai_hyperparameter = [spdx.DictionaryEntry(key=k, value=f"{v:.3g}")
                               for k, v in hyper if v is not None]
    if f["energy_mwh"] is not None:
        model.ai_energyConsumption = spdx.ai_EnergyConsumption(ai_trainingEnergyConsumption=[
            spdx.ai_EnergyConsumptionDescription(
                ai_energyQuantity=f["energy_mwh"] * MWH_TO_KWH,
                ai_energyUnit=spdx.ai_EnergyUnitType.kilowattHour)])
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
    """Read an SPDX 3.0.1 JSON-LD document back with the official bindings; raise if invalid."""
    from spdx_python_model.bindings import v3_0_1 as spdx

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


def cyclonedx_bom(ctx: Context, now: dt.datetime) -> dict[str, Any]:
    f = _facts(ctx)
    datasets = [
        {"type": "data", "bom-ref": f"dataset-{i}", "name": d["name"],
         **({"version": d["version"]} if d["version"] else {}),
         "data": [{"type": "dataset", "name": d["name"],
                   **({"contents": {"url": d["url"]}} if d["url"] else {}),
                   "classification": d["modality"]}]}
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
    properties = [{"name": f"gpact:{k}", "value": f"{v:.3g}"} for k, v in (
        ("parameters", f["parameters"]), ("training_compute_flop", f["compute_flop"]),
        ("training_energy_mwh", f["energy_mwh"])) if v is not None]
    if f["systemic_risk"] is not None:
        properties.append({"name": "gpact:eu_ai_act_systemic_risk",
                           "value": str(f["systemic_risk"]).lower()})
    model: dict[str, Any] = {
        "type": "machine-learning-model", "bom-ref": "model", "name": f["name"],
        "version": f["version"],
        "supplier": {"name": f["provider"]},
        "modelCard": {"modelParameters": params,
                      **({"considerations": considerations} if considerations else {})},
        "properties": properties,
    }
    if f["contact"] and "@" in f["contact"]:
        model["supplier"]["contact"] = [{"email": f["contact"]}]
    if f["description"]:
        model["description"] = f["description"]
    if f["licence"]:
        model["licenses"] = [{"expression": f["licence"]}]
    bom = {
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}", "version": 1,
        "metadata": {"timestamp": now.isoformat().replace("+00:00", "Z"),
                     "tools": {"components": [{"type": "application", "name": "gpact",
                                               "version": __version__}]},
                     "component": {"type": "machine-learning-model", "bom-ref": "root",
                                   "name": f["name"], "version": f["version"]},
                     "properties": [{"name": "gpact:provenance", "value": _provenance(ctx)}]},
        "components": [model, *datasets],
    }
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
