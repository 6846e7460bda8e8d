"""In a real headless Chromium: log in, add a model from a profile, read its assessment and
deadlines, and download a document. Uses Debian's Chromium (scripts/test installs it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.server.conftest import PASSWORD, World
from tests.server.live import running

CHROMIUM = os.environ.get("GPACT_TEST_CHROMIUM", "/usr/bin/chromium")
EXAMPLE = Path(__file__).parents[2] / "examples" / "frontier_systemic.yaml"
RECORD = EXAMPLE.parent / "records" / "frontier_systemic.record.yaml"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


UNLABELLED = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button')].filter(e =>
    !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
    && !(e.tagName === 'BUTTON' && e.textContent.trim())).map(e => e.outerHTML)"""


def accessible(page: Page) -> None:
    """Every control has a label, the page has one h1, a language and a skip link."""
    assert page.evaluate(UNLABELLED) == []
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("a.skip").get_attribute("href") == "#main"


@pytest.fixture
def browser_page(world: World) -> Iterator[tuple[Page, str]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/test installs it "
                    "(apt-get install chromium)")
    with running(world.db) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page, base
        finally:
            context.close()
            browser.close()


def test_log_in_add_model_see_assessment_deadlines_and_download(
        browser_page: tuple[Page, str], tmp_path: Path) -> None:
    page, base = browser_page
    page.goto(f"{base}/o/acme/")
    accessible(page)
    page.get_by_label("E-mail").focus()  # keyboard only: type, Tab, type, Enter
    page.keyboard.type("editor@example.eu")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Portfolio of Acme AI")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Add a model").click()
    accessible(page)
    editor = page.get_by_label("Or paste the profile")
    editor.fill("gpact: 1\nprovider: {name: X}\nmodel: {name: Y, parameters: many}\n")
    editor.press("End")  # htmx validates as the user types
    expect(page.locator("#profile-problems")).to_contain_text("model.parameters")
    editor.fill(EXAMPLE.read_text())
    editor.press("End")
    expect(page.locator("#profile-problems")).to_contain_text("The profile is valid.")
    page.get_by_role("button", name="Add and assess").click()

    expect(page.get_by_role("heading", name="Northwind-Ultra 2.0", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Systemic risk: yes")).to_be_visible()
    accessible(page)
    obligations = page.locator("section", has=page.get_by_role(
        "heading", name="Obligations and deadlines"))
    expect(obligations).to_contain_text("Notify the Commission")
    expect(obligations).to_contain_text("Art. 52")

    page.get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", name="Deadlines")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Northwind-Ultra")
    accessible(page)

    page.get_by_role("link", name="Portfolio").click()
    page.get_by_role("link", name="Northwind-Ultra").first.click()
    page.get_by_label("Record (YAML or JSON)").fill(RECORD.read_text())
    page.get_by_role("button", name="Save record").click()
    expect(page.get_by_text("Saved a new documentation record version.")).to_be_visible()
    page.get_by_label("Document", exact=True).select_option("annex-xi")
    page.get_by_role("button", name="Build document").click()
    expect(page.get_by_text("Document built.")).to_be_visible()
    with page.expect_download() as info:
        page.locator("a[download]").first.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    text = target.read_text()
    assert text.startswith("# Technical documentation (Annex XI) — Northwind-Ultra")
    assert "Northwind AI GmbH" in text
