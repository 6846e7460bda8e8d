"""The accelerator catalogue lists current chips with a source each; the CLI prints them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from gpact.cli.main import main
from gpact.compute.hardware import Catalogue, estimate_hardware
from gpact.rulebook import default_rulebook

RULES = default_rulebook().at(dt.date(2026, 12, 1))


@pytest.mark.parametrize(("name", "bf16", "fp8", "confidence"), [
    ("TPU v6e", 918e12, 918e12, "secondary"),
    ("Ironwood", 2307e12, 4614e12, "secondary"),
    ("Trainium2", 667e12, 1299e12, "secondary"),
    ("HGX B300", 2.25e15, 4.5e15, "unverified"),
    ("GB300 NVL72", 2.5e15, 5.0e15, "unverified"),
    ("MI325X", 1307.4e12, 2614.9e12, "unverified"),
    ("MI355X", 2.5e15, 5.0e15, "unverified"),
    ("B200", 2.25e15, 4.5e15, "unverified"),
    ("GB200", 2.5e15, 5.0e15, "unverified"),
])
def test_current_accelerators(name: str, bf16: float, fp8: float, confidence: str) -> None:
    acc = Catalogue(RULES).get(name)
    assert acc.peak("bf16") == bf16 and acc.peak("fp8") == fp8
    assert acc.confidence == confidence and len(acc.source) > 30
    if confidence == "unverified":
        assert acc.note and "checked 2026-12-01" in acc.note


def test_unverified_entry_is_named_in_the_estimate() -> None:
    e = estimate_hardware(RULES, "MI355X", 1024, 86400.0, "fp8", 0.4)
    assert "hardware.accelerators[mi355x]" in e.unverified_entries


def test_cli_prints_the_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compute", "accelerators"]) == 0
    out = capsys.readouterr().out
    assert "Sources" in out and "tpu-v7: Google Cloud TPU documentation" in out
    assert main(["compute", "accelerators", "--format", "json"]) == 0
    rows = {a["id"]: a for a in json.loads(capsys.readouterr().out)["accelerators"]}
    assert rows["trainium2"]["source"].startswith("AWS Neuron documentation")
    assert "note" in rows["b300"]
