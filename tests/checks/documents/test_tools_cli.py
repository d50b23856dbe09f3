"""The document tools, the CLI commands, and hostile files through a real worker."""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
import redis
from typer.testing import CliRunner

from caseworker.checks.documents.tools import (
    ExtractInput,
    InspectInput,
    VerifyInput,
    extract_documents,
    inspect_documents,
    verify_documents,
)
from caseworker.cli import app
from caseworker.domain.case import parse_case
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from caseworker.tools.base import ToolContext
from tests.fixtures import jobs

runner = CliRunner()


def _entry(text_pdfs: list[dict[str, Any]], layout: str, variant: str) -> dict[str, Any]:
    return next(e for e in text_pdfs if e["layout"] == layout and e["variant"] == variant)


def _case(entry: dict[str, Any], documents: list[dict[str, Any]]) -> dict[str, Any]:
    """A case whose subject is what the document's attested data says."""
    attested = entry["attested"]
    return {
        "id": "doc-test",
        "subject": {
            "legal_name": attested["registered_name"],
            "registration_number": attested["company_number"],
            "incorporation_date": attested["incorporation_date"],
            "jurisdiction": "GB",
            "addresses": [
                {
                    "type": "registered",
                    "line1": attested["registered_office"].split(",")[0],
                    "city": attested["registered_office"].split(",")[1].strip(),
                    "postal_code": attested["registered_office"].split(",")[2].strip(),
                    "country": "GB",
                }
            ],
        },
        "documents": documents,
    }


# --- hostile files -----------------------------------------------------------------------


def _huge_page_count_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1000000>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG header that declares a huge image (a decompression bomb's first bytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    crc = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    idat = zlib.compress(b"\x00" * 1024)
    idat_chunk = b"IDAT" + idat
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + crc
        + struct.pack(">I", len(idat))
        + idat_chunk
        + struct.pack(">I", zlib.crc32(idat_chunk) & 0xFFFFFFFF)
    )


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory, text_pdfs: list[dict[str, Any]]
) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("hostile")
    good = _entry(text_pdfs, "uk_certificate", "clean")["path"].read_bytes()
    files = {
        "truncated.pdf": good[: len(good) // 3],
        "pages.pdf": _huge_page_count_pdf(),
        "bomb.png": _png_declaring(60_000, 60_000),
        "fifty-mb.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * (50 * 1024 * 1024),
        "lying.pdf": b"PK\x03\x04" + b"\x00" * 200,  # a ZIP archive named .pdf
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    return {name: out / name for name in files}


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("truncated.pdf", "truncated.pdf"),
        ("pages.pdf", "1000000"),
        ("bomb.png", "pixels"),
        ("fifty-mb.png", "the limit is 20 MiB"),
        ("lying.pdf", "ZIP"),
    ],
)
def test_hostile_files_get_a_clear_error_quickly(
    hostile: dict[str, Path], name: str, says: str
) -> None:
    started = time.monotonic()
    result = runner.invoke(app, ["extract", str(hostile[name]), "--type", "incorporation"])
    assert result.exit_code == 2, result.output
    assert says.casefold() in result.output.casefold()
    assert time.monotonic() - started < 20


def test_hostile_files_leave_the_worker_and_the_job_alive(
    conn: redis.Redis, workers: LocalWorkers, hostile: dict[str, Path]
) -> None:
    documents = [{"type": "incorporation", "path": str(p)} for p in hostile.values()]
    case = parse_case(
        {
            "id": "hostile",
            "subject": {"legal_name": "Acme Ltd", "jurisdiction": "GB"},
            "documents": documents,
        }
    )
    pids = set(workers.pids)
    job_id = jobs.start(conn, "documents", case)
    jobs.wait(conn, job_id, timeout=90)
    job = JobStore(conn).get(job_id)
    assert job.recommendation == "review"
    certificate = job.results["certificate"]
    assert certificate.status.value == "review"
    assert job.results["after"].status.value == "pass"
    quotes = " ".join(e.quote for e in certificate.evidence)
    assert "unreadable" in quotes and "1000000" in quotes
    assert set(workers.pids) == pids and all(p.is_alive() for p in workers.processes)


# --- tools -------------------------------------------------------------------------------


def test_tools_extract_verify_inspect(text_pdfs: list[dict[str, Any]]) -> None:
    clean = _entry(text_pdfs, "uk_certificate", "clean")
    encoded = base64.b64encode(clean["path"].read_bytes()).decode()
    documents = [
        {"type": "incorporation", "content_base64": encoded, "id": "cert"},
        {"type": "other", "path": "/nonexistent/other.pdf"},
    ]
    context = ToolContext()
    wanted = ExtractInput(documents=documents, type="incorporation")
    extracted = extract_documents.function(wanted, context)
    assert (extracted.supplied, extracted.read, extracted.unreadable) == (1, 1, 0)
    assert any("company_number" in e.quote for e in extracted.evidence())
    subject = _case(clean, [])["subject"]
    verified = verify_documents.function(
        VerifyInput(
            extractions=[d.model_dump(mode="json") for d in extracted.documents],
            subject=subject,
        ),
        context,
    )
    assert verified.verified == 1 and verified.mismatches == 0, verified.documents[0].checks
    wrong = dict(subject, registration_number="99999999")
    verified = verify_documents.function(
        VerifyInput(
            extractions=[d.model_dump(mode="json") for d in extracted.documents],
            subject=wrong,
        ),
        context,
    )
    assert verified.mismatches == 1
    assert any("99999999" in e.quote and "mismatch" in e.quote for e in verified.evidence())
    to_inspect = InspectInput(documents=documents, type="incorporation")
    inspected = inspect_documents.function(to_inspect, context)
    assert inspected.suspicious == 0 and len(inspected.documents) == 1


def test_no_document_of_the_type_is_evidence_too() -> None:
    wanted = ExtractInput(documents=[], type="proof_of_address")
    out = extract_documents.function(wanted, ToolContext())
    assert out.supplied == 0
    assert out.evidence()[0].quote == "no proof_of_address document supplied"


# --- CLI ---------------------------------------------------------------------------------


def test_cli_extract_json_shape(text_pdfs: list[dict[str, Any]]) -> None:
    entry = _entry(text_pdfs, "uk_certificate", "clean")
    result = runner.invoke(app, ["extract", str(entry["path"]), "--json"])  # type guessed
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["type"] == "incorporation"
    number = out["fields"]["company_number"]
    assert set(number) == {"value", "confidence", "page", "source_text"}
    assert number["value"] == entry["truth"]["company_number"] and number["page"] == 1


def test_cli_verify_exit_codes(tmp_path: Path, text_pdfs: list[dict[str, Any]]) -> None:
    entry = _entry(text_pdfs, "uk_certificate", "clean")
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(_case(entry, [])))
    ok = runner.invoke(app, ["verify", str(entry["path"]), "--case", str(case_file), "--json"])
    assert ok.exit_code == 0, ok.output
    view = json.loads(ok.output)
    assert view["verified"] is True
    assert view["profile"] == "gb_companies_house_certificate"
    assert view["not_applicable"] == []  # this certificate shows its office: it is compared
    assert view["fields"]["registered_office"]["status"] == "match"
    other = _case(entry, [])
    other["subject"]["incorporation_date"] = "1999-01-01"
    case_file.write_text(json.dumps(other))
    bad = runner.invoke(app, ["verify", str(entry["path"]), "--case", str(case_file), "--json"])
    assert bad.exit_code == 10
    view = json.loads(bad.output)
    assert view["mismatches"] == ["incorporation_date"]
    assert view["fields"]["incorporation_date"]["status"] == "mismatch"


def test_cli_inspect(corpus: Any, tmp_path: Path) -> None:
    corpus.generate(
        tmp_path,
        seed=5,
        per_layout=1,
        renderings=("pdf",),
        variants=("tampered",),
        layouts=["uk_certificate"],
    )
    edited = next(tmp_path.rglob("*editing-software.pdf"))
    result = runner.invoke(app, ["inspect", str(edited), "--json"])
    assert result.exit_code == 10, result.output
    assert "editing_software" in {s["code"] for s in json.loads(result.output)["signals"]}


def test_cli_help_lists_document_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "caseworker", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert all(name in out for name in ("extract", "verify", "inspect"))


def test_the_same_bytes_are_read_once_per_worker(
    monkeypatch: pytest.MonkeyPatch, text_pdfs: list[dict[str, Any]]
) -> None:
    from caseworker.checks.documents import intake

    calls: list[str] = []
    real = intake.read_in_child

    def counting(data: bytes, **kw: Any) -> Any:
        calls.append(kw["name"])
        return real(data, **kw)

    monkeypatch.setattr(intake, "read_in_child", counting)
    data = _entry(text_pdfs, "share_register", "clean")["path"].read_bytes()
    first = intake.read_document(data, name="register.pdf")
    first.pages[0].lines.clear()  # a caller changing its copy does not change the cache
    second = intake.read_document(data, name="register.pdf")
    assert calls == ["register.pdf"] and second.pages[0].lines
    intake.read_document(data + b"\n", name="register.pdf")  # other bytes: read again
    assert len(calls) == 2


def _citing_model(truth: dict[str, Any], name: str = "reader") -> Any:
    """A model that cites, for some fields, the numbered line holding the true value."""
    import re as regex

    from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart, UserPromptPart
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        prompt = " ".join(
            str(p.content) for m in messages for p in m.parts if isinstance(p, UserPromptPart)
        )
        lines = {int(n): text for n, text in regex.findall(r"\[L(\d+) p\d+\] ([^\n]*)", prompt)}
        answer: dict[str, Any] = {}
        for field in ("registered_name", "company_number"):
            line = next((n for n, t in lines.items() if truth[field] in t), None)
            answer[field] = {"value": truth[field], "line": line, "quote": truth[field]}
        for field in (
            "incorporation_date",
            "jurisdiction",
            "registered_office",
            "issuing_authority",
        ):
            answer[field] = {"value": None, "line": None, "quote": None}
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, answer)])

    return FunctionModel(respond, model_name=name)


def test_an_llm_check_extracts_with_its_own_model(text_pdfs: list[dict[str, Any]]) -> None:
    entry = _entry(text_pdfs, "uk_certificate", "clean")
    documents = [{"type": "incorporation", "path": str(entry["path"])}]
    wanted = ExtractInput(documents=documents, type="incorporation")
    context = ToolContext(extra={"model": _citing_model(entry["truth"])})
    out = extract_documents.function(wanted, context)
    extraction = out.documents[0].extraction
    assert extraction.extractor == "reader"
    number = extraction.fields["company_number"]
    assert number.value == entry["truth"]["company_number"] and number.page == 1
    assert entry["truth"]["company_number"] in (number.source_text or "")
    assert extraction.fields["incorporation_date"].value is None  # the model did not say


def test_an_llm_that_cannot_extract_falls_back_to_the_rules(
    text_pdfs: list[dict[str, Any]],
) -> None:
    entry = _entry(text_pdfs, "uk_certificate", "clean")
    wrong = dict(entry["truth"], company_number="99999999")  # not on any line: never valid
    documents = [{"type": "incorporation", "path": str(entry["path"])}]
    context = ToolContext(extra={"model": _citing_model(wrong)})
    out = extract_documents.function(
        ExtractInput(documents=documents, type="incorporation"), context
    )
    extraction = out.documents[0].extraction
    assert extraction.extractor == "rules"
    assert "model extraction failed" in extraction.warnings[0]
    assert extraction.fields["company_number"].value == entry["truth"]["company_number"]


def test_a_document_read_is_also_inspected_by_the_same_child(
    monkeypatch: pytest.MonkeyPatch, text_pdfs: list[dict[str, Any]]
) -> None:
    from caseworker.checks.documents import intake

    def no_second_child(*args: Any, **kw: Any) -> Any:
        raise AssertionError("inspection started a second child")

    monkeypatch.setattr(intake, "inspect_in_child", no_second_child)
    data = _entry(text_pdfs, "psc_register", "clean")["path"].read_bytes()
    intake.read_document(data, name="psc.pdf")
    found = intake.inspect_file(data, name="psc.pdf")
    assert not found.suspicious and found.media_type == "application/pdf"
