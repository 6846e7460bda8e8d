"""Evaluation results in the shared formats of the field, read without their harnesses.

* **Inspect** ``.eval`` logs: a zip whose ``header.json`` holds the log without its samples
  (Inspect writes it when the run ends; zstd-compressed since 2025, deflate before). A log
  with only ``_journal/start.json`` did not finish and is refused.
* **HELM** run folders: ``run_spec.json`` (name, scenario, adapter, metric names) and
  ``stats.json`` (per metric and split, mean over instances); the ``test`` split without
  perturbations is imported, the metric names the run spec asks for.
* **Every Eval Ever** (evaleval) JSON, schema versions in ``EEE_VERSIONS``: one run per
  ``evaluation_results`` entry, score from ``score_details.score``.
* **Hugging Face Hub** ``.eval_results/*.yaml``: a list of ``{dataset: {id, task_id,
  revision}, value, date, source, notes}`` entries, one run each.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

from gpact.errors import InputError
from gpact.interop.files import MAX_FILE_BYTES, parse_json, parse_yaml, read_json, read_text
from gpact.risk.schema import EvaluationRun, Metric

EEE_VERSIONS = ("0.1.0", "0.2.0", "0.2.1", "0.2.2", "0.3.0")
ZIP_DEFLATED, ZIP_STORED, ZIP_ZSTANDARD = 8, 0, 93
HELM_BOOKKEEPING = ("num_", "finish_reason_", "batch_size", "inference_runtime", "training_",
                    "inference_", "max_prob", "logprob")


def _zstd(raw: bytes, limit: int, file: str) -> bytes:
    try:  # the standard library has zstd from Python 3.14
        zstd: Any = importlib.import_module("compression.zstd")
        out: bytes = zstd.ZstdDecompressor().decompress(raw, max_length=limit + 1)
    except ImportError:
        try:
            import zstandard
        except ImportError:
            raise InputError(file, None, "zstd-compressed .eval log: needs the optional extra "
                             "gpact[interop] (zstandard)") from None
        try:  # streamed and cut at the limit: a frame's declared size is not trusted
            with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)) as reader:
                out = reader.read(limit + 1)
        except zstandard.ZstdError as exc:
            raise InputError(file, None, f"corrupt zstd data: {exc}") from None
    if len(out) > limit:
        raise InputError(file, None, "a log member is larger than the read limit")
    return out


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> bytes:
    """One zip member, size-checked before it is inflated (no zip bombs)."""
    if info.file_size > MAX_FILE_BYTES:
        raise InputError(file, info.filename, f"{info.file_size} bytes: larger than the read "
                         "limit")
    if info.compress_type in (ZIP_STORED, ZIP_DEFLATED):
        return archive.read(info)
    if info.compress_type != ZIP_ZSTANDARD:
        raise InputError(file, info.filename, f"unsupported zip compression {info.compress_type}")
    fp = archive.fp
    assert fp is not None  # the archive is open
    fp.seek(info.header_offset)
    header = fp.read(30)
    if header[:4] != b"PK\x03\x04":
        raise InputError(file, info.filename, "corrupt zip: no local file header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    return _zstd(fp.read(info.compress_size), MAX_FILE_BYTES, file)


def read_inspect_eval(path: Path) -> dict[str, Any]:
    """The log header of an Inspect ``.eval`` file (same shape as a JSON log, no samples)."""
    file = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = {i.filename: i for i in archive.infolist()}
            if "header.json" not in names:
                if "_journal/start.json" in names:
                    raise InputError(file, "header.json", "missing: the evaluation did not "
                                     "finish (only its start journal was written)")
                raise InputError(file, None, "not an Inspect .eval log (no header.json)")
            data = parse_json(_member(archive, names["header.json"], file),
                              f"{file}: header.json")
    except zipfile.BadZipFile:
        raise InputError(file, None, "not a zip archive: not an Inspect .eval log (JSON logs "
                         "end in .json)") from None
    except FileNotFoundError:
        raise InputError(file, None, "no such file") from None
    if not isinstance(data, dict):
        raise InputError(file, "header.json", "expected a JSON object")
    version = data.get("version")
    if version not in (1, 2):
        raise InputError(file, "version", f"unknown Inspect log version {version!r} "
                         "(gpact reads versions 1 and 2)")
    return data


# --- HELM --------------------------------------------------------------------------------

def is_helm_run(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    return (folder / "run_spec.json").is_file() and (folder / "stats.json").is_file()


def read_helm_run(path: Path) -> list[EvaluationRun]:
    folder = path if path.is_dir() else path.parent
    spec_path, stats_path = folder / "run_spec.json", folder / "stats.json"
    spec = read_json(spec_path)
    stats = read_json(stats_path)
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise InputError(str(spec_path), "name", "missing: not a HELM run spec")
    if not isinstance(stats, list):
        raise InputError(str(stats_path), None, "expected a list of HELM statistics")
    wanted = {n for m in spec.get("metric_specs") or [] if isinstance(m, dict)
              for n in (m.get("args") or {}).get("names") or []}
    metrics: list[Metric] = []
    for i, stat in enumerate(stats):
        name = stat.get("name") if isinstance(stat, dict) else None
        if not isinstance(name, dict) or "name" not in name:
            raise InputError(str(stats_path), f"[{i}].name", "expected {name, split}")
        metric = str(name["name"])
        if name.get("split") != "test" or "perturbation" in name or not stat.get("count"):
            continue
        if (wanted and metric not in wanted) or (not wanted and metric.startswith(
                HELM_BOOKKEEPING)):
            continue
        mean = stat.get("mean")
        if isinstance(mean, int | float) and not isinstance(mean, bool):
            stddev = stat.get("stddev")
            count = int(stat["count"])
            stderr = float(stddev) / count ** 0.5 if isinstance(stddev, int | float) \
                and count > 1 else None
            metrics.append(Metric(name=metric, value=float(mean), stderr=stderr))
    if not metrics:
        raise InputError(str(stats_path), None, "no test-split metrics to import")
    scenario, _, args = spec["name"].partition(":")
    adapter = spec.get("adapter_spec") or {}
    shots = adapter.get("max_train_instances")
    run_on = dt.datetime.fromtimestamp(stats_path.stat().st_mtime, tz=dt.UTC).date()
    return [EvaluationRun(
        id=_slug(f"helm-{spec['name']}"),
        benchmark=scenario + (f" ({_args(args)})" if _args(args) else ""),
        run_on=run_on, model=str(adapter["model"]) if adapter.get("model") else None,
        elicitation=", ".join(filter(None, [
            f"method: {adapter['method']}" if adapter.get("method") else None,
            f"{shots}-shot" if isinstance(shots, int) else None])) or None,
        results=metrics, source=f"HELM run {folder.name}",
        notes="HELM does not record the run date: taken from stats.json's modification time.",
    )]


def _args(args: str) -> str:
    return ", ".join(a for a in args.split(",") if a and not a.startswith(("model=", "method=")))


# --- Every Eval Ever -----------------------------------------------------------------------

def is_eee(data: Any) -> bool:
    return isinstance(data, dict) and "schema_version" in data and "evaluation_results" in data


def read_eee(data: dict[str, Any], path: Path) -> list[EvaluationRun]:
    file = str(path)
    version = data.get("schema_version")
    if version not in EEE_VERSIONS:
        raise InputError(file, "schema_version", f"unknown Every Eval Ever schema version "
                         f"{version!r} (gpact reads {', '.join(EEE_VERSIONS)})")
    model = data.get("model_info") or {}
    source = data.get("source_metadata") or {}
    library = data.get("eval_library") or {}
    when = data.get("evaluation_timestamp") or data.get("retrieved_timestamp")
    run_on = _when(when, file, "evaluation_timestamp")
    results = data.get("evaluation_results")
    if not isinstance(results, list):
        raise InputError(file, "evaluation_results", "expected a list")
    grouped: dict[str, list[Metric]] = {}  # one run per evaluation, its metrics together
    for i, result in enumerate(results):
        where = f"evaluation_results[{i}]"
        if not isinstance(result, dict) or not result.get("evaluation_name"):
            raise InputError(file, f"{where}.evaluation_name", "missing")
        details = result.get("score_details") or {}
        score = details.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise InputError(file, f"{where}.score_details.score", f"not a number: {score!r}")
        config = result.get("metric_config") or {}
        metric = str(config.get("metric_name") or config.get("metric_id")
                     or config.get("evaluation_description") or "score")
        stderr = ((details.get("uncertainty") or {}).get("standard_error") or {}).get("value")
        grouped.setdefault(str(result["evaluation_name"]), []).append(Metric(
            name=metric, value=float(score),
            stderr=float(stderr) if isinstance(stderr, int | float)
            and not isinstance(stderr, bool) else None))
    model_id = str(model.get("id") or model.get("name") or "") if model else ""
    return [EvaluationRun(
        id=_slug(f"eee-{name}-{model_id}-{run_on.isoformat()}"),
        benchmark=name, run_on=run_on, model=model_id or None, results=metrics,
        source=f"Every Eval Ever {version}"
        + (f" from {source['source_name']}" if source.get("source_name") else "")
        + (f" ({library['name']} {library.get('version', '')})".rstrip()
           if library.get("name") else "") + f": {path.name}",
        notes=f"evaluator: {source['evaluator_relationship']}"
        if source.get("evaluator_relationship") else None,
    ) for name, metrics in grouped.items()]


# --- Hugging Face Hub .eval_results/ --------------------------------------------------------

def eval_results_files(path: Path) -> list[Path]:
    """A ``.eval_results`` folder (or a model folder holding one) as its YAML files."""
    folder = path / ".eval_results" if (path / ".eval_results").is_dir() else path
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def read_hub_eval_results(path: Path) -> list[EvaluationRun]:
    file = str(path)
    data = parse_yaml(read_text(path), file)
    if not isinstance(data, list):
        raise InputError(file, None, "expected a list of evaluation results (.eval_results/)")
    runs = []
    for i, entry in enumerate(data):
        where = f"[{i}]"
        dataset = entry.get("dataset") if isinstance(entry, dict) else None
        if not isinstance(dataset, dict) or not dataset.get("id"):
            raise InputError(file, f"{where}.dataset.id", "missing (required by the hub)")
        value = entry.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(file, f"{where}.value", f"not a number: {value!r}")
        date = entry.get("date")
        run_on = _when(date, file, f"{where}.date") if date is not None else \
            dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date()
        task = dataset.get("task_id")
        source = entry.get("source") or {}
        runs.append(EvaluationRun(
            id=_slug(f"hf-{dataset['id']}-{task or 'default'}-{path.stem}-{i}"),
            benchmark=str(dataset["id"]) + (f" / {task}" if task and task != "default" else ""),
            benchmark_version=str(dataset["revision"]) if dataset.get("revision") else None,
            run_on=run_on, elicitation=str(entry["notes"]) if entry.get("notes") else None,
            results=[Metric(name="value", value=float(value))],
            source=f"Hugging Face .eval_results/{path.name}"
            + (f" ({source.get('name') or source.get('url')})" if source else "")
            + ("; verified" if entry.get("verifyToken") else ""),
            notes=None if date is not None else "no date in the entry: taken from the file's "
            "modification time (the hub uses the git commit time)",
        ))
    return runs


def _when(value: Any, file: str, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC).date()
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromtimestamp(float(value), tz=dt.UTC).date()
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise InputError(file, field, f"no usable date (got {value!r})")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]+", "-", text).strip("-")[:120]

