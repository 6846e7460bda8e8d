"""Invitations to an organisation (migration 0004). Kept apart from ``models`` so the access
tables of the server grow without touching the register's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gpact.store.models import Base, UTCDateTime, utcnow


class Invitation(Base):
    """An admin's offer of a role to an e-mail address; the link's secret is stored as a
    SHA-256. Accepting it (logged in as that address, or by creating the account) makes the
    membership, so adding someone tells the admin nothing about accounts elsewhere."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                        index=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
