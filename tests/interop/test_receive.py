"""gpact docs receive: a downstream provider checks a package against Annex XII and keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpact.cli.main import main

DOCS = Path(__file__).parents[1] / "documents" / "data"


@pytest.fixture
def package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The downstream package a provider builds with gpact (JSON)."""
    out = tmp_path / "sent" / "frontier-dp.json"
    assert main(["docs", "build", str(DOCS / "frontier.yaml"), "--kind", "downstream-package",
                 "-f", "json", "-o", str(out), "--no-store"]) == 0
    capsys.readouterr()
    return out


def test_complete_package_is_kept(package: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "me"
    assert main(["docs", "receive", str(package), "--store", str(store), "--system",
                 "HelpDesk AI", "--as-of", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert "0 missing, 0 weak of 16 items" in out and "kept as evidence" in out
    [folder] = (store / ".gpact" / "received").iterdir()
    receipt = json.loads((folder / "receipt.json").read_text())
    assert receipt["for_ai_system"] == "HelpDesk AI" and receipt["complete"] is True
    assert receipt["model"] == "Frontier-1 1.0" and receipt["received_on"] == "2026-12-01"
    assert (folder / "package" / "frontier-dp.json").read_bytes() == package.read_bytes()
    assert folder.name == receipt["sha256"]
    assert main(["docs", "receive", str(package), "--store", str(store)]) == 0
    assert "already received" in capsys.readouterr().out


def test_receiver_judges_values_itself(package: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(package.read_text())
    for section in doc["sections"]:
        section["fields"] = [f for f in section["fields"] if f["id"] != "architecture"]
        for f in section["fields"]:
            if f["id"] == "parameters":
                f["value"] = {"value": 4e11, "written": "4e11", "unit": "parameters"}
                f["status"] = "ok"  # the sender's own status is not trusted
    folder = tmp_path / "received-folder"
    folder.mkdir()
    (folder / "package.json").write_text(json.dumps(doc))
    (folder / "annex-xii.pdf").write_bytes(b"%PDF-1.7 not read")
    code = main(["docs", "receive", str(folder), "--store", str(tmp_path / "me"), "-f", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["complete"] is False
    by_id = {f["id"]: f for f in data["fields"]}
    assert by_id["architecture"]["status"] == "missing"
    assert by_id["architecture"]["problems"] == ["not in the package"]
    assert by_id["parameters"]["status"] == "weak"
    assert data["not_machine_readable"] == ["annex-xii.pdf"]
    assert sorted(data["files"]) == ["annex-xii.pdf", "package.json"]


def test_package_without_a_gpact_document(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "info.pdf").write_bytes(b"%PDF")
    assert main(["docs", "receive", str(tmp_path / "pkg"), "--store", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "no gpact document in the package" in out and "16 missing" not in out
    assert "INCOMPLETE" in out


@pytest.mark.parametrize(("content", "expected"), [
    ("{broken", "line 1: invalid JSON"),
])
def test_bad_package(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
                     expected: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(content)
    assert main(["docs", "receive", str(path), "--store", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err and str(path) in err and "\n" not in err
    assert not (tmp_path / ".gpact").exists()  # nothing kept from a bad package


def test_missing_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "receive", str(tmp_path / "nope"), "--store", str(tmp_path)]) == 2
    assert "no such file or folder" in capsys.readouterr().err
