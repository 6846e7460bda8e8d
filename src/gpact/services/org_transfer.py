"""Export an organisation's register as one JSON file, and import it into an empty one.

The file holds every model with its full profile and documentation-record history, the
assessments (with the rulebook version each used), built documents and compute ledgers
(base64) — not users, passwords or tokens. Imported rows keep their content and hashes;
the import itself is one audit event.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpact import __version__
from gpact.services.accounts import Actor
from gpact.services.registry import require, summarise
from gpact.services.server_errors import Conflict, Invalid
from gpact.store import audit
from gpact.store.models import (
    Assessment,
    ComputeLedger,
    Document,
    Model,
    ObligationDue,
    Organisation,
    ProfileVersion,
    RecordVersion,
)

FORMAT = "gpact-organisation/1"


def _ts(value: dt.datetime) -> str:
    return value.isoformat()


def export(session: Session, actor: Actor) -> dict[str, Any]:
    require(actor, "admin")
    org = session.get(Organisation, actor.org_id)
    assert org is not None
    models = []
    for model in session.scalars(select(Model).where(Model.org_id == org.id).order_by(Model.id)):
        profiles = session.scalars(select(ProfileVersion).where(
            ProfileVersion.model_id == model.id).order_by(ProfileVersion.number)).all()
        number = {p.id: p.number for p in profiles}
        assessed = session.scalars(select(Assessment).where(Assessment.model_id == model.id)
                                   .order_by(Assessment.id)).all()
        index = {a.id: i for i, a in enumerate(assessed)}
        models.append({
            "name": model.name, "version": model.version, "created_at": _ts(model.created_at),
            "profiles": [{"number": p.number, "text": p.text, "sha256": p.sha256,
                          "created_by": p.created_by, "created_at": _ts(p.created_at)}
                         for p in profiles],
            "records": [{"number": r.number, "text": r.text, "sha256": r.sha256,
                         "created_by": r.created_by, "created_at": _ts(r.created_at)}
                        for r in session.scalars(select(RecordVersion).where(
                            RecordVersion.model_id == model.id)
                            .order_by(RecordVersion.number))],
            "assessments": [{"profile": number[a.profile_version_id],
                             "as_of": a.as_of.isoformat(), "result": a.result,
                             "created_by": a.created_by, "created_at": _ts(a.created_at)}
                            for a in assessed],
            "documents": [{"assessment": index.get(d.assessment_id or -1), "kind": d.kind,
                           "format": d.format, "media_type": d.media_type,
                           "filename": d.filename, "sha256": d.sha256,
                           "completeness": d.completeness,
                           "content_base64": base64.b64encode(d.content).decode(),
                           "created_by": d.created_by, "created_at": _ts(d.created_at)}
                          for d in session.scalars(select(Document).where(
                              Document.model_id == model.id).order_by(Document.id))],
            "ledgers": [{"filename": c.filename, "sha256": c.sha256, "summary": c.summary,
                         "total_flop": c.total_flop,
                         "content_base64": base64.b64encode(c.content).decode(),
                         "created_by": c.created_by, "created_at": _ts(c.created_at)}
                        for c in session.scalars(select(ComputeLedger).where(
                            ComputeLedger.model_id == model.id).order_by(ComputeLedger.id))],
        })
    return {"format": FORMAT, "gpact_version": __version__,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(),
            "organisation": {"slug": org.slug, "name": org.name}, "models": models}


def import_(session: Session, actor: Actor, data: dict[str, Any]) -> int:
    """Recreate an exported register in the actor's (empty) organisation; returns model count."""
    require(actor, "admin")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise Invalid([f"format: expected {FORMAT!r}"])
    if session.scalar(select(func.count()).select_from(Model)
                      .where(Model.org_id == actor.org_id)):
        raise Conflict("import needs an organisation without models")
    try:
        for m in data["models"]:
            _import_model(session, actor, m)
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid([f"models: malformed export file ({type(exc).__name__}: {exc})"]) from None
    audit.append(session, actor=actor.label, action="organisation.import",
                 entity="organisation", entity_id=actor.org_id, org_id=actor.org_id,
                 after=data, detail={"models": len(data["models"]),
                                     "from": data.get("organisation", {}).get("slug")})
    return len(data["models"])


def _import_model(session: Session, actor: Actor, m: dict[str, Any]) -> None:
    model = Model(org_id=actor.org_id, name=str(m["name"]), version=int(m["version"]),
                  created_at=dt.datetime.fromisoformat(m["created_at"]))
    session.add(model)
    session.flush()
    ids: dict[int, int] = {}
    for p in m["profiles"]:
        row = ProfileVersion(model_id=model.id, number=int(p["number"]), text=str(p["text"]),
                             sha256=str(p["sha256"]), created_by=str(p["created_by"]),
                             created_at=dt.datetime.fromisoformat(p["created_at"]))
        session.add(row)
        session.flush()
        ids[row.number] = row.id
    for r in m.get("records", []):
        session.add(RecordVersion(model_id=model.id, number=int(r["number"]),
                                  text=str(r["text"]), sha256=str(r["sha256"]),
                                  created_by=str(r["created_by"]),
                                  created_at=dt.datetime.fromisoformat(r["created_at"])))
    assessment_ids = []
    for a in m["assessments"]:
        result = a["result"]
        assessed = Assessment(model_id=model.id, profile_version_id=ids[int(a["profile"])],
                         as_of=dt.date.fromisoformat(a["as_of"]),
                         rulebook_version=str(result["rulebook_version"]),
                         gpact_version=str(result["gpact_version"]), result=result,
                         summary=summarise(result), created_by=str(a["created_by"]),
                         created_at=dt.datetime.fromisoformat(a["created_at"]))
        session.add(assessed)
        session.flush()
        assessment_ids.append(assessed.id)
        for o in result["obligations"]:
            session.add(ObligationDue(
                assessment_id=assessed.id, obligation=o["id"], source=o["source"],
                status=o["status"],
                applies_from=dt.date.fromisoformat(o["applies_from"]) if o.get("applies_from")
                else None, due=dt.date.fromisoformat(o["due"]) if o.get("due") else None))
    model.latest_assessment_id = assessment_ids[-1] if assessment_ids else None
    for d in m["documents"]:
        content = base64.b64decode(d["content_base64"])
        if hashlib.sha256(content).hexdigest() != d["sha256"]:
            raise ValueError(f"document {d['filename']} does not match its sha256")
        session.add(Document(
            model_id=model.id, assessment_id=None if d["assessment"] is None
            else assessment_ids[int(d["assessment"])], kind=str(d["kind"]),
            format=str(d["format"]), media_type=str(d["media_type"]),
            filename=str(d["filename"]), sha256=str(d["sha256"]), size=len(content),
            content=content, completeness=d["completeness"], created_by=str(d["created_by"]),
            created_at=dt.datetime.fromisoformat(d["created_at"])))
    for c in m["ledgers"]:
        content = base64.b64decode(c["content_base64"])
        session.add(ComputeLedger(
            model_id=model.id, filename=str(c["filename"]), sha256=str(c["sha256"]),
            size=len(content), content=content, total_flop=float(c["total_flop"]),
            summary=c["summary"], created_by=str(c["created_by"]),
            created_at=dt.datetime.fromisoformat(c["created_at"])))
    session.flush()
