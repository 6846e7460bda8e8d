"""The audit trail: append-only events chained by SHA-256.

Each event's hash covers its own canonical JSON and the previous event's hash, so editing an
event breaks its hash, deleting one breaks the chain, and cutting events off the end no longer
matches the stored head. ``verify`` walks the chain; ``gpact audit verify`` prints the result.
An attacker who can rewrite the whole database can rebuild the chain: keep the head hash that
``verify`` prints somewhere else (a ticket, a signed mail) to anchor it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gpact.store.models import AuditEvent, AuditHead

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x67706163  # "gpac"


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def digest(obj: Any) -> str:
    """SHA-256 of an object's canonical JSON (the before/after state of a change)."""
    return hashlib.sha256(canonical(obj)).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq, "at": event.at, "org_id": event.org_id, "actor": event.actor,
        "action": event.action, "entity": event.entity, "entity_id": event.entity_id,
        "before_hash": event.before_hash, "after_hash": event.after_hash,
        "detail": event.detail, "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(event.prev_hash.encode() + canonical(_fields(event))).hexdigest()


def append(session: Session, *, actor: str, action: str, entity: str, entity_id: object,
           org_id: int | None, before: Any = None, after: Any = None,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add one event at the end of the chain, inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()
                           ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    event = AuditEvent(
        seq=head.seq + 1,
        at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        org_id=org_id, actor=actor, action=action, entity=entity, entity_id=str(entity_id),
        before_hash=None if before is None else digest(before),
        after_hash=None if after is None else digest(after),
        detail=detail or {}, prev_hash=head.hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    head.seq, head.hash = event.seq, event.hash
    session.flush()
    return event


@dataclass
class Verification:
    events: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, expect_head: str | None = None) -> Verification:
    """Walk the whole chain in order and report every break (streams, bounded memory)."""
    result = Verification()
    expected_seq, prev = 1, GENESIS
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq).execution_options(
        yield_per=1000)).scalars()
    for event in rows:
        if event.seq != expected_seq:
            result.problems.append(f"events {expected_seq}..{event.seq - 1} are missing "
                                   "(deleted?)" if event.seq > expected_seq
                                   else f"event {event.seq} is out of order")
        if event.prev_hash != prev:
            result.problems.append(f"event {event.seq}: previous-hash link broken "
                                   "(an earlier event was changed or removed)")
        if event_hash(event) != event.hash:
            result.problems.append(f"event {event.seq}: content does not match its hash "
                                   "(edited)")
        result.events += 1
        expected_seq, prev = event.seq + 1, event.hash
        session.expunge(event)
    result.head_hash = prev
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        result.problems.append(f"chain ends at event {expected_seq - 1} but the head records "
                               f"event {head.seq}: events were cut off the end")
    if head is None and result.events:
        result.problems.append("audit head record is missing")
    if expect_head is not None and expect_head != prev:
        result.problems.append(f"head hash {prev} differs from the expected {expect_head}")
    return result
