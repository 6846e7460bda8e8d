"""The audit trail: append-only events chained by SHA-256, anchored outside the database.

Each event's hash covers its own canonical JSON and the previous event's hash, so editing an
event breaks its hash and deleting one breaks the chain. Every committed change also appends
the new head (number and hash) to a **checkpoint file** outside the table (next to a SQLite
file, or under the state directory for PostgreSQL; see ``Database.checkpoints``), so cutting
events off the end, or wiping the log together with its head row, no longer matches what the
file recorded. ``verify`` walks the chain, compares it with the checkpoints, and checks the
stored profiles, records and documents against the hashes their audit events recorded.
Someone able to rewrite both the database and the checkpoint file can still rebuild a
consistent history: keep a head elsewhere too (``--expect-head``, a backup's header).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from gpact.store.models import AuditEvent, AuditHead, Document, ProfileVersion, RecordVersion

log = logging.getLogger("gpact.server")
HEAD_KEY = "gpact_audit_head"  # session.info: the head this transaction will commit
_HELD_KEY = "gpact_audit_held"  # session.info: (transaction, (seq, hash)) once it is locked
GROUP_KEY = "gpact_write_group"  # session.info: the group commit the session writes in

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
    return _hash(_fields(event))


def _hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(fields["prev_hash"].encode() + canonical(fields)).hexdigest()


_HEAD_FOR_UPDATE = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1) \
    .with_for_update()
# Core statements on the session's connection: no ORM bulk-insert machinery per event
_MOVE_HEAD = update(AuditHead).where(AuditHead.id == 1).values(
    seq=bindparam("new_seq"), hash=bindparam("new_hash"))
_INSERT_EVENT = insert(AuditEvent)


def append(session: Session, *, actor: str, action: str, entity: str, entity_id: object,
           org_id: int | None, before: Any = None, after: Any = None,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add one event at the end of the chain, inside the caller's transaction. The first
    event of a transaction takes the chain's lock and reads the head; the others of the same
    transaction (a save appends two or more), and of the writers after it in the same group
    commit (``Database.write``), hold both already. Plain inserts and updates: the event is
    not kept as an object of the session."""
    group = session.info.get(GROUP_KEY)
    transaction = session.get_transaction()
    held = session.info.get(_HELD_KEY)
    if group is not None and group.chain is not None:
        seq, prev = group.chain
    elif held is not None and held[0] is transaction:
        seq, prev = held[1]
    else:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        row = session.execute(_HEAD_FOR_UPDATE).first()
        if row is None:
            session.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
            seq, prev = 0, GENESIS
        else:
            seq, prev = row
    fields = {
        "seq": seq + 1, "at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        "org_id": org_id, "actor": actor, "action": action, "entity": entity,
        "entity_id": str(entity_id),
        "before_hash": None if before is None else digest(before),
        "after_hash": None if after is None else digest(after),
        "detail": detail or {}, "prev_hash": prev,
    }
    event = AuditEvent(**fields, hash=_hash(fields))
    conn = session.connection()
    conn.execute(_INSERT_EVENT, {**fields, "hash": event.hash})
    conn.execute(_MOVE_HEAD, {"new_seq": event.seq, "new_hash": event.hash})
    session.info[_HELD_KEY] = (transaction, (event.seq, event.hash))
    session.info[HEAD_KEY] = (event.seq, event.hash)
    if group is not None:
        group.chain = (event.seq, event.hash)
    return event


def anchor(session: Session) -> dict[str, Any]:
    """The current head, for a backup header or an evidence export to carry outside."""
    head = session.get(AuditHead, 1)
    return {"seq": head.seq if head else 0, "hash": head.hash if head else GENESIS,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def write_checkpoints(path: Path | None, heads: list[tuple[int, str]]) -> None:
    """Append heads to the checkpoint file (after the commit that made them): one line per
    change, all in one small ``O_APPEND`` write, so concurrent workers' lines never mix. A
    failure is logged, not raised: the changes are committed already."""
    if path is None or not heads:
        return
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines = "".join(json.dumps({"seq": seq, "hash": head_hash, "at": at}) + "\n"
                    for seq, head_hash in heads)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, lines.encode())
        finally:
            os.close(fd)
    except OSError as exc:
        log.error(json.dumps({"event": "audit_checkpoint_failed", "path": str(path),
                              "seq": heads[-1][0], "reason": str(exc)}))


def read_checkpoints(path: Path, problems: list[str]) -> dict[int, str]:
    """seq -> hash from the checkpoint file; a torn last line (a crash mid-write) is
    skipped, any other unreadable line is a problem."""
    found: dict[int, str] = {}
    with path.open("rb") as fh:
        lines = fh.read().split(b"\n")
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            seq, value = int(item["seq"]), str(item["hash"])
        except (ValueError, KeyError, TypeError):
            if n < len(lines) - 1 or raw.endswith(b"}"):
                problems.append(f"checkpoint file {path}, line {n}: unreadable")
            continue
        if found.get(seq, value) != value:
            problems.append(f"checkpoint file {path}: event {seq} recorded with two hashes")
        found[seq] = value
    return found


@dataclass
class Verification:
    events: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    checkpoints: int = 0
    checked: dict[str, int] = field(default_factory=dict)  # rows checked against events
    unrecorded: int = 0  # rows older than the events that record content hashes

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Recorded:
    """The content hashes the audit events recorded, to check the stored rows against."""

    profiles: dict[tuple[int, int], str] = field(default_factory=dict)
    records: dict[tuple[int, int], str] = field(default_factory=dict)
    record_states: set[tuple[int, str]] = field(default_factory=set)
    documents: dict[int, str] = field(default_factory=dict)
    legacy_models: set[int] = field(default_factory=set)

    def add(self, event: AuditEvent) -> None:
        detail, model = event.detail or {}, _int(event.entity_id)
        if event.action in ("model.create", "model.update_profile") and model is not None:
            if "profile_sha256" in detail:
                self.profiles[(model, int(detail["profile"]))] = str(detail["profile_sha256"])
            else:
                self.legacy_models.add(model)
        elif event.action == "model.update_record" and model is not None and event.after_hash:
            self.record_states.add((model, event.after_hash))
        elif event.action == "document.build" and model is not None and event.after_hash:
            self.documents[model] = event.after_hash  # entity is the document
        elif event.action == "model.import" and model is not None:
            for number, sha in (detail.get("profiles") or {}).items():
                self.profiles[(model, int(number))] = str(sha)
            for number, sha in (detail.get("records") or {}).items():
                self.records[(model, int(number))] = str(sha)
            for doc, sha in (detail.get("documents") or {}).items():
                self.documents[int(doc)] = digest({"sha256": str(sha)})


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def verify(session: Session, expect_head: str | None = None,
           checkpoints: Path | None = None) -> Verification:
    """Walk the whole chain in order and report every break (streams, bounded memory),
    compare it with the checkpoint file, and check the stored content against the events."""
    result = Verification()
    anchored: dict[int, str] = {}
    if checkpoints is not None and checkpoints.is_file():
        anchored = read_checkpoints(checkpoints, result.problems)
        result.checkpoints = len(anchored)
    recorded = _Recorded()
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
        if anchored.get(event.seq, event.hash) != event.hash:
            result.problems.append(f"event {event.seq}: differs from the checkpoint file "
                                   "(the chain was rewritten from here on)")
        recorded.add(event)
        result.events += 1
        expected_seq, prev = event.seq + 1, event.hash
        session.expunge(event)
    result.head_hash = prev
    last = expected_seq - 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last or head.hash != prev):
        result.problems.append(f"chain ends at event {last} but the head records "
                               f"event {head.seq}: events were cut off the end")
    if head is None and result.events:
        result.problems.append("audit head record is missing")
    if anchored and max(anchored) > last:
        result.problems.append(
            f"the checkpoint file records event {max(anchored)} but the chain ends at event "
            f"{last}: " + ("the audit log was wiped" if not result.events
                           else "events were cut off the end"))
    if expect_head is not None and expect_head != prev:
        result.problems.append(f"head hash {prev} differs from the expected {expect_head}")
    _check_content(session, recorded, result)
    return result


def _stream(session: Session, *columns: Any) -> Iterator[Any]:
    yield from session.execute(select(*columns).execution_options(yield_per=200))


def _check_content(session: Session, recorded: _Recorded, result: Verification) -> None:
    """Each stored profile, record and document must hash to what its row says and to what
    an audit event recorded when it was made."""
    problems = result.problems
    checked = {"profiles": 0, "records": 0, "documents": 0}
    for model, number, sha, body in _stream(session, ProfileVersion.model_id,
                                            ProfileVersion.number, ProfileVersion.sha256,
                                            ProfileVersion.text):
        what = f"model {model}, profile version {number}"
        if hashlib.sha256(body.encode()).hexdigest() != sha:
            problems.append(f"{what}: text does not match its stored SHA-256 (edited)")
        expected = recorded.profiles.get((model, number))
        if expected is None and model in recorded.legacy_models:
            result.unrecorded += 1
            continue
        if expected is None:
            problems.append(f"{what}: no audit event records it (added outside gpact, or "
                            "the audit log was wiped)")
        elif expected != sha:
            problems.append(f"{what}: differs from the SHA-256 its audit event recorded")
        checked["profiles"] += 1
    for model, number, sha, body in _stream(session, RecordVersion.model_id,
                                            RecordVersion.number, RecordVersion.sha256,
                                            RecordVersion.text):
        what = f"model {model}, record version {number}"
        if hashlib.sha256(body.encode()).hexdigest() != sha:
            problems.append(f"{what}: text does not match its stored SHA-256 (edited)")
        imported = recorded.records.get((model, number))
        if imported != sha and (model, digest({"record": number, "sha256": sha})) \
                not in recorded.record_states:
            problems.append(f"{what}: no audit event recorded this content")
        checked["records"] += 1
    for doc, sha, content in _stream(session, Document.id, Document.sha256, Document.content):
        actual = hashlib.sha256(content).hexdigest()
        if actual != sha:
            problems.append(f"document {doc}: content does not match its stored SHA-256")
        if recorded.documents.get(doc) != digest({"sha256": actual}):
            problems.append(f"document {doc}: no audit event recorded this content")
        checked["documents"] += 1
    result.checked = checked
