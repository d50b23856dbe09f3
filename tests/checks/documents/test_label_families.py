"""Label families, tables read by header, holdings in sentences and letters' dates (rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from caseworker.checks.documents.extract_common import label_end
from caseworker.checks.documents.extract_letters import is_postcode_line
from caseworker.checks.documents.extract_rules import extract_with_rules
from caseworker.checks.documents.labels import field_of_label
from caseworker.checks.documents.schemas import Owner
from caseworker.checks.documents.text import DocumentText, Line, Page

Row = list[tuple[float, str]]  # (x of the cell's left edge, its text)


def grid(rows: list[Row], *, height: float = 0.014, step: float = 0.02) -> DocumentText:
    """A text-layer page with `rows` of cells, top to bottom."""
    lines = [
        Line(
            text=text,
            bbox=(
                x,
                0.05 + i * step,
                min(x + 0.012 * len(text) / 2, 0.99),
                0.05 + i * step + height,
            ),
            confidence=1.0,
        )
        for i, row in enumerate(rows)
        for x, text in row
    ]
    page = Page(number=1, width=595, height=842, source="text_layer", lines=lines)
    return DocumentText(sha256="0" * 64, media_type="application/pdf", size_bytes=1, pages=[page])


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Company Reg. No.", "company_number"),
        ("Unique Entity Number", "company_number"),
        ("Registration Code", "company_number"),
        ("State File No.", "company_number"),
        ("Delaware File #", "company_number"),
        ("Registration No. (UEN)", "company_number"),
        ("Name of Company", "registered_name"),
        ("Registered Company Name", "registered_name"),
        ("Company (Firma)", "registered_name"),
        ("Date Registered", "incorporation_date"),
        ("Date of Formation", "incorporation_date"),
        ("Registered On", "incorporation_date"),
        ("Address of Registered Office", "registered_office"),
        ("Registered Address (Office)", "registered_office"),
        ("Registered seat and business address", "registered_office"),
        ("Register court", "issuing_authority"),
    ],
)
def test_incorporation_labels_by_their_words(label: str, field: str) -> None:
    assert field_of_label("incorporation", label) == field


@pytest.mark.parametrize(
    "label",
    [
        "VAT number",
        "Date of extract",
        "Printed on",
        "Agent name",
        "The name of",
        "Companies Registration Office",
        "OFFICE ON THE NINTH DAY OF MAY",
        "is this day incorporated under the Companies Act",
    ],
)
def test_words_that_are_not_a_field_label(label: str) -> None:
    assert field_of_label("incorporation", label) is None


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Produced on", "issue_date"),
        ("Date of this letter", "issue_date"),
        ("Statement produced", "issue_date"),
        ("Due date", None),
        ("Payment date", None),
        ("Name on account", "name"),
        ("Account holder(s)", "name"),
        ("Customer number", None),
        ("Correspondence address", "address"),
    ],
)
def test_letter_labels(label: str, field: str | None) -> None:
    assert field_of_label("proof_of_address", label) == field


def test_label_and_value_in_one_line() -> None:
    text = "Company Registration Number HRB 149253"
    end = label_end("incorporation", "company_number", text)
    assert end is not None and text[end:].strip() == "HRB 149253"
    assert label_end("incorporation", "registered_office", "OFFICE ON THE 9th day of May") is None


def test_registry_grid_with_labels_above_values() -> None:
    doc = grid(
        [
            [(0.1, "Companies Registration Office")],
            [(0.1, "Office Address"), (0.5, "Entity Name")],
            [(0.1, "Unit 2, 116 Leeson Street Upper,"), (0.5, "Thompson & Wilson DAC")],
            [(0.1, "Galway, H91 D5RF, Ireland")],
            [],
            [(0.1, "Registered On"), (0.5, "Company Reg. No.")],
            [(0.1, "5 February 2020"), (0.5, "383312")],
            [],
            [(0.1, "Company status"), (0.5, "Type")],
        ]
    )
    fields = extract_with_rules(doc, "incorporation").fields
    assert fields["registered_name"].value == "Thompson & Wilson DAC"
    assert fields["company_number"].value == "383312"
    assert fields["incorporation_date"].value == dt.date(2020, 2, 5)
    assert (
        fields["registered_office"].value
        == "Unit 2, 116 Leeson Street Upper, Galway, H91 D5RF, Ireland"
    )


def test_members_table_by_header_without_roles_or_signs() -> None:
    doc = grid(
        [
            [(0.1, "Members' Register")],
            [(0.1, "% of issued"), (0.25, "Shares held"), (0.45, "Registered holder")],
            [(0.1, "60.00"), (0.25, "600"), (0.45, "Harbour Digital Holdings")],
            [(0.45, "Limited")],
            [(0.1, "40.00"), (0.25, "400"), (0.45, "JANE DOE")],
            [(0.1, "Total issued: 1,000 Ordinary shares")],
        ]
    )
    owners = extract_with_rules(doc, "ownership").fields["owners"].value
    assert [(o.name, o.percentage) for o in owners] == [
        ("Harbour Digital Holdings Limited", 60.0),
        ("JANE DOE", 40.0),
    ]


def test_holdings_stated_in_sentences() -> None:
    doc = grid(
        [
            [(0.1, "Statement of persons with significant control")],
            [(0.1, "Acme Widgets Limited - company number 01234567")],
            [(0.1, "1."), (0.14, "Manon Lefèvre has held 36.57% of the issued share")],
            [(0.14, "capital since 17 Jul 2016.")],
            [(0.1, "2."), (0.14, "GRACE WRIGHT holds, directly or indirectly, 35% of the")],
            [(0.14, "shares in the company.")],
        ]
    )
    owners: list[Owner] = extract_with_rules(doc, "ownership").fields["owners"].value
    assert [(o.name, o.percentage) for o in owners] == [
        ("Manon Lefèvre", 36.57),
        ("GRACE WRIGHT", 35.0),
    ]


def test_letter_date_alone_on_its_line_and_title_is_not_issuer() -> None:
    doc = grid(
        [
            [(0.1, "Account summary"), (0.6, "Wicklow Assurance")],
            [],
            [(0.1, "Our ref: ZG/884784"), (0.6, "Juniper Interiors Limited")],
            [(0.6, "2 Leeson Street Upper")],
            [(0.6, "Dublin 1")],
            [(0.6, "D01 FCAN")],
            [],
            [(0.1, "03/09/2026")],
            [(0.1, "Dear Customer,")],
        ]
    )
    fields = extract_with_rules(doc, "proof_of_address").fields
    assert fields["issue_date"].value == dt.date(2026, 9, 3)
    assert fields["issue_date"].source_text == "03/09/2026"
    assert fields["issuer"].value == "Wicklow Assurance"
    assert fields["name"].value == "Juniper Interiors Limited"


@pytest.mark.parametrize(
    ("line", "ends_address"),
    [
        ("70608 Stuttgart", True),
        ("60514 Frankfurt am Main", True),  # a city of several words
        ("2511 PE Den Haag", True),  # a Dutch postcode's letters, then the city
        ("1050 Bruxelles", True),
        ("SW1A 1AA", True),
        ("D02 X285", True),
        ("1600 Amphitheatre Parkway", False),  # a house number and a street
        ("2200 Mission College Blvd", False),
        ("Keizersgracht 123", False),
        ("12 Baker Street", False),
    ],
)
def test_a_postcode_line_ends_the_recipient_block(line: str, ends_address: bool) -> None:
    assert is_postcode_line(line) is ends_address
