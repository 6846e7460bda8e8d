"""`gpact docs …` end to end: formats, exit codes, bad input, versions and diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gpact.cli.main import main
from gpact.documents import KINDS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", KINDS)
def test_build_markdown_every_kind(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                   kind: str) -> None:
    code, out, _ = run(capsys, "docs", "build", str(data_dir / "frontier.yaml"), "--kind", kind,
                       "--no-store")
    assert code == 0
    assert out.startswith("# ")
    assert "not legal advice" in out and "rulebook 2026" in out.replace("**", "")


def test_build_html_is_standalone_and_accessible(capsys: pytest.CaptureFixture[str],
                                                 data_dir: Path) -> None:
    out_file = data_dir / "out" / "mdf.html"
    code, _, _ = run(capsys, "docs", "build", str(data_dir / "opensmall.yaml"), "--kind", "mdf",
                     "-f", "html", "-o", str(out_file), "--no-store")
    assert code == 0
    html = out_file.read_text()
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "<link" not in html and "<script" not in html and "src=" not in html
    assert "@page" in html and "@media print" in html
    assert '<nav aria-label="Contents">' in html and 'href="#s1"' in html and 'id="s1"' in html
    assert 'class="gap weak"' in html and "<strong>Missing:</strong>" in html
    assert "not legal advice" in html


def test_build_json_and_audience(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "docs", "build", str(data_dir / "frontier.yaml"), "--kind", "mdf",
                       "-f", "json", "--audience", "downstream", "--no-store")
    assert code == 0
    data = json.loads(out)
    assert data["audience"] == "dp"
    ids = [f["id"] for s in data["sections"] for f in s["fields"]]
    assert "training_energy" not in ids and "architecture" in ids
    assert data["gaps"] == {"missing": 0, "weak": 0}


def test_check_exit_codes(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "docs", "check", str(data_dir / "frontier.yaml"),
                       "--kind", "mdf", "--kind", "training-summary")
    assert code == 0 and "result: OK" in out
    code, out, _ = run(capsys, "docs", "check", str(data_dir / "opensmall.yaml"))
    assert code == 1 and "MISSING 3.2(a)" in out and "not required: mdf" in out
    code, out, _ = run(capsys, "docs", "check", str(data_dir / "opensmall.yaml"), "-f", "json")
    assert code == 1 and json.loads(out)["ok"] is False


def test_check_strict_fails_on_weak(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    record = yaml.safe_load((data_dir / "frontier.record.yaml").read_text())
    record["energy"]["training_mwh"] = "2e4"  # one significant figure
    (data_dir / "frontier.record.yaml").write_text(yaml.safe_dump(record, allow_unicode=True))
    args = ("docs", "check", str(data_dir / "frontier.yaml"), "--kind", "mdf")
    code, out, _ = run(capsys, *args)
    assert code == 0 and "WEAK" in out and "significant figure" in out
    assert run(capsys, *args, "--strict")[0] == 1


@pytest.mark.parametrize(("record_text", "expected"), [
    ("gpact_record: 1\narchitecture: {paramters: 3}\n",
     "architecture.paramters: unknown field; did you mean 'parameters'?"),
    ("gpact_record: 1\ndata: {public_datasets: {used: perhaps}}\n",
     "data.public_datasets.used: Input should be a valid boolean"),
    ("gpact_record: 1\nenergy: {training_mwh: lots}\n", "energy.training_mwh"),
    ("gpact_record: 1\nreferences: {data_summary: nowhere.json}\n",
     "references.data_summary: no such file"),
    ("gpact: 1\nprovider: {name: x}\n", "gpact_record: missing"),
    ("gpact_record: 1\n  bad: [\n", "invalid YAML"),
])
def test_bad_record_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                       record_text: str, expected: str) -> None:
    record = data_dir / "bad.record.yaml"
    record.write_text(record_text)
    code, _, err = run(capsys, "docs", "build", str(data_dir / "opensmall.yaml"), "--kind", "mdf",
                       "--record", str(record), "--no-store")
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_data_summary_reference(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    (data_dir / "s.json").write_text(json.dumps({"top_domains": "example.com"}))
    record = data_dir / "r.record.yaml"
    record.write_text("gpact_record: 1\nreferences: {data_summary: s.json}\n")
    code, _, err = run(capsys, "docs", "check", str(data_dir / "opensmall.yaml"),
                       "--record", str(record))
    assert code == 2 and "'top_domains' must be a list" in err


@pytest.mark.parametrize(("args", "expected"), [
    (("--kind", "annex-xiv"), "unknown document kind 'annex-xiv'"),
    (("--kind", "mdf", "-f", "docx"), "unknown format 'docx'"),
    (("--kind", "mdf", "--audience", "press"), "unknown audience 'press'"),
    (("--kind", "mdf", "--record", "missing.record.yaml"), "no such file"),
])
def test_bad_options_exit_2(capsys: pytest.CaptureFixture[str], data_dir: Path,
                            args: tuple[str, ...], expected: str) -> None:
    code, _, err = run(capsys, "docs", "build", str(data_dir / "frontier.yaml"), *args,
                       "--no-store")
    assert code == 2 and expected in err


def test_missing_record_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                               data_dir: Path) -> None:
    profile = tmp_path / "lonely.yaml"
    profile.write_text((data_dir / "opensmall.yaml").read_text())
    code, _, err = run(capsys, "docs", "build", str(profile), "--kind", "mdf")
    assert code == 2 and "no documentation record found" in err


def test_versions_are_stored_by_content_and_diffed(capsys: pytest.CaptureFixture[str],
                                                   data_dir: Path) -> None:
    profile = str(data_dir / "frontier.yaml")
    code, _, err = run(capsys, "docs", "build", profile, "--kind", "training-summary")
    assert code == 0 and err.startswith("stored: ")
    first = Path(err.split()[1])
    assert first.parent == data_dir / ".gpact" / "documents" / "training-summary"
    _, _, err = run(capsys, "docs", "build", profile, "--kind", "training-summary")
    assert err.startswith("unchanged, already stored")
    record = data_dir / "frontier.record.yaml"
    record.write_text(record.read_text().replace("illegal_content_measures: CSAM hash",
                                                 "illegal_content_measures: Improved CSAM hash"))
    _, _, err = run(capsys, "docs", "build", profile, "--kind", "training-summary")
    second = Path(err.split()[1])
    assert second != first and json.loads(second.read_text())["content_sha256"]
    code, out, _ = run(capsys, "docs", "versions", str(data_dir))
    assert code == 0 and len(out.strip().splitlines()) == 2
    code, out, _ = run(capsys, "docs", "diff", str(first), str(second))
    assert code == 0
    assert "~ 3.2(a) General description of measures taken" in out
    assert "+ Improved CSAM hash" in out and out.count("\n~ ") == 1
    code, out, _ = run(capsys, "docs", "diff", str(first), str(second), "-f", "json")
    assert json.loads(out)["changes"][0]["field"] == "illegal_content_measures"


def test_diff_rejects_other_files(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, _, err = run(capsys, "docs", "diff", str(data_dir / "frontier.yaml"),
                       str(data_dir / "frontier.yaml"))
    assert code == 2 and "not a gpact document" in err


def test_check_by_audience(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    args = ["docs", "check", str(data_dir / "opensmall.yaml"), "--kind", "mdf", "-f", "json"]
    everyone = json.loads(run(capsys, *args)[1])["documents"][0]["missing"]
    downstream = json.loads(run(capsys, *args, "--audience", "dp")[1])["documents"][0]
    assert downstream["audience"] == "dp"
    assert all("dp" in g["audiences"] for g in downstream["missing"])
    assert len(downstream["missing"]) < len(everyone)


def test_diff_refuses_different_kinds(capsys: pytest.CaptureFixture[str],
                                      data_dir: Path) -> None:
    files = []
    for kind in ("mdf", "annex-xi"):
        out = data_dir / f"{kind}.json"
        assert run(capsys, "docs", "build", str(data_dir / "frontier.yaml"), "--kind", kind,
                   "-f", "json", "-o", str(out), "--no-store")[0] == 0
        files.append(str(out))
    code, _, err = run(capsys, "docs", "diff", *files)
    assert code == 2 and "different kinds (mdf, annex-xi)" in err


def test_init_writes_a_loadable_empty_record(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path, data_dir: Path) -> None:
    profile = tmp_path / "fresh.yaml"
    profile.write_text((data_dir / "opensmall.yaml").read_text())
    code, _, err = run(capsys, "docs", "init", str(profile))
    record = tmp_path / "fresh.record.yaml"
    assert code == 0 and str(record) in err
    data = yaml.safe_load(record.read_text())
    assert data["gpact_record"] == 1 and data["data"]["crawling"]["used"] is None
    code, out, _ = run(capsys, "docs", "check", str(profile), "--kind", "training-summary")
    assert code == 1 and "MISSING 2.3(a)" in out  # every gap listed, nothing invented
    assert run(capsys, "docs", "init", str(profile))[0] == 2  # no silent overwrite
