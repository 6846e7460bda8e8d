"""Request and response bodies of the REST API (what /api/openapi.json publishes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProfileIn(_In):
    profile: str = Field(description="The model profile (gpact/v1) as YAML or JSON text.",
                         max_length=262144)
    as_of: dt.date | None = Field(None, description="Assess as of this date (default today).")


class ProfileUpdate(ProfileIn):
    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="The model version you edited; "
                                "alternatively send it as `If-Match: \"<version>\"`.")


class AssessIn(_In):
    as_of: dt.date | None = None


DocumentKind = Literal["assessment_report", "mdf", "annex-xi", "annex-xii", "training-summary",
                       "copyright-policy", "notification", "downstream-package",
                       "cop-checklist"]


class DocumentIn(_In):
    kind: DocumentKind = "assessment_report"
    format: Literal["md", "html", "json", "pdf"] = Field(
        "md", description="The assessment report is built as md or json; pdf needs WeasyPrint "
        "on the server.")


class RecordIn(_In):
    record: str = Field(description="The documentation record (gpact_record: 1) as YAML or "
                        "JSON text.", max_length=1048576)
    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="The model version you edited; "
                                "alternatively send `If-Match`.")


class RecordOut(BaseModel):
    number: int
    sha256: str
    created_by: str
    created_at: dt.datetime
    text: str


# No control characters (NUL, CR, LF …) in names that end up in headers, logs and pages.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
EMAIL = r"^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+$"


class TokenIn(_In):
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)
    scopes: list[Literal["read", "write", "admin"]] = Field(min_length=1)


class MemberIn(_In):
    email: str = Field(min_length=3, max_length=320, pattern=EMAIL)
    role: Literal["viewer", "editor", "admin"]


class AcceptIn(_In):
    invitation: str = Field(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_-]+$",
                            description="The secret of the invitation link.")


class Summary(BaseModel):
    gpai: bool | None
    systemic_risk: bool | None
    role: str | None
    obligations_applying: int
    next_due: str | None
    next_obligation: str | None
    missing: int


class ModelOut(BaseModel):
    id: int
    name: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    assessed_as_of: dt.date | None
    summary: Summary | None


class ModelPage(BaseModel):
    items: list[ModelOut]
    total: int
    limit: int
    offset: int


def model_page_json(rows: Iterable[tuple[Any, str | None, dt.date | None]], total: int,
                    limit: int, offset: int) -> bytes:
    """A ``ModelPage`` as JSON, from model rows each with its summary's stored JSON text.

    A page is built again after every save; the driver parsing 50 summaries and pydantic
    validating and dumping them were 40 % of its build (0.81 ms per page in process on
    PostgreSQL with 10,000 models; 0.47-0.54 ms without), so the summary text is sent as
    stored, as the latest assessment's result is. ``tests/server/test_portfolio_reads.py`` checks
    the answer against the schema's.
    """
    items = b",".join(
        to_json({"id": m.id, "name": m.name, "version": m.version, "created_at": m.created_at,
                 "updated_at": m.updated_at, "assessed_as_of": as_of})[:-1]
        + b',"summary":' + (summary.encode() if summary is not None else b"null") + b"}"
        for m, summary, as_of in rows)
    return b'{"items":[%b],"total":%d,"limit":%d,"offset":%d}' % (items, total, limit, offset)


class ProfileVersionOut(BaseModel):
    number: int
    sha256: str
    created_by: str
    created_at: dt.datetime
    text: str | None = None


class AssessmentOut(BaseModel):
    id: int
    as_of: dt.date
    rulebook_version: str
    gpact_version: str
    profile_version: int
    created_by: str
    created_at: dt.datetime
    summary: Summary
    result: dict[str, Any] | None = None


class DeadlineOut(BaseModel):
    model_id: int
    model: str
    obligation: str
    source: str
    applies_from: str | None
    due: str
    days_left: int
    overdue: bool
    assessed_as_of: str
    rulebook_version: str


class ObligationOut(BaseModel):
    model_id: int
    model: str
    obligation: str
    source: str
    status: str
    applies_from: dt.date | None
    due: dt.date | None


class DocumentOut(BaseModel):
    id: int
    model_id: int
    kind: str
    format: str
    media_type: str
    filename: str
    sha256: str
    size: int
    completeness: dict[str, Any]
    created_by: str
    created_at: dt.datetime


class LedgerOut(BaseModel):
    id: int
    filename: str
    sha256: str
    size: int
    total_flop: float
    summary: dict[str, Any]
    created_by: str
    created_at: dt.datetime


class TokenOut(BaseModel):
    id: int
    name: str
    scopes: list[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    token: str | None = Field(None, description="The secret, shown only once on creation.")


class MemberOut(BaseModel):
    email: str
    role: str
    status: Literal["member", "invited"] = "member"
    invitation: str | None = Field(None, description="For someone not yet a member: the "
                                   "invitation's secret, shown only now; they accept it at "
                                   "`/invite/<secret>` or `POST /api/invitations/accept`.")
    expires_at: dt.datetime | None = None


class AuditEventOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before_hash: str | None
    after_hash: str | None
    detail: dict[str, Any]
    hash: str


class MeOut(BaseModel):
    email: str
    organisation: str
    role: str
    scopes: list[str]


class Health(BaseModel):
    status: str
    version: str
    database: str


class ImportOut(BaseModel):
    models: int


class Problem(BaseModel):
    detail: str
    problems: list[str] = []
