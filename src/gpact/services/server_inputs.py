"""Training-data statistics and opt-out audits kept in the server as versioned inputs.

Upload the JSON that ``gpact data summarize`` writes (``data_summary``) or that
``gpact rights audit --summary`` writes (``rights_audit``); each upload is a new version,
kept with its SHA-256, and the latest one feeds the documents built on the server (the
training-content summary, the copyright policy) exactly as a record's reference does in
``gpact docs``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact.documents.sources import _checked_summary  # the check gpact docs applies
from gpact.errors import InputError
from gpact.services import registry
from gpact.services.accounts import Actor
from gpact.services.server_errors import Invalid, TooLarge
from gpact.store import audit
from gpact.store.models import DataInput, Model

KINDS = {"data_summary": "gpact data summarize --format json",
         "rights_audit": "gpact rights audit --summary FILE"}
MAX_BYTES = 10 * 1024 * 1024


def check(kind: str, filename: str, content: bytes) -> dict[str, Any]:
    if kind not in KINDS:
        raise Invalid([f"kind: one of {', '.join(KINDS)}"])
    if len(content) > MAX_BYTES:
        raise TooLarge(f"file: {filename} is larger than {MAX_BYTES // 1024**2} MiB")
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise Invalid([f"file: {filename} is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise Invalid([f"file: {filename}: line {exc.lineno}: not JSON ({exc.msg})"]) from None
    if not isinstance(data, dict):
        raise Invalid([f"file: {filename}: expected a JSON object, the output of "
                       f"{KINDS[kind]}"])
    if kind == "data_summary":
        try:
            _checked_summary(data, Path(filename))
        except InputError as exc:
            raise Invalid([f"file: {filename}: {exc.problem}"]) from None
    elif "gpact_version" not in data or "rulebook_version" not in data:
        raise Invalid([f"file: {filename}: not the summary of {KINDS[kind]} (no "
                       "'gpact_version' and 'rulebook_version')"])
    return data


def latest(session: Session, model: Model, kind: str) -> DataInput | None:
    return session.scalars(select(DataInput).where(DataInput.model_id == model.id,
                                                   DataInput.kind == kind)
                           .order_by(DataInput.number.desc()).limit(1)).first()


def latest_data(session: Session, model: Model, kind: str) -> dict[str, Any] | None:
    row = latest(session, model, kind)
    return json.loads(row.text) if row else None


def upload(session: Session, actor: Actor, model_id: int, kind: str, filename: str,
           content: bytes) -> DataInput:
    registry.require(actor, "write")
    model = registry.get_model(session, actor, model_id)
    check(kind, filename, content)
    old = latest(session, model, kind)
    row = DataInput(model_id=model.id, kind=kind, number=(old.number + 1) if old else 1,
                    filename=filename[:300], text=content.decode("utf-8"),
                    sha256=hashlib.sha256(content).hexdigest(), created_by=actor.label)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.label, action="input.upload", entity="model",
                 entity_id=model.id, org_id=actor.org_id, after={"sha256": row.sha256},
                 detail={"model": model.id, "kind": kind, "number": row.number})
    return row


def inputs(session: Session, actor: Actor, model_id: int) -> list[DataInput]:
    registry.require(actor, "read")
    model = registry.get_model(session, actor, model_id)
    return list(session.scalars(select(DataInput).where(DataInput.model_id == model.id)
                                .order_by(DataInput.kind, DataInput.number.desc())))
