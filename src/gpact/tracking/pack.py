"""The evidence pack (Art. 91 requests): one zip per model, and its offline check.

Layout: ``pack.json`` (the model, each obligation's state and sign-off with its evidence, the
audit-chain head, the list of files with their SHA-256), ``documents/``, ``evidence/``,
``assessment.json``, ``profile.yaml``, ``record.yaml``, ``audit.jsonl`` (the audit events of
this model, each with the hash that chains it) and ``manifest.sha256`` (``sha256  path`` for
every other file). ``verify`` needs nothing but the zip: it recomputes every SHA-256 and
every audit event's hash, and never extracts anything to disk.

Events are hashed as in ``gpact.store.audit`` (SHA-256 of the previous hash and the event's
canonical JSON); the formula is repeated here so a recipient can check a pack without the
server extra (a test keeps the two equal).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from gpact.errors import InputError

FORMAT = "gpact-evidence-pack/1"
MANIFEST = "manifest.sha256"
INDEX = "pack.json"
AUDIT = "audit.jsonl"
MAX_PACK_BYTES = 2 * 1024**3
MAX_MEMBER_BYTES = 512 * 1024**2
MAX_MEMBERS = 100_000
EVENT_FIELDS = ("seq", "at", "org_id", "actor", "action", "entity", "entity_id",
                "before_hash", "after_hash", "detail", "prev_hash")
_LINE = re.compile(r"^([0-9a-f]{64})  (\S.*)$")


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def event_digest(event: dict[str, Any]) -> str:
    """The hash of one audit event, from its fields and its predecessor's hash."""
    fields = {k: event.get(k) for k in EVENT_FIELDS}
    return hashlib.sha256(str(event.get("prev_hash")).encode() + canonical(fields)).hexdigest()


def safe_member(name: str) -> bool:
    """A member name that stays inside the archive (no zip slip)."""
    path = PurePosixPath(name.replace("\\", "/"))
    return bool(name) and not path.is_absolute() and ".." not in path.parts \
        and not re.match(r"^[A-Za-z]:", name) and "\x00" not in name


def write(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of ``files`` (path, bytes) plus the manifest of their SHA-256 sums."""
    buf = io.BytesIO()
    lines = []
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files:
            if not safe_member(path) or path == MANIFEST:
                raise ValueError(f"unsafe pack member {path!r}")
            archive.writestr(path, content)
            lines.append(f"{hashlib.sha256(content).hexdigest()}  {path}")
        archive.writestr(MANIFEST, "\n".join(lines) + "\n")
    return buf.getvalue()


@dataclass
class Verification:
    files: int = 0
    events: int = 0
    head: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise InputError(label, info.filename, f"member larger than "
                         f"{MAX_MEMBER_BYTES // 1024**2} MiB")
    return data


def _open(path: Path) -> zipfile.ZipFile:
    label = str(path)
    if not path.is_file():
        raise InputError(label, None, "no such file")
    if path.stat().st_size > MAX_PACK_BYTES:
        raise InputError(label, None, f"larger than {MAX_PACK_BYTES // 1024**3} GiB")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(label, None, f"not a zip archive ({exc})") from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(label, None, f"more than {MAX_MEMBERS} members")
    for info in infos:
        if not safe_member(info.filename):
            raise InputError(label, info.filename, "member path points outside the archive "
                             "(refused; nothing was extracted)")
    if sum(i.file_size for i in infos) > MAX_PACK_BYTES:
        raise InputError(label, None, "unpacks to more than 2 GiB (refused)")
    names = {i.filename for i in infos}
    for needed in (MANIFEST, INDEX):
        if needed not in names:
            raise InputError(label, needed, "missing: not a gpact evidence pack")
    return archive


def verify(path: Path) -> Verification:
    """Check a pack offline. Bad input (not a pack, unsafe paths) raises ``InputError``;
    mismatches are collected in ``problems``."""
    label = str(path)
    result = Verification()
    with _open(path) as archive:
        infos = {i.filename: i for i in archive.infolist() if not i.is_dir()}
        try:
            manifest_text = _read(archive, infos[MANIFEST], label).decode("utf-8")
            index = json.loads(_read(archive, infos[INDEX], label))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(label, INDEX, f"unreadable: {exc}") from None
        if not isinstance(index, dict) or index.get("format") != FORMAT:
            raise InputError(label, f"{INDEX}: format", f"expected {FORMAT!r}")
        listed: dict[str, str] = {}
        for n, line in enumerate(manifest_text.splitlines(), 1):
            found = _LINE.match(line)
            if not found:
                result.problems.append(f"{MANIFEST} line {n}: not 'sha256  path'")
                continue
            listed[found.group(2)] = found.group(1)
        sums: dict[str, str] = {}
        for name, info in infos.items():
            if name == MANIFEST:
                continue
            sums[name] = hashlib.sha256(_read(archive, info, label)).hexdigest()
            if name not in listed:
                result.problems.append(f"{name}: in the pack but not in the manifest (added?)")
            elif listed[name] != sums[name]:
                result.problems.append(f"{name}: SHA-256 {sums[name][:16]}… differs from the "
                                       f"manifest's {listed[name][:16]}… (changed)")
        for name in listed:
            if name not in infos:
                result.problems.append(f"{name}: listed in the manifest but missing (removed?)")
        for entry in index.get("files", []):
            name, expected = entry.get("path"), entry.get("sha256")
            if name in sums and expected != sums[name]:
                result.problems.append(f"{name}: SHA-256 differs from the one gpact recorded "
                                       f"when it was stored ({str(expected)[:16]}…)")
        result.files = len(sums)
        result.head = dict(index.get("audit_head") or {})
        result.model = str((index.get("model") or {}).get("name", ""))
        if AUDIT in infos:
            _check_events(_read(archive, infos[AUDIT], label), result)
    return result


def _check_events(raw: bytes, result: Verification) -> None:
    head_seq = result.head.get("seq")
    for n, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            result.problems.append(f"{AUDIT} line {n}: not JSON")
            continue
        result.events += 1
        if event_digest(event) != event.get("hash"):
            result.problems.append(f"{AUDIT}: event {event.get('seq')} does not match its "
                                   "hash (edited)")
        if isinstance(head_seq, int) and isinstance(event.get("seq"), int) \
                and event["seq"] > head_seq:
            result.problems.append(f"{AUDIT}: event {event['seq']} is after the recorded "
                                   f"chain head {head_seq}")
