"""The CLI's input files as fuzz targets: the bundled example, where it goes, and the command.

Shared by the hypothesis suite (tests/fuzz/) and the atheris targets (benchmarks/fuzz_inputs.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import CliResult

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CONFIG = ('{"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,\n'
          ' "num_hidden_layers": 32, "num_attention_heads": 32, "vocab_size": 32000}\n')


def _profile(folder: Path) -> None:
    shutil.copy(EXAMPLES / "frontier_systemic.yaml", folder / "model.yaml")
    shutil.copy(EXAMPLES / "records" / "frontier_systemic.data-summary.json", folder)


def _risk(folder: Path) -> None:
    shutil.copy(EXAMPLES / "systemic-risk" / "frontier.yaml", folder / "frontier.yaml")
    shutil.copytree(EXAMPLES / "systemic-risk" / "risk", folder / "risk", dirs_exist_ok=True)


def _telemetry(folder: Path) -> None:
    shutil.copy(EXAMPLES / "compute" / "pretraining.csv", folder / "pretraining.csv")


@dataclass(frozen=True)
class Target:
    """One input file of one command."""

    kind: str
    sample: str  # the valid input the mutations start from
    file: str  # its path inside the case folder
    argv: Callable[[Path], list[str]]
    setup: Callable[[Path], None] = lambda folder: None

    def prepare(self, folder: Path) -> Path:
        self.setup(folder)
        target = folder / self.file
        target.parent.mkdir(parents=True, exist_ok=True)
        return target


def _risk_target(kind: str) -> Target:
    command = ["incident", "status"] if kind == "incidents" else ["risk", "check"]
    return Target(f"risk-{kind}",
                  (EXAMPLES / "systemic-risk" / "risk" / f"{kind}.yaml").read_text("utf-8"),
                  f"risk/{kind}.yaml", lambda f: [*command, str(f / "frontier.yaml")], _risk)


TARGETS: dict[str, Target] = {t.kind: t for t in [
    Target("profile", (EXAMPLES / "frontier_systemic.yaml").read_text("utf-8"), "model.yaml",
           lambda f: ["assess", str(f / "model.yaml"), "--as-of", "2027-01-01"]),
    Target("profile-json", '{"gpact": 1, "provider": {"name": "P", "established_in_eu": true},'
           ' "model": {"name": "M", "parameters": 7e9, "training_compute_flop": 1.3e23,'
           ' "release": {"status": "placed_on_market", "placed_on_market_on": "2025-10-01"}}}',
           "model.json", lambda f: ["assess", str(f / "model.json"), "--as-of", "2027-01-01"]),
    Target("record",
           (EXAMPLES / "records" / "frontier_systemic.record.yaml").read_text("utf-8"),
           "model.record.yaml",
           lambda f: ["docs", "check", str(f / "model.yaml"), "--record",
                      str(f / "model.record.yaml"), "--as-of", "2027-01-01"], _profile),
    Target("ledger", (EXAMPLES / "compute" / "ledger.yaml").read_text("utf-8"), "ledger.yaml",
           lambda f: ["compute", "ledger", str(f / "ledger.yaml"), "--as-of", "2027-01-01"],
           _telemetry),
    Target("config", CONFIG, "config.json",
           lambda f: ["compute", "params", str(f / "config.json")]),
    *(_risk_target(kind) for kind in ("register", "evaluations", "incidents", "requests")),
]}


def check_result(result: CliResult) -> None:
    """What every run must satisfy, whatever the input: a documented exit code, no traceback,
    no internal error, and errors as single lines of their own."""
    text = result.out + result.err
    assert result.code in (0, 1, 2), (result.code, result.err[-500:])
    assert "Traceback" not in text, result.err[-2000:]
    assert "internal error" not in result.err, result.err[-500:]
    if result.code == 2:
        lines = [ln for ln in result.err.splitlines() if ln.strip()]
        assert lines, "exit 2 without a message"
        stray = [ln for ln in lines if not ln.startswith(("error: ", "warning: "))]
        assert not stray, f"error spread over several lines: {stray[:3]}"
