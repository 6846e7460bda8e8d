"""``gpact docs receive``: the downstream side of Art. 53(1)(b).

A provider that integrates a general-purpose AI model into its own AI system receives the
model provider's documentation package. gpact reads it (a gpact document JSON of kind
``downstream-package``, ``annex-xii`` or the MDF for downstream providers, alone or in a
folder with other files), judges every Annex XII item with the same field tree and checks
as ``gpact docs check`` (not trusting the sender's own statuses), and keeps the files
unchanged as evidence under ``.gpact/received/<sha256>/`` with a receipt of what was found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.documents.document import Num, Value
from gpact.documents.fields import FieldSpec, load_tree
from gpact.documents.quality import judge
from gpact.errors import InputError
from gpact.interop.files import MAX_FILE_BYTES, parse_json, read_bytes
from gpact.rulebook import default_rulebook

TREE_KEY = "documents.annex_xii"
KINDS = ("downstream-package", "annex-xii", "mdf")
MAX_PACKAGE_FILES = 200


@dataclass
class FieldResult:
    id: str
    number: str
    label: str
    source: str
    required: bool
    status: str  # ok | weak | missing | optional_empty
    problems: list[str] = field(default_factory=list)


@dataclass
class Receipt:
    digest: str
    folder: Path
    created: bool
    model: str
    provider: str
    kind: str | None
    fields: list[FieldResult]
    files: list[str]
    unreadable: list[str]
    rulebook: str

    @property
    def missing(self) -> list[FieldResult]:
        return [f for f in self.fields if f.status == "missing"]

    @property
    def weak(self) -> list[FieldResult]:
        return [f for f in self.fields if f.status == "weak"]

    def to_dict(self) -> dict[str, Any]:
        return {"gpact_version": __version__, "rulebook": self.rulebook, "sha256": self.digest,
                "stored_in": str(self.folder), "model": self.model, "provider": self.provider,
                "package_kind": self.kind, "files": self.files,
                "not_machine_readable": self.unreadable,
                "complete": not self.missing, "missing": len(self.missing),
                "weak": len(self.weak),
                "fields": [f.__dict__ for f in self.fields], "notice": NOT_LEGAL_ADVICE}


def _files(package: Path) -> list[Path]:
    if package.is_file():
        return [package]
    if not package.is_dir():
        raise InputError(str(package), None, "no such file or folder")
    files = sorted(p for p in package.rglob("*") if p.is_file())
    if not files:
        raise InputError(str(package), None, "empty folder: no documentation package")
    if len(files) > MAX_PACKAGE_FILES:
        raise InputError(str(package), None, f"{len(files)} files: more than "
                         f"{MAX_PACKAGE_FILES}, not a documentation package?")
    return files


def _document(files: list[Path], package: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The gpact document JSON in the package, and the files gpact cannot read for fields."""
    found: dict[str, Any] | None = None
    unreadable: list[str] = []
    for path in files:
        name = str(path.relative_to(package)) if package.is_dir() else path.name
        if path.suffix.lower() != ".json":
            unreadable.append(name)
            continue
        data = parse_json(read_bytes(path), str(path))
        if isinstance(data, dict) and data.get("kind") in KINDS and "sections" in data:
            if found is not None:
                raise InputError(str(path), "kind", "a second gpact document in the package; "
                                 "receive one package at a time")
            if data["kind"] == "mdf" and data.get("audience") not in ("dp", None):
                raise InputError(str(path), "audience", f"an MDF for {data.get('audience')!r}, "
                                 "not the one for downstream providers")
            found = data
        else:
            unreadable.append(name)
    return found, unreadable


def _value(raw: Any) -> Value:
    if isinstance(raw, dict) and ("written" in raw or "value" in raw) and "rows" not in raw:
        written = raw.get("written") or raw.get("value")
        try:
            float(str(written).replace("_", ""))
        except ValueError:
            return str(written)
        return Num(written, raw.get("unit")) if written is not None else None
    if isinstance(raw, dict):
        return json.dumps(raw, ensure_ascii=False)
    if isinstance(raw, list):
        return [str(x) for x in raw]
    return None if raw is None else str(raw)


def check_fields(document: dict[str, Any] | None, specs: list[FieldSpec]) -> list[FieldResult]:
    """Each Annex XII item judged afresh from the value the package carries."""
    given: dict[str, Any] = {}
    for section in (document or {}).get("sections") or []:
        for entry in (section.get("fields") or []) if isinstance(section, dict) else []:
            if isinstance(entry, dict) and entry.get("id"):
                given[str(entry["id"])] = entry.get("value")
    results = []
    for spec in specs:
        if spec.id not in given:
            status, problems = ("missing", ["not in the package"]) if spec.required else \
                ("optional_empty", [])
        else:
            status, problems = judge(spec, _value(given[spec.id]))
        results.append(FieldResult(spec.id, spec.number, spec.label, spec.source,
                                   spec.required, status, list(problems)))
    return results


def _digest(files: list[Path], package: Path) -> str:
    h = hashlib.sha256()
    for path in files:
        name = str(path.relative_to(package)) if package.is_dir() else path.name
        h.update(name.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(read_bytes(path, MAX_FILE_BYTES)).digest())
    return h.hexdigest()


def receive(package: Path, store: Path, as_of: dt.date | None = None,
            system: str | None = None) -> Receipt:
    """Check a received package against Annex XII and keep it under ``store``."""
    files = _files(package)
    document, unreadable = _document(files, package)
    book = default_rulebook()
    day = as_of or dt.date.today()
    tree = load_tree(book.at(day), TREE_KEY)
    specs = [f for s in tree.sections if s.number in ("1", "2") for f in s.fields]
    results = check_fields(document, specs)
    digest = _digest(files, package)
    folder = store / ".gpact" / "received" / digest
    created = not folder.exists()
    kind = document.get("kind") if document else None
    model = str((document or {}).get("model") or "unknown model")
    provider = str((document or {}).get("provider") or "unknown provider")
    receipt = Receipt(digest, folder, created, model, provider, kind, results,
                      [str(p.relative_to(package)) if package.is_dir() else p.name
                       for p in files], unreadable, book.label())
    if created:
        _keep(files, package, folder, receipt, day, system)
    return receipt


def _keep(files: list[Path], package: Path, folder: Path, receipt: Receipt, day: dt.date,
          system: str | None) -> None:
    tmp = folder.with_name(folder.name + ".partial")
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        for path in files:
            rel = path.relative_to(package) if package.is_dir() else Path(path.name)
            target = tmp / "package" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        record = {**receipt.to_dict(), "received_on": day.isoformat(),
                  "received_from": str(package), "for_ai_system": system,
                  "stored_in": str(folder)}
        (tmp / "receipt.json").write_text(json.dumps(record, indent=2, ensure_ascii=False)
                                          + "\n", encoding="utf-8")
        tmp.rename(folder)  # all or nothing: no half-kept evidence
    except OSError as exc:
        raise InputError(str(folder), None, f"cannot keep the package: {exc.strerror}") from None
