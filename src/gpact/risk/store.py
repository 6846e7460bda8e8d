"""The risk records as files beside the model profile: ``<profile folder>/risk/*.yaml``.

Until the server's store layer holds them, each record kind lives in one YAML (or JSON) file
with the schema of ``gpact.risk.schema``. Problems are reported as one line per problem naming
the file, the field path and the YAML line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from gpact import safeio
from gpact.errors import InputError
from gpact.risk.schema import EvaluationLog, IncidentLog, RequestLog, RiskRegister

M = TypeVar("M", bound=BaseModel)

FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "register": ("register", RiskRegister),
    "evaluations": ("evaluations", EvaluationLog),
    "incidents": ("incidents", IncidentLog),
    "requests": ("requests", RequestLog),
}


@dataclass(frozen=True)
class RiskRecords:
    """Everything recorded for one model; a missing file is an empty record."""

    folder: Path
    register: RiskRegister
    evaluations: EvaluationLog
    incidents: IncidentLog
    requests: RequestLog
    present: frozenset[str]


def risk_folder(profile: Path, override: Path | None = None) -> Path:
    """Where a model's records live: the folder the caller names, else ``risk/<profile name>/``
    beside the profile if that exists (several profiles in one folder), else ``risk/``."""
    if override is not None:
        return override
    base = (profile if profile.is_dir() else profile.parent) / "risk"
    per_model = base / profile.stem
    return per_model if per_model.is_dir() else base


def record_path(folder: Path, kind: str) -> Path:
    """The file of one record kind: ``register.yaml`` (or ``.yml`` / ``.json`` if present)."""
    stem = FILES[kind][0]
    for suffix in (".yaml", ".yml", ".json"):
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return folder / f"{stem}.yaml"


def load_records(folder: Path) -> RiskRecords:
    present = frozenset(k for k in FILES if record_path(folder, k).is_file())
    return RiskRecords(
        folder=folder,
        register=load_file(record_path(folder, "register"), RiskRegister),
        evaluations=load_file(record_path(folder, "evaluations"), EvaluationLog),
        incidents=load_file(record_path(folder, "incidents"), IncidentLog),
        requests=load_file(record_path(folder, "requests"), RequestLog),
        present=present,
    )


def load_file(path: Path, model: type[M]) -> M:
    """Validate one record file; a missing file gives an empty record."""
    if not path.exists():
        return model()
    data = safeio.load(path, safeio.RISK, yaml12_numbers=False).data
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise InputError(str(path), None, "expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Line numbers need the node tree: read again only when there is something to report
        # (keeping it for every load costs half as much memory again as the records).
        node = safeio.load(path, safeio.RISK, yaml12_numbers=False).node
        errors = exc.errors()
        problems = [_problem(err, node) for err in errors[:safeio.MAX_PROBLEMS]]
        raise InputError(str(path), None, "; ".join(safeio.capped(problems, len(errors)))) \
            from None


def save_file(path: Path, record: BaseModel) -> None:
    """Write a record as YAML (JSON if the file name ends in .json). Comments are not kept."""
    data = record.model_dump(mode="json", exclude_none=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")


def _problem(err: Any, node: yaml.Node | None) -> str:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    line = safeio.line_of(node, loc)
    where = safeio.dotted(loc) + (f" (line {line})" if line else "")
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    elif err["type"] == "missing":
        msg = "required field is missing"
    elif "input" in err and not isinstance(err["input"], dict | list):
        msg = f"{msg} (got {safeio.shown(err['input'])})"
    return f"{where}: {msg}"
