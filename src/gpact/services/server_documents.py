"""Built documents: rendered from a stored assessment, kept immutable and content-hashed.

Until the document builders (``gpact.documents``) are on main the server builds one kind, the
assessment report, as Markdown or JSON, from the stored assessment (so the document matches
the rulebook version the assessment used, even after gpact is upgraded).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.profile import Profile
from gpact.services.accounts import Actor
from gpact.services.registry import (
    get_model,
    latest_assessment,
    latest_profile,
    parse,
    require,
)
from gpact.services.server_errors import Invalid, NotFound
from gpact.store import audit
from gpact.store.models import Document

FORMATS = {"md": "text/markdown; charset=utf-8", "json": "application/json"}
KINDS = ("assessment_report",)


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


RENDERERS: dict[tuple[str, str], Callable[[dict[str, Any]], str]] = {
    ("assessment_report", "md"): report_markdown,
    ("assessment_report", "json"): report_json,
}


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
    return {"profile_fields_filled": filled, "profile_fields_total": len(leaves),
            "percent": round(100 * filled / len(leaves)) if leaves else 100,
            "assessment_missing": list(result.get("missing", []))}


def build(session: Session, actor: Actor, model_id: int, kind: str, fmt: str) -> Document:
    require(actor, "write")
    if (kind, fmt) not in RENDERERS:
        raise Invalid([f"kind/format: choose one of "
                       f"{', '.join(f'{k} ({f})' for k, f in RENDERERS)}"])
    model = get_model(session, actor, model_id)
    assessment = latest_assessment(session, model)
    if assessment is None:
        raise Invalid(["model: run an assessment first"])
    content = RENDERERS[(kind, fmt)](assessment.result).encode()
    digest = hashlib.sha256(content).hexdigest()
    loaded = parse(latest_profile(session, model).text)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", model.name).strip("-") or "model"
    doc = Document(model_id=model.id, assessment_id=assessment.id, kind=kind, format=fmt,
                   media_type=FORMATS[fmt], filename=f"{safe}-{kind}-{digest[:8]}.{fmt}",
                   sha256=digest, size=len(content), content=content,
                   completeness=completeness(loaded.profile, assessment.result),
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
