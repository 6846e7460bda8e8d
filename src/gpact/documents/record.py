"""The documentation record (``gpact_record: 1``): the facts documents need beyond the profile.

A record sits beside the model profile as YAML or JSON. Every field is optional: an incomplete
record still renders, with its gaps marked, so providers can fill it in step by step. Fields
may point at other gpact outputs (assessment, compute ledger, data summary, rights audit) under
``references``; paths are relative to the record file.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from gpact import safeio

RECORD_MARKER = "gpact_record"
# A string keeps the significant figures the author wrote ("7.0e10"); booleans are not numbers.
Number = StrictInt | StrictFloat | str
DataModality = Literal["text", "image", "audio", "video", "other"]
MeasureStatus = Literal["implemented", "partial", "planned", "not_implemented", "not_applicable"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _number_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            number = float(value.replace("_", ""))
        except ValueError:
            raise ValueError(f"not a number: {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"not a finite number: {value!r}")
    return value


class Quantity(_Strict):
    value: Number
    unit: str | None = None
    note: str | None = None

    _check = field_validator("value")(_number_text)


class Party(_Strict):
    name: str | None = None
    contact: str | None = None
    address: str | None = None


class PreviousVersion(_Strict):
    version: str
    date: dt.date | None = None
    url: str | None = None
    changes: str | None = None
    document: str | None = None  # its stored JSON (path relative to the record): changelog


class DocumentInfo(_Strict):
    version: str | None = None
    last_update: dt.date | None = None
    status: Literal["current", "draft", "superseded"] = "current"
    url: str | None = None  # the authoritative address (default: model.summary_url)
    announcements: str | None = None  # where updates are announced (page, feed, list)
    previous_versions: list[PreviousVersion] = Field(default_factory=list)
    approved_by: str | None = None  # Model Documentation Form approval block
    approved_on: dt.date | None = None


class References(_Strict):
    """Other gpact outputs this record draws on (paths relative to the record)."""

    assessment: str | None = None
    compute_ledger: str | None = None
    data_summary: str | None = None
    rights_audit: str | None = None


class RecordProvider(_Strict):
    legal_name: str | None = None
    address: str | None = None
    contact: str | None = None
    website: str | None = None
    authorised_representative: Party | None = None


class RecordModel(_Strict):
    identifier: str | None = None
    collection: str | None = None
    versions: list[str] = Field(default_factory=list)
    authenticity: str | None = None
    first_release_date: dt.date | None = None
    union_release_date: dt.date | None = None
    dependencies: str | None = None
    base_model_summary_url: str | None = None
    summary_url: str | None = None


class Architecture(_Strict):
    description: str | None = None
    design_specifications: str | None = None
    parameters: Number | None = None
    input_modalities: list[str] = Field(default_factory=list)
    output_modalities: list[str] = Field(default_factory=list)
    input_formats: str | None = None
    output_formats: str | None = None
    max_input_size: Quantity | None = None
    max_output_size: Quantity | None = None

    _check = field_validator("parameters")(_number_text)


class Channel(_Strict):
    channel: str
    access: str | None = None
    url: str | None = None


class Distribution(_Strict):
    channels: list[Channel] = Field(default_factory=list)
    licence: str | None = None
    licence_url: str | None = None
    acceptable_use_policy: str | None = None


class Use(_Strict):
    intended_uses: str | None = None
    prohibited_uses: str | None = None
    integration_system_types: str | None = None
    integration_means: str | None = None
    required_hardware: str | None = None
    required_software: str | None = None
    software_versions: str | None = None
    external_interaction: str | None = None


class Training(_Strict):
    process: str | None = None
    decision_rationale: str | None = None
    wall_clock_days: Number | None = None
    hardware_days: Number | None = None
    hardware: str | None = None
    compute_flop: Number | None = None
    compute_methodology: str | None = None

    _check = field_validator("wall_clock_days", "hardware_days", "compute_flop")(_number_text)


class Energy(_Strict):
    training_mwh: Number | None = None
    methodology: str | None = None
    unknown_reason: str | None = None
    inference_compute_flop: Number | None = None
    emissions_kg_co2eq: Number | None = None  # measured or reported (codecarbon, model cards)
    emissions_location: str | None = None

    _check = field_validator("training_mwh", "inference_compute_flop",
                             "emissions_kg_co2eq")(_number_text)


class ModalitySize(_Strict):
    """A size given by hand for template section 1.3 (else taken from the data summary)."""

    value: Number
    unit: str

    _check = field_validator("value")(_number_text)


class PublicDataset(_Strict):
    name: str
    url: str | None = None  # the versioned dataset page, not the publisher's home page
    version: str | None = None
    modality: DataModality = "text"
    size: Number | None = None
    unit: str | None = None
    share: safeio.Number | None = Field(default=None, ge=0, le=1)
    whole: bool | None = None  # the whole dataset was used (False: only a subset)
    subset: str | None = None  # which part was used
    selection: str | None = None  # how that part was selected
    languages: list[str] = Field(default_factory=list)
    collected: str | None = None  # collection period, e.g. "01/2024 - 06/2024"
    licence: str | None = None  # SPDX id where known (Croissant import)


class PublicDatasets(_Strict):
    used: bool | None = None
    modalities: list[DataModality] = Field(default_factory=list)
    datasets: list[PublicDataset] = Field(default_factory=list)
    other_description: str | None = None
    comments: str | None = None


class LicensedData(_Strict):
    used: bool | None = None
    modalities: list[DataModality] = Field(default_factory=list)
    comments: str | None = None


class KnownDataset(_Strict):
    """A publicly known private dataset obtained from a third party (summary 2.2.2(c))."""

    name: str
    url: str | None = None
    size: Number | None = None
    unit: str | None = None
    languages: list[str] = Field(default_factory=list)
    collected: str | None = None


class PrivateData(_Strict):
    used: bool | None = None
    modalities: list[DataModality] = Field(default_factory=list)
    known: list[str | KnownDataset] = Field(default_factory=list)
    description: str | None = None
    comments: str | None = None


class Crawler(_Strict):
    name: str
    purpose: str | None = None
    behaviour: str | None = None
    period_from: str | None = None
    period_to: str | None = None


class Crawling(_Strict):
    used: bool | None = None
    crawlers: list[Crawler] = Field(default_factory=list)
    content_description: str | None = None
    geography: str | None = None
    languages: str | None = None  # default: the data summary's language list
    site_types: str | None = None
    demographics: str | None = None
    other_characteristics: str | None = None
    modalities: list[DataModality] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    comments: str | None = None


class UserData(_Strict):
    from_model: bool | None = None
    from_other_services: bool | None = None
    description: str | None = None
    modalities: list[DataModality] = Field(default_factory=list)
    comments: str | None = None


class SyntheticModel(_Strict):
    name: str
    summary_url: str | None = None


class SyntheticData(_Strict):
    used: bool | None = None
    modalities: list[DataModality] = Field(default_factory=list)
    market_models: list[SyntheticModel] | Literal["none"] = Field(default_factory=list)
    other_models: str | None = None
    comments: str | None = None


class OtherData(_Strict):
    used: bool | None = None
    description: str | None = None
    comments: str | None = None


class Data(_Strict):
    modalities: list[DataModality] = Field(default_factory=list)
    provenance: str | None = None
    obtained_selected: str | None = None
    data_points: Quantity | None = None
    scope: str | None = None
    curation: str | None = None
    unsuitable_sources: str | None = None
    bias_detection: str | None = None
    content_types: dict[DataModality, str] = Field(default_factory=dict)
    sizes: dict[DataModality, ModalitySize] = Field(default_factory=dict)
    latest_collection: str | None = None
    continued_training: str | None = None
    linguistic: str | None = None
    other_characteristics: str | None = None
    comments: str | None = None
    public_datasets: PublicDatasets = PublicDatasets()
    licensed: LicensedData = LicensedData()
    private_other: PrivateData = PrivateData()
    crawling: Crawling = Crawling()
    user_data: UserData = UserData()
    synthetic: SyntheticData = SyntheticData()
    other: OtherData = OtherData()
    tdm_measures: str | None = None
    tdm_comments: str | None = None
    illegal_content_measures: str | None = None
    other_processing: str | None = None


class Evaluation(_Strict):
    strategies: str | None = None
    results: str | None = None
    adversarial_testing: str | None = None
    adaptations: str | None = None
    system_architecture: str | None = None


class OptOutProtocol(_Strict):
    """A machine-readable rights-reservation protocol honoured (Copyright Measure 1.3)."""

    name: str
    detail: str | None = None  # how it is read, e.g. "tdm-reservation header and tdmrep.json"


class Reservations(_Strict):
    """How reservations of rights are respected over time (summary 3.1(b))."""

    protocols: list[OptOutProtocol] = Field(default_factory=list)
    crawler_tokens: list[str] = Field(default_factory=list)  # robots.txt user-agent tokens obeyed
    robots_refetch: str | None = None  # how often robots.txt is fetched again
    evaluated_at: str | None = None  # at what point of collection reservations are evaluated
    after_collection: str | None = None  # reservations appearing later, for data already held
    third_party: str | None = None  # opt-out lists or protocols applied to third-party datasets


class Copyright(_Strict):
    responsible: str | None = None
    policy_url: str | None = None
    no_circumvention: str | None = None
    infringing_sites: str | None = None
    robots_txt: str | None = None
    other_protocols: str | None = None
    third_party_datasets: str | None = None
    crawler_disclosure: str | None = None
    search_engine_note: str | None = None
    output_safeguards: str | None = None
    usage_prohibition: str | None = None
    contact_point: str | None = None
    complaint_mechanism: str | None = None
    complaint_handling: str | None = None
    legacy_disclosure: str | None = None
    reservations: Reservations = Reservations()


class Notification(_Strict):
    threshold_met_on: dt.date | None = None
    estimation_method: str | None = None
    evidence: str | None = None
    rebuttal_arguments: str | None = None


class Downstream(_Strict):
    request_contact: str | None = None
    training_summary_url: str | None = None


class Measure(_Strict):
    status: MeasureStatus
    evidence: str | None = None
    alternative_means: str | None = None


class DocumentationRecord(_Strict):
    gpact_record: safeio.Version
    references: References = References()
    document: DocumentInfo = DocumentInfo()
    provider: RecordProvider = RecordProvider()
    model: RecordModel = RecordModel()
    architecture: Architecture = Architecture()
    distribution: Distribution = Distribution()
    use: Use = Use()
    training: Training = Training()
    energy: Energy = Energy()
    data: Data = Data()
    evaluation: Evaluation = Evaluation()
    copyright: Copyright = Copyright()
    notification: Notification = Notification()
    downstream: Downstream = Downstream()
    code_of_practice: dict[str, Measure] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _empty_sections(cls, data: Any) -> Any:
        """An empty YAML section (``references:`` with nothing under it) means 'not filled'."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k == RECORD_MARKER}
        return data


def empty_record() -> DocumentationRecord:
    """A record with nothing filled in: documents then show every gap."""
    return DocumentationRecord(gpact_record=1)

