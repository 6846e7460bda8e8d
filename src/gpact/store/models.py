"""The server's tables (SQLAlchemy 2). Alembic migrations in ``migrations/`` create them.

Rows that record facts the AI Office may ask about (profile versions, assessments, built
documents, compute ledgers, audit events) are written once and never updated: a change is a
new row. Only ``Model.version`` moves, so a stale editor gets a conflict instead of a lost update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# a reviewer has an editor's rights and may also sign obligations off as met (four eyes)
ROLES = ("viewer", "editor", "reviewer", "admin")
SIGN_OFF_ROLES = ("reviewer", "admin")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that always comes back timezone-aware in UTC (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value

    def process_result_value(self, value: dt.datetime | None,
                             dialect: Any) -> dt.datetime | None:
        if value is not None:
            value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None \
                else value.astimezone(dt.UTC)
        return value


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # move with every change the portfolio-wide reads show (``gpact.store.views``): the
    # model pages, and the deadlines and obligations lists
    views_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    dues_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                        index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class WebSession(Base):
    """A browser login. The cookie holds a random secret; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A bearer token for one organisation; the secret is stored as a SHA-256 hash."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                        index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Model(Base):
    __tablename__ = "models"
    # the second index covers a page of the portfolio (ids in name order), so PostgreSQL
    # skips an OFFSET in the index alone (SQLite's indexes carry the id anyway)
    __table_args__ = (UniqueConstraint("org_id", "name"),
                      Index("ix_models_org_name_id", "org_id", "name", "id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                        index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    latest_assessment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class _TextVersion:
    """A numbered, never-changed version of a text that belongs to a model."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("model_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProfileVersion(_TextVersion, Base):
    """A version of the model's profile (gpact/v1)."""

    __tablename__ = "profile_versions"


class RecordVersion(_TextVersion, Base):
    """A version of the model's documentation record (gpact.documents)."""

    __tablename__ = "record_versions"


class Assessment(Base):
    """An assessment result, kept with the rulebook and gpact versions that produced it."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    profile_version_id: Mapped[int] = mapped_column(
        ForeignKey("profile_versions.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    rulebook_version: Mapped[str] = mapped_column(String(40))
    gpact_version: Mapped[str] = mapped_column(String(40))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ObligationDue(Base):
    """One obligation of one assessment, kept as a row so deadlines can be queried directly."""

    __tablename__ = "obligation_dues"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"),
                                               index=True)
    obligation: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    applies_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)


class CurrentDeadline(Base):
    """A dated obligation that applies in a model's latest assessment, with the model's
    name: the portfolio's deadlines, soonest first, are then one range of the index (org,
    due, name, obligation) instead of a join over every model's latest assessment sorted
    on each read. Derived: rewritten with each assessment (``gpact.store.deadline_rows``),
    deleted with its model."""

    __tablename__ = "current_deadlines"
    __table_args__ = (Index("ix_current_deadlines_order", "org_id", "due", "model_name",
                            "obligation"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    model_name: Mapped[str] = mapped_column(String(200))
    obligation: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))
    applies_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due: Mapped[dt.date] = mapped_column(Date)
    as_of: Mapped[dt.date] = mapped_column(Date)
    rulebook_version: Mapped[str] = mapped_column(String(40), server_default="")


class Document(Base):
    """A built document: immutable, addressed by the SHA-256 of its bytes."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), nullable=True)
    kind: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    completeness: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ComputeLedger(Base):
    """An uploaded compute telemetry file (design.md §4) and the totals read from it."""

    __tablename__ = "compute_ledgers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    total_flop: Mapped[float] = mapped_column(Float)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(Base):
    """One change, chained to the previous event by hash (see ``gpact.store.audit``)."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(400))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    before_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    after_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The last event's number and hash: lets ``verify`` notice events cut off the end."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class ObligationTrack(Base):
    """Where one obligation of one model stands: state, owner, notes, due date, sign-off.

    One row per model and obligation, kept in step with the latest assessment; ``version``
    moves on every change, so a stale editor gets a conflict. ``fingerprint`` is the hash of
    what the assessment said about the obligation (due date, source, scope): when a new
    assessment changes it, a met or not-applicable obligation is reopened with the reason.
    """

    __tablename__ = "obligation_tracks"
    __table_args__ = (UniqueConstraint("model_id", "obligation"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    obligation: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(400))
    source: Mapped[str] = mapped_column(String(200))
    applies: Mapped[bool] = mapped_column(Boolean, default=True)
    due: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    assessment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    owner: Mapped[str] = mapped_column(String(320), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    reopened_reason: Mapped[str] = mapped_column(Text, default="")
    sign_off_requested_by: Mapped[str | None] = mapped_column(String(400), nullable=True)
    sign_off_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(),
                                                                      nullable=True)
    signed_off_by: Mapped[str | None] = mapped_column(String(400), nullable=True)
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_by: Mapped[str] = mapped_column(String(400))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Evidence(Base):
    """One piece of evidence for an obligation: a document built in gpact (by its hash), an
    uploaded file (bytes, SHA-256, size), or a publication (address and date). Never changed."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("obligation_tracks.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), nullable=True)
    filename: Mapped[str] = mapped_column(String(300), default="")
    media_type: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    url: Mapped[str] = mapped_column(String(2000), default="")
    published_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RiskRecordVersion(Base):
    """A version of one of a model's systemic-risk records (gpact.risk): ``register``,
    ``evaluations``, ``incidents`` or ``requests``, as the YAML ``gpact risk`` reads."""

    __tablename__ = "risk_record_versions"
    __table_args__ = (UniqueConstraint("model_id", "kind", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DataInput(Base):
    """A version of an input the documents read: the JSON of ``gpact data summarize``
    (``data_summary``) or of ``gpact rights audit --summary`` (``rights_audit``)."""

    __tablename__ = "data_inputs"
    __table_args__ = (UniqueConstraint("model_id", "kind", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
