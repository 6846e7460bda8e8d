"""Keep every build, named by a hash of its content, and show what changed between two.

The Code of Practice asks providers to keep previous versions of the model documentation for
10 years (Transparency, Measure 1.1). A stored version is the document's JSON; its name is the
SHA-256 of the content without the build date, so rebuilding unchanged facts stores nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpact import safeio
from gpact.documents.document import VOLATILE, Document, content_digest
from gpact.documents.sources import read_data_file
from gpact.errors import InputError

STORE_DIR = Path(".gpact") / "documents"
ANNOTATION_CHANGE = " (notes, source or audiences)"  # a field whose answer did not change


def content_hash(data: dict[str, Any]) -> str:
    return content_digest(data)


@dataclass(frozen=True)
class StoredVersion:
    path: Path
    digest: str
    created: bool


def store(doc: Document, root: Path) -> StoredVersion:
    """Write the document under ``root/.gpact/documents/KIND[-AUDIENCE]/`` unless already there."""
    data = doc.to_dict()
    digest = content_hash(data)
    suffix = f"-{doc.audience}" if doc.audience else "-public" if doc.public else ""
    folder = root / STORE_DIR / (doc.kind + suffix)
    path = folder / f"{data['build_date']}_{digest[:16]}.json"
    existing = sorted(folder.glob(f"*_{digest[:16]}.json")) if folder.is_dir() else []
    if existing:
        return StoredVersion(existing[0], digest, False)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {**data, "content_sha256": digest}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return StoredVersion(path, digest, True)


def list_versions(root: Path) -> list[dict[str, Any]]:
    base = root / STORE_DIR
    out = []
    for path in sorted(base.glob("*/*.json")) if base.is_dir() else []:
        day, _, short = path.stem.partition("_")
        out.append({"kind": path.parent.name, "date": day, "hash": short,
                    "path": str(path)})
    return out


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    change: str  # added | removed | changed | status
    old: str | None
    new: str | None
    old_status: str | None
    new_status: str | None

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def load_version(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    data = read_data_file(path, "stored document (JSON)", safeio.STORED_DOCUMENT)
    if not isinstance(data, dict) or "sections" not in data or "kind" not in data:
        raise InputError(str(path), None, "not a gpact document (JSON from 'gpact docs build "
                         "--format json' or a stored version)")
    return data


def _fields(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for s in data["sections"] for f in s.get("fields", [])}


def _get(field: dict[str, Any] | None, key: str) -> str | None:
    return None if field is None else str(field[key])


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Field-by-field changes between two versions of the same kind of document, then any
    other difference in content: whenever the content hashes differ, a change is reported."""
    if old["kind"] != new["kind"]:
        raise InputError(None, "kind", "cannot compare documents of different kinds "
                         f"({old['kind']}, {new['kind']})")
    a, b = _fields(old), _fields(new)
    changes = []
    for fid in list(a) + [f for f in b if f not in a]:
        fa, fb = a.get(fid), b.get(fid)
        label = (fb or fa or {}).get("label", fid)
        number = (fb or fa or {}).get("number", "")
        name = f"{number} {label}".strip()
        if fa is None or fb is None:
            kind = "added" if fa is None else "removed"
            changes.append(Change(fid, name, kind, _get(fa, "text"), _get(fb, "text"),
                                  _get(fa, "status"), _get(fb, "status")))
        elif fa["text"] != fb["text"]:
            changes.append(Change(fid, name, "changed", fa["text"], fb["text"],
                                  fa["status"], fb["status"]))
        elif fa["status"] != fb["status"]:
            changes.append(Change(fid, name, "status", None, None, fa["status"], fb["status"]))
        elif fa != fb:
            changes.append(Change(fid, f"{name}{ANNOTATION_CHANGE}", "changed", None,
                                  None, fa["status"], fb["status"]))
    changes += _other_changes(old, new)
    if not changes and content_hash(old) != content_hash(new):
        changes.append(Change("document", "Document content", "changed", content_hash(old)[:12],
                              content_hash(new)[:12], None, None))
    return changes


def _other_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Differences outside the fields: header, notes, section titles and notes, metadata."""
    out = []
    keys = [k for k in dict.fromkeys([*old, *new]) if k not in (*VOLATILE, "sections", "gaps")]
    for key in keys:
        if old.get(key) != new.get(key):
            out.append(Change(key, key.replace("_", " ").capitalize(), "changed",
                              _short(old.get(key)), _short(new.get(key)), None, None))
    heads_a = [(s.get("number"), s.get("title"), s.get("note")) for s in old["sections"]]
    heads_b = [(s.get("number"), s.get("title"), s.get("note")) for s in new["sections"]]
    if heads_a != heads_b:
        out.append(Change("sections", "Sections (titles or notes)", "changed", None, None,
                          None, None))
    return out


def _short(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:199] + "…"


def version_label(data: dict[str, Any]) -> str:
    digest = data.get("content_sha256") or content_hash(data)
    built = data.get("build_date") or dt.date.today().isoformat()
    return f"{data['kind']} {data.get('model', '')} built {built} ({str(digest)[:12]})"
