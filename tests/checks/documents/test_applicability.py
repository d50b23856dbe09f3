"""Fields a kind of document never shows are not applicable, not missing (applicability.py)."""

from __future__ import annotations

from typing import Any

import pytest

from caseworker.checks.documents.applicability import PROFILES, identify
from caseworker.checks.documents.compare import compare_jurisdictions
from caseworker.checks.documents.extract_rules import extract_with_rules
from caseworker.checks.documents.schemas import DocumentKind, Extraction, field_names
from caseworker.checks.documents.text import DocumentText, Line, Page
from caseworker.checks.documents.tools import VerifyInput, verify_documents
from caseworker.checks.documents.verify import verify
from caseworker.tools.base import ToolContext

UK_CERTIFICATE = [
    "CERTIFICATE OF INCORPORATION",
    "OF A PRIVATE LIMITED COMPANY",
    "Company Number 12345678",
    "The Registrar of Companies for England and Wales, hereby certifies that",
    "ACME WIDGETS LIMITED",
    "is this day incorporated under the Companies Act 2006 as a private company, that the",
    "company is limited by shares, and the situation of its registered office is in",
    "England and Wales.",
    "Given at Companies House, Cardiff, on 9th August 2017",
]
IE_EXTRACT = [
    "Companies Registration Office",
    "Company Printout",
    "Company name: Cobalt Design DAC",
    "Company number: 612345",
    "Date of incorporation: 09/08/2017",
]
ATTESTED_UK = {
    "registered_name": "Acme Widgets Ltd",
    "company_number": "12345678",
    "incorporation_date": "2017-08-09",
    "jurisdiction": "GB",
    "registered_office": "12 High St, London, EC1V 4AB",
}


def document(lines: list[str]) -> DocumentText:
    """A one-page text-layer document with `lines` stacked top to bottom."""
    step = min(0.9 / max(len(lines), 1), 0.02)  # line spacing: 1.3 text heights
    return DocumentText(
        sha256="0" * 64,
        media_type="application/pdf",
        size_bytes=1,
        pages=[
            Page(
                number=1,
                width=595,
                height=842,
                source="text_layer",
                lines=[
                    Line(
                        text=t,
                        bbox=(0.1, 0.05 + i * step, 0.9, 0.05 + i * step + 0.015),
                        confidence=1.0,
                    )
                    for i, t in enumerate(lines)
                ],
            )
        ],
    )


def test_uk_certificate_without_the_office_verifies() -> None:
    extraction = extract_with_rules(document(UK_CERTIFICATE), "incorporation")
    assert extraction.profile == "gb_companies_house_certificate"
    assert extraction.fields["registered_office"].value is None
    result = verify(extraction, ATTESTED_UK)
    assert result.missing == []
    assert result.not_applicable == ["registered_office"]
    assert result.verified, result.checks
    status = {c.field: c.status for c in result.checks}
    assert status["registered_office"] == "not_applicable"
    assert status["company_number"] == status["registered_name"] == "match"


def test_a_field_the_certificate_shows_but_this_one_lacks_is_missing() -> None:
    lines = [t for t in UK_CERTIFICATE if not t.startswith("Company Number")]
    result = verify(extract_with_rules(document(lines), "incorporation"), ATTESTED_UK)
    assert result.missing == ["company_number"]
    assert not result.verified


def test_a_registry_extract_without_the_office_is_missing_it() -> None:
    extraction = extract_with_rules(document(IE_EXTRACT), "incorporation")
    assert extraction.profile == "ie_cro_extract"
    attested = {**ATTESTED_UK, "registered_name": "Cobalt Design DAC", "jurisdiction": "IE"}
    attested["company_number"] = "612345"
    result = verify(extraction, attested)
    assert result.missing == ["registered_office"] and result.not_applicable == []
    assert not result.verified


def test_an_office_the_certificate_does_show_is_compared() -> None:
    lines = [*UK_CERTIFICATE, "Registered office address:", "99 Other Road", "Leeds", "LS1 1AA"]
    result = verify(extract_with_rules(document(lines), "incorporation"), ATTESTED_UK)
    assert "registered_office" in result.mismatches and not result.verified


def test_profile_is_recognised_from_fields_without_the_text() -> None:
    extraction = extract_with_rules(document(UK_CERTIFICATE), "incorporation")
    bare = Extraction.model_validate({**extraction.model_dump(), "profile": None})
    assert verify(bare, ATTESTED_UK).profile == "gb_companies_house_certificate"
    assert verify(bare, ATTESTED_UK).verified


def test_unrecognised_documents_expect_every_field() -> None:
    lines = ["Company name: Acme Widgets Limited", "Company number: 12345678"]
    extraction = extract_with_rules(document(lines), "incorporation")
    assert extraction.profile is None
    result = verify(extraction, ATTESTED_UK)
    assert set(result.missing) == {"incorporation_date", "jurisdiction", "registered_office"}


def test_psc_register_lists_only_owners_above_a_quarter() -> None:
    lines = [
        "Register of people with significant control",
        "1. JANE DOE",
        "Percentage of shares held: 60%",
    ]
    extraction = extract_with_rules(document(lines), "ownership")
    assert extraction.profile == "psc_register"
    owners = [
        {"name": "Jane Doe", "percentage": 60},
        {"name": "Sam Small", "percentage": 10},
        {"name": "Big Missing", "percentage": 30},
    ]
    result = verify(extraction, {"owners": owners})
    status = {c.field: c.status for c in result.checks}
    assert status == {
        "owners[Jane Doe]": "match",
        "owners[Sam Small]": "not_applicable",
        "owners[Big Missing]": "mismatch",
    }


def test_verify_tool_counts_not_applicable_apart_from_missing() -> None:
    extraction = extract_with_rules(document(UK_CERTIFICATE), "incorporation")
    subject: dict[str, Any] = {
        "legal_name": "Acme Widgets Ltd",
        "registration_number": "12345678",
        "incorporation_date": "2017-08-09",
        "jurisdiction": "GB",
        "addresses": [
            {
                "type": "registered",
                "line1": "12 High St",
                "city": "London",
                "postal_code": "EC1V 4AB",
                "country": "GB",
            }
        ],
    }
    raw = [{"document": "cert.pdf", "extraction": extraction.model_dump(mode="json")}]
    out = verify_documents.function(
        VerifyInput(extractions=raw, subject=subject), ToolContext(job_id="j", check_id="c")
    )
    assert (out.missing, out.not_applicable, out.verified, out.mismatches) == (0, 1, 1, 0)
    assert any("not_applicable" in e.quote for e in out.evidence())


@pytest.mark.parametrize(
    ("document", "attested", "same"),
    [
        ("US-DE", "US-DE", True),
        ("State of Delaware", "US-DE", True),
        ("US-CA", "US-DE", False),
        ("State of California", "US-DE", False),
        ("US-DE", "US", True),  # country level
        ("Delaware", "US", True),
        ("GB", "GB", True),
        ("England and Wales", "GB", True),
        ("Scotland", "GB-SCT", True),
        ("Scotland", "GB-NIR", False),
        ("GB", "GB-SCT", True),
        ("UK", "GB", True),
        ("IE", "GB", False),
    ],
)
def test_jurisdictions_in_alpha2_and_iso_3166_2(document: str, attested: str, same: bool) -> None:
    assert compare_jurisdictions(document, attested).same is same


def test_california_certificate_reads_as_us_ca_and_mismatches_delaware() -> None:
    lines = [
        "I, SHIRLEY WEBER, Secretary of State of the State of California, hereby certify",
        "that ACME WIDGETS, INC. was incorporated on August 9, 2017.",
    ]
    extraction = extract_with_rules(document(lines), "incorporation")
    assert extraction.fields["jurisdiction"].value == "US-CA"
    result = verify(
        extraction,
        {
            **ATTESTED_UK,
            "registered_name": "Acme Widgets Inc",
            "jurisdiction": "US-DE",
            "company_number": None,
        },
    )
    assert result.mismatches == ["jurisdiction"]


def test_every_profile_names_fields_of_its_type() -> None:
    kinds: set[DocumentKind] = {p.kind for p in PROFILES}
    assert kinds == {"incorporation", "proof_of_address", "ownership"}
    for p in PROFILES:
        assert p.not_shown <= set(field_names(p.kind)), p.key
    assert identify("proof_of_address", {}) is not None  # a letter shows all its fields
