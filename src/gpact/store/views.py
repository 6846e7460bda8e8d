"""The version of an organisation's portfolio-wide reads: ``organisations.views_version``.

The answers of the model pages, the model count, the deadlines and the obligations list are
kept in memory (``gpact.api.read_cache``) under this number, so they must move with every
change that those reads show: a model added, deleted, renamed or given a new version (a
profile or record saved, a risk entry changed), a new assessment (its summary, due dates and
obligations), an import. ``changed`` is called in the transaction of each such change, so
the new number commits with it, and every process sees it with the data. Changes those reads
do not show (an obligation's state, evidence, documents, tokens, members) leave it, and the
kept answers with it.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from gpact.store.db import Reader
from gpact.store.models import Organisation

_BUMP = update(Organisation).where(Organisation.id == bindparam("org")).values(
    views_version=Organisation.views_version + 1)
_VERSION = select(Organisation.views_version).where(Organisation.id == bindparam("org"))
_DONE_KEY = "gpact_views_changed"  # session.info: organisations moved in this transaction


def changed(session: Session, org_id: int) -> None:
    """Move the organisation's version (once per transaction)."""
    done: set[int] = session.info.setdefault(_DONE_KEY, set())
    if org_id not in done:
        session.connection().execute(_BUMP, {"org": org_id})
        done.add(org_id)


def version(reader: Reader, org_id: int) -> int | None:
    """The organisation's version now (read in the request's own connection, before the
    answer is built, so a kept answer is never older than its key)."""
    return reader.execute(_VERSION, {"org": org_id}).scalar()
