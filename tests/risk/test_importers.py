"""Importers for Inspect eval logs (JSON) and lm-evaluation-harness results JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpact.errors import InputError
from gpact.risk.importers import import_evaluations

# Shapes follow inspect_ai's EvalLog (version 2) and lm-eval 0.4's results_<date>.json.
INSPECT_LOG: dict[str, Any] = {
    "version": 2,
    "status": "success",
    "eval": {
        "eval_id": "e1", "run_id": "run42", "created": "2026-10-01T09:00:00+00:00",
        "task": "wmdp_bio", "task_id": "t1", "task_version": 1,
        "dataset": {"name": "wmdp", "samples": 2}, "model": "example/example-400b",
        "config": {"epochs": 2}, "packages": {"inspect_ai": "0.3.140"},
    },
    "plan": {"name": "plan", "steps": [{"solver": "system_message", "params": {}},
                                       {"solver": "multiple_choice", "params": {}}]},
    "results": {
        "total_samples": 4, "completed_samples": 4,
        "scores": [{"name": "choice", "scorer": "choice", "params": {},
                    "metrics": {"accuracy": {"name": "accuracy", "value": 0.25, "params": {}},
                                "stderr": {"name": "stderr", "value": 0.05, "params": {}}}}],
    },
    "stats": {"started_at": "2026-10-01T09:00:00+00:00",
              "completed_at": "2026-10-01T09:30:00+00:00", "model_usage": {}},
    "samples": [],
}

LM_EVAL_RESULTS: dict[str, Any] = {
    "results": {
        "mmlu": {"alias": "mmlu", "acc,none": 0.71, "acc_stderr,none": 0.004},
        "gsm8k": {"alias": "gsm8k", "exact_match,strict-match": 0.55,
                  "exact_match_stderr,strict-match": 0.013,
                  "exact_match,flexible-extract": 0.58},
    },
    "group_subtasks": {"mmlu": [], "gsm8k": []},
    "configs": {"mmlu": {}, "gsm8k": {}},
    "versions": {"mmlu": 2, "gsm8k": 3.0},
    "n-shot": {"mmlu": 0, "gsm8k": 5},
    "config": {"model": "hf", "model_args": "pretrained=example/example-400b,dtype=bfloat16",
               "batch_size": 8},
    "git_hash": "abc123",
    "date": 1790000000.0,
    "model_name": "example/example-400b",
}


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_inspect_log(tmp_path: Path) -> None:
    [run] = import_evaluations(_write(tmp_path, "log.json", INSPECT_LOG), run_by="Red team",
                               risks={"WMDP_*": ["cbrn"], "gsm8k": ["cyber"]})
    assert run.benchmark == "wmdp_bio" and run.benchmark_version == "1"
    assert run.run_on.isoformat() == "2026-10-01"
    assert run.model == "example/example-400b"
    assert [(m.name, m.value, m.stderr) for m in run.results] == [("choice/accuracy", 0.25, 0.05)]
    assert run.elicitation == "solvers: system_message -> multiple_choice, epochs: 2, samples: 4/4"
    assert run.run_by == "Red team" and run.risks == ["cbrn"]
    assert run.source is not None and "inspect 0.3.140" in run.source


def test_lm_eval_results(tmp_path: Path) -> None:
    runs = import_evaluations(_write(tmp_path, "results_2026.json", LM_EVAL_RESULTS))
    by_task = {r.benchmark: r for r in runs}
    assert set(by_task) == {"mmlu", "gsm8k"}
    mmlu = by_task["mmlu"]
    assert mmlu.benchmark_version == "2" and mmlu.elicitation == "0-shot"
    assert [(m.name, m.value, m.stderr) for m in mmlu.results] == [("acc,none", 0.71, 0.004)]
    gsm = by_task["gsm8k"]
    assert gsm.elicitation == "5-shot"
    assert {(m.name, m.stderr) for m in gsm.results} == {
        ("exact_match,strict-match", 0.013), ("exact_match,flexible-extract", None)}
    assert mmlu.model == "example/example-400b"
    assert mmlu.run_on.isoformat() == "2026-09-21"  # the Unix time in "date"
    assert len({r.id for r in runs}) == 2


def test_model_name_from_model_args_when_missing(tmp_path: Path) -> None:
    data = {k: v for k, v in LM_EVAL_RESULTS.items() if k != "model_name"}
    runs = import_evaluations(_write(tmp_path, "r.json", data), "lm-eval")
    assert runs[0].model == "example/example-400b"


@pytest.mark.parametrize(("data", "fmt", "message"), [
    ({"foo": 1}, "auto", "unknown evaluation format"),
    ([1, 2], "auto", "unknown evaluation format"),
    ({**INSPECT_LOG, "status": "error"}, "auto", "eval did not succeed"),
    ({**LM_EVAL_RESULTS, "date": None}, "auto", "no usable run date"),
    ({**LM_EVAL_RESULTS, "results": {"mmlu": {"alias": "mmlu"}}}, "lm-eval", "no results"),
    (INSPECT_LOG, "csv", "unknown evaluation format 'csv'"),
    (LM_EVAL_RESULTS, "inspect", "not an Inspect eval log"),
])
def test_bad_evaluation_files(tmp_path: Path, data: Any, fmt: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        import_evaluations(_write(tmp_path, "x.json", data), fmt)


def test_binary_eval_file_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "run.eval"
    path.write_bytes(b"PK\x03\x04 zip")
    with pytest.raises(InputError) as err:
        import_evaluations(path)
    assert "not a zip archive: not an Inspect .eval log" in err.value.message()


_METRIC = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True).filter(
    lambda s: not s.endswith("_stderr"))
_FILTER = st.sampled_from(["none", "strict-match", "flexible-extract"])
_VALUE = st.floats(min_value=0, max_value=1, allow_nan=False)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(metrics=st.dictionaries(st.tuples(_METRIC, _FILTER), st.tuples(_VALUE, st.none() | _VALUE),
                               min_size=1, max_size=6))
def test_lm_eval_metrics_property(tmp_path: Path,
                                  metrics: dict[tuple[str, str], tuple[float, float | None]]
                                  ) -> None:
    task: dict[str, Any] = {"alias": "t"}
    for (name, filt), (value, stderr) in metrics.items():
        task[f"{name},{filt}"] = value
        if stderr is not None:
            task[f"{name}_stderr,{filt}"] = stderr
    data = {**LM_EVAL_RESULTS, "results": {"t": task}}
    [run] = import_evaluations(_write(tmp_path, "p.json", data))
    got = {m.name: (m.value, m.stderr) for m in run.results}
    assert got == {f"{n},{f}": v for (n, f), v in metrics.items()}
