"""The CSV column mapping: the docs table is the code's, and a case survives the round trip."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from caseworker.domain.case import load_case
from caseworker.intake import ParsedRow, RowError, parse_batch
from caseworker.intake.csv_columns import (
    CASE_COLUMNS,
    INDIVIDUAL_COLUMNS,
    MAX_INDIVIDUALS,
    case_from_cells,
    check_header,
    individual_header,
    markdown_table,
)

ROOT = Path(__file__).resolve().parents[2]


def test_docs_table_is_the_code_table() -> None:
    doc = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    start, end = "<!-- columns:start -->\n", "<!-- columns:end -->"
    table = doc[doc.index(start) + len(start):doc.index(end)]
    assert table == markdown_table(), (
        "docs/batch.md's column table differs from caseworker.intake.csv_columns: paste in "
        "the output of `python -c 'from caseworker.intake.csv_columns import markdown_table; "
        "print(markdown_table(), end=\"\")'`"
    )


def test_every_documented_column_is_accepted() -> None:
    header = [c.name for c in CASE_COLUMNS]
    header += [individual_header(n, c) for n in range(1, MAX_INDIVIDUALS + 1)
               for c in INDIVIDUAL_COLUMNS]
    check_header([*header, "metadata_anything"])


def test_example_case_round_trips_through_csv() -> None:
    original = load_case(ROOT / "examples" / "cases" / "uk-saas-clean.json")
    row = {
        "case_id": "uk-saas-clean",
        "subject_type": "business",
        "legal_name": "Lumen Ledger Ltd",
        "trading_name": "Lumen Ledger",
        "registration_number": "11223344",
        "tax_id": "GB123456789",
        "jurisdiction": "GB",
        "incorporation_date": "2018-03-14",
        "legal_form": "private limited company",
        "address_line1": "20 Finsbury Square",
        "address_city": "London",
        "address_postal_code": "EC2A 1DX",
        "address_country": "GB",
        "countries_of_operation": "GB;IE",
        "website": "https://lumenledger.co.uk",
        "description": "Accounting and invoicing software sold as a monthly subscription "
                       "to small businesses.",
        "industry": "Software as a service",
        "mcc": "5734",
        "email": "finance@lumenledger.co.uk",
        "phone": "+44 20 7946 0000",
        "individual_1_name": "Priya Raman",
        "individual_1_roles": "director;beneficial_owner",
        "individual_1_dob": "1984-06-02",
        "individual_1_nationalities": "GB",
        "individual_1_residence": "GB",
        "individual_1_ownership": "60",
        "individual_2_name": "Tom Gallagher",
        "individual_2_roles": "director; beneficial_owner",
        "individual_2_dob": "1981-11-19",
        "individual_2_nationalities": "IE",
        "individual_2_residence": "GB",
        "individual_2_ownership": "40",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)

    [entry] = parse_batch(out.getvalue().encode(), format="csv", max_rows=1).rows

    assert isinstance(entry, ParsedRow), entry
    # documents have no CSV columns; everything else is mapped
    assert entry.case == original.model_copy(update={"documents": []})


def test_person_subject_and_partial_dates() -> None:
    case = case_from_cells({
        "case_id": "p-1", "legal_name": "Ann Smith", "subject_type": "person",
        "date_of_birth": "1974", "nationalities": "GB;IE",
    })
    assert not isinstance(case, list)
    assert str(case.subject.date_of_birth) == "1974"
    assert case.subject.nationalities == ["GB", "IE"]


def test_problem_outside_any_column_keeps_its_path() -> None:
    problems = case_from_cells({"case_id": "x" * 201, "legal_name": "Alpha"})
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["case_id"]
    assert "at most 200 characters" in problems[0].message


def test_later_individual_is_named_by_its_own_columns() -> None:
    # individual_3 is the first filled in, so it is associated_individuals.0
    text = ("case_id,legal_name,individual_3_name,individual_3_roles,individual_3_residence\n"
            "a,Alpha,Cy,director,gb\n")
    [entry] = parse_batch(text.encode(), format="csv", max_rows=1).rows
    assert isinstance(entry, RowError)
    assert [p.field for p in entry.errors] == ["individual_3_residence"]
    assert "'gb'" in entry.errors[0].message
