"""Turn evaluation-harness outputs into evaluation-log entries.

Read from their files alone (no harness needs to be installed):

* **Inspect** eval logs, native ``.eval`` (a zip; its ``header.json``) or JSON
  (``--log-format json``): ``version``,
  ``status``, ``eval`` (``task``, ``task_version``, ``model``, ``created``, ``run_id``,
  ``dataset``, ``config``, ``packages``), ``plan`` (``steps[].solver``), ``results``
  (``scores[].metrics{name: {name, value}}``), ``stats`` (``started_at``, ``completed_at``).
* **HELM** run folders, **Every Eval Ever** JSON and the Hugging Face Hub's
  ``.eval_results/*.yaml``: see :mod:`gpact.interop.evals`.
* **lm-evaluation-harness** results JSON (``results_<date>.json``): ``results`` (per task,
  metrics keyed ``"<metric>,<filter>"`` with ``"<metric>_stderr,<filter>"`` companions),
  ``versions``, ``n-shot``, ``config`` (``model``, ``model_args``), ``model_name``, ``date``.
  One entry per task.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from gpact.errors import InputError
from gpact.interop import evals
from gpact.interop.files import MAX_FILE_BYTES, parse_json, read_bytes
from gpact.risk.schema import EvaluationRun, Metric

Format = Literal["auto", "inspect", "lm-eval", "helm", "eee", "hf-eval-results"]
FORMATS: tuple[str, ...] = ("auto", "inspect", "lm-eval", "helm", "eee", "hf-eval-results")
RiskMap = Mapping[str, list[str]]  # task name pattern (fnmatch, case-insensitive) -> risk ids


def import_evaluations(path: Path, fmt: str = "auto", run_by: str | None = None,
                       risks: RiskMap | None = None) -> list[EvaluationRun]:
    """Read one harness output (file or run folder) into evaluation runs; ``risks`` maps task
    names to the risks each run informs (a run no pattern matches informs none)."""
    if fmt not in FORMATS:
        raise InputError(str(path), "--harness", f"unknown evaluation format {fmt!r}; use "
                         f"{', '.join(FORMATS)}")
    runs = _read_runs(path, fmt)
    if not runs:
        raise InputError(str(path), "results", "no results to import")
    return [r.model_copy(update={"run_by": run_by or r.run_by,
                                 "risks": risks_for(r, risks or {})}) for r in runs]


def risks_for(run: EvaluationRun, risks: RiskMap) -> list[str]:
    """The risk ids whose task patterns match the run's benchmark (or id)."""
    names = [run.benchmark.lower(), run.id.lower()]
    found = [rid for pattern, ids in risks.items()
             if any(fnmatch.fnmatchcase(n, pattern.lower()) for n in names) for rid in ids]
    return list(dict.fromkeys(found))


def _read_runs(path: Path, fmt: str) -> list[EvaluationRun]:
    if fmt in ("auto", "helm") and (path.is_dir() or path.name in ("run_spec.json",
                                                                  "stats.json")) \
            and evals.is_helm_run(path):
        return evals.read_helm_run(path)
    if fmt == "helm":
        raise InputError(str(path), None, "not a HELM run folder (needs run_spec.json and "
                         "stats.json)")
    if path.is_dir() and fmt in ("auto", "inspect") and any(path.glob("*.eval")):
        return [run for f in sorted(path.glob("*.eval"))  # an Inspect log directory
                for run in _from_inspect(evals.read_inspect_eval(f), f)]
    if path.is_dir() or fmt == "hf-eval-results" or (
            fmt == "auto" and path.suffix in (".yaml", ".yml")):
        files = evals.eval_results_files(path) if path.is_dir() else [path]
        if not files:
            raise InputError(str(path), None, "no evaluation results here (expected a HELM run "
                             "folder, an Inspect log directory of .eval files or a "
                             ".eval_results/ folder of YAML files)")
        return [run for f in files for run in evals.read_hub_eval_results(f)]
    if path.suffix == ".eval" and fmt in ("auto", "inspect"):
        return _from_inspect(evals.read_inspect_eval(path), path)
    data = _read_json(path)
    kind = detect_format(data, path) if fmt == "auto" else fmt
    if kind == "eee":
        return evals.read_eee(data, path)
    return _from_inspect(data, path) if kind == "inspect" else _from_lm_eval(data, path)


def detect_format(data: Any, path: Path) -> str:
    if isinstance(data, dict):
        if isinstance(data.get("eval"), dict) and "task" in data["eval"]:
            return "inspect"
        if evals.is_eee(data):
            return "eee"
        if isinstance(data.get("results"), dict) and (
                "versions" in data or "n-shot" in data or "configs" in data
                or _has_lm_eval_keys(data["results"])):
            return "lm-eval"
    raise InputError(str(path), None, "unknown evaluation format: expected an Inspect eval log "
                     "(.eval, or JSON with 'eval.task'), lm-evaluation-harness results (JSON "
                     "with 'results' and 'versions'), Every Eval Ever JSON ('schema_version', "
                     "'evaluation_results'), a HELM run folder or .eval_results/ YAML")


def _has_lm_eval_keys(results: dict[str, Any]) -> bool:
    return any(isinstance(v, dict) and any("," in k for k in v) for v in results.values())


def _read_json(path: Path) -> Any:
    return parse_json(read_bytes(path, MAX_FILE_BYTES), str(path))


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


def risk_map(options: list[str], map_file: Path | None = None) -> tuple[dict[str, list[str]],
                                                                         list[str]]:
    """``--risk TASK=RISK`` options and a ``--risk-map`` YAML file (``task pattern: risk id or
    list``) as one map; also the bare ``--risk RISK`` ids, which apply only when the import
    holds a single task."""
    from gpact.interop.files import parse_yaml, read_text

    mapping: dict[str, list[str]] = {}
    bare: list[str] = []
    if map_file is not None:
        data = parse_yaml(read_text(map_file, 1024 * 1024), str(map_file))
        if not isinstance(data, dict):
            raise InputError(str(map_file), None, "expected a mapping of task name (or pattern) "
                             "to risk id(s)")
        for task, ids in data.items():
            values = ids if isinstance(ids, list) else [ids]
            if not values or not all(isinstance(v, str) and v for v in values):
                raise InputError(str(map_file), str(task), "expected a risk id or a list of them")
            mapping.setdefault(str(task), []).extend(values)
    for option in options:
        task, sep, rid = option.partition("=")
        if sep and task and rid:
            mapping.setdefault(task, []).append(rid)
        elif not sep and option:
            bare.append(option)
        else:
            raise InputError(None, "--risk", f"expected TASK=RISK or RISK, got {option!r}")
    return mapping, bare


def all_risks(mapping: RiskMap) -> list[str]:
    return list(dict.fromkeys(r for ids in mapping.values() for r in ids))
