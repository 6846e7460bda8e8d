"""codecarbon's ``emissions.csv`` (and the same records as JSON from its API or HTTP output)
into the documentation record's energy fields, which the Model Documentation Form shows.

codecarbon writes one row per tracker run (``energy_consumed`` kWh, ``emissions`` kg CO2eq,
``duration`` s, cumulative); a flush writes an earlier row for the same ``run_id``, so the
last row per run counts. In its default ``machine`` tracking mode each tracker measures the
whole node: when several processes on one node each run a tracker (``torchrun`` with one per
GPU), every row holds the same node energy, and summing them counts the node once per
process. Such rows (same hardware, overlapping in time, readings within ``SAME_READING``)
are counted once, with a warning that names them. ``process`` mode rows are summed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpact.errors import InputError
from gpact.interop.files import parse_json, read_text
from gpact.interop.merge import Imported, significant

REQUIRED = ("timestamp", "run_id", "duration", "emissions", "energy_consumed")
SAME_READING = 0.005  # relative difference below which two node readings are the same reading
META = ("region", "country_name", "codecarbon_version", "pue", "gpu_model")
HARDWARE = ("cpu_model", "gpu_model", "gpu_count", "cpu_count", "ram_total_size", "os",
            "region", "country_name")


@dataclass(slots=True)
class Row:
    line: int
    run_id: str
    start: dt.datetime
    end: dt.datetime
    kwh: float
    kg: float
    mode: str
    hardware: tuple[str, ...]
    parts: tuple[float, float, float]  # cpu, gpu, ram kWh
    raw: dict[str, str]  # only the META columns the methodology sentence names


def read_codecarbon(path: Path) -> Imported:
    """A record fragment with the energy measured, and what was merged or skipped."""
    file = str(path)
    text = read_text(path)
    is_csv = path.suffix.lower() == ".csv" or not text.lstrip().startswith(("{", "["))
    records = _csv_rows(text, file) if is_csv else iter(json_records(parse_json(text, file),
                                                                     file))
    shared: dict[Any, Any] = {}  # one copy of each hardware tuple and metadata dict
    rows = [_row(r, line, file, is_csv, shared) for line, r in records]
    if not rows:
        raise InputError(file, None, "no emissions rows")
    latest: dict[str, Row] = {}
    skipped: list[str] = []
    for row in rows:
        have = latest.get(row.run_id)
        if have is not None:
            skipped.append(f"row {have.line if have.end <= row.end else row.line}: an earlier "
                           f"(flushed) reading of run {row.run_id}, superseded")
        if have is None or row.end >= have.end:
            latest[row.run_id] = row
    nodes = _nodes(list(latest.values()), skipped)
    kwh = sum(n[0].kwh for n in nodes)
    kg = sum(n[0].kg for n in nodes)
    return Imported(_fragment(nodes, kwh, kg), [f"{path.name} (codecarbon)"], skipped)


def json_records(data: Any, file: str) -> list[tuple[int, dict[str, Any]]]:
    """codecarbon records as JSON: one object, a list, or the API's ``{"items": [...]}``."""
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise InputError(file, None, "expected codecarbon emissions records (an object, a list, "
                         "or {'items': [...]})")
    if data and not all(k in data[0] for k in REQUIRED):
        missing = [k for k in REQUIRED if k not in data[0]]
        raise InputError(file, "[0]", f"not a codecarbon emissions record: missing "
                         f"{', '.join(missing)}")
    return list(enumerate(data))


def _csv_rows(text: str, file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows one at a time (each becomes a small Row; the dicts are not kept)."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []  # reads the first line: it can be malformed too
    except csv.Error as exc:
        raise InputError(file, "header", f"malformed CSV: {exc}") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(file, "header", f"not a codecarbon emissions.csv: missing column(s) "
                         f"{', '.join(missing)}")
    try:
        for r in reader:
            yield reader.line_num, r
    except csv.Error as exc:
        raise InputError(file, f"line {reader.line_num}", f"malformed CSV: {exc}") from None


def _number(record: dict[str, Any], key: str, where: str, file: str,
            default: float | None = None) -> float:
    value = record.get(key)
    if value in (None, "") and default is not None:
        return default
    try:
        number = float(value if isinstance(value, int | float) else str(value))
    except (TypeError, ValueError):
        raise InputError(file, f"{where}: {key}", f"not a number: {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise InputError(file, f"{where}: {key}", f"must be a finite non-negative number, got "
                         f"{value!r}")
    return number


def _row(record: dict[str, Any], line: int, file: str, csv_lines: bool,
         shared: dict[Any, Any]) -> Row:
    where = f"line {line}" if csv_lines else f"[{line}]"
    try:
        end = dt.datetime.fromisoformat(str(record.get("timestamp")).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(file, f"{where}: timestamp", f"not an ISO date-time: "
                         f"{record.get('timestamp')!r}") from None
    duration = _number(record, "duration", where, file)
    return Row(
        line=line, run_id=str(record.get("run_id") or f"row-{line}"),
        start=end - dt.timedelta(seconds=duration), end=end,
        kwh=_number(record, "energy_consumed", where, file),
        kg=_number(record, "emissions", where, file),
        mode=str(record.get("tracking_mode") or "machine"),
        hardware=shared.setdefault(hw := tuple(str(record.get(k, "")) for k in HARDWARE), hw),
        parts=(_number(record, "cpu_energy", where, file, 0.0),
               _number(record, "gpu_energy", where, file, 0.0),
               _number(record, "ram_energy", where, file, 0.0)),
        raw=shared.setdefault(meta := tuple((k, str(record[k])) for k in META
                                            if record.get(k) not in (None, "")), dict(meta)),
    )


def _same_reading(a: Row, b: Row) -> bool:
    def close(x: float, y: float) -> bool:
        return abs(x - y) <= SAME_READING * max(abs(x), abs(y), 1e-12)

    return (a.mode == b.mode == "machine" and a.hardware == b.hardware
            and a.start < b.end and b.start < a.end
            and close(a.kwh, b.kwh) and all(close(x, y) for x, y in zip(a.parts, b.parts,
                                                                          strict=True)))


def _nodes(rows: list[Row], skipped: list[str]) -> list[list[Row]]:
    """Group rows that are one node's reading taken by several processes."""
    groups: list[list[Row]] = []
    active: dict[tuple[str, tuple[str, ...]], list[list[Row]]] = {}  # still-open groups
    for row in sorted(rows, key=lambda r: (r.start, r.line)):
        open_groups = [g for g in active.get((row.mode, row.hardware), [])
                       if g[0].end > row.start]  # rows are sorted by start: prune the rest
        for group in open_groups:
            if _same_reading(group[0], row):
                group.append(row)
                break
        else:
            groups.append([row])
            open_groups.append(groups[-1])
        active[(row.mode, row.hardware)] = open_groups
    for group in groups:
        if len(group) > 1:
            lines = ", ".join(str(r.line) for r in group)
            skipped.append(f"rows {lines}: {len(group)} trackers read the same node energy "
                           f"({group[0].kwh:g} kWh) at the same time (several processes on "
                           "one node in machine mode?): counted once")
    return groups


def _fragment(nodes: list[list[Row]], kwh: float, kg: float) -> dict[str, Any]:
    first = nodes[0][0].raw
    places = list(dict.fromkeys(
        ", ".join(p for p in (str(n[0].raw.get("region") or ""),
                              str(n[0].raw.get("country_name") or "")) if p)
        for n in nodes))
    version = first.get("codecarbon_version") or "unknown version"
    modes = sorted({n[0].mode for n in nodes})
    pue = {str(n[0].raw.get("pue")) for n in nodes if n[0].raw.get("pue") not in (None, "")}
    processes = sum(len(n) for n in nodes)
    method = (f"Measured with codecarbon {version} ({'/'.join(modes)} tracking mode): "
              f"{len(nodes)} node reading(s) from {processes} tracker run(s), CPU, GPU and RAM "
              f"energy{'; PUE ' + ', '.join(sorted(pue)) if pue else ''}; emissions from "
              "codecarbon's grid carbon intensity for the location.")
    gpus = {str(n[0].raw.get("gpu_model")) for n in nodes if n[0].raw.get("gpu_model")}
    fragment: dict[str, Any] = {"gpact_record": 1, "energy": {
        "training_mwh": significant(kwh / 1000), "methodology": method,
        "emissions_kg_co2eq": significant(kg)}}
    if places and any(places):
        fragment["energy"]["emissions_location"] = "; ".join(p for p in places if p)
    if gpus:
        fragment["training"] = {"hardware": "; ".join(sorted(gpus))}
    return fragment
