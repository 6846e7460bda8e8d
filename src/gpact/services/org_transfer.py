"""Export an organisation's register as one JSON file, and import it into an empty one.

The file holds every model with its full profile and documentation-record history, the
assessments (with the rulebook version each used), built documents and compute ledgers
(base64), and the work on it (``org_transfer_work``: obligation states, sign-offs,
evidence, risk records, data inputs) — not users, passwords or tokens. An import checks
every content hash and maps every author to a member; each imported model is an audit
event recording the hashes of what it brought, and the import as a whole is one more.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpact import __version__
from gpact.services import (
    accounts,
    input_limits,
    org_transfer_work,
    server_documents,
    server_ledgers,
)
from gpact.services.accounts import Actor
from gpact.services.registry import require, summarise
from gpact.services.server_errors import Conflict, Invalid
from gpact.services.transfer_checks import (
    INT_MAX,
    SHA256,
    Row,
    check_hash,
    decode,
    timestamp,
)
from gpact.store import audit, deadline_rows, views
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

FORMAT = "gpact-organisation/2"  # /2 added the work on each model (org_transfer_work)
READS = (FORMAT, "gpact-organisation/1")


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
        documents = session.scalars(select(Document).where(Document.model_id == model.id)
                                    .order_by(Document.id)).all()
        models.append({
            "name": model.name, "version": model.version, "created_at": timestamp(model.created_at),
            "profiles": [{"number": p.number, "text": p.text, "sha256": p.sha256,
                          "created_by": p.created_by, "created_at": timestamp(p.created_at)}
                         for p in profiles],
            "records": [{"number": r.number, "text": r.text, "sha256": r.sha256,
                         "created_by": r.created_by, "created_at": timestamp(r.created_at)}
                        for r in session.scalars(select(RecordVersion).where(
                            RecordVersion.model_id == model.id)
                            .order_by(RecordVersion.number))],
            "assessments": [{"profile": number[a.profile_version_id],
                             "as_of": a.as_of.isoformat(), "result": a.result,
                             "created_by": a.created_by, "created_at": timestamp(a.created_at)}
                            for a in assessed],
            "documents": [{"assessment": index.get(d.assessment_id or -1), "kind": d.kind,
                           "format": d.format, "media_type": d.media_type,
                           "filename": d.filename, "sha256": d.sha256,
                           "completeness": d.completeness,
                           "content_base64": base64.b64encode(d.content).decode(),
                           "created_by": d.created_by, "created_at": timestamp(d.created_at)}
                          for d in documents],
            "ledgers": [{"filename": c.filename, "sha256": c.sha256, "summary": c.summary,
                         "total_flop": c.total_flop,
                         "content_base64": base64.b64encode(c.content).decode(),
                         "created_by": c.created_by, "created_at": timestamp(c.created_at)}
                        for c in session.scalars(select(ComputeLedger).where(
                            ComputeLedger.model_id == model.id).order_by(ComputeLedger.id))],
            **org_transfer_work.export(session, model,
                                       {d.id: i for i, d in enumerate(documents)}),
        })
    return {"format": FORMAT, "gpact_version": __version__,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(),
            "audit_head": audit.anchor(session),  # the chain's head when this was made
            "organisation": {"slug": org.slug, "name": org.name}, "models": models}




class _Text(Row):
    number: int = Field(ge=1, le=INT_MAX)
    text: str = Field(max_length=4 * 1024 * 1024)
    sha256: str = Field(pattern=SHA256)


class _Assessment(Row):
    profile: int = Field(ge=1, le=INT_MAX)
    as_of: dt.date
    result: dict[str, Any]


class _File(Row):
    filename: str = Field(min_length=1, max_length=300)
    sha256: str = Field(pattern=SHA256)
    content_base64: str


class _Document(_File):
    assessment: int | None = Field(None, ge=0, le=INT_MAX)
    kind: str = Field(max_length=64)
    format: str = Field(max_length=16)
    completeness: dict[str, Any]


class _Model(org_transfer_work.Work):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")
    version: int = Field(ge=1, le=INT_MAX)
    created_at: dt.datetime
    profiles: list[_Text] = Field(min_length=1)
    records: list[_Text] = Field(default_factory=list)
    assessments: list[_Assessment] = Field(default_factory=list)
    documents: list[_Document] = Field(default_factory=list)
    ledgers: list[_File] = Field(default_factory=list)


class _Export(BaseModel):
    model_config = ConfigDict(extra="ignore")
    format: str
    organisation: dict[str, Any] = {}
    models: list[_Model]
    authors: dict[str, str] = Field({}, description="author in the file -> member e-mail")


def import_(session: Session, actor: Actor, data: dict[str, Any]) -> int:
    """Recreate an exported register in the actor's (empty) organisation; returns model count.

    Nothing is taken on trust: every profile, record, document and ledger must match the
    SHA-256 the file gives for it; ledger totals are recomputed from their content;
    document kinds, formats and media types must be gpact's own; file names are reduced to
    safe characters. Authors must be members of this organisation, or be mapped to one by
    an ``authors`` entry added to the file (``{"name in the file": "member e-mail"}``);
    otherwise nothing is imported.
    """
    require(actor, "admin")
    if not isinstance(data, dict) or data.get("format") not in READS:
        raise Invalid([f"format: expected {FORMAT!r}"])
    if session.scalar(select(func.count()).select_from(Model)
                      .where(Model.org_id == actor.org_id)):
        raise Conflict("import needs an organisation without models")
    try:
        export = _Export.model_validate(data)
    except ValidationError as exc:
        raise Invalid([f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                       for e in exc.errors()[:20]]) from None
    author = _authors(session, actor, export, export.authors)
    for n, m in enumerate(export.models):
        _import_model(session, actor, m, f"models.{n}", author)
    views.changed(session, actor.org_id)
    audit.append(session, actor=actor.label, action="organisation.import",
                 entity="organisation", entity_id=actor.org_id, org_id=actor.org_id,
                 after=data, detail={"models": len(export.models),
                                     "from": str(export.organisation.get("slug", ""))[:64]})
    return len(export.models)


def _email(label: str) -> str:
    """The e-mail of an author label such as ``ana@example.eu (token ci)``."""
    return label.split(" (", 1)[0].strip().lower()


def _authors(session: Session, actor: Actor, export: _Export,
             mapping: dict[str, str]) -> dict[str, str]:
    """Every author label in the file mapped to a member of the actor's organisation."""
    members = {email for email, _ in accounts.members(session, actor)}
    labels = {row.created_by for m in export.models
              for row in (*m.profiles, *m.records, *m.assessments, *m.documents, *m.ledgers)}
    labels.update(who for m in export.models for who in org_transfer_work.authors(m))
    mapped: dict[str, str] = {}
    unknown: set[str] = set()
    for label in labels:
        target = (mapping.get(label) or mapping.get(_email(label)) or _email(label)).lower()
        if target in members:
            mapped[label] = f"{target} (imported)" if target == _email(label) \
                else f"{target} (imported; was {_email(label)[:200]})"
        else:
            unknown.add(_email(label))
    if unknown:
        shown = ", ".join(sorted(unknown)[:10])
        raise Invalid([f"authors: not members of this organisation: {shown}; add them, or "
                       "map each to a member with \"authors\": {\"<name in the file>\": "
                       "\"<member e-mail>\"}"])
    return mapped


def _import_model(session: Session, actor: Actor, m: _Model, where: str,
                  author: dict[str, str]) -> None:
    model = Model(org_id=actor.org_id, name=m.name, version=m.version,
                  created_at=m.created_at)
    session.add(model)
    session.flush()
    ids: dict[int, int] = {}
    for n, p in enumerate(m.profiles):
        check_hash(f"{where}.profiles.{n}", p.text.encode(), p.sha256)
        if p.number in ids:
            raise Invalid([f"{where}.profiles.{n}: profile number {p.number} twice"])
        row = ProfileVersion(model_id=model.id, number=p.number, text=p.text, sha256=p.sha256,
                             created_by=author[p.created_by], created_at=p.created_at)
        session.add(row)
        session.flush()
        ids[row.number] = row.id
    records: dict[int, str] = {}
    for n, r in enumerate(m.records):
        check_hash(f"{where}.records.{n}", r.text.encode(), r.sha256)
        if r.number in records:
            raise Invalid([f"{where}.records.{n}: record number {r.number} twice"])
        records[r.number] = r.sha256
        session.add(RecordVersion(model_id=model.id, number=r.number, text=r.text,
                                  sha256=r.sha256, created_by=author[r.created_by],
                                  created_at=r.created_at))
    assessment_ids = []
    for n, a in enumerate(m.assessments):
        if a.profile not in ids:
            raise Invalid([f"{where}.assessments.{n}.profile: no profile version {a.profile}"])
        try:
            summary = summarise(a.result)
            dues = [ObligationDue(obligation=str(o["id"])[:64], source=str(o["source"])[:200],
                                  status=str(o["status"])[:32],
                                  applies_from=_day(o.get("applies_from")),
                                  due=_day(o.get("due"))) for o in a.result["obligations"]]
            rulebook, made_by = str(a.result["rulebook_version"]), str(a.result["gpact_version"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Invalid([f"{where}.assessments.{n}.result: not a gpact assessment "
                           f"({type(exc).__name__}: {exc})"]) from None
        assessed = Assessment(model_id=model.id, profile_version_id=ids[a.profile],
                              as_of=a.as_of, rulebook_version=rulebook[:40],
                              gpact_version=made_by[:40], result=a.result, summary=summary,
                              created_by=author[a.created_by], created_at=a.created_at)
        session.add(assessed)
        session.flush()
        assessment_ids.append(assessed.id)
        for due in dues:
            due.assessment_id = assessed.id
            session.add(due)
    model.latest_assessment_id = assessment_ids[-1] if assessment_ids else None
    if m.assessments:
        last = m.assessments[-1]
        deadline_rows.refresh(session, model, last.as_of, str(last.result["rulebook_version"]),
                              last.result["obligations"])
    documents: list[Document] = []
    for n, d in enumerate(m.documents):
        at = f"{where}.documents.{n}"
        content = decode(at, d.content_base64)
        check_hash(at, content, d.sha256)
        if d.kind not in server_documents.KINDS or d.format not in server_documents.MEDIA_TYPES:
            raise Invalid([f"{at}: unknown document kind or format ({d.kind!r}, {d.format!r})"])
        if d.assessment is not None and d.assessment >= len(assessment_ids):
            raise Invalid([f"{at}.assessment: no assessment {d.assessment} in this model"])
        doc = Document(
            model_id=model.id, assessment_id=None if d.assessment is None
            else assessment_ids[d.assessment], kind=d.kind, format=d.format,
            media_type=server_documents.MEDIA_TYPES[d.format],
            filename=input_limits.safe_filename(d.filename), sha256=d.sha256,
            size=len(content), content=content, completeness=d.completeness,
            created_by=author[d.created_by], created_at=d.created_at)
        session.add(doc)
        session.flush()
        documents.append(doc)
    stored: dict[str, bytes] = {}  # a ledger YAML reads the telemetry stored before it
    for n, c in enumerate(m.ledgers):
        at = f"{where}.ledgers.{n}"
        content = decode(at, c.content_base64)
        check_hash(at, content, c.sha256)
        filename = input_limits.safe_filename(c.filename)
        summary = server_ledgers.summarise(filename, content, stored)  # recomputed
        stored[filename] = content
        session.add(ComputeLedger(
            model_id=model.id, filename=filename, sha256=c.sha256, size=len(content),
            content=content, total_flop=sum(summary["flop_by_phase"].values()),
            summary=summary, created_by=author[c.created_by], created_at=c.created_at))
    session.flush()
    latest = session.get(Assessment, assessment_ids[-1]) if assessment_ids else None
    work = org_transfer_work.import_(session, actor.label, model, m, where, author.__getitem__,
                                     documents, latest)
    session.flush()
    # what ``gpact audit verify`` checks the stored rows against
    audit.append(session, actor=actor.label, action="model.import", entity="model",
                 entity_id=model.id, org_id=actor.org_id,
                 after={"name": model.name, "version": model.version},
                 detail={"profiles": {str(k): p.sha256 for k, p in
                                      zip(ids, m.profiles, strict=True)},
                         "records": {str(k): v for k, v in records.items()},
                         "documents": {str(d.id): d.sha256 for d in documents}, **work})


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
