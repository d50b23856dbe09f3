"""The evaluation's HTML report in Chromium: it renders, self-contained, charts and all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from caseworker.eval.metrics import CheckFigures, Miss, Summary
from caseworker.eval.report_html import render_html
from tests.web.conftest import SCREENSHOTS_ENV

pytestmark = pytest.mark.slow  # a real browser


def _summary(name: str, accuracy: float, approvals: list[str], p50: float) -> Summary:
    return Summary(
        configuration=name, cases=40, completed=40, accuracy=accuracy,
        confusion=[[14, 1, 0, 0], [len(approvals), 15, 1, 0], [0, 0, 9, 0], [0, 0, 0, 0]],
        false_approvals=approvals, false_rejections=["pear-0007"], more_lenient=approvals,
        per_check=[CheckFigures(check_id=c, asserted=40, correct=round(40 * a), accuracy=a,
                                flag_precision=a, flag_recall=a)
                   for c, a in (("sanctions_screening", accuracy), ("proof_of_address", 0.95))],
        by_family={"clean": {"cases": 14, "correct": 14}, "sanctions": {"cases": 10,
                                                                        "correct": 9}},
        misses=[Miss(case_id="pear-0007", family="sanctions", expected="review",
                     actual="reject", checks={"sanctions_screening": "review -> fail"})],
        input_tokens=0 if name == "rules" else 51_200, output_tokens=0 if name == "rules"
        else 9_800, cost_usd=0.0 if name == "rules" else None, latency_p50_s=p50,
        latency_p95_s=p50 * 1.8, processing_p50_s=p50 * 0.6, wall_s=30.0, cases_per_s=1.3)


def test_the_report_renders_offline(browser: Browser, tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(
        [_summary("rules", 0.95, [], 2.1), _summary("analyst@http://127.0.0.1:9/v1", 0.9,
                                                    ["pear-0101"], 4.6)],
        dataset="pear-20261206", agent="kyb-standard", split="all"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    expect(page.get_by_role("heading", name="PEAR evaluation")).to_be_visible()
    expect(page.locator("table.cm")).to_have_count(2)
    expect(page.locator("svg rect")).to_have_count(2 * 2 + 2 * 2)  # accuracy and latency bars
    expect(page.locator("ul.misses").first).to_contain_text("pear-0007")
    assert requests == [page_file.as_uri()]  # nothing else: no script, font or image fetched
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        page.screenshot(path=str(Path(folder) / "eval-report.png"), full_page=True)
    context.close()
