"""Every reader turns any input into records or one InputError: never another exception."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpact.errors import InputError
from gpact.interop.codecarbon import read_codecarbon
from gpact.interop.croissant import read_croissant
from gpact.interop.evals import read_hub_eval_results, read_inspect_eval
from gpact.risk.importers import import_evaluations

DATA = Path(__file__).parent / "data"
CSV_HEAD = "timestamp,run_id,duration,emissions,energy_consumed,cpu_energy,tracking_mode\n"
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["@type", "@context", "name", "version", "conformsTo", "distribution", "contentSize",
         "recordSet", "license", "inLanguage", "eval", "task", "results", "schema_version",
         "evaluation_results", "dataset", "id", "value", "items", "energy_consumed"]),
        inner, max_size=5), max_leaves=20)


def _run(reader: Callable[[Path], Any], suffix: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        try:
            reader(path)
        except InputError as exc:
            assert exc.message() and "\n" not in exc.message()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=6),
                          st.one_of(st.floats(), st.text(max_size=5)),
                          st.one_of(st.floats(), st.text(max_size=5)),
                          st.sampled_from(["machine", "process", ""])), max_size=6))
def test_codecarbon_csv(rows: list[tuple[str, str, Any, Any, str]]) -> None:
    lines = [",".join(str(c).replace(",", " ").replace("\n", " ") for c in
                      (ts, rid, dur, em, em, dur, mode)) for ts, rid, dur, em, mode in rows]
    _run(read_codecarbon, ".csv", (CSV_HEAD + "\n".join(lines)).encode())


@settings(max_examples=80, deadline=None)
@given(JSON_VALUES)
def test_json_readers(data: Any) -> None:
    content = json.dumps(data).encode()
    for reader in (read_croissant, read_codecarbon, import_evaluations):
        _run(reader, ".json", content)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_binary_garbage(content: bytes) -> None:
    for reader, suffix in ((read_inspect_eval, ".eval"), (read_hub_eval_results, ".yaml"),
                           (read_codecarbon, ".csv"), (read_croissant, ".json")):
        _run(reader, suffix, content)


@pytest.mark.parametrize("cut", [10, 200, 1000, 3000])
def test_truncated_eval_log(cut: int) -> None:
    _run(read_inspect_eval, ".eval", (DATA / "inspect" / "intercode_ctf.eval").read_bytes()[:cut])


@settings(max_examples=40, deadline=None)
@given(st.lists(JSON_VALUES, min_size=16, max_size=16))
def test_received_values_of_any_shape(values: list[Any]) -> None:
    import datetime as dt

    from gpact.documents.fields import load_tree
    from gpact.interop.receive import check_fields
    from gpact.rulebook import default_rulebook

    tree = load_tree(default_rulebook().at(dt.date(2026, 12, 1)), "documents.annex_xii")
    specs = [f for s in tree.sections if s.number in ("1", "2") for f in s.fields]
    doc = {"sections": [{"fields": [{"id": spec.id, "value": value}
                                    for spec, value in zip(specs, values, strict=False)]}]}
    results = check_fields(doc, specs)
    assert {r.status for r in results} <= {"ok", "weak", "missing", "optional_empty"}
