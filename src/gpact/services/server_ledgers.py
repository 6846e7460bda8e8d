"""Compute ledgers uploaded to the server: stored as sent, with per-phase totals read from them.

A ledger is compute telemetry as in design.md §4 (CSV or JSON Lines, one row per run segment
with ``run_id``, ``phase``, ``timestamp`` and a measured ``flop`` figure). Rows without a
measured ``flop`` are counted and reported, never guessed: estimating them is the compute
engine's job (``gpact compute``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact.services.accounts import Actor
from gpact.services.input_limits import safe_filename
from gpact.services.registry import get_model, require
from gpact.services.server_errors import Invalid, TooLarge
from gpact.store import audit
from gpact.store.models import ComputeLedger

MAX_LEDGER_BYTES = 10 * 1024 * 1024
PHASES = ("pretraining", "synthetic_data", "finetuning", "rl", "distillation", "other")
REQUIRED = ("run_id", "phase", "timestamp")


def _rows(filename: str, text: str) -> list[dict[str, Any]]:
    if filename.endswith((".jsonl", ".ndjson")):
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise Invalid([f"{filename}: line {n}: invalid JSON: {exc.msg}"]) from None
            if not isinstance(row, dict):
                raise Invalid([f"{filename}: line {n}: expected an object"])
            rows.append(row)
        return rows
    if filename.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    raise Invalid([f"{filename}: ledger must be .csv or .jsonl"])


def summarise(filename: str, content: bytes) -> dict[str, Any]:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid([f"{filename}: not UTF-8 text"]) from None
    rows = _rows(filename, text)
    if not rows:
        raise Invalid([f"{filename}: no rows"])
    by_phase: dict[str, float] = {}
    unmeasured = 0
    problems: list[str] = []
    for n, row in enumerate(rows, 2 if filename.endswith(".csv") else 1):
        missing = [c for c in REQUIRED if row.get(c) in (None, "")]
        if missing:
            problems.append(f"{filename}: row {n}: missing {', '.join(missing)}")
            continue
        phase = str(row["phase"])
        if phase not in PHASES:
            problems.append(f"{filename}: row {n}: phase: {phase!r} is not one of "
                            f"{', '.join(PHASES)}")
            continue
        raw = row.get("flop")
        if raw in (None, ""):
            unmeasured += 1
            continue
        try:
            flop = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{filename}: row {n}: flop: not a number ({raw!r})")
            continue
        if not math.isfinite(flop) or flop < 0:
            problems.append(f"{filename}: row {n}: flop: must be a non-negative number")
            continue
        by_phase[phase] = by_phase.get(phase, 0.0) + flop
    if problems:
        raise Invalid(problems[:20])
    return {"rows": len(rows), "unmeasured_rows": unmeasured,
            "flop_by_phase": {p: by_phase[p] for p in PHASES if p in by_phase}}


def upload(session: Session, actor: Actor, model_id: int, filename: str,
           content: bytes) -> ComputeLedger:
    require(actor, "write")
    if len(content) > MAX_LEDGER_BYTES:
        raise TooLarge(f"ledger larger than {MAX_LEDGER_BYTES // (1024 * 1024)} MiB")
    model = get_model(session, actor, model_id)
    summary = summarise(filename, content)
    ledger = ComputeLedger(model_id=model.id, filename=safe_filename(filename),
                           sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                           content=content, total_flop=sum(summary["flop_by_phase"].values()),
                           summary=summary, created_by=actor.label)
    session.add(ledger)
    session.flush()
    audit.append(session, actor=actor.label, action="ledger.upload", entity="compute_ledger",
                 entity_id=ledger.id, org_id=actor.org_id, after={"sha256": ledger.sha256},
                 detail={"model": model.id, "total_flop": ledger.total_flop})
    return ledger


def ledgers(session: Session, actor: Actor, model_id: int) -> list[ComputeLedger]:
    require(actor, "read")
    model = get_model(session, actor, model_id)
    return list(session.scalars(select(ComputeLedger).where(ComputeLedger.model_id == model.id)
                                .order_by(ComputeLedger.id)))
