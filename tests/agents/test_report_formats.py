"""Report formats: provenance pins, and the HTML and PDF renderings of one real KYB job."""

from __future__ import annotations

import hashlib
import importlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis
from markupsafe import escape
from pypdf import PdfReader

from caseworker.agents import report_pdf
from caseworker.agents.report import build_report, provenance, render_markdown
from caseworker.agents.report_html import render_html
from caseworker.agents.report_pdf import render_pdf
from caseworker.checks.screening.service import screener
from caseworker.domain.case import Case, load_case
from caseworker.exceptions import ConfigurationError
from caseworker.runtime.connection import connect
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition
from tests.fixtures import jobs

ROOT = Path(__file__).resolve().parents[2]
KYB = ROOT / "agents" / "kyb"
HOSTILE = "Nordhafen <script>alert(1)</script> GmbH"


@dataclass(frozen=True)
class Finished:
    report: dict[str, Any]
    definition: AgentDefinition


def _hostile_case() -> Case:
    data = load_case(ROOT / "examples" / "cases" / "de-gmbh-wholesale-clean.json").model_dump(
        mode="json")
    data["subject"]["legal_name"] = HOSTILE
    return Case.model_validate(data)


@pytest.fixture(scope="module")
def finished(redis_url: str) -> Iterator[Finished]:
    """One real KYB job, run once for the module: its report and stored definition."""
    conn = connect(redis_url)
    conn.flushdb()
    pool = LocalWorkers(redis_url, 2)
    pool.start()
    try:
        job_id = jobs.start(conn, KYB, _hostile_case())
        jobs.wait(conn, job_id, timeout=90)
        yield Finished(build_report(conn, job_id), JobStore(conn).definition(job_id))
    finally:
        pool.stop()
        conn.flushdb()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- provenance ---------------------------------------------------------------------------


def test_provenance_pins_the_sop_spec_models_and_release(finished: Finished) -> None:
    pins = finished.report["provenance"]
    assert pins["sop"] == {
        "title": "Know Your Business — standard onboarding review", "version": "2026-11",
        "sha256": _sha256(KYB / "sop.md"), "source": str((KYB / "sop.md").resolve()),
    }
    assert pins["agent"]["name"] == "kyb-standard"
    assert pins["agent"]["sha256"] == _sha256(KYB / "agent.yaml")
    assert pins["agent"]["spec"]["sop"] == "sop.md"
    assert "screening.sanctions" in pins["agent"]["spec"]["tools"]
    assert pins["models"] == ["rules"]
    assert pins["caseworker"] == version("caseworker")


def test_provenance_pins_the_lists_the_screening_used(finished: Finished) -> None:
    loaded = {info.source: info.list_date.isoformat() if info.list_date else None
              for info in screener().list_infos}
    pins = finished.report["provenance"]["lists"]
    assert loaded, "the checkout's shared lists should be loaded"
    assert {p["source"]: p["list_date"] for p in pins} == loaded
    assert all(p["checks"] == ["sanctions_screening"] for p in pins)


def test_a_job_stored_before_the_pins_still_loads_and_reports(
    finished: Finished, conn: redis.Redis,
) -> None:
    stored = finished.definition.model_dump(mode="json", by_alias=True)
    del stored["spec_sha256"], stored["plan"]["sop_sha256"], stored["plan"]["version"]
    old = AgentDefinition.model_validate(stored)
    pins = provenance(conn, "no-such-job", old)
    assert (pins["sop"]["sha256"], pins["sop"]["version"], pins["agent"]["sha256"]) == (
        None, None, None)
    assert pins["lists"] == []
    assert "version not recorded · sha256 not recorded" in render_markdown(
        {**finished.report, "provenance": pins})


def test_markdown_carries_the_provenance_block(finished: Finished) -> None:
    text = render_markdown(finished.report)
    provenance_block = text.split("## Provenance\n", 1)[1].split("## Summary", 1)[0]
    assert f"version `2026-11` · sha256 `{_sha256(KYB / 'sop.md')}`" in provenance_block
    assert f"`kyb-standard` · sha256 `{_sha256(KYB / 'agent.yaml')}`" in provenance_block
    assert "- Model chain: rules\n" in provenance_block
    for pin in finished.report["provenance"]["lists"]:
        assert f"{pin['source']} (list date {pin['list_date'] or 'undated'}" in provenance_block


# --- HTML ---------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Every tag and attribute of a document, and the text of its first h1."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.heading = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_h1 = tag == "h1" and not self.heading

    def handle_endtag(self, tag: str) -> None:
        self._in_h1 = self._in_h1 and tag != "h1"

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.heading += data


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _evidence_ids(report: dict[str, Any]) -> list[str]:
    return [e["id"] for c in report["checks"] if c["result"] for e in c["result"]["evidence"]]


def test_html_shows_every_check_and_piece_of_evidence(finished: Finished) -> None:
    html = render_html(finished.report)
    assert html.startswith("<!DOCTYPE html>")
    check_ids = [c["check_id"] for c in finished.report["checks"]]
    assert len(check_ids) == 8
    for check_id in check_ids:
        assert f'<section class="check" id="check-{check_id}">' in html
    evidence = _evidence_ids(finished.report)
    assert len(evidence) >= len(check_ids)
    for evidence_id in evidence:
        assert f"<code>{evidence_id}</code>" in html
    pins = finished.report["provenance"]
    assert pins["sop"]["sha256"] in html and pins["agent"]["sha256"] in html
    assert finished.report["audit"]["head_hash"] in html
    assert ">verified<" in html


def test_html_escapes_case_values_and_requests_nothing(finished: Finished) -> None:
    html = render_html(finished.report)
    page = _page(html)
    assert page.heading == HOSTILE  # shown as text, not run as markup
    assert str(escape(HOSTILE)) in html
    assert "<script" not in html.lower()
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert not [a for _, attrs in page.tags for a in attrs if a in ("src", "href") or
                a.startswith("on")]


def test_a_broken_audit_trail_says_so(finished: Finished) -> None:
    broken = {**finished.report, "audit": {**finished.report["audit"], "ok": False,
                                           "problem": "seq 3: hash mismatch"}}
    html = render_html(broken)
    assert ">BROKEN<" in html and "seq 3: hash mismatch" in html
    assert ">verified<" not in html


# --- PDF ----------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_pdf_is_a_rendered_document_of_the_report(finished: Finished) -> None:
    pdf = render_pdf(finished.report)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert HOSTILE in text
    recommendation = finished.report["recommendation"]
    assert recommendation in ("approve", "review", "reject")
    assert f"Recommendation: {recommendation.upper()}" in text
    for entry in finished.report["checks"]:
        assert entry["check_id"] in text
    assert finished.report["provenance"]["sop"]["sha256"][:16] in text


def test_pdf_without_weasyprint_libraries_is_a_configuration_error(
    finished: Finished, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.import_module

    def missing_pango(name: str, package: str | None = None) -> ModuleType:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: not found")
        return real(name, package)

    monkeypatch.setattr(report_pdf.importlib, "import_module", missing_pango)
    with pytest.raises(ConfigurationError, match=r"Pango.*libpango-1\.0-0"):
        render_pdf(finished.report)


def test_pdf_without_the_weasyprint_package_is_a_configuration_error(
    finished: Finished, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_installed(name: str, package: str | None = None) -> ModuleType:
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(report_pdf.importlib, "import_module", not_installed)
    with pytest.raises(ConfigurationError, match="weasyprint package"):
        render_pdf(finished.report)
