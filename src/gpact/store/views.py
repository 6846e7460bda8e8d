"""The versions of an organisation's portfolio-wide reads: ``organisations.views_version``
and ``organisations.dues_version``.

The answers of the model pages and the model count are kept in memory
(``gpact.api.read_cache``) under ``views_version``, the deadlines and the obligations list
under ``dues_version``, so each must move with every change that its reads show.
``views_version``: a model added, deleted, renamed or given a new version (a profile or
record saved, a risk entry changed), a new assessment (its summary), an import.
``dues_version``: a model added, deleted or renamed (its name is in every row), an
assessment whose dated obligations (``current_deadlines``) or obligation rows differ from
those of the assessment it replaces, an import. A profile saved without such a difference
(the usual edit) therefore keeps the kept deadlines and obligations pages. ``changed`` is
called in the transaction of each such change, so the new numbers commit with it, and every
process sees them with the data. Changes those reads do not show (an obligation's state,
evidence, documents, tokens, members) leave both.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from gpact.store.db import Reader
from gpact.store.models import Organisation

_ORG = Organisation.id == bindparam("org")
_BUMP_VIEWS = update(Organisation).where(_ORG).values(
    views_version=Organisation.views_version + 1)
_BUMP_BOTH = update(Organisation).where(_ORG).values(
    views_version=Organisation.views_version + 1, dues_version=Organisation.dues_version + 1)
_BUMP_DUES = update(Organisation).where(_ORG).values(
    dues_version=Organisation.dues_version + 1)
_VERSIONS = select(Organisation.views_version, Organisation.dues_version).where(_ORG)
# session.info: the organisations whose versions moved in this transaction
_VIEWS_KEY, _DUES_KEY = "gpact_views_changed", "gpact_dues_changed"


def changed(session: Session, org_id: int, *, dues: bool = True) -> None:
    """Move the organisation's ``views_version`` and, with ``dues``, its ``dues_version``
    (each at most once per transaction)."""
    moved: set[int] = session.info.setdefault(_VIEWS_KEY, set())
    moved_dues: set[int] = session.info.setdefault(_DUES_KEY, set())
    views_due, dues_due = org_id not in moved, dues and org_id not in moved_dues
    if views_due or dues_due:
        bump = _BUMP_BOTH if views_due and dues_due else _BUMP_VIEWS if views_due \
            else _BUMP_DUES
        session.connection().execute(bump, {"org": org_id})
        moved.add(org_id)
        if dues:
            moved_dues.add(org_id)


def versions(reader: Reader, org_id: int) -> tuple[int, int] | None:
    """The organisation's ``(views_version, dues_version)`` now (read in the request's own
    connection, before the answer is built, so a kept answer is never older than its key)."""
    row = reader.execute(_VERSIONS, {"org": org_id}).first()
    return None if row is None else (row[0], row[1])
