"""Accessibility in Chromium: axe-core's WCAG 2.1 A/AA rules on every page, and the keyboard."""

from __future__ import annotations

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import Team, example_case, open_page
from tests.web.test_browser import wait_complete

pytestmark = pytest.mark.slow  # a real browser: run in CI, skipped by -m 'not slow'

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


def violations(page: Page) -> list[str]:
    """Each axe violation on the page, with the elements it found, for the failure message."""
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in found]


def test_every_page_passes_wcag_aa_rules(browser: Browser, team: Team) -> None:
    job_id = team.submit(example_case("be-minerals-sanctioned-director"), agent="kyb-standard")
    wait_complete(team, job_id)
    context, watched = open_page(browser, team.base_url)
    page = watched.page
    page.goto("/ui/login")
    assert violations(page) == []
    page.get_by_label("API key").fill(team.tokens["alice"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/ui/cases**")
    for path in ("/ui/cases", f"/ui/jobs/{job_id}", f"/ui/jobs/{job_id}/report",
                 f"/ui/jobs/{job_id}/report?error=a+decision+needs+a+reason"):
        page.goto(path)
        assert violations(page) == [], path
    context.close()


def test_a_reviewer_can_do_everything_from_the_keyboard(browser: Browser, team: Team) -> None:
    job_id = team.submit({"id": f"kbd-{uuid.uuid4().hex[:6]}", "subject": {
        "type": "business", "legal_name": "Keyboard Only Ltd", "jurisdiction": "GB"}})
    wait_complete(team, job_id)
    context, watched = open_page(browser, team.base_url)
    page = watched.page
    page.goto("/ui/login")
    expect(page.get_by_label("API key")).to_be_focused()  # the page's one task
    page.keyboard.type(team.tokens["alice"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/cases**")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.get_by_label("Search").focus()
    page.keyboard.type("Keyboard Only")
    # htmx swapped the table in for the whole query (a slow machine sends one per pause)
    expect(page).to_have_url(re.compile(r"q=Keyboard(%20|\+)Only(&|$)"))
    expect(page.locator(".htmx-request")).to_have_count(0)
    expect(page.locator("table.cases tbody tr")).to_have_count(1)
    link = page.locator("table.cases tbody tr a").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/ui/jobs/{job_id}/report")

    page.get_by_label("Approve", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # radios are one stop: the next one is the reason
    while not page.get_by_label("Reason (kept in the audit trail)").evaluate(
            "el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.type("Checked every item; approved from the keyboard.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Record decision")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("review-state")).to_have_text("approved")
    context.close()
