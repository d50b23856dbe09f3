"""The dashboard in a real headless Chromium: live checks, the report, four eyes, documents."""

from __future__ import annotations

import re
import time
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.cases import common_name_director
from tests.fixtures.tcp_proxy import CuttableProxy
from tests.web.conftest import (
    Team,
    Watched,
    example_case,
    log_in,
    open_as,
    open_page,
    screenshot,
    small_case,
)

pytestmark = pytest.mark.slow  # a real browser: run in CI, skipped by -m 'not slow'

LIVE_CHECKS = ["intake", "registry", "people", "decide"]
# Records every state a check's node shows, as htmx swaps it in, for the test to read back.
WATCH_NODES = """() => {
  window.seen = {};
  const note = (el) => {
    if (el.dataset && el.dataset.state) {
      const id = el.id.replace('check-', '');
      (window.seen[id] = window.seen[id] || []).push(el.dataset.state);
    }
  };
  document.querySelectorAll('.node').forEach(note);
  new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach(note)))
    .observe(document.getElementById('live'), {childList: true, subtree: true});
}"""


def wait_complete(team: Team, job_id: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    with team.client("intake") as client:
        while time.monotonic() < deadline:
            if client.get(f"/v1/jobs/{job_id}").json()["status"] == "complete":
                return
            time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not complete in {timeout}s")


def only_this_host(watched: Watched, team: Team) -> None:
    """No request left for another host, and nothing failed in the page's console."""
    assert watched.hosts() == {urlsplit(team.base_url).netloc}, watched.hosts()
    assert watched.problems == []


def without_drop_reports(problems: list[str]) -> list[str]:
    """The console's errors but those a dropped stream causes (the browser's and htmx's)."""
    dropped = ("ERR_INCOMPLETE_CHUNKED_ENCODING", "502 (Bad Gateway)", "[object Event]")
    return [p for p in problems if not any(d in p for d in dropped)]


def decide(page: Page, decision: str, reason: str) -> None:
    page.get_by_label(decision, exact=True).check()
    page.get_by_label("Reason (kept in the audit trail)").fill(reason)
    page.get_by_role("button", name="Record decision").click()


def test_checks_turn_complete_live_and_one_reviewer_approves(browser: Browser,
                                                              team: Team) -> None:
    context, watched = open_as(browser, team, "alice")
    page = watched.page
    job_id = team.submit(small_case(f"live-{uuid.uuid4().hex[:6]}"))

    page.goto(f"/ui/jobs/{job_id}")
    page.evaluate(WATCH_NODES)
    assert page.locator("#check-decide").get_attribute("data-state") not in ("pass", "fail")
    expect(page.locator("#check-intake")).to_have_attribute("data-state", "pass", timeout=30_000)
    screenshot(page, "live-job")  # mid-run, for the docs
    for check in LIVE_CHECKS:
        expect(page.locator(f"#check-{check}")).to_have_attribute("data-state", "pass",
                                                                  timeout=30_000)
    report_link = page.get_by_role("link", name="Open the report")
    expect(report_link).to_be_visible()
    seen = page.evaluate("window.seen")  # still there: the page was never reloaded
    assert "running" in seen["decide"] and seen["decide"][-1] == "pass", seen
    assert seen["decide"].index("running") < seen["decide"].index("pass")
    assert page.locator(".progress").count() == 0  # the header became the finished job's

    report_link.click()
    expect(page.get_by_test_id("review-state")).to_have_text("awaiting review")
    expect(page.locator(".four-eyes")).to_have_count(0)  # approve needs one reviewer here
    decide(page, "Approve", "All four checks passed; nothing to add.")
    expect(page.get_by_test_id("review-state")).to_have_text("approved")
    expect(page.locator(".reviews")).to_contain_text("approve by alice")
    expect(page.locator(".review-form")).to_have_count(0)
    only_this_host(watched, team)
    context.close()


def test_a_rejected_case_needs_a_second_reviewer(browser: Browser, team: Team) -> None:
    job_id = team.submit(example_case("be-minerals-sanctioned-director"), agent="kyb-standard")
    wait_complete(team, job_id)

    context, watched = open_as(browser, team, "alice")
    page = watched.page
    page.goto(f"/ui/jobs/{job_id}/report")
    expect(page.locator(".decision")).to_contain_text("REJECT")
    expect(page.locator(".four-eyes")).to_contain_text("two different reviewers")
    decide(page, "Approve", "Director is a namesake: passport seen, different person.")
    expect(page.get_by_test_id("review-state")).to_have_text("awaiting second approval")
    expect(page.locator(".four-eyes")).to_contain_text("A second reviewer must approve")
    decide(page, "Approve", "Approving again myself.")
    expect(page.get_by_role("alert")).to_contain_text("four eyes need a second, different")
    expect(page.get_by_test_id("review-state")).to_have_text("awaiting second approval")
    only_this_host(watched, team)
    context.close()

    context, watched = open_as(browser, team, "bob")
    page = watched.page
    page.goto(f"/ui/jobs/{job_id}/report")
    decide(page, "Approve", "Agree with alice: documents match, not the listed person.")
    expect(page.get_by_test_id("review-state")).to_have_text("approved")
    page.get_by_text("Every record").click()
    expect(page.locator("table.audit")).to_contain_text("review.decision")
    expect(page.get_by_test_id("audit-status")).to_contain_text("Chain verified")
    only_this_host(watched, team)
    context.close()


def test_a_document_field_is_highlighted_on_its_page(browser: Browser, team: Team) -> None:
    job_id = team.submit(example_case("uk-saas-clean"), agent="kyb-standard")
    wait_complete(team, job_id)
    context, watched = open_as(browser, team, "viewer")
    page = watched.page
    page.goto(f"/ui/jobs/{job_id}/report")
    page.get_by_role("link", name="registered name").click()
    box = page.locator("#doc0-registered_name")
    expect(box).to_have_css("stroke", "rgb(194, 65, 12)")  # the :target style
    preview = page.get_by_role("img", name="lumen-ledger-certificate.pdf, page 1")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.naturalWidth") > 500
    # The box lies where the name is on the page: inside the image, not a zero-size rect.
    image, rect = preview.bounding_box(), box.bounding_box()
    assert image and rect and rect["width"] > 20 and rect["height"] > 3
    assert image["x"] <= rect["x"] and rect["x"] + rect["width"] <= image["x"] + image["width"]
    assert page.get_by_role("button", name="Record decision").count() == 0  # read-only key
    screenshot(page.locator("#documents article").first, "report-document")
    only_this_host(watched, team)
    context.close()


def test_a_cleared_hit_is_remembered_for_the_case_and_revocable(browser: Browser,
                                                                team: Team) -> None:
    case = common_name_director(f"khan-{uuid.uuid4().hex[:6]}")
    first = team.submit(case, agent="kyb-standard")
    wait_complete(team, first)
    context, watched = open_as(browser, team, "alice")
    page = watched.page
    page.goto(f"/ui/jobs/{first}/report")
    hit = page.locator("article.hit").filter(has_text="KHAN, Haji Mohammad")
    expect(hit.locator(".badge").first).to_have_text("weak")  # name-level, conflicting facts
    expect(hit).to_contain_text("1980-07-19")  # the case's side, beside the listing's
    hit.get_by_label("Reason to clear this hit").fill("Born 19 Jul 1980 in Leeds; the listed "
                                                       "man is Afghan, born 1980.")
    hit.get_by_role("button", name="Clear as false positive").click()
    expect(page.get_by_role("status").first).to_contain_text("cleared for Mohammed Khan")
    expect(page.locator("#clearances")).to_contain_text("active")

    second = team.submit(case, agent="kyb-standard")
    wait_complete(team, second)
    page.goto(f"/ui/jobs/{second}/report")
    again = page.locator("article.hit").filter(has_text="KHAN, Haji Mohammad")
    expect(again.locator(".badge.cleared")).to_be_visible()
    expect(again).to_contain_text("Cleared by alice")
    with team.client("intake") as api:
        checks = api.get(f"/v1/jobs/{second}?include=checks").json()["checks"]
    screening = next(c for c in checks if c["check_id"] == "sanctions_screening")
    assert screening["result"]["status"] == "pass"

    row = page.locator("#clearances tr").filter(has_text="Mohammed Khan")
    row.get_by_label("Reason to revoke").fill("Cleared on the wrong evidence.")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("#clearances")).to_contain_text("revoked by alice")
    only_this_host(watched, team)
    context.close()


def test_case_list_filters_search_and_needs_my_review(browser: Browser, team: Team) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = [team.submit(small_case(f"list-{tag}-{n}", name))
           for n, name in enumerate(["Acme Widgets Ltd", "Borealis Freight GmbH",
                                     "Acme flagged Ltd"])]
    for job_id in ids:
        wait_complete(team, job_id)
    context, watched = open_as(browser, team, "alice")
    page = watched.page
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator(".counts")).to_contain_text("3 complete")
    page.evaluate("window.stayed = true")
    page.get_by_label("Search").fill("borealis")
    expect(page).to_have_url(re.compile(r"q=borealis"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Borealis Freight GmbH")
    assert page.evaluate("window.stayed")  # htmx swapped the table: no reload
    page.get_by_label("Search").fill("")
    page.get_by_label("Recommendation").select_option("reject")  # the flagged one failed
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Acme flagged Ltd")
    page.get_by_label("Recommendation").select_option("")
    page.get_by_label("Needs my review", exact=True).check()
    expect(rows).to_have_count(1)  # the approved ones need nobody
    page.get_by_label("Needs my review", exact=True).uncheck()
    expect(rows).to_have_count(3)
    page.get_by_role("link", name="Business").click()
    expect(rows.first).to_contain_text("Borealis")  # descending by name
    screenshot(page, "case-list")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    exported = download.value.path().read_text()
    assert exported.count("\n") == 4 and "Borealis Freight GmbH" in exported
    only_this_host(watched, team)
    context.close()


def test_the_live_view_reconnects_after_the_connection_drops(browser: Browser,
                                                             team: Team) -> None:
    """Cut the browser's connections mid-job: the stream resumes from its last event."""
    address = urlsplit(team.base_url)
    proxy = CuttableProxy(address.hostname or "127.0.0.1", address.port or 80)
    context, watched = open_page(browser, proxy.url)
    page = watched.page
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if "/events" in r.url else None)
    log_in(watched, team.tokens["alice"])
    job_id = team.submit(small_case(f"drop-{uuid.uuid4().hex[:6]}"))
    page.goto(f"/ui/jobs/{job_id}")
    page.evaluate(WATCH_NODES)
    assert page.locator("#check-intake").get_attribute("data-state") != "pass"
    expect(page.locator("#check-intake")).to_have_attribute("data-state", "pass",
                                                            timeout=30_000)  # streamed
    proxy.cut()  # the stream, mid-job
    for check in LIVE_CHECKS:
        expect(page.locator(f"#check-{check}")).to_have_attribute("data-state", "pass",
                                                                  timeout=30_000)
    expect(page.get_by_role("link", name="Open the report")).to_be_visible()
    assert len(streams) >= 2, streams  # it did reconnect
    # ...from the last event it had: nothing it had already shown came again.
    intake = page.evaluate("window.seen")["intake"]
    assert intake[intake.index("pass"):] == ["pass"], intake
    assert without_drop_reports(watched.problems) == []
    assert without_drop_reports(watched.problems) == []
    context.close()
    proxy.close()


def test_the_live_view_resumes_after_a_gateway_error(browser: Browser,
                                                                 team: Team) -> None:
    """A gateway answers 502 meanwhile: the browser gives up its own reconnecting, and htmx
    opens a new stream from the last event the page received (dashboard.js)."""
    address = urlsplit(team.base_url)
    proxy = CuttableProxy(address.hostname or "127.0.0.1", address.port or 80)
    context, watched = open_page(browser, proxy.url)
    page = watched.page
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if "/events" in r.url else None)
    log_in(watched, team.tokens["alice"])
    job_id = team.submit(small_case(f"down-{uuid.uuid4().hex[:6]}"))
    page.goto(f"/ui/jobs/{job_id}")
    page.evaluate(WATCH_NODES)
    expect(page.locator("#check-intake")).to_have_attribute("data-state", "pass",
                                                            timeout=30_000)
    proxy.refusing = True
    proxy.cut()
    time.sleep(1.5)  # the browser's own retry (300 ms) gets the 502: its EventSource closes
    proxy.refusing = False
    for check in LIVE_CHECKS:
        expect(page.locator(f"#check-{check}")).to_have_attribute("data-state", "pass",
                                                                  timeout=30_000)
    queries = [urlsplit(url).query for url in streams]
    assert len(set(queries)) >= 2, queries  # a new stream, asked from a later event
    intake = page.evaluate("window.seen")["intake"]
    assert intake[intake.index("pass"):] == ["pass"], intake
    assert without_drop_reports(watched.problems) == []
    context.close()
    proxy.close()
