"""The workspace's main flows in a real headless Chromium (Debian's, as test_browser.py):
add a model, fill the record, build a document and sign it off with a second member, open an
incident and watch its clock, export the evidence pack and verify it; at 390 px nothing
scrolls sideways."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from gpact.cli.main import main
from tests.server.conftest import PASSWORD, World
from tests.server.live import running
from tests.server.test_browser import ARGS, CHROMIUM, EXAMPLE, RECORD, accessible

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def browser(world: World) -> Iterator[tuple[Browser, str]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/test installs it")
    with running(world.db) as base, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b, base
        finally:
            b.close()


def log_in(browser: Browser, base: str, email: str, width: int = 1280) -> Page:
    context = browser.new_context(accept_downloads=True, viewport={"width": width,
                                                                   "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Portfolio of Acme AI")).to_be_visible()
    return page


def test_a_model_from_record_to_signed_off_evidence_pack(browser: tuple[Browser, str],
                                                        tmp_path: Path) -> None:
    b, base = browser
    editor = log_in(b, base, "editor@example.eu", width=390)
    assert editor.evaluate(NO_SIDEWAYS)
    editor.get_by_role("link", name="Add a model").first.click()
    editor.get_by_label("Or paste the profile").fill(EXAMPLE.read_text())
    editor.get_by_role("button", name="Add and assess").click()
    expect(editor.get_by_role("heading", name="Northwind-Ultra 2.0", exact=True)).to_be_visible()
    assert editor.evaluate(NO_SIDEWAYS)
    accessible(editor)
    editor.get_by_label("Record (YAML or JSON)").fill(RECORD.read_text())
    editor.get_by_role("button", name="Save record").click()
    expect(editor.get_by_text("Saved a new documentation record version.")).to_be_visible()
    editor.get_by_label("Document", exact=True).select_option("annex-xi")
    editor.get_by_role("button", name="Build document").click()
    expect(editor.get_by_text("Document built.")).to_be_visible()

    editor.get_by_role("link", name="Technical documentation (Annex XI)").first.click()
    # the obligation's page has loaded (evaluating during the navigation finds no document)
    expect(editor.get_by_label("A document built for this model")).to_be_visible()
    assert editor.evaluate(NO_SIDEWAYS)
    accessible(editor)
    editor.get_by_label("A document built for this model").select_option(index=0)
    editor.get_by_role("button", name="Add document as evidence").click()
    expect(editor.get_by_text("Evidence added.")).to_be_visible()
    editor.get_by_label("New state").select_option("met")
    editor.get_by_role("button", name="Save").click()
    expect(editor.get_by_text("Sign-off asked for")).to_be_visible()
    expect(editor.get_by_role("button", name="Sign off as met")).to_have_count(0)
    url = editor.url.split("?")[0]

    admin = log_in(b, base, "admin@example.eu")
    admin.goto(url)
    admin.get_by_role("button", name="Sign off as met").click()
    expect(admin.get_by_text("Signed off by admin@example.eu")).to_be_visible()
    accessible(admin)

    # an incident and its clock
    admin.get_by_role("link", name="← Northwind-Ultra 2.0").click()
    admin.get_by_role("link", name="Open the risk workspace").click()
    admin.get_by_label("Incident id").fill("INC-42")
    admin.get_by_label("Title").fill("Grid operator outage")
    admin.get_by_label("Category").select_option("critical_infrastructure")
    admin.get_by_label("Became aware on").fill(dt.date.today().isoformat())
    admin.get_by_role("button", name="Open incident").click()
    expect(admin.get_by_text("Incident opened")).to_be_visible()
    clock = admin.locator("#clocks tr", has_text="Initial report on incident INC-42")
    expect(clock).to_contain_text("hours")
    accessible(admin)
    admin.locator("#clocks").evaluate("e => e.setAttribute('data-old', '1')")
    expect(admin.locator("#clocks[data-old]")).to_have_count(0, timeout=70_000)
    expect(admin.locator("#clocks")).to_contain_text("INC-42")  # refreshed by htmx

    # the evidence pack, verified offline
    admin.get_by_role("link", name="← Northwind-Ultra 2.0").click()
    with admin.expect_download() as info:
        admin.get_by_role("link", name="Download the evidence pack").click()
    pack = tmp_path / info.value.suggested_filename
    info.value.save_as(pack)
    assert main(["evidence", "verify", str(pack)]) == 0
