"""Crawler information page: HTML, JSON and the Atom feed of versions."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gpact.cli.main import main

FIX = Path(__file__).parent / "fixtures" / "crawlers.yaml"
ATOM = "{http://www.w3.org/2005/Atom}"


def _run(out: Path, now: str, source: Path = FIX) -> int:
    return main(["rights", "crawler-page", str(source), "--out-dir", str(out), "--now", now])


def _entries(out: Path) -> list[str]:
    root = ET.parse(out / "crawlers.atom").getroot()
    return [e.findtext(f"{ATOM}id") or "" for e in root.findall(f"{ATOM}entry")]


def test_page_json_and_html(tmp_path: Path) -> None:
    assert _run(tmp_path, "2026-11-01T00:00:00") == 0
    data = json.loads((tmp_path / "crawlers.json").read_text())
    assert data["schema"] == "gpact.rights.crawlers/v1"
    crawler = data["crawlers"][0]
    assert crawler["token"] == "ExampleBot"
    assert crawler["collection_periods"] == [{"from": "2025-01", "to": "2025-06"},
                                             {"from": "2026-02", "to": None}]
    assert "RFC 9309" in crawler["robots_txt"]
    assert "not legal advice" in data["generator"]["not_legal_advice"]
    page = (tmp_path / "crawlers.html").read_text()
    assert "<code>ExampleBot</code>" in page and "2026-02 – ongoing" in page
    assert 'href="crawlers.atom"' in page


def test_feed_grows_only_on_change(tmp_path: Path) -> None:
    assert _run(tmp_path, "2026-11-01T00:00:00") == 0
    assert _run(tmp_path, "2026-11-02T00:00:00") == 0
    assert len(_entries(tmp_path)) == 1
    changed = tmp_path / "changed.yaml"
    changed.write_text(FIX.read_text().replace("2026-02}", "2026-03}"))
    assert _run(tmp_path, "2026-11-03T00:00:00", changed) == 0
    entries = _entries(tmp_path)
    assert len(entries) == 2 and entries[0] != entries[1]
    version = json.loads((tmp_path / "crawlers.json").read_text())["version"]
    assert entries[0].endswith(f"#version-{version}")


def test_html_escapes_values(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text(FIX.read_text().replace("Example AI SAS", "<script>x</script>"))
    assert _run(tmp_path, "2026-11-01T00:00:00", evil) == 0
    assert "<script>" not in (tmp_path / "crawlers.html").read_text()


@pytest.mark.parametrize(("replace", "field"), [
    (("token: ExampleBot", "token: Example Bot"), "crawlers.0.token"),
    (("{from: 2025-01, to: 2025-06}", "{from: 2025-13}"), "crawlers.0.collection_periods.0.from"),
    (("provider:", "provder:"), "provder"),
])
def test_bad_description(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         replace: tuple[str, str], field: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIX.read_text().replace(*replace))
    assert _run(tmp_path, "2026-11-01T00:00:00", bad) == 2
    assert f"{bad}: {field}:" in capsys.readouterr().err


def test_bad_now(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, "last tuesday") == 2
    assert "--now" in capsys.readouterr().err
