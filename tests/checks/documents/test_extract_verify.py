"""Rules extraction and verification on generated documents with known ground truth."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from caseworker.checks.documents.extract_rules import extract_with_rules
from caseworker.checks.documents.intake import read_document_inprocess
from caseworker.checks.documents.schemas import Extraction
from caseworker.checks.documents.verify import cross_check, verify


def _norm(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return sorted(
            (
                _norm(o["name"] if isinstance(o, dict) else o.name),
                float((o["percentage"] if isinstance(o, dict) else o.percentage) or 0),
            )
            for o in value
        )
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    return " ".join(re.sub(r"\W+", " ", str(value).casefold().replace("&", " and ")).split())


def _extract(entry: dict[str, Any]) -> Extraction:
    doc = read_document_inprocess(entry["path"].read_bytes(), name=entry["file"])
    return extract_with_rules(doc, entry["type"])


def test_every_layout_extracts_its_truth(text_pdfs: list[dict[str, Any]]) -> None:
    wrong = []
    for entry in text_pdfs:
        extraction = _extract(entry)
        for name, found in extraction.fields.items():
            if _norm(found.value) != _norm(entry["truth"][name]):
                wrong.append(f"{entry['file']} {name}: {found.value!r} != {entry['truth'][name]!r}")
            else:
                assert found.page == 1 and found.source_text and found.confidence > 0.5
                assert found.bbox is not None
    assert not wrong, "\n".join(wrong)


def test_fields_carry_provenance(text_pdfs: list[dict[str, Any]]) -> None:
    entry = next(
        e for e in text_pdfs if e["layout"] == "uk_certificate" and e["variant"] == "clean"
    )
    number = _extract(entry).fields["company_number"]
    assert number.source_text is not None and number.value in number.source_text
    x0, y0, x1, y1 = number.bbox or (0, 0, 0, 0)
    assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


def test_verification_finds_planted_mismatches_only(text_pdfs: list[dict[str, Any]]) -> None:
    as_of = dt.date.fromisoformat(text_pdfs[0]["as_of"])
    for entry in text_pdfs:
        result = verify(_extract(entry), entry["attested"], as_of=as_of)
        if entry["variant"] == "clean":
            assert result.verified, (entry["file"], result.mismatches, result.missing)
        elif entry["variant"] == "stale":
            assert result.stale and not result.verified and result.age_days
        else:
            planted = entry["planted_mismatch"]
            assert any(m.startswith(planted) for m in result.mismatches), (
                entry["file"],
                planted,
                result.mismatches,
            )


def test_verification_reports_each_field(text_pdfs: list[dict[str, Any]]) -> None:
    entry = next(
        e for e in text_pdfs if e["layout"] == "uk_certificate" and e["variant"] == "mismatch"
    )
    result = verify(_extract(entry), entry["attested"])
    statuses = {c.field: c.status for c in result.checks}
    assert statuses["issuing_authority"] == "not_compared"
    bad = next(c for c in result.checks if c.status == "mismatch")
    assert bad.document_value is not None and bad.attested_value is not None and bad.detail


def test_missing_document_value_is_reported(text_pdfs: list[dict[str, Any]]) -> None:
    entry = next(
        e for e in text_pdfs if e["layout"] == "uk_certificate" and e["variant"] == "clean"
    )
    extraction = _extract(entry)
    extraction.fields["company_number"].value = None
    result = verify(extraction, entry["attested"])
    assert result.missing == ["company_number"] and not result.verified


def test_cross_check_flags_documents_that_disagree(text_pdfs: list[dict[str, Any]]) -> None:
    uk = [e for e in text_pdfs if e["layout"] == "uk_certificate"]
    extractions = [_extract(e) for e in uk]
    inconsistent = cross_check(extractions)
    assert {i.fact for i in inconsistent} & {"name", "address"}
    assert not cross_check([extractions[0], extractions[0]])
