"""A counter per organisation that moves with every change its portfolio-wide reads show
(``organisations.views_version``; see ``gpact.store.views``).

Revision ID: 0007_views_version
Revises: 0006_current_deadlines
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_views_version"
down_revision: str | Sequence[str] | None = "0006_current_deadlines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("views_version", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("views_version")
