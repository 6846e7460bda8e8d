"""Each row of ``current_deadlines`` names the rulebook version of the assessment its date
comes from, so the calendar and its iCalendar feed can say under which version of the law a
date was computed (a model not reassessed since a rulebook change keeps its old dates).

Revision ID: 0009_deadline_rulebook
Revises: 0008_dues_version
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_deadline_rulebook"
down_revision: str | Sequence[str] | None = "0008_dues_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("current_deadlines") as batch:
        batch.add_column(sa.Column("rulebook_version", sa.String(length=40), nullable=False,
                                   server_default=""))
    op.execute(
        "UPDATE current_deadlines SET rulebook_version = COALESCE((SELECT a.rulebook_version "
        "FROM models m JOIN assessments a ON a.id = m.latest_assessment_id "
        "WHERE m.id = current_deadlines.model_id), '')")  # '': no assessment found, unknown


def downgrade() -> None:
    with op.batch_alter_table("current_deadlines") as batch:
        batch.drop_column("rulebook_version")
