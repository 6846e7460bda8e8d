"""Deadlines as rows: obligation_dues, assessment summaries, each model's latest assessment.

Backfills the new columns and rows from the assessment results already stored, so a register
created with revision 0001 keeps its portfolio and deadlines after the upgrade.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    """Frozen copy of the summary as of this revision (later code may change its own)."""
    applying = [o for o in result["obligations"] if o["status"] == "applies"]
    dated = sorted((o for o in applying if o.get("due")), key=lambda o: o["due"])
    return {"gpai": result["gpai"]["value"], "systemic_risk": result["systemic_risk"]["value"],
            "role": result["role"]["value"], "obligations_applying": len(applying),
            "next_due": dated[0]["due"] if dated else None,
            "next_obligation": dated[0]["id"] if dated else None,
            "missing": len(result.get("missing", []))}


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def upgrade() -> None:
    op.create_table(
        "obligation_dues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("obligation", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_obligation_dues_assessment_id_assessments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_dues")))
    with op.batch_alter_table("obligation_dues") as batch:
        batch.create_index(batch.f("ix_obligation_dues_assessment_id"), ["assessment_id"])
        batch.create_index(batch.f("ix_obligation_dues_due"), ["due"])
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("summary", sa.JSON(), nullable=True))
    with op.batch_alter_table("models") as batch:
        batch.add_column(sa.Column("latest_assessment_id", sa.Integer(), nullable=True))

    assessments = sa.table("assessments", sa.column("id", sa.Integer),
                           sa.column("model_id", sa.Integer), sa.column("result", sa.JSON),
                           sa.column("summary", sa.JSON))
    dues = sa.table("obligation_dues", sa.column("assessment_id", sa.Integer),
                    sa.column("obligation", sa.String), sa.column("source", sa.String),
                    sa.column("status", sa.String), sa.column("applies_from", sa.Date),
                    sa.column("due", sa.Date))
    models = sa.table("models", sa.column("id", sa.Integer),
                      sa.column("latest_assessment_id", sa.Integer))
    bind = op.get_bind()
    latest: dict[int, int] = {}
    rows = bind.execute(sa.select(assessments.c.id, assessments.c.model_id,
                                  assessments.c.result).order_by(assessments.c.id)).all()
    for assessment_id, model_id, result in rows:
        bind.execute(assessments.update().where(assessments.c.id == assessment_id)
                     .values(summary=_summary(result)))
        obligations = [{"assessment_id": assessment_id, "obligation": o["id"],
                        "source": o["source"], "status": o["status"],
                        "applies_from": _day(o.get("applies_from")), "due": _day(o.get("due"))}
                       for o in result["obligations"]]
        if obligations:
            bind.execute(dues.insert(), obligations)
        latest[model_id] = assessment_id
    for model_id, assessment_id in latest.items():
        bind.execute(models.update().where(models.c.id == model_id)
                     .values(latest_assessment_id=assessment_id))
    with op.batch_alter_table("assessments") as batch:
        batch.alter_column("summary", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("models") as batch:
        batch.drop_column("latest_assessment_id")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("summary")
    op.drop_table("obligation_dues")
