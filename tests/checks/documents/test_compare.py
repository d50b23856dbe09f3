from __future__ import annotations

import datetime as dt

import pytest

from caseworker.checks.documents.compare import (
    address_parts,
    compare_addresses,
    compare_company_names,
    compare_dates,
    compare_jurisdictions,
    compare_numbers,
    compare_percentages,
    compare_person_names,
)


@pytest.mark.parametrize(
    ("document", "attested", "same"),
    [
        ("ACME WIDGETS LIMITED", "Acme Widgets Ltd.", True),
        ("CLARKE & WILSON, INC.", "Clarke and Wilson Inc", True),
        ("SILVERLINE LOGISTICS PTE. LTD.", "Silverline Logistics PTE LTD", True),
        ("HARBOUR DIGITAL LIMITED", "HARB0UR DIGITAL LIMITED", True),  # an OCR slip
        ("ACME WIDGETS LIMITED", "Acme Gadgets Ltd", False),
        ("ACME WIDGETS LIMITED", "Acme Widgets Inc.", False),  # another legal form
        ("ACME WIDGETS LIMITED", "Acme Widgets Holdings Ltd", False),
        ("Cobalt Design DAC", "COBALT DESIGN DESIGNATED ACTIVITY COMPANY", True),  # spelled out
        ("Cobalt Design DAC", "Cobalt Design Ltd", False),
        ("MARLOW HOLDINGS LLC", "Marlow Holdings L.L.C.", True),
    ],
)
def test_company_names(document: str, attested: str, same: bool) -> None:
    assert compare_company_names(document, attested).same is same


def test_person_names_any_order_and_titles() -> None:
    assert compare_person_names("Mr. Carlos Martin", "MARTIN, Carlos").same
    assert not compare_person_names("Carlos Martin", "Carla Martinez").same


@pytest.mark.parametrize(
    ("document", "attested", "same"),
    [
        ("02745182", "2745182", True),
        ("SC123456", "sc 123456", True),
        ("HRB 12345", "12345", True),
        ("02745182", "02745183", False),
        ("SC123456", "NI123456", False),
    ],
)
def test_numbers(document: str, attested: str, same: bool) -> None:
    assert compare_numbers(document, attested).same is same


@pytest.mark.parametrize(
    ("document", "attested", "same"),
    [
        ("173 Cavendish Court, Cambridge, CB1 1GP", "173 Cavendish Ct, Cambridge, cb1 1gp", True),
        (
            "71 Baggot Street Lower, Limerick, V94 NAX2",
            "71 Baggot St Lwr, Limerick, v94 nax2, Ireland",
            True,
        ),
        ("Kirchweg 65, 70608 Stuttgart", "Kirchweg 65, 70608 Stuttgart, Germany", True),
        ("16192 Coastal Highway, Lewes, DE 19958", "16192 Coastal Hwy, Lewes, DE 19958, USA", True),
        (
            "173 Cavendish Court, Cambridge, CB1 1GP",
            "173 Cavendish Court, Cambridge, CB1 1GQ",
            False,
        ),
        (
            "173 Cavendish Court, Cambridge, CB1 1GP",
            "175 Cavendish Court, Cambridge, CB1 1GP",
            False,
        ),
        ("173 Cavendish Court, Cambridge, CB1 1GP", "173 Victoria Road, Cambridge, CB1 1GP", False),
    ],
)
def test_addresses(document: str, attested: str, same: bool) -> None:
    assert compare_addresses(document, attested).same is same, (
        address_parts(document),
        address_parts(attested),
    )


def test_dates_jurisdictions_percentages() -> None:
    assert compare_dates(dt.date(2021, 3, 3), dt.date(2021, 3, 3)).same
    assert "2 days" in compare_dates(dt.date(2021, 3, 5), dt.date(2021, 3, 3)).detail
    assert compare_jurisdictions("GB", "United Kingdom").same
    assert compare_jurisdictions("US-DE", "US").same
    assert not compare_jurisdictions("US-DE", "US-NV").same
    assert not compare_jurisdictions("IE", "GB").same
    assert compare_percentages(25.0, 25).same
    assert not compare_percentages(25.0, 26.0).same
