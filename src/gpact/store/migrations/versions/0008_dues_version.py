"""A second counter per organisation, for the deadlines and obligations lists alone
(``organisations.dues_version``; see ``gpact.store.views``): a profile saved without a
change to its model's dated obligations no longer retires their kept pages.

Revision ID: 0008_dues_version
Revises: 0007_views_version
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_dues_version"
down_revision: str | Sequence[str] | None = "0007_views_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("dues_version", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("dues_version")
