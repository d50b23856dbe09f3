"""Tests for the `profile.business` tool."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from caseworker.checks.profile.business import (
    BusinessProfileOutput,
    business_profile,
    names_differ,
)
from caseworker.exceptions import ToolInputInvalid
from caseworker.tools.base import ToolContext

AS_OF = "2025-06-30"


def subject(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "business",
        "legal_name": "Acme Widgets Ltd",
        "trading_name": "Acme",
        "registration_number": "01234567",
        "jurisdiction": "GB",
        "incorporation_date": "2015-03-01",
        "addresses": [
            {"type": "registered", "line1": "1 High St", "city": "London", "country": "GB"}
        ],
        "website": "https://acme-widgets.co.uk",
        "description": "Manufacturer of industrial widgets",
        "contact": {"email": "info@acme-widgets.co.uk"},
        "countries": ["GB"],  # derived key from the case memory view
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


DIRECTOR: dict[str, Any] = {
    "full_name": "Jane Smith",
    "roles": ["director", "beneficial_owner"],
    "ownership_percentage": 60,
    "nationalities": ["GB"],
}


def run(
    subj: dict[str, Any] | None = None,
    individuals: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> BusinessProfileOutput:
    args: dict[str, Any] = {
        "subject": subject() if subj is None else subj,
        "individuals": [DIRECTOR] if individuals is None else individuals,
        "entities": entities or [],
        "as_of": AS_OF,
        **extra,
    }
    out = asyncio.run(business_profile.invoke(args, ToolContext()))
    assert isinstance(out, BusinessProfileOutput)
    return out


def test_spec() -> None:
    assert business_profile.name == "profile.business"
    assert business_profile.description.startswith("Check a business's self-attested profile")


def test_clean_profile() -> None:
    out = run()
    assert out.complete and out.consistent
    assert out.issues == [] and out.issue_codes == [] and out.missing == []
    assert out.high_issues == out.warnings == 0
    assert out.age_days == (dt.date(2025, 6, 30) - dt.date(2015, 3, 1)).days
    assert not out.newly_incorporated
    assert out.owners_total_pct == 60
    assert out.evidence() == []


def test_missing_fields() -> None:
    subj = subject(
        registration_number=None,
        jurisdiction=None,
        incorporation_date=None,
        addresses=None,
        description=None,
        website=None,
    )
    out = run(subj)
    assert not out.complete
    assert out.missing == [
        "registration_number",
        "jurisdiction",
        "incorporation_date",
        "registered_address",
        "description_or_industry",
    ]
    assert out.issue_codes == ["missing"]
    assert out.consistent  # missing data is a warning, not an inconsistency
    assert out.age_days is None


def test_industry_is_enough_and_operating_address_is_not() -> None:
    subj = subject(
        description=None,
        industry="Manufacturing",
        addresses=[{"type": "operating", "line1": "2 Low St", "city": "Leeds", "country": "GB"}],
    )
    out = run(subj)
    assert out.missing == ["registered_address"]
    assert "none is the registered address" in out.issues[0].message


def test_incorporation_in_future() -> None:
    out = run(subject(incorporation_date="2025-07-10"))
    assert out.issue_codes == ["incorporation_in_future"]
    assert not out.consistent and out.high_issues == 1
    assert out.age_days == -10 and not out.newly_incorporated


def test_newly_incorporated() -> None:
    out = run(subject(incorporation_date="2025-03-01"))
    assert out.newly_incorporated and out.age_days == 121
    assert out.issue_codes == ["newly_incorporated"] and out.warnings == 1
    assert run(subject(incorporation_date="2025-01-01")).newly_incorporated is False


def test_as_of_defaults_to_today() -> None:
    today = dt.date.today()
    out = asyncio.run(
        business_profile.invoke(
            {"subject": subject(incorporation_date=today.isoformat()), "individuals": [DIRECTOR]},
            ToolContext(),
        )
    )
    assert isinstance(out, BusinessProfileOutput)
    assert out.age_days == 0 and out.newly_incorporated


@pytest.mark.parametrize(
    ("jurisdiction", "number", "ok"),
    [
        ("GB", "01234567", True),
        ("GB", "SC123456", True),
        ("GB", "oc301234", True),
        ("GB", "1234567", False),
        ("GB", "S1234567", False),
        ("IE", "123456", True),
        ("IE", "IE123456", False),
        ("DE", "HRB 12345 B", True),
        ("DE", "HRA 987", True),
        ("DE", "12345", False),
        ("FR", "552 100 554", True),
        ("FR", "55210055", False),
        ("NL", "12345678", True),
        ("NL", "1234567", False),
        ("US", "anything-goes 42", True),
        ("JP", "???", True),
        # Subdivisions with registers of their own.
        ("US-DE", "1234567", True),
        ("US-DE", "123456", False),
        ("US-DE", "12345678", False),
        ("US-DE", "SC123456", False),
        ("US-CA", "C1234567", True),  # no California format: not checked
        ("GB-SCT", "SC123456", True),
        ("GB-SCT", "so301234", True),
        ("GB-SCT", "01234567", False),
        ("GB-SCT", "NI123456", False),
        ("GB-NIR", "NI123456", True),
        ("GB-NIR", "R0000123", True),
        ("GB-NIR", "SC123456", False),
        ("GB-ENG", "01234567", True),
        ("GB-ENG", "OC301234", True),
        ("GB-WLS", "LP012345", True),
        ("GB-ENG", "SC123456", False),
        ("GB-WLS", "NI123456", False),
        ("CA-QC", "1143512345", True),
        ("CA-QC", "114351234", False),
        ("CA-ON", "1234567", True),  # no Ontario format: not checked
        # A subdivision without a register of its own uses its country's format.
        ("DE-BY", "HRB 12345", True),
        ("DE-BY", "12345", False),
        ("FR-75C", "552 100 554", True),
        ("BE", "0123.456.789", True),
        ("BE", "BE 0480291312", True),
        ("BE", "0120", False),
        ("BE", "2123456789", False),
    ],
)
def test_registration_number_format(jurisdiction: str, number: str, ok: bool) -> None:
    address = {"type": "registered", "line1": "1 St", "city": "X",
               "country": jurisdiction[:2]}
    out = run(subject(jurisdiction=jurisdiction, registration_number=number, addresses=[address]))
    assert ("registration_number_format" not in out.issue_codes) is ok


def test_jurisdiction_not_in_addresses() -> None:
    out = run(subject(jurisdiction="IE", registration_number="123456"))
    assert out.issue_codes == ["jurisdiction_not_in_addresses"]
    assert "IE" in out.issues[0].message


def test_subdivision_jurisdiction_is_compared_by_its_country() -> None:
    assert run(subject(jurisdiction="GB-SCT", registration_number="SC123456")).issues == []
    out = run(subject(jurisdiction="US-DE", registration_number="1234567"))
    assert out.issue_codes == ["jurisdiction_not_in_addresses"]
    assert "jurisdiction US-DE (US) is not the country of any address (GB)" in (
        out.issues[0].message)


def test_registration_format_message_names_the_subdivision() -> None:
    address = {"type": "registered", "line1": "1 Rodney Sq", "city": "Wilmington",
               "country": "US"}
    out = run(subject(jurisdiction="US-DE", registration_number="12-345",
                      addresses=[address]))
    assert out.issue_codes == ["registration_number_format"]
    assert "US-DE format (Delaware Division of Corporations file number: 7 digits" in (
        out.issues[0].message)


@pytest.mark.parametrize(
    ("website", "code"),
    [
        ("ftp://acme.com", "website_invalid"),
        ("not a url", "website_invalid"),
        ("https://localhost", "website_invalid"),
        ("https://acme.wordpress.com/shop", "website_free_host"),
        ("http://www.facebook.com/acme", "website_free_host"),
        ("acme-widgets.co.uk", None),
        ("https://www.acme-widgets.co.uk/about?x=1", None),
    ],
)
def test_website(website: str, code: str | None) -> None:
    out = run(subject(website=website))
    assert out.issue_codes == ([code] if code else [])


def test_free_mail_contact_is_info() -> None:
    out = run(subject(contact={"email": "acme.widgets@Gmail.com"}))
    assert out.issue_codes == ["email_free_mail"]
    assert out.issues[0].severity == "info"
    assert out.warnings == 0 and out.consistent


def test_no_director() -> None:
    owner = {"full_name": "Jane Smith", "roles": ["shareholder"], "ownership_percentage": 100,
             "nationalities": ["GB"]}
    out = run(individuals=[owner])
    assert out.issue_codes == ["no_director"] and out.high_issues == 1
    corporate_director = {"legal_name": "Dir Co Ltd", "roles": ["Director"]}
    assert run(individuals=[owner], entities=[corporate_director]).issue_codes == []


def test_ownership_over_100() -> None:
    out = run(
        entities=[
            {"legal_name": "Parent Ltd", "roles": ["shareholder"], "ownership_percentage": 50.5}
        ]
    )
    assert out.owners_total_pct == 110.5
    assert "ownership_over_100" in out.issue_codes
    assert not out.consistent and out.high_issues == 1
    assert out.evidence()[0].source == "case:associated_individuals"


def test_no_beneficial_owner_or_controller() -> None:
    people: list[dict[str, Any]] = [
        {"full_name": "A", "roles": ["director"], "nationalities": ["GB"]},
        {"full_name": "B", "roles": ["shareholder"], "ownership_percentage": 20,
         "country_of_residence": "GB"},
    ]
    out = run(
        individuals=people,
        entities=[{"legal_name": "Holdco", "roles": ["shareholder"], "ownership_percentage": 80}],
    )
    assert out.issue_codes == ["no_beneficial_owner"]
    people.append({"full_name": "C", "roles": ["controller"], "nationalities": ["FR"]})
    assert run(individuals=people).issue_codes == []


def test_beneficial_owner_below_threshold() -> None:
    bob = {"full_name": "Bob Small", "roles": ["beneficial_owner"], "ownership_percentage": 10,
           "nationalities": ["GB"]}
    people: list[dict[str, Any]] = [DIRECTOR, bob]
    out = run(individuals=people)
    assert out.issue_codes == ["beneficial_owner_below_threshold"]
    assert out.issues[0].severity == "info"
    assert out.issues[0].field == "associated_individuals[1].ownership_percentage"
    assert "Bob Small" in out.evidence()[0].quote


def test_trading_name_differs() -> None:
    out = run(subject(trading_name="Blue Lagoon Spa"))
    assert out.issue_codes == ["trading_name_differs"]
    assert out.issues[0].severity == "info"
    assert not names_differ("Acme Widgets Ltd", "ACME")
    assert not names_differ("Acme Widgets Ltd", "acmewidgets")
    assert not names_differ("Société Générale SA", "Societe Generale")
    assert names_differ("Northwind Traders Limited", "Blue Lagoon Spa")


def test_person_subject_without_address() -> None:
    out = run({"type": "person", "legal_name": "Jane Smith"}, individuals=[])
    assert out.missing == ["address"]


def test_person_subject_skips_business_checks() -> None:
    person = {
        "type": "person",
        "legal_name": "Jane Smith",
        "addresses": [{"type": "residential", "line1": "1 Road", "city": "York", "country": "GB"}],
    }
    out = run(person, individuals=[])
    assert out.complete and out.issues == []


def test_several_findings_are_counted() -> None:
    subj = subject(
        incorporation_date="2030-01-01", registration_number="X", contact={"email": "a@yahoo.com"}
    )
    out = run(subj, individuals=[])
    assert out.issue_codes == [
        "incorporation_in_future",
        "registration_number_format",
        "email_free_mail",
        "no_director",
        "no_beneficial_owner",
    ]
    # the SOP's contradictions are high: a future date, a number the registry cannot have,
    # no director, no beneficial owner; a free-mail address is only information
    assert (out.high_issues, out.warnings) == (4, 0)
    assert len(out.evidence()) == 5


@pytest.mark.parametrize(
    "args",
    [
        {"subject": {"legal_name": ""}},
        {"subject": {"legal_name": "X", "jurisdiction": "gbr"}},
        {"subject": {"legal_name": "X", "jurisdiction": "US-XX"}},
        {"subject": {"legal_name": "X"}, "entities": [{"legal_name": "E", "roles": ["parent"],
                                                       "jurisdiction": "ZZ"}]},
        {"subject": {"legal_name": "X", "addresses": [{"line1": "1", "city": "Y"}]}},
        {"subject": {"legal_name": "X"}, "individuals": [{"full_name": "A", "roles": []}]},
        {"subject": {"legal_name": "X"}, "entities": [{"legal_name": "E"}]},
        {"subject": {"legal_name": "X"}, "as_of": "yesterday"},
        {"subject": "X"},
        {},
    ],
)
def test_bad_arguments(args: dict[str, Any]) -> None:
    with pytest.raises(ToolInputInvalid):
        asyncio.run(business_profile.invoke(args, ToolContext()))


def test_validation_error_names_the_field() -> None:
    with pytest.raises(ToolInputInvalid) as info:
        run({"legal_name": "X", "incorporation_date": "31/02/2020"})
    assert "subject is not valid: field 'incorporation_date'" in info.value.message


def test_unknown_subject_keys_are_dropped() -> None:
    assert run(subject(countries=["GB", "FR"], risk_score=3)).issues == []


def test_individual_without_any_country_is_a_warning() -> None:
    stateless = {"full_name": "Ann Nowhere", "roles": ["director"], "ownership_percentage": 30}
    out = run(individuals=[DIRECTOR, stateless])
    assert out.issue_codes == ["individual_country_missing"]
    assert out.issues[0].field == "associated_individuals[1]"
    assert out.warnings == 1 and out.consistent
    resident = {**stateless, "country_of_residence": "GB"}
    assert run(individuals=[DIRECTOR, resident]).issue_codes == []
