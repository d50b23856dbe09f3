"""The README's example client works against a real server, and the report formats negotiate."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from tests.api.conftest import ROOT, Tenant
from tests.api.helpers import case, submit, wait_job


def test_the_example_client_runs_a_case(tenant: Tenant, tmp_path: Path) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(case("client-1")))
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "client.py"), "--url", tenant.base_url,
         "--key", tenant.tokens["submitter"], "--agent", "api-test", "--report", "md",
         "--out", str(tmp_path), str(case_file)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "decision: approve" in done.stdout
    assert "job.completed" in done.stdout
    report = next(tmp_path.glob("*.md")).read_text()
    assert "Acme Widgets Ltd" in report


def test_report_formats_by_query_and_accept(tenant: Tenant) -> None:
    with tenant.client() as client:
        job_id = submit(client, "report-1")
        wait_job(client, job_id)
        as_json = client.get(f"/v1/jobs/{job_id}/report")
        as_md = client.get(f"/v1/jobs/{job_id}/report", headers={"Accept": "text/markdown"})
        by_q = client.get(f"/v1/jobs/{job_id}/report",
                          headers={"Accept": "text/html;q=0.5, text/markdown;q=0.9"})
        refused = client.get(f"/v1/jobs/{job_id}/report", headers={"Accept": "image/png"})
        as_html = client.get(f"/v1/jobs/{job_id}/report", headers={"Accept": "text/html"})
        as_pdf = client.get(f"/v1/jobs/{job_id}/report?format=pdf",
                            headers={"Accept": "text/html"})  # the query wins
    assert as_json.json()["job_id"] == job_id and as_json.json()["recommendation"] == "approve"
    assert as_md.headers["content-type"].startswith("text/markdown")
    assert by_q.headers["content-type"].startswith("text/markdown")
    assert refused.status_code == 406 and refused.json()["code"] == "not_acceptable"
    assert as_json.json()["provenance"]["agent"]["name"] == "api-test"
    assert as_html.headers["content-type"].startswith("text/html")
    assert "Acme Widgets Ltd" in as_html.text and job_id in as_html.text
    assert as_pdf.headers["content-type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(as_pdf.content)).pages)
    assert "Acme Widgets Ltd" in text and "first" in text
