"""The portfolio's deadlines as their own rows (``current_deadlines``), ordered by an index
on (organisation, due date, model name, obligation), filled from each model's latest
assessment; and an index on models (organisation, name, id) that covers a portfolio page.

Revision ID: 0006_current_deadlines
Revises: 0005_tracking
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_current_deadlines"
down_revision: str | Sequence[str] | None = "0005_tracking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "current_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("model_name", sa.String(length=200), nullable=False),
        sa.Column("obligation", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_current_deadlines_org_id_organisations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"],
                                name=op.f("fk_current_deadlines_model_id_models"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_current_deadlines")))
    with op.batch_alter_table("current_deadlines") as batch:
        batch.create_index(batch.f("ix_current_deadlines_model_id"), ["model_id"])
        batch.create_index("ix_current_deadlines_order",
                           ["org_id", "due", "model_name", "obligation"])
    with op.batch_alter_table("models") as batch:
        batch.create_index("ix_models_org_name_id", ["org_id", "name", "id"])
    # frozen copy of gpact.store.deadline_rows.rebuild as of this revision
    op.execute(
        "INSERT INTO current_deadlines (org_id, model_id, model_name, obligation, source, "
        "applies_from, due, as_of) "
        "SELECT m.org_id, m.id, m.name, d.obligation, d.source, d.applies_from, d.due, a.as_of "
        "FROM models m JOIN assessments a ON a.id = m.latest_assessment_id "
        "JOIN obligation_dues d ON d.assessment_id = a.id "
        "WHERE d.status = 'applies' AND d.due IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("models") as batch:
        batch.drop_index("ix_models_org_name_id")
    op.drop_table("current_deadlines")
