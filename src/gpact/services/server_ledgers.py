"""Compute ledgers uploaded to the server, read by gpact.compute (the same code as the CLI).

An upload is a compute ledger YAML (``gpact_ledger: 1``) with the telemetry files it names,
or telemetry files alone (CSV, TSV, JSON Lines, Parquet: design.md §4). The files are written
to a private temporary folder under names the server chooses from the upload, the ledger's
references are checked to name only files of this upload or earlier uploads of the same
model (never a path on the server), and ``gpact.compute.load_ledger`` computes the totals.
Each file is kept as sent, with its SHA-256; the summary of the ledger goes on the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact.compute import load_ledger
from gpact.compute.ledger import is_telemetry, ledger_from_telemetry
from gpact.errors import InputError
from gpact.rulebook import default_rulebook
from gpact.services.accounts import Actor
from gpact.services.registry import get_model, require
from gpact.services.server_errors import Invalid, TooLarge
from gpact.store import audit
from gpact.store.models import ComputeLedger

MAX_LEDGER_BYTES = 10 * 1024 * 1024  # all files of one upload together
MAX_FILES = 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
YAML_SUFFIXES = (".yaml", ".yml")


def _safe_name(raw: str) -> str:
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    if not _NAME.match(name):
        raise Invalid([f"file: {raw!r} is not a plain file name (letters, digits, . _ -)"])
    return name


def _telemetry_refs(name: str, content: bytes) -> list[tuple[str, str]]:
    """(field, referenced file) of every telemetry file a ledger YAML names."""
    try:
        data = yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Invalid([f"{name}: not a YAML compute ledger: {str(exc).splitlines()[0]}"]
                      ) from None
    if not isinstance(data, dict) or "gpact_ledger" not in data:
        raise Invalid([f"{name}: not a compute ledger (no 'gpact_ledger: 1' at the top)"])
    refs = []
    for i, entry in enumerate(data.get("entries") or []):
        files = ((entry or {}).get("telemetry") or {}).get("files") if isinstance(
            entry, dict) else None
        for j, ref in enumerate(files or []):
            refs.append((f"entries[{i}].telemetry.files[{j}]", str(ref)))
    return refs


def _summary(ledger_dict: dict[str, Any], files: Sequence[str]) -> dict[str, Any]:
    """What the model page shows: totals with their range, and counted FLOP by phase."""
    by_phase: dict[str, float] = {}
    for e in ledger_dict["entries"]:
        if e["counts_cumulative"]:
            by_phase[e["phase"]] = by_phase.get(e["phase"], 0.0) + float(e["flop"])
    return {"files": list(files), "cumulative": ledger_dict["cumulative"],
            "parameter_update": ledger_dict["parameter_update"], "flop_by_phase": by_phase,
            "entries": [{k: e[k] for k in ("id", "phase", "flop", "low", "high", "method",
                                           "counts_cumulative")}
                        for e in ledger_dict["entries"]],
            "planned_total_flop": ledger_dict["planned_total_flop"],
            "warnings": ledger_dict["warnings"][:50], "unmeasured_rows": 0}


def read(files: Sequence[tuple[str, bytes]], earlier: dict[str, bytes],
         as_of: dt.date | None = None) -> dict[str, Any]:
    """Compute the ledger of an upload with gpact.compute; field problems become ``Invalid``."""
    names = [n for n, _ in files]
    yamls = [n for n in names if n.lower().endswith(YAML_SUFFIXES)]
    if len(yamls) > 1:
        raise Invalid([f"file: upload one ledger YAML at a time (got {', '.join(yamls)})"])
    for n in names:
        if not n.lower().endswith(YAML_SUFFIXES) and not is_telemetry(Path(n)):
            raise Invalid([f"file: {n}: not a compute ledger; upload a ledger YAML "
                           "(gpact_ledger: 1) or telemetry (.csv, .tsv, .jsonl, .parquet)"])
    rules = default_rulebook().at(as_of or dt.date.today())
    content = dict(files)
    with tempfile.TemporaryDirectory(prefix="gpact-ledger-") as tmp:
        folder = Path(tmp)
        if yamls:
            for field, ref in _telemetry_refs(yamls[0], content[yamls[0]]):
                if ref not in content and ref not in earlier:
                    raise Invalid([f"{yamls[0]}: {field}: {ref!r} is not among the uploaded "
                                   "files; upload it with the ledger (or before it)"])
                (folder / ref).write_bytes(content.get(ref, earlier.get(ref, b"")))
        for n, data in files:
            (folder / n).write_bytes(data)
        try:
            if yamls:
                ledger = load_ledger(folder / yamls[0], rules, progress=False)
            else:
                ledger = ledger_from_telemetry([folder / n for n in names], rules,
                                               progress=False)
        except InputError as exc:
            raise Invalid([exc.message().replace(str(folder) + "/", "")]) from None
    return _summary(ledger.to_dict(), names)


def summarise(filename: str, content: bytes,
              earlier: dict[str, bytes] | None = None) -> dict[str, Any]:
    """The summary of one stored ledger file (an organisation import recomputes it): a
    telemetry file alone, or a ledger YAML with the telemetry files stored before it."""
    return read([(_safe_name(filename), content)], earlier or {})


def upload(session: Session, actor: Actor, model_id: int,
           files: Sequence[tuple[str, bytes]]) -> ComputeLedger:
    """Store an upload's files and the ledger computed from them (one audit event)."""
    require(actor, "write")
    if not files:
        raise Invalid(["file: choose a ledger YAML or telemetry file"])
    if len(files) > MAX_FILES:
        raise Invalid([f"file: at most {MAX_FILES} files per upload"])
    if sum(len(c) for _, c in files) > MAX_LEDGER_BYTES:
        raise TooLarge(f"file: upload larger than {MAX_LEDGER_BYTES // (1024 * 1024)} MiB")
    named = [(_safe_name(n), c) for n, c in files]
    if len({n for n, _ in named}) != len(named):
        raise Invalid(["file: two uploaded files have the same name"])
    model = get_model(session, actor, model_id)
    earlier = {c.filename: c.content for c in session.scalars(
        select(ComputeLedger).where(ComputeLedger.model_id == model.id)
        .order_by(ComputeLedger.id))}
    summary = read(named, earlier)
    first: ComputeLedger | None = None
    for i, (name, content) in enumerate(named):
        row = ComputeLedger(model_id=model.id, filename=name,
                            sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                            content=content,
                            total_flop=float(summary["cumulative"]["flop"]) if i == 0 else 0.0,
                            summary=summary if i == 0 else {"part_of": named[0][0]},
                            created_by=actor.label)
        session.add(row)
        session.flush()
        first = first or row
    assert first is not None
    audit.append(session, actor=actor.label, action="ledger.upload", entity="compute_ledger",
                 entity_id=first.id, org_id=actor.org_id,
                 after={n: hashlib.sha256(c).hexdigest() for n, c in named},
                 detail={"model": model.id, "total_flop": first.total_flop,
                         "files": [n for n, _ in named]})
    return first


def ledgers(session: Session, actor: Actor, model_id: int) -> list[ComputeLedger]:
    """The model's uploads (the first file of each, which carries the ledger's summary)."""
    require(actor, "read")
    model = get_model(session, actor, model_id)
    rows = session.scalars(select(ComputeLedger).where(ComputeLedger.model_id == model.id)
                           .order_by(ComputeLedger.id))
    return [r for r in rows if "part_of" not in r.summary]
