"""Obligation tracking (one state per model and obligation, its evidence) and the
systemic-risk records of each model (register, evaluations, incidents, requests), and the
training-data and opt-out summaries the documents read.

Revision ID: 0005_tracking
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_tracking"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "obligation_tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("obligation", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("applies", sa.Boolean(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=320), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("reopened_reason", sa.Text(), nullable=False),
        sa.Column("sign_off_requested_by", sa.String(length=400), nullable=True),
        sa.Column("sign_off_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_off_by", sa.String(length=400), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(length=400), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"],
                                name=op.f("fk_obligation_tracks_model_id_models"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_tracks")),
        sa.UniqueConstraint("model_id", "obligation",
                            name=op.f("uq_obligation_tracks_model_id")))
    with op.batch_alter_table("obligation_tracks") as batch:
        batch.create_index(batch.f("ix_obligation_tracks_model_id"), ["model_id"])
        batch.create_index(batch.f("ix_obligation_tracks_due"), ["due"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["track_id"], ["obligation_tracks.id"],
                                name=op.f("fk_evidence_track_id_obligation_tracks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_evidence_document_id_documents"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")))
    with op.batch_alter_table("evidence") as batch:
        batch.create_index(batch.f("ix_evidence_track_id"), ["track_id"])


    op.create_table(
        "risk_record_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"],
                                name=op.f("fk_risk_record_versions_model_id_models"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_record_versions")),
        sa.UniqueConstraint("model_id", "kind", "number",
                            name=op.f("uq_risk_record_versions_model_id")))
    with op.batch_alter_table("risk_record_versions") as batch:
        batch.create_index(batch.f("ix_risk_record_versions_model_id"), ["model_id"])


    op.create_table(
        "data_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"],
                                name=op.f("fk_data_inputs_model_id_models"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_inputs")),
        sa.UniqueConstraint("model_id", "kind", "number", name=op.f("uq_data_inputs_model_id")))
    with op.batch_alter_table("data_inputs") as batch:
        batch.create_index(batch.f("ix_data_inputs_model_id"), ["model_id"])


def downgrade() -> None:
    op.drop_table("data_inputs")
    op.drop_table("risk_record_versions")
    op.drop_table("evidence")
    op.drop_table("obligation_tracks")
