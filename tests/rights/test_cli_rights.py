"""`gpact rights check` end to end: verdicts, deciding lines, formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpact.cli.main import main

ROBOTS = ("User-agent: *\nDisallow: /private\nAllow: /private/ok\n\n"
          "User-agent: GPTBot\nDisallow: /\n")


@pytest.fixture
def robots(tmp_path: Path) -> Path:
    path = tmp_path / "robots.txt"
    path.write_text(ROBOTS)
    return path


def test_json_verdicts(robots: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rights", "check", "--robots", str(robots), "--agent", "ExampleBot",
                 "-f", "json", "https://ex.com/private/x", "https://ex.com/private/ok",
                 "https://ex.com/"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [(o["url"], o["allowed"], o["rule"]) for o in out] == [
        ("https://ex.com/private/x", False, "Disallow: /private"),
        ("https://ex.com/private/ok", True, "Allow: /private/ok"),
        ("https://ex.com/", True, None)]
    assert out[0]["line"] == 2 and out[0]["agent"] == "ExampleBot"


def test_text_output_names_the_line(robots: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rights", "check", "--robots", str(robots), "--agent",
                 "Mozilla/5.0 (compatible; ExampleBot/2.0)", "https://ex.com/private/x"]) == 0
    out = capsys.readouterr().out
    assert "DISALLOWED" in out and "line 2: Disallow: /private" in out


def test_catalogue(robots: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rights", "check", "--robots", str(robots), "--catalogue", "-f", "json",
                 "https://ex.com/a"]) == 0
    out = json.loads(capsys.readouterr().out)
    blocked = {o["agent"] for o in out if not o["allowed"]}
    assert blocked == {"GPTBot"}
    assert {"CCBot", "ClaudeBot", "Google-Extended"} <= {o["agent"] for o in out}


@pytest.mark.parametrize(("status", "allowed"), [("404", True), ("503", False),
                                                 ("unreachable", False), ("200", True)])
def test_status(robots: Path, capsys: pytest.CaptureFixture[str], status: str,
                allowed: bool) -> None:
    assert main(["rights", "check", "--robots", str(robots), "--agent", "x", "--status",
                 status, "-f", "json", "https://ex.com/a"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["allowed"] is allowed


def test_markdown(robots: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rights", "check", "--robots", str(robots), "--agent", "x", "-f", "md",
                 "https://ex.com/private"]) == 0
    assert "| x | https://ex.com/private | DISALLOWED |" in capsys.readouterr().out


def test_parse_notes_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "robots.txt"
    path.write_text("User-agent: *\nDisalow: /x\n")
    assert main(["rights", "check", "--robots", str(path), "--agent", "x",
                 "https://ex.com/x"]) == 0
    assert f"{path}:2: unknown key 'disalow'" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (["--agent", "x"], "URL"),
    (["https://ex.com/"], "--agent"),
    (["--agent", "///", "https://ex.com/"], "--agent"),
    (["--agent", "x", "--status", "abc", "https://ex.com/"], "--status"),
    (["--agent", "x", "--status", "700", "https://ex.com/"], "--status"),
])
def test_bad_input(robots: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                   message: str) -> None:
    assert main(["rights", "check", "--robots", str(robots), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_robots_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rights", "check", "--robots", str(tmp_path / "none.txt"), "--agent", "x",
                 "https://ex.com/"]) == 2
    assert "none.txt: --robots: cannot read" in capsys.readouterr().err


def test_tdmrep_file(robots: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tdm = tmp_path / "tdmrep.json"
    tdm.write_text('[{"location": "/news/*", "tdm-reservation": 1, "tdm-policy": "https://p"}]')
    assert main(["rights", "check", "--robots", str(robots), "--agent", "x", "--tdmrep",
                 str(tdm), "-f", "json", "https://ex.com/news/a", "https://ex.com/b"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["tdm"] == {"verdict": "reserved", "source": "tdmrep.json location '/news/*'",
                             "policy": "https://p"}
    assert out[1]["tdm"]["verdict"] == "unknown"
    tdm.write_text("{}")
    assert main(["rights", "check", "--robots", str(robots), "--agent", "x", "--tdmrep",
                 str(tdm), "https://ex.com/"]) == 2
    assert "JSON array" in capsys.readouterr().err
