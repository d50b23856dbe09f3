"""Every document an example case names exists, and the rules read back what the case says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from caseworker.checks.documents.attested import attested_for
from caseworker.checks.documents.extract_rules import extract_with_rules
from caseworker.checks.documents.intake import read_document_inprocess
from caseworker.checks.documents.schemas import DocumentKind
from caseworker.checks.documents.verify import verify
from caseworker.domain.case import load_case

ROOT = Path(__file__).resolve().parent.parent
CASE_DIR = ROOT / "examples" / "cases"
CASES = sorted(p for p in CASE_DIR.glob("*.json") if not p.name.endswith(".expected.json"))
KINDS = ("incorporation", "ownership", "proof_of_address")  # what the documents checks read
AS_OF = dt.date(2026, 12, 1)  # the examples are judged as of late 2026 (bills: 2026-11-10)
REGENERATE = "run: python examples/cases/documents/generate.py"

DOCUMENTS = [
    (case_path, document.type.value, Path(document.path))
    for case_path in CASES
    for document in load_case(case_path).documents
    if document.path and document.type.value in KINDS
]


def test_examples_name_documents_of_every_kind() -> None:
    assert {kind for _, kind, _ in DOCUMENTS} == set(KINDS)


@pytest.mark.parametrize(
    ("case_path", "kind", "path"),
    DOCUMENTS,
    ids=[f"{c.stem}/{p.name}" for c, _, p in DOCUMENTS],
)
def test_document_exists_and_verifies_against_its_case(
    case_path: Path, kind: DocumentKind, path: Path
) -> None:
    assert path.is_file(), f"{path} is missing; {REGENERATE}"
    text = read_document_inprocess(path.read_bytes(), name=path.name, ocr=False)
    assert {page.source for page in text.pages} == {"text_layer"}
    extraction = extract_with_rules(text, kind)
    case = load_case(case_path).model_dump(mode="json")
    attested = attested_for(
        kind,
        case["subject"],
        case["associated_individuals"],
        case["associated_entities"],
        extraction,
    )
    result = verify(extraction, attested, as_of=AS_OF)
    problems = {
        c.field: (c.status, c.document_value, c.attested_value, c.detail)
        for c in result.checks
        if c.status in ("mismatch", "not_in_document")
    }
    assert result.verified, (problems, f"stale={result.stale}", REGENERATE)
    compared = {c.field: c.status for c in result.checks if c.attested_value is not None}
    assert compared, "nothing attested was compared"
    assert set(compared.values()) == {"match"}, compared


def test_every_pdf_in_the_documents_folder_is_named_by_a_case() -> None:
    named = {path.resolve() for _, _, path in DOCUMENTS}
    stray = [p.name for p in (CASE_DIR / "documents").glob("*.pdf") if p.resolve() not in named]
    assert not stray, f"PDFs no case names: {stray}"
