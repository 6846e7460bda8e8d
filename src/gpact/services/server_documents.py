"""Built documents, kept immutable and content-hashed, and the documentation records.

Every document kind of ``gpact.documents`` (Model Documentation Form, Annex XI/XII, training
summary, ...) is built from the model's profile, its latest documentation record and its
latest stored assessment; the ``assessment_report`` is the stored assessment itself as
Markdown or JSON (so it matches the rulebook version the assessment used). Files a record
references (data summary, rights audit, compute ledger) are not resolved on the server: the
documents then show those fields as gaps.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact import documents as engine
from gpact.documents.record import empty_record
from gpact.documents.sources import parse_record
from gpact.errors import InputError
from gpact.profile import Profile
from gpact.services import input_limits
from gpact.services.accounts import Actor
from gpact.services.registry import (
    bump_version,
    get_model,
    latest_assessment,
    latest_profile,
    parse,
    require,
)
from gpact.services.server_errors import Invalid, NotFound
from gpact.store import audit
from gpact.store.models import Document, Model, RecordVersion

MEDIA_TYPES = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
               "json": "application/json", "pdf": "application/pdf"}
REPORT = "assessment_report"
KINDS = (REPORT, *engine.KINDS)
MAX_RECORD_BYTES = input_limits.RECORD.max_bytes


def formats(kind: str) -> tuple[str, ...]:
    """The formats a kind can be built in here (PDF only where WeasyPrint is installed)."""
    if kind == REPORT:
        return ("md", "json")
    pdf = ("pdf",) if importlib.util.find_spec("weasyprint") is not None else ()
    return ("md", "html", "json", *pdf)


def _value(finding: dict[str, Any]) -> str:
    return {True: "yes", False: "no", None: "cannot decide"}.get(finding["value"],
                                                                 str(finding["value"]))


def report_markdown(result: dict[str, Any]) -> str:
    out = [f"# Assessment report: {result['model']}", "",
           f"Provider: {result.get('provider', '—')} · as of {result['as_of']} · "
           f"gpact {result['gpact_version']} (document built with gpact {__version__}) · "
           f"rulebook {result['rulebook_version']}", "",
           f"Profile: {result.get('profile', '—')}", ""]
    for title, key in (("GPAI model", "gpai"), ("Systemic risk", "systemic_risk"),
                       ("Role", "role")):
        out.append(f"## {title}: **{_value(result[key])}**")
        out += [f"- {r['text']} *({r['source']})*" for r in result[key]["reasons"]]
        out.append("")
    out += ["## Obligations", "", "| obligation | source | status | applies from | due |",
            "|---|---|---|---|---|"]
    out += [f"| {o['id']} | {o['source']} | {o['status']} | {o.get('applies_from') or '—'} | "
            f"{o.get('due') or '—'} |" for o in result["obligations"]]
    if result.get("missing"):
        out += ["", "## Missing input"] + [f"- `{m}`" for m in result["missing"]]
    if result.get("unverified_rules_used"):
        out += ["", "## Unverified rules relied on"]
        out += [f"- `{u['key']}` = {u['value']} ({u['source']})"
                for u in result["unverified_rules_used"]]
    out += ["", f"*{NOT_LEGAL_ADVICE}*", ""]
    return "\n".join(out)


def report_json(result: dict[str, Any]) -> str:
    return json.dumps({"document": "assessment_report", "built_with": __version__,
                       "notice": NOT_LEGAL_ADVICE, "assessment": result},
                      indent=2, ensure_ascii=False)


REPORT_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "md": report_markdown, "json": report_json}


def _leaves(model: type[BaseModel], value: BaseModel | None, prefix: str) -> list[tuple[str,
                                                                                       bool]]:
    out: list[tuple[str, bool]] = []
    for name, fld in model.model_fields.items():
        sub = getattr(value, name, None) if value is not None else None
        cls = fld.annotation
        inner = next((a for a in getattr(cls, "__args__", (cls,))
                      if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if inner is not None:
            out += _leaves(inner, sub, f"{prefix}{name}.")
        else:
            out.append((f"{prefix}{name}", sub not in (None, [], "")))
    return out


def completeness(profile: Profile, result: dict[str, Any]) -> dict[str, Any]:
    """How much of the profile is filled in, and what the assessment said it is missing."""
    leaves = _leaves(Profile, profile, "")
    filled = sum(1 for _, ok in leaves if ok)
    return {"basis": "profile fields", "filled": filled, "total": len(leaves),
            "percent": round(100 * filled / len(leaves)) if leaves else 100,
            "missing": list(result.get("missing", []))}


def document_completeness(doc: engine.Document) -> dict[str, Any]:
    """The document's own field check: filled, weak and missing fields (required first)."""
    entries = doc.entries
    missing = [e for e in entries if e.status == "missing"]
    required = [f"{e.spec.number} {e.spec.label}".strip() for e in doc.missing_required()]
    total = len(entries)
    return {"basis": "document fields", "filled": total - len(missing), "total": total,
            "percent": round(100 * (total - len(missing)) / total) if total else 100,
            "weak": sum(e.status == "weak" for e in entries),
            "missing": required + [f"{e.spec.number} {e.spec.label}".strip()
                                   for e in missing if not e.spec.required]}


def latest_record(session: Session, model: Model) -> RecordVersion | None:
    return session.scalars(select(RecordVersion).where(RecordVersion.model_id == model.id)
                           .order_by(RecordVersion.number.desc()).limit(1)).first()


def parse_record_text(text: str) -> engine.DocumentationRecord:
    input_limits.check(text, "record", input_limits.RECORD)  # bounded work (size, depth)
    try:
        data = yaml.safe_load(text)
    except ValueError as exc:  # PyYAML: an impossible date such as 2025-02-30
        raise Invalid([f"record: {exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise Invalid([f"record: {where}invalid YAML: {getattr(exc, 'problem', exc)}"]) from None
    try:
        return parse_record(data, "record")
    except InputError as exc:
        raise Invalid([exc.message()]) from None


def save_record(session: Session, actor: Actor, model_id: int, text: str,
                expected_version: int) -> RecordVersion:
    """Save a new version of the model's documentation record (a change of the model)."""
    require(actor, "write")
    model = get_model(session, actor, model_id)
    parse_record_text(text)
    old = latest_record(session, model)
    bump_version(session, model, expected_version)
    row = RecordVersion(model_id=model.id, number=(old.number + 1) if old else 1, text=text,
                        sha256=hashlib.sha256(text.encode()).hexdigest(),
                        created_by=actor.label)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.label, action="model.update_record", entity="model",
                 entity_id=model.id, org_id=actor.org_id,
                 before=None if old is None else {"record": old.number, "sha256": old.sha256},
                 after={"record": row.number, "sha256": row.sha256})
    return row


def build(session: Session, actor: Actor, model_id: int, kind: str, fmt: str) -> Document:
    """Build a document from the latest profile, record and assessment, and keep it."""
    require(actor, "write")
    if kind not in KINDS:
        raise Invalid([f"kind: choose one of {', '.join(KINDS)}"])
    if fmt not in formats(kind):
        raise Invalid([f"format: {kind} is built as {', '.join(formats(kind))}"])
    model = get_model(session, actor, model_id)
    assessment = latest_assessment(session, model)
    if assessment is None:
        raise Invalid(["model: run an assessment first"])
    loaded = parse(latest_profile(session, model).text)
    if kind == REPORT:
        content = REPORT_RENDERERS[fmt](assessment.result).encode()
        complete = completeness(loaded.profile, assessment.result)
    else:
        record = latest_record(session, model)
        sources = engine.Sources(loaded, parse_record_text(record.text) if record
                                 else empty_record(), None, None, None, None, None)
        ctx = engine.make_context(sources, assessment.as_of, assessment=assessment.result)
        built = engine.build(ctx, kind)
        content = engine.render(built, fmt)  # type: ignore[arg-type]
        complete = {**document_completeness(built),
                    "record_version": record.number if record else None}
    digest = hashlib.sha256(content).hexdigest()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", model.name).strip("-") or "model"
    doc = Document(model_id=model.id, assessment_id=assessment.id, kind=kind, format=fmt,
                   media_type=MEDIA_TYPES[fmt], filename=f"{safe}-{kind}-{digest[:8]}.{fmt}",
                   sha256=digest, size=len(content), content=content, completeness=complete,
                   created_by=actor.label)
    session.add(doc)
    session.flush()
    audit.append(session, actor=actor.label, action="document.build", entity="document",
                 entity_id=doc.id, org_id=actor.org_id, after={"sha256": digest},
                 detail={"model": model.id, "kind": kind, "format": fmt})
    return doc


def documents(session: Session, actor: Actor, model_id: int) -> list[Document]:
    require(actor, "read")
    model = get_model(session, actor, model_id)
    return list(session.scalars(select(Document).where(Document.model_id == model.id)
                                .order_by(Document.id.desc())))


def get_document(session: Session, actor: Actor, doc_id: int) -> Document:
    """A document of the actor's organisation, checked against its hash before it is served."""
    require(actor, "read")
    doc = session.get(Document, doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id}")
    get_model(session, actor, doc.model_id)
    if hashlib.sha256(doc.content).hexdigest() != doc.sha256:
        raise RuntimeError(f"document {doc_id} does not match its SHA-256: storage corrupted")
    return doc
