"""Every file `gpact rights` reads is bounded: /dev/zero, huge files, FIFOs that never end."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from gpact.cli.main import main
from gpact.rights.bounded import read_prefix
from gpact.rights.robots import DEFAULT_PARSE_LIMIT

ZERO = Path("/dev/zero")
needs_dev_zero = pytest.mark.skipif(not ZERO.exists(), reason="needs /dev/zero")


@needs_dev_zero
def test_robots_dev_zero_is_read_only_up_to_the_parse_limit(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rights", "check", "--robots", str(ZERO), "--agent", "x", "-f", "json",
                 "https://ex.com/a"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["allowed"] is True  # no parseable rule
    assert f"more than {DEFAULT_PARSE_LIMIT} octets" in captured.err


def test_robots_rules_before_the_limit_of_a_huge_file_apply(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "robots.txt"
    with path.open("wb") as out:
        out.write(b"User-agent: *\nDisallow: /early\n")
        out.write(b"#" * (3 * DEFAULT_PARSE_LIMIT) + b"\nDisallow: /late\n")
    assert main(["rights", "check", "--robots", str(path), "--agent", "x", "-f", "json",
                 "https://ex.com/early", "https://ex.com/late"]) == 0
    captured = capsys.readouterr()
    assert [o["allowed"] for o in json.loads(captured.out)] == [False, True]
    assert f"body is {path.stat().st_size} octets" in captured.err


def test_robots_from_a_fifo_that_never_ends(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "robots.fifo"
    os.mkfifo(fifo)
    stop = threading.Event()

    def writer() -> None:
        try:
            with fifo.open("wb") as out:
                out.write(b"User-agent: *\nDisallow: /a\n")
                while not stop.is_set():
                    out.write(b"Allow: /b\n" * 1000)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        assert main(["rights", "check", "--robots", str(fifo), "--agent", "x", "-f", "json",
                     "https://ex.com/a"]) == 0
    finally:
        stop.set()
    thread.join(5)
    assert json.loads(capsys.readouterr().out)[0]["allowed"] is False


@needs_dev_zero
@pytest.mark.parametrize("option", ["--tdmrep"])
def test_other_check_inputs_are_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        option: str) -> None:
    robots = tmp_path / "robots.txt"
    robots.write_text("User-agent: *\nDisallow: /x\n")
    assert main(["rights", "check", "--robots", str(robots), "--agent", "x", option, str(ZERO),
                 "https://ex.com/"]) == 2
    err = capsys.readouterr().err
    assert f"{ZERO}: larger than the 1 MiB limit for a tdmrep.json" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@needs_dev_zero
def test_crawler_page_source_is_bounded(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rights", "crawler-page", str(ZERO), "--out-dir", str(tmp_path)]) == 2
    assert "larger than the 4 MiB limit" in capsys.readouterr().err


@needs_dev_zero
def test_infringing_list_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rights", "audit", "--log", str(tmp_path / "log.parquet"), "--snapshots",
                 str(tmp_path / "s.parquet"), "--out", str(tmp_path / "v.parquet"),
                 "--infringing", str(ZERO)]) == 2
    err = capsys.readouterr().err
    assert "larger than the 64 MiB limit for a list of infringing domains" in err


def test_read_prefix_reports_size_of_regular_files(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    found = read_prefix(path, 10, "--x")
    assert (found.data, found.truncated, found.size) == (b"x" * 10, True, 100)
    whole = read_prefix(path, 100, "--x")
    assert (whole.truncated, whole.size) == (False, 100)
