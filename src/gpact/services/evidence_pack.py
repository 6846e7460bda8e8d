"""Build a model's evidence pack (the format and its check live in ``gpact.tracking.pack``).

The pack holds what the AI Office may ask for under Art. 91: the current documents (the
latest of each kind and format) and every document used as evidence, the evidence files,
each obligation's state and sign-off, the profile, record and assessment the documents were
built from, the audit events of this model (only this organisation's) and the chain head.
Exporting is itself an audit event, recorded with the manifest's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.services import obligations, registry, server_documents, server_inputs
from gpact.services.accounts import Actor
from gpact.services.tracking_sync import track_state
from gpact.store import audit
from gpact.store.models import AuditEvent, AuditHead, ComputeLedger, Document, utcnow
from gpact.tracking import pack


def _event(e: AuditEvent) -> dict[str, Any]:
    return {"seq": e.seq, "at": e.at, "org_id": e.org_id, "actor": e.actor,
            "action": e.action, "entity": e.entity, "entity_id": e.entity_id,
            "before_hash": e.before_hash, "after_hash": e.after_hash, "detail": e.detail,
            "prev_hash": e.prev_hash, "hash": e.hash}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "file"


def build(session: Session, actor: Actor, model_id: int) -> tuple[str, bytes]:
    """(file name, zip bytes) of the model's evidence pack; appends the export event."""
    registry.require(actor, "read")
    model = registry.get_model(session, actor, model_id)
    files: list[tuple[str, bytes]] = []
    listed: list[dict[str, Any]] = []

    def add(path: str, content: bytes, recorded: str | None = None) -> None:
        files.append((path, content))
        listed.append({"path": path, "sha256": recorded or hashlib.sha256(content).hexdigest(),
                       "size": len(content)})

    profile = registry.latest_profile(session, model)
    add("profile.yaml", profile.text.encode(), profile.sha256)
    record = server_documents.latest_record(session, model)
    if record is not None:
        add("record.yaml", record.text.encode(), record.sha256)
    latest = registry.latest_assessment(session, model)
    if latest is not None:
        add("assessment.json", json.dumps(latest.result, indent=2, ensure_ascii=False,
                                          default=str).encode())
    for row in server_inputs.inputs(session, actor, model_id):
        add(f"inputs/{row.kind}-v{row.number}.json", row.text.encode(), row.sha256)
    docs = server_documents.documents(session, actor, model_id)  # newest first
    tracks = obligations.tracks(session, actor, model_id, include_not_applying=True)
    evidence = {t.id: obligations.evidence_of(session, t) for t in tracks}
    used = {e.document_id for ev in evidence.values() for e in ev if e.document_id}
    current: dict[tuple[str, str], Document] = {}
    for d in docs:
        current.setdefault((d.kind, d.format), d)
    doc_paths: dict[int, str] = {}
    for d in docs:
        if current.get((d.kind, d.format)) is d or d.id in used:
            doc_paths[d.id] = f"documents/{d.id}-{_safe(d.filename)}"
            add(doc_paths[d.id], server_documents.get_document(session, actor, d.id).content,
                d.sha256)
    items = []
    for t in tracks:
        entries = []
        for e in evidence[t.id]:
            entry: dict[str, Any] = {"id": e.id, "kind": e.kind, "sha256": e.sha256 or None,
                                     "size": e.size, "note": e.note, "added_by": e.created_by,
                                     "added_at": e.created_at.isoformat()}
            if e.kind == "file":
                path = f"evidence/{e.id}-{_safe(e.filename)}"
                add(path, obligations.get_evidence(session, actor, e.id).content or b"",
                    e.sha256)
                entry["path"] = path
            elif e.kind == "document":
                entry["path"] = doc_paths.get(e.document_id or 0)
                entry["filename"] = e.filename
            else:
                entry.update(url=e.url, published_on=e.published_on.isoformat()
                             if e.published_on else None)
            entries.append(entry)
        items.append({**track_state(t), "title": t.title, "source": t.source,
                      "sign_off_requested_at": t.sign_off_requested_at.isoformat()
                      if t.sign_off_requested_at else None,
                      "signed_off_at": t.signed_off_at.isoformat() if t.signed_off_at else None,
                      "reopened_reason": t.reopened_reason, "evidence": entries})
    track_ids = [str(t.id) for t in tracks]
    doc_ids = [str(d.id) for d in docs]
    ledger_ids = [str(i) for i in session.scalars(select(ComputeLedger.id).where(
        ComputeLedger.model_id == model.id))]
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.org_id == actor.org_id,
        or_((AuditEvent.entity == "model") & (AuditEvent.entity_id == str(model.id)),
            (AuditEvent.entity == "obligation") & AuditEvent.entity_id.in_(track_ids),
            (AuditEvent.entity == "document") & AuditEvent.entity_id.in_(doc_ids),
            (AuditEvent.entity == "compute_ledger") & AuditEvent.entity_id.in_(ledger_ids)))
        .order_by(AuditEvent.seq)).all()
    excerpt = "".join(json.dumps(_event(e), ensure_ascii=False, default=str) + "\n"
                      for e in events).encode()
    add(pack.AUDIT, excerpt)
    head = session.get(AuditHead, 1)
    index = {"format": pack.FORMAT, "built_at": utcnow().isoformat(), "built_by": actor.label,
             "gpact_version": __version__, "notice": NOT_LEGAL_ADVICE,
             "organisation": actor.org_slug,
             "model": {"id": model.id, "name": model.name, "version": model.version},
             "assessment": {"as_of": latest.as_of.isoformat(),
                            "rulebook_version": latest.rulebook_version} if latest else None,
             "audit_head": {"seq": head.seq if head else 0,
                            "hash": head.hash if head else audit.GENESIS},
             "audit_events": len(events), "obligations": items, "files": listed,
             "how_to_check": "gpact evidence verify THIS.zip (offline; exit 1 on any "
                             "mismatch). Compare audit_head with a head kept outside gpact "
                             "(gpact audit verify prints it)."}
    content = pack.write([(pack.INDEX, json.dumps(index, indent=2, ensure_ascii=False)
                           .encode()), *files])
    audit.append(session, actor=actor.label, action="evidence_pack.export", entity="model",
                 entity_id=model.id, org_id=actor.org_id,
                 detail={"model": model.id, "pack_sha256": hashlib.sha256(content).hexdigest(),
                         "files": len(files) + 1})
    day = dt.date.today().isoformat()
    return f"{_safe(model.name)}-evidence-pack-{day}.zip", content
