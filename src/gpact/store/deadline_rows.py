"""The ``current_deadlines`` rows: each model's dated, applying obligations of its latest
assessment with the model's name, kept so the portfolio's deadlines are one index range.

``refresh`` runs in the transaction that sets a model's latest assessment (assessing,
importing); ``rebuild`` derives them all again from the assessments (a restored backup made
before the table existed).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from gpact.store import views
from gpact.store.models import Assessment, CurrentDeadline, Model, ObligationDue

_DROP = delete(CurrentDeadline).where(CurrentDeadline.model_id == bindparam("model_id"))
_ALL = (select(Model.org_id, Model.id, Model.name, ObligationDue.obligation,
               ObligationDue.source, ObligationDue.applies_from, ObligationDue.due,
               Assessment.as_of, Assessment.rulebook_version)
        .join(Assessment, Assessment.id == Model.latest_assessment_id)
        .join(ObligationDue, ObligationDue.assessment_id == Assessment.id)
        .where(ObligationDue.status == "applies", ObligationDue.due.is_not(None)))
_COLUMNS = ["org_id", "model_id", "model_name", "obligation", "source", "applies_from", "due",
            "as_of", "rulebook_version"]
_CURRENT = select(*[CurrentDeadline.__table__.c[c] for c in _COLUMNS]).where(
    CurrentDeadline.model_id == bindparam("model_id"))


def refresh(session: Session, model: Model, as_of: dt.date, rulebook_version: str,
            obligations: list[dict[str, Any]]) -> None:
    """Replace the model's rows with the dated obligations that apply in ``obligations``
    (an assessment result's list), as of ``as_of`` under ``rulebook_version``; ``model.name``
    is its name now. The model pages show the new assessment's summary: their version
    moves; the deadlines' only if the rows differ."""
    views.changed(session, model.org_id, dues=False)
    rows = [{"org_id": model.org_id, "model_id": model.id, "model_name": model.name,
             "obligation": str(o["id"])[:64], "source": str(o["source"])[:200],
             "applies_from": _day(o.get("applies_from")), "due": _day(o["due"]),
             "as_of": as_of, "rulebook_version": rulebook_version[:40]}
            for o in obligations if o["status"] == "applies" and o.get("due")]
    conn = session.connection()
    # a reassessment mostly finds the same rows: then they are left as they are (one read
    # instead of a delete and an insert, each maintaining the ordering index)
    if Counter(tuple(r) for r in conn.execute(_CURRENT, {"model_id": model.id})) == \
            Counter(tuple(r[c] for c in _COLUMNS) for r in rows):
        return
    views.changed(session, model.org_id)
    conn.execute(_DROP, {"model_id": model.id})
    if rows:
        conn.execute(insert(CurrentDeadline).execution_options(render_nulls=True), rows)


def rebuild(session: Session) -> None:
    session.execute(delete(CurrentDeadline))
    session.execute(insert(CurrentDeadline).from_select(_COLUMNS, _ALL))


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
