"""Obligation tracking use cases: change a state, add evidence, sign off, and the portfolio.

The rules: ``not_applicable`` needs a written justification; ``met`` needs at least one piece
of evidence (and, for an obligation the rulebook says must be published, the publication's
address and date) and two people: one member asks for sign-off, a second member with the
reviewer (or admin) role gives it. Every change is an audit event in the same transaction,
and a stale ``version`` gets a conflict, so nothing is half-applied or silently overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from gpact.rulebook import default_rulebook
from gpact.services import accounts, registry
from gpact.services.accounts import Actor
from gpact.services.server_errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from gpact.services.tracking_sync import track_state
from gpact.store import audit
from gpact.store.models import (
    SIGN_OFF_ROLES,
    AuditEvent,
    Document,
    Evidence,
    Model,
    ObligationTrack,
    utcnow,
)
from gpact.tracking import Due, classify, next_due

STATES = ("open", "in_progress", "met", "not_applicable")
PUBLICATION_KEY = "ai_act.art53.publication"
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_TEXT = 20_000
MIN_JUSTIFICATION = 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$")
# what an uploaded file must look like for the type its name claims (checked before storing)
MEDIA = {".pdf": "application/pdf", ".md": "text/markdown", ".txt": "text/plain",
         ".csv": "text/csv", ".json": "application/json", ".yaml": "application/yaml",
         ".yml": "application/yaml", ".html": "text/html", ".png": "image/png",
         ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".zip": "application/zip",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAGIC = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff",
         ".jpeg": b"\xff\xd8\xff", ".zip": b"PK\x03\x04", ".docx": b"PK\x03\x04",
         ".xlsx": b"PK\x03\x04"}
TEXT = (".md", ".txt", ".csv", ".json", ".yaml", ".yml", ".html")


def publication_rules(as_of: dt.date | None = None) -> tuple[set[str], set[str], str]:
    """(obligations that must be published, those encouraged to be, the rule's source)."""
    rule = default_rulebook().at(as_of or dt.date.today()).rule(PUBLICATION_KEY)
    return set(rule.value.get("required", [])), set(rule.value.get("encouraged", [])), \
        f"{rule.source} ({rule.confidence})"


def _model(session: Session, actor: Actor, model_id: int) -> Model:
    return registry.get_model(session, actor, model_id)


# the track and the check that its model is the actor's organisation's, in one query
_TRACK = (select(ObligationTrack, Model.id)
          .outerjoin(ObligationTrack, (ObligationTrack.model_id == Model.id)
                     & (ObligationTrack.obligation == bindparam("obligation")))
          .where(Model.id == bindparam("model_id"), Model.org_id == bindparam("org_id")))


def get_track(session: Session, actor: Actor, model_id: int, obligation: str) -> ObligationTrack:
    registry.require(actor, "read")
    row = session.execute(_TRACK, {"obligation": obligation, "model_id": model_id,
                                   "org_id": actor.org_id}).first()
    if row is None:
        raise NotFound(f"no model {model_id}")
    if row[0] is None:
        raise NotFound(f"model {model_id} has no obligation {obligation!r}")
    track: ObligationTrack = row[0]
    return track


def tracks(session: Session, actor: Actor, model_id: int,
           include_not_applying: bool = False) -> list[ObligationTrack]:
    registry.require(actor, "read")
    model = _model(session, actor, model_id)
    query = select(ObligationTrack).where(ObligationTrack.model_id == model.id)
    if not include_not_applying:
        query = query.where(ObligationTrack.applies.is_(True))
    return list(session.scalars(query.order_by(ObligationTrack.due.is_(None),
                                               ObligationTrack.due, ObligationTrack.id)))


def evidence_of(session: Session, track: ObligationTrack) -> list[Evidence]:
    return list(session.scalars(select(Evidence).where(Evidence.track_id == track.id)
                                .order_by(Evidence.id)))


def evidence_counts(session: Session, track_ids: Sequence[int]) -> dict[int, int]:
    if not track_ids:
        return {}
    rows = session.execute(select(Evidence.track_id, func.count()).where(
        Evidence.track_id.in_(track_ids)).group_by(Evidence.track_id)).all()
    return {t: n for t, n in rows}


def history(session: Session, actor: Actor, track: ObligationTrack) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.org_id == actor.org_id, AuditEvent.entity == "obligation",
        AuditEvent.entity_id == str(track.id)).order_by(AuditEvent.seq.desc()).limit(200)))


def _check_version(track: ObligationTrack, expected: int) -> None:
    if track.version != expected:
        raise Conflict(f"version: obligation {track.obligation} is at version {track.version}, "
                       f"you edited version {expected}: reload and apply your change again")


def _text(name: str, value: str) -> str:
    if len(value) > MAX_TEXT:
        raise Invalid([f"{name}: at most {MAX_TEXT} characters"])
    return value.strip()


def _audit(session: Session, actor: Actor, track: ObligationTrack, action: str,
           before: dict[str, Any], **detail: Any) -> None:
    """(The track was found through ``get_track``: its model is the actor's organisation's.)"""
    audit.append(session, actor=actor.label, action=action, entity="obligation",
                 entity_id=track.id, org_id=actor.org_id, before=before,
                 after=track_state(track),
                 detail={"model": track.model_id, "obligation": track.obligation, **detail})


def _publication_problem(session: Session, track: ObligationTrack) -> str | None:
    required, _, source = publication_rules()
    if track.obligation not in required:
        return None
    if any(e.kind == "publication" for e in evidence_of(session, track)):
        return None
    return (f"evidence: this obligation must be published ({source}): add the publication's "
            "address and date as evidence first")


def change(session: Session, actor: Actor, model_id: int, obligation: str, expected: int, *,
           state: str | None = None, owner: str | None = None, notes: str | None = None,
           justification: str | None = None) -> ObligationTrack:
    """Change state, owner, notes or justification. ``state="met"`` asks for sign-off."""
    registry.require(actor, "write")
    track = get_track(session, actor, model_id, obligation)
    _check_version(track, expected)
    before = track_state(track)
    problems = []
    if state is not None and state not in STATES:
        problems.append(f"state: must be one of {', '.join(STATES)}")
    if owner is not None:
        owner = _text("owner", owner)
        members = {email for email, _ in accounts.members(session, actor)}
        if owner and owner not in members:
            problems.append(f"owner: {owner!r} is not a member of this organisation")
    new_notes = _text("notes", notes) if notes is not None else track.notes
    new_just = _text("justification", justification) if justification is not None \
        else track.justification
    if state == "not_applicable" and len(new_just) < MIN_JUSTIFICATION:
        problems.append("justification: explain in writing why this obligation does not apply "
                        f"(at least {MIN_JUSTIFICATION} characters)")
    if state == "met":
        if not evidence_of(session, track):
            problems.append("evidence: 'met' needs at least one piece of evidence; add a "
                            "document, a file or a publication first")
        else:
            pub = _publication_problem(session, track)
            if pub:
                problems.append(pub)
    if problems:
        raise Invalid(problems)
    if not track.applies:
        raise Invalid([f"state: {obligation} no longer applies ({track.reopened_reason})"])
    now = utcnow()
    if owner is not None:
        track.owner = owner
    track.notes, track.justification = new_notes, new_just
    action = "obligation.change"
    if state == "met":
        if track.state == "met":
            raise Invalid(["state: this obligation is met already"])
        track.sign_off_requested_by, track.sign_off_requested_at = actor.email, now
        action = "obligation.request_met"
    elif state is not None:
        track.state = state
        track.sign_off_requested_by = track.sign_off_requested_at = None
        track.signed_off_by = track.signed_off_at = None
        if state != "open":
            track.reopened_reason = ""
    track.version += 1
    track.changed_by, track.changed_at = actor.label, now
    session.flush()
    _audit(session, actor, track, action, before,
           state="met (sign-off asked)" if state == "met" else track.state)
    return track


def sign_off(session: Session, actor: Actor, model_id: int, obligation: str,
             expected: int) -> ObligationTrack:
    """The second pair of eyes: a reviewer other than the one who asked marks it met."""
    registry.require(actor, "write")
    track = get_track(session, actor, model_id, obligation)
    if actor.role not in SIGN_OFF_ROLES:
        raise Forbidden(f"sign-off: only a reviewer or an administrator can sign off (your "
                        f"role is {actor.role})")
    _check_version(track, expected)
    if track.sign_off_requested_by is None:
        raise Invalid(["state: nobody has asked for sign-off; set the state to 'met' first"])
    if track.sign_off_requested_by == actor.email:
        raise Forbidden("sign-off: you asked for this sign-off yourself; a second member must "
                        "give it (four eyes)")
    if not evidence_of(session, track):
        raise Invalid(["evidence: 'met' needs at least one piece of evidence"])
    pub = _publication_problem(session, track)
    if pub:
        raise Invalid([pub])
    before = track_state(track)
    now = utcnow()
    track.state = "met"
    track.signed_off_by, track.signed_off_at = actor.email, now
    track.reopened_reason = ""
    track.version += 1
    track.changed_by, track.changed_at = actor.label, now
    session.flush()
    _audit(session, actor, track, "obligation.sign_off", before, state="met",
           asked_by=track.sign_off_requested_by)
    return track


def _add(session: Session, actor: Actor, track: ObligationTrack, row: Evidence) -> Evidence:
    session.add(row)
    session.flush()
    model = session.get(Model, track.model_id)
    assert model is not None
    audit.append(session, actor=actor.label, action="evidence.add", entity="obligation",
                 entity_id=track.id, org_id=model.org_id,
                 after={"evidence": row.id, "kind": row.kind, "sha256": row.sha256,
                        "url": row.url},
                 detail={"model": track.model_id, "obligation": track.obligation,
                         "evidence": row.id, "kind": row.kind})
    return row


def add_document(session: Session, actor: Actor, model_id: int, obligation: str,
                 document_id: int, note: str = "") -> Evidence:
    """A document built in gpact, by its content hash."""
    registry.require(actor, "write")
    track = get_track(session, actor, model_id, obligation)
    doc = session.get(Document, document_id)
    if doc is None or doc.model_id != track.model_id:
        raise Invalid([f"document_id: model {model_id} has no document {document_id}"])
    return _add(session, actor, track, Evidence(
        track_id=track.id, kind="document", document_id=doc.id, filename=doc.filename,
        media_type=doc.media_type, sha256=doc.sha256, size=doc.size, content=None, url="",
        note=_text("note", note), created_by=actor.label))


def publication_problems(url: str, published_on: dt.date | None) -> list[str]:
    """What is wrong with a publication's address and date (an empty list if nothing)."""
    parts = urlsplit(url.strip())
    problems = []
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 2000:
        problems.append("url: give the full public address (https://…, at most 2000 "
                        "characters)")
    if published_on is None:
        problems.append("published_on: the date it was published is missing")
    elif published_on > dt.date.today():
        problems.append(f"published_on: {published_on} is in the future")
    return problems


def add_publication(session: Session, actor: Actor, model_id: int, obligation: str, url: str,
                    published_on: dt.date, note: str = "") -> Evidence:
    """Where and when the public version was published (training summary, policy summary)."""
    registry.require(actor, "write")
    track = get_track(session, actor, model_id, obligation)
    problems = publication_problems(url, published_on)
    if problems:
        raise Invalid(problems)
    return _add(session, actor, track, Evidence(
        track_id=track.id, kind="publication", url=url.strip(), published_on=published_on,
        sha256="", size=0, filename="", media_type="", content=None,
        note=_text("note", note), created_by=actor.label))


def check_file(filename: str, content: bytes) -> str:
    """The media type of an uploaded evidence file, after checking it is what it claims."""
    if not _NAME.match(filename) or ".." in filename:
        raise Invalid([f"file: {filename!r} is not a plain file name"])
    suffix = PurePosixPath(filename.lower()).suffix
    if suffix not in MEDIA:
        raise Invalid([f"file: {filename}: type {suffix or '(none)'} is not accepted; use one "
                       f"of {', '.join(sorted(MEDIA))}"])
    if len(content) > MAX_EVIDENCE_BYTES:
        raise TooLarge(f"file: {filename} is larger than "
                       f"{MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB")
    if not content:
        raise Invalid([f"file: {filename} is empty"])
    magic = MAGIC.get(suffix)
    if magic is not None and not content.startswith(magic):
        raise Invalid([f"file: {filename} is not a {suffix[1:].upper()} file (its content "
                       "does not match its name)"])
    if suffix in TEXT:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid([f"file: {filename} is not UTF-8 text"]) from None
        if suffix == ".json":
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                raise Invalid([f"file: {filename} is not JSON (line {exc.lineno}: "
                               f"{exc.msg})"]) from None
    if magic == b"PK\x03\x04":
        check_zip(filename, content)
    return MEDIA[suffix]


def check_zip(filename: str, content: bytes) -> None:
    """A zip must be readable and every member must stay inside the archive (zip slip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                path = PurePosixPath(name.replace("\\", "/"))
                if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
                    raise Invalid([f"file: {filename}: member {name!r} points outside the "
                                   "archive"])
    except zipfile.BadZipFile:
        raise Invalid([f"file: {filename} is not a readable zip archive"]) from None


def add_file(session: Session, actor: Actor, model_id: int, obligation: str, filename: str,
             content: bytes, note: str = "") -> Evidence:
    """An uploaded file, stored with its SHA-256, size, uploader and time."""
    registry.require(actor, "write")
    track = get_track(session, actor, model_id, obligation)
    media = check_file(filename, content)
    return _add(session, actor, track, Evidence(
        track_id=track.id, kind="file", filename=filename, media_type=media,
        sha256=hashlib.sha256(content).hexdigest(), size=len(content), content=content,
        url="", note=_text("note", note), created_by=actor.label))


def get_evidence(session: Session, actor: Actor, evidence_id: int) -> Evidence:
    registry.require(actor, "read")
    row = session.get(Evidence, evidence_id)
    if row is None:
        raise NotFound(f"no evidence {evidence_id}")
    track = session.get(ObligationTrack, row.track_id)
    assert track is not None
    _model(session, actor, track.model_id)
    if row.content is not None and hashlib.sha256(row.content).hexdigest() != row.sha256:
        raise RuntimeError(f"evidence {evidence_id} does not match its SHA-256: storage "
                           "corrupted")
    return row


def bucket(track: ObligationTrack, today: dt.date) -> str:
    return classify(Due(track.obligation, track.due, track.state), today)


@dataclass(frozen=True)
class Row:
    model_id: int
    model: str
    track: ObligationTrack
    bucket: str
    evidence: int


@dataclass(frozen=True)
class Portfolio:
    counts: dict[str, int]
    per_model: list[dict[str, Any]]
    rows: list[Row]
    total: int
    limit: int
    offset: int


BUCKETS = ("overdue", "due_soon", "open", "met", "not_applicable")


def portfolio(session: Session, actor: Actor, today: dt.date, *, bucket_filter: str = "",
              state: str = "", model_id: int | None = None, limit: int = 50,
              offset: int = 0) -> Portfolio:
    """Per model and overall: met, due soon, overdue, open; and one filtered page of rows."""
    registry.require(actor, "read")
    if bucket_filter and bucket_filter not in BUCKETS:
        raise Invalid([f"bucket: one of {', '.join(BUCKETS)}"])
    if state and state not in STATES:
        raise Invalid([f"state: one of {', '.join(STATES)}"])
    query = (select(Model.id, Model.name, ObligationTrack)
             .join(ObligationTrack, ObligationTrack.model_id == Model.id)
             .where(Model.org_id == actor.org_id, ObligationTrack.applies.is_(True))
             .order_by(ObligationTrack.due.is_(None), ObligationTrack.due, Model.name,
                       ObligationTrack.obligation))
    all_rows = session.execute(query).all()
    counts = dict.fromkeys(BUCKETS, 0)
    per: dict[int, dict[str, Any]] = {}
    chosen = []
    for m_id, name, track in all_rows:
        b = bucket(track, today)
        counts[b] += 1
        entry = per.setdefault(m_id, {"model_id": m_id, "model": name, **dict.fromkeys(
            BUCKETS, 0), "items": []})
        entry[b] += 1
        entry["items"].append(Due(track.obligation, track.due, track.state))
        if (not bucket_filter or b == bucket_filter) and (not state or track.state == state) \
                and (model_id is None or m_id == model_id):
            chosen.append((m_id, name, track, b))
    page = chosen[offset:offset + limit]
    ev = evidence_counts(session, [t.id for _, _, t, _ in page])
    per_model = []
    for entry in sorted(per.values(), key=lambda e: e["model"]):
        nd = next_due(entry.pop("items"), today)
        per_model.append({**entry, "next_due": nd.due.isoformat() if nd and nd.due else None,
                          "next_obligation": nd.key if nd else None})
    return Portfolio(counts, per_model, [Row(m, n, t, b, ev.get(t.id, 0))
                                         for m, n, t, b in page], len(chosen), limit, offset)


def done_keys(session: Session, actor: Actor) -> set[tuple[int, str]]:
    """(model id, obligation) of every met or not-applicable obligation of the organisation."""
    registry.require(actor, "read")
    rows = session.execute(select(ObligationTrack.model_id, ObligationTrack.obligation)
                           .join(Model, Model.id == ObligationTrack.model_id)
                           .where(Model.org_id == actor.org_id,
                                  ObligationTrack.state.in_(("met", "not_applicable")))).all()
    return {(m, o) for m, o in rows}


def reassess_outdated(session: Session, actor: Actor) -> list[int]:
    """Reassess every model last assessed under another rulebook version, so obligations the
    new rulebook changed are reopened with the reason (an admin runs this after an update)."""
    registry.require(actor, "write")
    current = default_rulebook().version
    models = session.scalars(select(Model).where(Model.org_id == actor.org_id)
                             .order_by(Model.id)).all()
    done = []
    for model in models:
        latest = registry.latest_assessment(session, model)
        if latest is not None and latest.rulebook_version != current:
            registry.run_assessment(session, actor, model)
            done.append(model.id)
    return done
