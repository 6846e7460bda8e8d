"""The model profile, schema ``gpact/v1`` (design.md §2, a contract).

Every field is optional unless the design marks it required; unknown keys are errors. A value
left out means "not known", never "false": the assessment then says what it cannot decide.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gpact.safeio import Count, Number, Version

Modality = Literal["text", "code", "audio_speech", "image", "video", "music", "other"]
InputModality = Literal["text", "code", "audio_speech", "image", "video", "music", "other"]
Channel = Literal[
    "api", "download", "hub", "library", "app", "cloud", "on_premise", "integrated_system",
    "physical_copy",
]
ReleaseStatus = Literal["development", "internal_use", "placed_on_market", "withdrawn"]

# Above these a value is not a model fact but a typo; the loader rejects it.
MAX_FLOP = 1e35
MAX_PARAMETERS = 1e16

Flop = Number  # booleans are not numbers (`parameters: true` is an error)
NonNegative = Field(default=None, ge=0)
FlopField = Field(default=None, ge=0, le=MAX_FLOP)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Provider(_Strict):
    name: str = Field(min_length=1)
    established_in_eu: bool | None = None
    sme: bool | None = None
    microenterprise: bool | None = None
    code_of_practice_signatory: bool | None = None
    annual_worldwide_turnover_eur: Number | None = NonNegative
    contact: str | None = None


class BaseModelRef(_Strict):
    """The original model a modification or fine-tune starts from."""

    name: str | None = None
    provider: str | None = None
    same_provider: bool = False
    training_compute_flop: Flop | None = FlopField
    systemic_risk: bool | None = None
    modification_compute_flop: Flop | None = FlopField


class Monetisation(_Strict):
    """Facts from which gpact decides monetisation (Guidelines §4.2; Recital 103).

    Each field names one form of monetisation, or an exception, from the rulebook catalogue
    ``guidelines.open_source.monetisation``; leave out what is not known.
    """

    price: bool | None = None
    dual_licensing: bool | None = None
    paid_support_required: bool | None = None
    exclusive_paid_hosting: bool | None = None
    personal_data_required: bool | None = None
    optional_paid_services: bool | None = None
    microenterprise_transactions_only: bool | None = None


class Licence(_Strict):
    spdx: str | None = None
    free_and_open_source: bool | None = None
    monetised: bool | None = None  # an override; with `monetisation` facts they must agree
    monetisation: Monetisation | None = None


class Public(_Strict):
    weights: bool | None = None
    architecture: bool | None = None
    usage_information: bool | None = None


class Release(_Strict):
    status: ReleaseStatus | None = None
    placed_on_market_on: dt.date | None = None
    eu_market: bool | None = None
    channels: list[Channel] = Field(default_factory=list)
    internal_use_essential_to_third_parties: bool | None = None
    internal_use_affects_rights: bool | None = None


class Designation(_Strict):
    """A Commission decision designating the model as systemic-risk (Art. 51(1)(b), 52(4))."""

    designated_on: dt.date | None = None
    informed_on: dt.date | None = None  # when the provider was informed of the decision
    decision: str | None = None


class Rebuttal(_Strict):
    """Arguments under Art. 52(2) that the model exceptionally has no systemic risk."""

    submitted_on: dt.date | None = None
    decision: Literal["pending", "accepted", "rejected"] = "pending"
    decided_on: dt.date | None = None


class Reach(_Strict):
    eu_business_users: Count | None = NonNegative
    eu_end_users: Count | None = NonNegative


class Model(_Strict):
    name: str = Field(min_length=1)
    version: str | None = None
    parameters: Number | None = Field(default=None, ge=0, le=MAX_PARAMETERS)
    training_compute_flop: Flop | None = FlopField
    parameter_update_compute_flop: Flop | None = FlopField
    planned_training_compute_flop: Flop | None = FlopField  # planned or forecast, cumulative
    compute_ledger: str | None = None
    training_started_on: dt.date | None = None
    generates: list[Modality] = Field(default_factory=list)
    inputs: list[InputModality] = Field(default_factory=list)
    narrow_purpose: str | None = None
    base_model: BaseModelRef | None = None
    licence: Licence | None = None
    public: Public | None = None
    release: Release | None = None
    systemic_risk_designation: Designation | None = None
    systemic_risk_rebuttal: Rebuttal | None = None
    threshold_known_on: dt.date | None = None
    reach: Reach | None = None


class Profile(_Strict):
    gpact: Version  # exactly the integer 1: not 1.0, true or "1"
    provider: Provider
    model: Model
