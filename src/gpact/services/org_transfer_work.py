"""The work on a model that an organisation export carries besides its register: where each
obligation stands (state, owner, notes, sign-off) with its evidence, the systemic-risk
records and the data inputs the documents read.

Without them an export moved to a new server would lose the proof that obligations are met.
An import takes none of it on trust: the tracks are rebuilt from the imported latest
assessment by the same code an assessment uses (``tracking_sync``), and only the team's
part (state, owner, notes, justification, sign-off) is laid over them; a met or
not-applicable state whose assessment differs from the one it was decided against is
reopened, as a reassessment would. Evidence files pass the upload's checks, risk records
gpact.risk's loader, data inputs the upload's parser, and every content its SHA-256.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact.services import obligations, server_inputs, server_risk, tracking_sync
from gpact.services.server_errors import Invalid
from gpact.services.transfer_checks import (
    INT_MAX,
    SHA256,
    Row,
    check_hash,
    decode,
    timestamp,
)
from gpact.store.models import (
    Assessment,
    DataInput,
    Document,
    Evidence,
    Model,
    ObligationTrack,
    RiskRecordVersion,
)

_TEAM_FIELDS = ("state", "owner", "notes", "justification", "sign_off_requested_by",
                "sign_off_requested_at", "signed_off_by", "signed_off_at")


def export(session: Session, model: Model, document_index: dict[int, int]) -> dict[str, Any]:
    """The model's tracks (with evidence), risk records and data inputs; ``document_index``
    maps a stored document's id to its place in the export's list of documents."""
    tracks = []
    for t in session.scalars(select(ObligationTrack).where(ObligationTrack.model_id == model.id)
                             .order_by(ObligationTrack.obligation)):
        evidence = session.scalars(select(Evidence).where(Evidence.track_id == t.id)
                                   .order_by(Evidence.id))
        tracks.append({
            "obligation": t.obligation, "fingerprint": t.fingerprint, "applies": t.applies,
            "title": t.title, "source": t.source,
            "due": t.due.isoformat() if t.due else None, "version": t.version,
            **{name: timestamp(v) if isinstance(v := getattr(t, name), dt.datetime) else v
               for name in _TEAM_FIELDS},
            "reopened_reason": t.reopened_reason, "changed_by": t.changed_by,
            "changed_at": timestamp(t.changed_at),
            "evidence": [{
                "kind": e.kind, "note": e.note, "created_by": e.created_by,
                "created_at": timestamp(e.created_at), "filename": e.filename, "sha256": e.sha256,
                "document": document_index.get(e.document_id) if e.document_id else None,
                "content_base64": base64.b64encode(e.content).decode()
                if e.kind == "file" and e.content is not None else None,
                "url": e.url,
                "published_on": e.published_on.isoformat() if e.published_on else None,
            } for e in evidence]})
    risk = session.scalars(select(RiskRecordVersion).where(
        RiskRecordVersion.model_id == model.id).order_by(RiskRecordVersion.kind,
                                                         RiskRecordVersion.number))
    inputs = session.scalars(select(DataInput).where(DataInput.model_id == model.id)
                             .order_by(DataInput.kind, DataInput.number))
    return {
        "tracks": tracks,
        "risk_records": [{"kind": r.kind, "number": r.number, "text": r.text,
                          "sha256": r.sha256, "created_by": r.created_by,
                          "created_at": timestamp(r.created_at)} for r in risk],
        "data_inputs": [{"kind": d.kind, "number": d.number, "filename": d.filename,
                         "text": d.text, "sha256": d.sha256, "created_by": d.created_by,
                         "created_at": timestamp(d.created_at)} for d in inputs]}




class EvidenceIn(Row):
    kind: Literal["document", "file", "publication"]
    note: str = Field("", max_length=20_000)
    filename: str = Field("", max_length=300)
    sha256: str = Field("", max_length=64)
    document: int | None = Field(None, ge=0, le=INT_MAX)
    content_base64: str | None = None
    url: str = Field("", max_length=2000)
    published_on: dt.date | None = None


class TrackIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    obligation: str = Field(min_length=1, max_length=64)
    fingerprint: str = Field(max_length=64)
    applies: bool = True
    title: str = Field("", max_length=400)
    source: str = Field("", max_length=200)
    due: dt.date | None = None
    state: str = Field("open", max_length=16)
    owner: str = Field("", max_length=320)
    notes: str = Field("", max_length=20_000)
    justification: str = Field("", max_length=20_000)
    reopened_reason: str = Field("", max_length=20_000)
    sign_off_requested_by: str | None = Field(None, max_length=400)
    sign_off_requested_at: dt.datetime | None = None
    signed_off_by: str | None = Field(None, max_length=400)
    signed_off_at: dt.datetime | None = None
    changed_by: str = Field(max_length=400)
    changed_at: dt.datetime
    evidence: list[EvidenceIn] = []


class RiskRecordIn(Row):
    kind: str = Field(max_length=16)
    number: int = Field(ge=1, le=INT_MAX)
    text: str = Field(max_length=server_risk.MAX_RECORD_BYTES)
    sha256: str = Field(pattern=SHA256)


class DataInputIn(RiskRecordIn):
    filename: str = Field(min_length=1, max_length=300)
    text: str = Field(max_length=server_inputs.MAX_BYTES)


_V = TypeVar("_V", bound=RiskRecordIn)


class Work(BaseModel):
    """The part of an exported model this module reads (older files have none of it)."""

    model_config = ConfigDict(extra="ignore")
    tracks: list[TrackIn] = []
    risk_records: list[RiskRecordIn] = []
    data_inputs: list[DataInputIn] = []


def authors(work: Work) -> Iterable[str]:
    """Every person the work names, to be mapped to members of the importing organisation."""
    for t in work.tracks:
        yield t.changed_by
        yield from (who for who in (t.owner, t.sign_off_requested_by, t.signed_off_by) if who)
        yield from (e.created_by for e in t.evidence)
    yield from (r.created_by for r in (*work.risk_records, *work.data_inputs))


def import_(session: Session, actor_label: str, model: Model, work: Work, where: str,
            author: Callable[[str], str], documents: list[Document],
            latest: Assessment | None) -> dict[str, Any]:
    """Recreate the work on an imported ``model``; ``author`` maps a name in the file to a
    member's label; ``documents`` are the model's imported documents, in the file's order.
    Returns the content hashes brought in, for the model's import event."""
    recorded: dict[str, Any] = {"evidence": []}
    recorded["risk_records"] = _checked_versions(
        f"{where}.risk_records", work.risk_records,
        lambda r: server_risk.parse(r.kind, r.text))
    recorded["data_inputs"] = _checked_versions(
        f"{where}.data_inputs", work.data_inputs,
        lambda d: server_inputs.check(d.kind, d.filename, d.text.encode()))
    for r in work.risk_records:
        session.add(RiskRecordVersion(model_id=model.id, kind=r.kind, number=r.number,
                                      text=r.text, sha256=r.sha256,
                                      created_by=author(r.created_by), created_at=r.created_at))
    for d in work.data_inputs:
        session.add(DataInput(model_id=model.id, kind=d.kind, number=d.number,
                              filename=d.filename, text=d.text, sha256=d.sha256,
                              created_by=author(d.created_by), created_at=d.created_at))
    if work.tracks and latest is None:
        raise Invalid([f"{where}.tracks: obligations are tracked against an assessment, "
                       "and this model has none"])
    if latest is not None:
        tracking_sync.sync(session, actor_label, model, latest, None)
    tracks = {t.obligation: t for t in session.scalars(
        select(ObligationTrack).where(ObligationTrack.model_id == model.id))}
    seen: set[str] = set()
    for n, t in enumerate(work.tracks):
        at = f"{where}.tracks.{n}"
        if t.obligation in seen:
            raise Invalid([f"{at}: obligation {t.obligation} twice"])
        seen.add(t.obligation)
        assert latest is not None
        track = tracks.get(t.obligation) or _stopped_applying(session, model, t, latest)
        _lay_over(track, t, at, author, latest)
        session.flush()
        for k, e in enumerate(t.evidence):
            row = _evidence(track, e, f"{at}.evidence.{k}", author, documents)
            session.add(row)
            recorded["evidence"].append({"obligation": t.obligation, "kind": e.kind,
                                         "sha256": row.sha256, "url": row.url})
        if track.state == "met" and not t.evidence:
            raise Invalid([f"{at}.state: 'met' needs at least one piece of evidence"])
    return recorded


def _checked_versions(where: str, rows: Sequence[_V], check: Callable[[_V], object]
                      ) -> dict[str, str]:
    """Each version's hash and content checked (``check`` raises ``Invalid``), once per kind
    and number; returns ``{"kind.number": sha256}`` for the import event."""
    hashes: dict[str, str] = {}
    for n, row in enumerate(rows):
        at = f"{where}.{n}"
        check_hash(at, row.text.encode(), row.sha256)
        try:
            check(row)
        except Invalid as exc:
            raise Invalid([f"{at}: {p}" for p in exc.problems]) from None
        key = f"{row.kind}.{row.number}"
        if key in hashes:
            raise Invalid([f"{at}: {row.kind} version {row.number} twice"])
        hashes[key] = row.sha256
    return hashes


def _stopped_applying(session: Session, model: Model, t: TrackIn,
                      latest: Assessment) -> ObligationTrack:
    """A track the latest assessment no longer gives (kept for its history and evidence)."""
    track = ObligationTrack(
        model_id=model.id, obligation=t.obligation, title=t.title or t.obligation,
        source=t.source, applies=False, due=t.due, fingerprint=t.fingerprint,
        assessment_id=latest.id, state="open", owner="", notes="", justification="",
        reopened_reason=t.reopened_reason or (
            f"The assessment as of {latest.as_of.isoformat()} says this obligation no "
            "longer applies."), version=1, changed_by=t.changed_by, changed_at=t.changed_at)
    session.add(track)
    return track


def _lay_over(track: ObligationTrack, t: TrackIn, at: str, author: Callable[[str], str],
              latest: Assessment) -> None:
    """The team's part of an exported track, checked as the tracking rules check it."""
    if t.state not in obligations.STATES:
        raise Invalid([f"{at}.state: must be one of {', '.join(obligations.STATES)}"])
    if t.state == "not_applicable" and len(t.justification) < obligations.MIN_JUSTIFICATION:
        raise Invalid([f"{at}.justification: 'not_applicable' needs a written reason (at "
                       f"least {obligations.MIN_JUSTIFICATION} characters)"])
    if t.state == "met" and not (t.signed_off_by and t.signed_off_at):
        raise Invalid([f"{at}.state: 'met' without a sign-off (signed_off_by, "
                       "signed_off_at)"])
    track.owner = author(t.owner).split(" (", 1)[0] if t.owner else ""
    track.notes, track.justification = t.notes, t.justification
    track.state = t.state
    track.sign_off_requested_by = author(t.sign_off_requested_by) \
        if t.sign_off_requested_by else None
    track.sign_off_requested_at = t.sign_off_requested_at
    track.signed_off_by = author(t.signed_off_by) if t.signed_off_by else None
    track.signed_off_at = t.signed_off_at
    track.reopened_reason = t.reopened_reason
    track.changed_by, track.changed_at = author(t.changed_by), t.changed_at
    decided = t.state in tracking_sync.REOPEN_STATES or t.sign_off_requested_by
    if decided and track.applies and track.fingerprint != t.fingerprint:
        track.state = "open"
        track.sign_off_requested_by = track.sign_off_requested_at = None
        track.signed_off_by = track.signed_off_at = None
        track.reopened_reason = (
            f"Imported as {t.state}, but the imported assessment as of "
            f"{latest.as_of.isoformat()} says something else about this obligation than "
            "the one it was decided against: check it again.")


def _evidence(track: ObligationTrack, e: EvidenceIn, at: str, author: Callable[[str], str],
              documents: list[Document]) -> Evidence:
    row = Evidence(track_id=track.id, kind=e.kind, note=e.note, filename="", media_type="",
                   sha256="", size=0, content=None, url="", published_on=None,
                   created_by=author(e.created_by), created_at=e.created_at)
    if e.kind == "document":
        if e.document is None or e.document >= len(documents):
            raise Invalid([f"{at}.document: no document {e.document} in this model"])
        doc = documents[e.document]
        if doc.sha256 != e.sha256:
            raise Invalid([f"{at}.sha256: not the hash of document {e.document}"])
        row.document_id, row.filename, row.media_type = doc.id, doc.filename, doc.media_type
        row.sha256, row.size = doc.sha256, doc.size
    elif e.kind == "file":
        content = decode(at, e.content_base64 or "")
        check_hash(at, content, e.sha256)
        try:
            row.media_type = obligations.check_file(e.filename, content)
        except Invalid as exc:
            raise Invalid([f"{at}: {p}" for p in exc.problems]) from None
        row.filename, row.sha256, row.size, row.content = e.filename, e.sha256, len(content), \
            content
    else:
        problems = obligations.publication_problems(e.url, e.published_on)
        if problems:
            raise Invalid([f"{at}.{p}" for p in problems])
        row.url, row.published_on = e.url.strip(), e.published_on
    return row
