"""Turn evaluation-harness outputs into evaluation-log entries.

Two formats are read, from their JSON files alone (neither harness needs to be installed):

* **Inspect** eval logs written as JSON (``inspect eval --log-format json``): ``version``,
  ``status``, ``eval`` (``task``, ``task_version``, ``model``, ``created``, ``run_id``,
  ``dataset``, ``config``, ``packages``), ``plan`` (``steps[].solver``), ``results``
  (``scores[].metrics{name: {name, value}}``), ``stats`` (``started_at``, ``completed_at``).
  The binary ``.eval`` format is not read.
* **lm-evaluation-harness** results JSON (``results_<date>.json``): ``results`` (per task,
  metrics keyed ``"<metric>,<filter>"`` with ``"<metric>_stderr,<filter>"`` companions),
  ``versions``, ``n-shot``, ``config`` (``model``, ``model_args``), ``model_name``, ``date``.
  One entry per task.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Literal

from gpact.errors import InputError
from gpact.risk.schema import EvaluationRun, Metric

Format = Literal["auto", "inspect", "lm-eval"]
FORMATS: tuple[str, ...] = ("auto", "inspect", "lm-eval")


def import_evaluations(path: Path, fmt: str = "auto", run_by: str | None = None,
                       risks: list[str] | None = None) -> list[EvaluationRun]:
    """Read one harness output file into evaluation runs (ids derived from the file)."""
    if fmt not in FORMATS:
        raise InputError(str(path), "--format", f"unknown evaluation format {fmt!r}; use "
                         f"{', '.join(FORMATS)}")
    data = _read_json(path)
    kind = detect_format(data, path) if fmt == "auto" else fmt
    runs = _from_inspect(data, path) if kind == "inspect" else _from_lm_eval(data, path)
    if not runs:
        raise InputError(str(path), "results", "no results to import")
    return [r.model_copy(update={"run_by": run_by or r.run_by, "risks": list(risks or [])})
            for r in runs]


def detect_format(data: Any, path: Path) -> str:
    if isinstance(data, dict):
        if isinstance(data.get("eval"), dict) and "task" in data["eval"]:
            return "inspect"
        if isinstance(data.get("results"), dict) and (
                "versions" in data or "n-shot" in data or "configs" in data
                or _has_lm_eval_keys(data["results"])):
            return "lm-eval"
    raise InputError(str(path), None, "unknown evaluation format: expected an Inspect eval log "
                     "(JSON with 'eval.task') or lm-evaluation-harness results (JSON with "
                     "'results' and 'versions')")


def _has_lm_eval_keys(results: dict[str, Any]) -> bool:
    return any(isinstance(v, dict) and any("," in k for k in v) for v in results.values())


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise InputError(str(path), None, "no such file") from None
    except json.JSONDecodeError as exc:
        hint = " (the binary .eval format is not supported; convert with 'inspect log convert " \
            "--to json')" if path.suffix == ".eval" else ""
        raise InputError(str(path), f"line {exc.lineno}", f"not JSON: {exc.msg}{hint}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), None, "not UTF-8 JSON text") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror}") from None


def _from_inspect(data: dict[str, Any], path: Path) -> list[EvaluationRun]:
    spec = data.get("eval")
    if not isinstance(spec, dict) or not spec.get("task"):
        raise InputError(str(path), "eval.task", "missing: not an Inspect eval log")
    status = data.get("status")
    if status not in (None, "success"):
        raise InputError(str(path), "status", f"eval did not succeed ({status!r}); only "
                         "successful runs are imported")
    metrics: list[Metric] = []
    results = data.get("results") or {}
    for i, score in enumerate(results.get("scores") or []):
        scorer = score.get("name") or score.get("scorer") or f"score{i}"
        values: dict[str, float] = {}
        for key, metric in (score.get("metrics") or {}).items():
            value = metric.get("value") if isinstance(metric, dict) else None
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise InputError(str(path), f"results.scores[{i}].metrics.{key}.value",
                                 f"not a number: {value!r}")
            values[str(metric.get("name") or key)] = float(value)
        # Inspect reports the standard error as a metric of its own: it belongs to the first.
        stderr = values.pop("stderr", None)
        for j, (name, value) in enumerate(values.items()):
            metrics.append(Metric(name=f"{scorer}/{name}", value=value,
                                  stderr=stderr if j == 0 else None))
    stats = data.get("stats") or {}
    run_on = _date(stats.get("completed_at") or spec.get("created"), path, "eval.created")
    steps = [str(s["solver"]) for s in (data.get("plan") or {}).get("steps") or []
             if isinstance(s, dict) and s.get("solver")]
    dataset = spec.get("dataset") or {}
    config = spec.get("config") or {}
    elicitation = ", ".join(filter(None, [
        f"solvers: {' -> '.join(steps)}" if steps else None,
        f"epochs: {config['epochs']}" if config.get("epochs") else None,
        f"samples: {results.get('completed_samples')}/{results.get('total_samples')}"
        if results.get("total_samples") else None,
    ])) or None
    version = spec.get("task_version")
    run_id = spec.get("run_id") or spec.get("eval_id") or path.stem
    packages = spec.get("packages") or {}
    return [EvaluationRun(
        id=_slug(f"inspect-{spec['task']}-{run_id}"),
        benchmark=str(spec.get("task_display_name") or spec["task"]),
        benchmark_version=str(version) if version not in (None, "") else None,
        run_on=run_on,
        model=str(spec["model"]) if spec.get("model") else None,
        elicitation=elicitation,
        results=metrics,
        source=f"inspect {packages.get('inspect_ai', '')}".strip() + f": {path.name}"
        + (f" (dataset {dataset['name']})" if dataset.get("name") else ""),
    )]


def _from_lm_eval(data: dict[str, Any], path: Path) -> list[EvaluationRun]:
    results = data.get("results")
    if not isinstance(results, dict) or not results:
        raise InputError(str(path), "results", "missing or empty: not lm-evaluation-harness "
                         "results")
    versions = data.get("versions") or {}
    n_shot = data.get("n-shot") or {}
    config = data.get("config") or {}
    model = data.get("model_name") or _model_from_args(config.get("model_args")) or \
        config.get("model")
    run_on = _date(data.get("date"), path, "date")
    runs: list[EvaluationRun] = []
    for task, values in results.items():
        if not isinstance(values, dict):
            raise InputError(str(path), f"results.{task}", "expected an object of metrics")
        metrics: list[Metric] = []
        for key, value in values.items():
            if key == "alias" or "_stderr," in key or not isinstance(value, int | float) \
                    or isinstance(value, bool):
                continue
            name, _, filt = key.partition(",")
            stderr = values.get(f"{name}_stderr,{filt}") if filt else None
            metrics.append(Metric(name=key, value=float(value),
                                  stderr=float(stderr) if isinstance(stderr, int | float)
                                  else None))
        if not metrics:
            continue
        shots = n_shot.get(task)
        version = versions.get(task)
        runs.append(EvaluationRun(
            id=_slug(f"lm-eval-{task}-{run_on.isoformat()}"),
            benchmark=str(task),
            benchmark_version=str(version) if version is not None else None,
            run_on=run_on,
            model=str(model) if model else None,
            elicitation=f"{shots}-shot" if shots is not None else None,
            results=metrics,
            source=f"lm-evaluation-harness {data.get('lm_eval_version', '')}".strip()
            + f": {path.name}",
        ))
    return runs


def _model_from_args(args: Any) -> str | None:
    if isinstance(args, dict):
        return str(args.get("pretrained") or args.get("model") or "") or None
    if isinstance(args, str):
        found = re.search(r"(?:pretrained|model|path|engine)=([^,]+)", args)
        return found.group(1) if found else None
    return None


def _date(value: Any, path: Path, field: str) -> dt.date:
    """A run date from an ISO timestamp or a Unix time; required."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC).date()
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise InputError(str(path), field, f"no usable run date (got {value!r})")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]+", "-", text).strip("-")[:120]
