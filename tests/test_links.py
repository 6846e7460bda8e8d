"""Every relative link in README.md and docs/ points at a file or folder in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) with an optional #anchor; external links are not followed (no network here).
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# Bare mentions such as `design.md §3` must name a page that exists, too.
MENTION = re.compile(r"\b([a-z_]+\.md)\b")


def _targets(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    broken = [t for t in _targets(page) if not (page.parent / t.split("#")[0]).exists()]
    assert not broken, f"{page.relative_to(ROOT)} links to missing files: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_mentioned_pages_exist(page: Path) -> None:
    names = {p.name for p in (ROOT / "docs").glob("*.md")} | {"README.md", "CHANGELOG.md"}
    text = page.read_text(encoding="utf-8")
    missing = sorted({m for m in MENTION.findall(text) if m not in names})
    assert not missing, f"{page.relative_to(ROOT)} mentions pages not in the repo: {missing}"


def test_the_link_check_sees_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("see [x](missing.md) and [y](https://example.org/)", encoding="utf-8")
    assert _targets(page) == ["missing.md"]
