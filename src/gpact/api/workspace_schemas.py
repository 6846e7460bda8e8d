"""Request and response bodies of the workspace routes (obligation tracking, evidence)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

State = Literal["open", "in_progress", "met", "not_applicable"]
Bucket = Literal["overdue", "due_soon", "open", "met", "not_applicable"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrackChange(_In):
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="The obligation's "
                                "version you edited; alternatively `If-Match`.")
    state: State | None = Field(None, description="`met` asks for sign-off by a reviewer; it "
                                "needs at least one piece of evidence.")
    owner: str | None = Field(None, max_length=320, description="E-mail of a member, or ''.")
    notes: str | None = Field(None, max_length=20000)
    justification: str | None = Field(None, max_length=20000, description="Required for "
                                      "`not_applicable`: why it does not apply.")


class SignOffIn(_In):
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class EvidenceIn(_In):
    kind: Literal["document", "publication"]
    document_id: int | None = Field(None, ge=1, le=2**31 - 1)
    url: str | None = Field(None, max_length=2000)
    published_on: dt.date | None = None
    note: str = Field("", max_length=20000)


class EvidenceOut(BaseModel):
    id: int
    kind: str
    document_id: int | None
    filename: str
    media_type: str
    sha256: str
    size: int
    url: str
    published_on: dt.date | None
    note: str
    created_by: str
    created_at: dt.datetime


class TrackOut(BaseModel):
    model_id: int
    obligation: str
    label: str = Field(description="The obligation's name and article, for people.")
    title: str
    source: str
    applies: bool
    due: dt.date | None
    bucket: Bucket
    state: State
    owner: str
    notes: str
    justification: str
    reopened_reason: str
    sign_off_requested_by: str | None
    sign_off_requested_at: dt.datetime | None
    signed_off_by: str | None
    signed_off_at: dt.datetime | None
    must_be_published: bool
    evidence_count: int
    version: int
    changed_by: str
    changed_at: dt.datetime


class TrackDetail(TrackOut):
    evidence: list[EvidenceOut]


class ModelCounts(BaseModel):
    model_id: int
    model: str
    overdue: int
    due_soon: int
    open: int
    met: int
    not_applicable: int
    next_due: dt.date | None
    next_obligation: str | None


class TrackingPage(BaseModel):
    counts: dict[str, int]
    models: list[ModelCounts]
    items: list[TrackOut]
    total: int
    limit: int
    offset: int


class ReassessOut(BaseModel):
    reassessed: list[int]
