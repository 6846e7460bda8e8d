"""Evaluation results in: Inspect .eval, HELM runs, Every Eval Ever, hub .eval_results/."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from gpact.cli.main import main
from gpact.errors import InputError
from gpact.interop import evals
from gpact.risk.importers import import_evaluations, risk_map
from tests.risk.conftest import PROFILE, REGISTER, write_yaml

DATA = Path(__file__).parent / "data"
EVAL_LOG = DATA / "inspect" / "intercode_ctf.eval"
HELM = DATA / "helm" / "mmlu-subject=philosophy,method=multiple_choice_joint,model=openai_gpt2"
EEE = DATA / "eee" / "hfopenllm_v2.json"


def _repack(tmp_path: Path, keep: tuple[str, ...] | None = None) -> Path:
    """The same log with deflate members, as Inspect wrote them before zstd."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "deflate.eval"
    with zipfile.ZipFile(EVAL_LOG) as src, zipfile.ZipFile(target, "w",
                                                           zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if keep is None or info.filename in keep:
                out.writestr(info.filename, evals._member(src, info, str(EVAL_LOG)))
    return target


def test_inspect_native_eval_log() -> None:
    """Written by inspect_ai 0.3.285's write_eval_log (zstd members), see data/README.md."""
    [run] = import_evaluations(EVAL_LOG)
    assert run.benchmark == "inspect_evals/gdm_intercode_ctf"
    assert [(m.name, round(m.value, 4), round(m.stderr or 0, 4)) for m in run.results] == [
        ("includes/accuracy", 0.3544, 0.0542)]
    assert run.source == "inspect 0.3.75: intercode_ctf.eval (dataset ic_ctf)"


def test_deflate_eval_log_reads_the_same(tmp_path: Path) -> None:
    assert import_evaluations(_repack(tmp_path))[0].results == \
        import_evaluations(EVAL_LOG)[0].results


def test_unfinished_eval_log_is_refused(tmp_path: Path) -> None:
    path = _repack(tmp_path, keep=("_journal/start.json",))
    with pytest.raises(InputError, match="did not finish"):
        import_evaluations(path)


def test_oversized_member_is_not_inflated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evals, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match="larger than the read limit"):
        import_evaluations(EVAL_LOG)


def test_helm_run_folder() -> None:
    [run] = import_evaluations(HELM)
    assert run.benchmark == "mmlu (subject=philosophy)"
    assert run.model == "openai/gpt2"
    assert run.elicitation == "method: multiple_choice_joint, 5-shot"
    names = {m.name for m in run.results}
    assert "exact_match" in names and not any(n.startswith("num_") for n in names)
    assert run.notes is not None and "modification time" in run.notes


def test_every_eval_ever() -> None:
    runs = import_evaluations(EEE)
    assert [r.benchmark for r in runs][:3] == ["IFEval", "BBH", "MATH Level 5"]
    assert runs[0].results[0].value == 0.4486
    assert runs[0].model == "TencentARC/LLaMA-Pro-8B-Instruct"
    assert runs[0].source is not None and "Every Eval Ever 0.2.0" in runs[0].source


def test_every_eval_ever_unknown_version(tmp_path: Path) -> None:
    data = json.loads(EEE.read_text())
    data["schema_version"] = "9.0"
    path = tmp_path / "e.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"unknown Every Eval Ever schema version '9\.0'"):
        import_evaluations(path)


def test_hub_eval_results_written_by_huggingface_hub(tmp_path: Path) -> None:
    hub = pytest.importorskip("huggingface_hub")
    entries = [hub.EvalResultEntry(dataset_id="cais/hle", task_id="default", value=20.9,
                                   date="2026-01-15T10:30:00Z", source_url="https://x.example",
                                   source_name="Eval traces"),
               hub.EvalResultEntry(dataset_id="Idavidrein/gpqa", task_id="gpqa_diamond",
                                   value=0.412, notes="no-tools")]
    folder = tmp_path / "model" / ".eval_results"
    folder.mkdir(parents=True)
    (folder / "results.yaml").write_text(yaml.safe_dump(hub.eval_result_entries_to_yaml(entries)))
    runs = import_evaluations(tmp_path / "model")
    assert [r.benchmark for r in runs] == ["cais/hle", "Idavidrein/gpqa / gpqa_diamond"]
    assert runs[0].run_on.isoformat() == "2026-01-15" and runs[1].elicitation == "no-tools"
    assert runs[1].notes is not None and "modification time" in runs[1].notes


def test_risks_apply_per_task(tmp_path: Path) -> None:
    mapping_file = tmp_path / "risks.yaml"
    mapping_file.write_text("BBH: cyber\n'MATH*': [cbrn, cyber]\n")
    mapping, bare = risk_map(["IFEval=manipulation"], mapping_file)
    runs = {r.benchmark: r.risks for r in import_evaluations(EEE, risks=mapping)}
    assert bare == []
    assert runs["IFEval"] == ["manipulation"] and runs["BBH"] == ["cyber"]
    assert runs["MATH Level 5"] == ["cbrn", "cyber"] and runs["GPQA"] == []


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    write_yaml(tmp_path / "model.yaml", PROFILE)
    write_yaml(tmp_path / "risk" / "register.yaml", REGISTER)
    return tmp_path


def test_cli_links_tasks_to_risks(model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = str(model_dir / "model.yaml")
    assert main(["risk", "import-eval", str(EEE), "-p", profile, "--risk", "cbrn"]) == 2
    assert "say which task informs which risk" in capsys.readouterr().err
    assert main(["risk", "import-eval", str(EEE), str(HELM), str(EVAL_LOG), "-p", profile,
                 "--risk", "gpqa=cbrn"]) == 0
    assert "8 evaluation run(s) added" in capsys.readouterr().out
    log = yaml.safe_load((model_dir / "risk" / "evaluations.yaml").read_text())
    linked = {e["benchmark"] for e in log["evaluations"] if e.get("risks")}
    assert linked == {"GPQA"}


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("x.eval", b"not a zip", "not a zip archive"),
    ("x.json", b"{broken", "line 1: invalid JSON"),
    ("x.yaml", b"- {dataset: {}, value: 1}\n", "[0].dataset.id: missing"),
    ("x.yaml", b"- {dataset: {id: a/b}, value: high}\n", "[0].value: not a number"),
])
def test_bad_input_is_one_line(model_dir: Path, capsys: pytest.CaptureFixture[str], name: str,
                               content: bytes, expected: str) -> None:
    path = model_dir / name
    path.write_bytes(content)
    assert main(["risk", "import-eval", str(path), "-p", str(model_dir / "model.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err and str(path) in err and "\n" not in err


def test_helm_folder_copy_without_stats(tmp_path: Path) -> None:
    target = tmp_path / "run"
    shutil.copytree(HELM, target)
    (target / "stats.json").unlink()
    with pytest.raises(InputError, match="no evaluation results here"):
        import_evaluations(target)



def test_every_eval_ever_inspect_converter_output() -> None:
    """Written by every-eval-ever 0.3.0's Inspect converter from the .eval sample above."""
    [run] = import_evaluations(DATA / "eee" / "inspect_converter.json")
    assert run.benchmark == "inspect_evals/gdm_intercode_ctf"
    assert run.model == "mistral/mistral-small-latest"
    [metric] = run.results
    assert metric.name == "accuracy" and round(metric.value, 4) == 0.3544
    assert metric.stderr is not None and round(metric.stderr, 4) == 0.0542
    assert run.notes == "evaluator: first_party"


def test_inspect_log_directory(tmp_path: Path) -> None:
    shutil.copy(EVAL_LOG, tmp_path / "a.eval")
    shutil.copy(_repack(tmp_path / "x"), tmp_path / "b.eval")
    runs = import_evaluations(tmp_path)
    assert len(runs) == 2 and {r.benchmark for r in runs} == {"inspect_evals/gdm_intercode_ctf"}


def test_zstd_bomb_is_cut_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zstandard = pytest.importorskip("zstandard")
    bomb = zstandard.ZstdCompressor().compress(b"{" + b" " * 5_000_000 + b"}")
    monkeypatch.setattr(evals, "MAX_FILE_BYTES", 1_000_000)
    with pytest.raises(InputError, match="larger than the read limit"):
        evals._zstd(bomb, 1_000_000, "x.eval")
