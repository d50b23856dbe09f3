"""Batch parsing: one entry per row in order, bad rows as row errors, bad files refused."""

from __future__ import annotations

import csv
import io
import json

import pytest

from caseworker.intake import (
    WHOLE_ROW,
    BatchInvalid,
    ParsedRow,
    RowError,
    batch_format,
    parse_batch,
)

HEADER = ["case_id", "legal_name", "jurisdiction", "incorporation_date", "mcc", "email",
          "countries_of_operation", "address_line1", "address_city", "address_country",
          "individual_1_name", "individual_1_roles", "individual_1_dob",
          "individual_1_ownership", "metadata_crm_id"]


def good_row(i: int) -> dict[str, str]:
    return {
        "case_id": f"case-{i:03d}", "legal_name": f"Company {i} Ltd", "jurisdiction": "GB",
        "incorporation_date": "2015-06-01", "mcc": "5734", "email": f"ops{i}@example.com",
        "countries_of_operation": "GB;IE", "address_line1": f"{i} High Street",
        "address_city": "London", "address_country": "GB", "individual_1_name": f"Owner {i}",
        "individual_1_roles": "director;beneficial_owner", "individual_1_dob": "1974-05",
        "individual_1_ownership": "60", "metadata_crm_id": f"crm-{i}",
    }


def to_csv(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


# 0-based index of the row → (the bad cell, the column its error names)
MALFORMED = {
    7: ({"individual_1_dob": "1974-01-32"}, "individual_1_dob"),
    21: ({"address_country": "United Kingdom"}, "address_country"),
    38: ({"legal_name": ""}, "legal_name"),
    52: ({"mcc": "57a4"}, "mcc"),
    70: ({"case_id": "case-010"}, "case_id"),
    99: ({"individual_1_ownership": "150"}, "individual_1_ownership"),
    120: ({"jurisdiction": "ZZ"}, "jurisdiction"),
    151: ({"incorporation_date": "2021-02-30"}, "incorporation_date"),
    177: ({"individual_1_roles": "director;ceo"}, "individual_1_roles"),
    199: ({"countries_of_operation": "GB;Germany"}, "countries_of_operation"),
}


def test_csv_bad_rows_become_row_errors_in_order() -> None:
    rows = [good_row(i) for i in range(200)]
    for index, (cells, _) in MALFORMED.items():
        rows[index].update(cells)

    batch = parse_batch(to_csv(rows), format="csv", max_rows=200)

    assert [r.row for r in batch.rows] == list(range(1, 201))
    assert [r.line for r in batch.rows] == list(range(2, 202))
    assert len(batch.parsed) == 190
    assert len(batch.row_errors) == 10
    for index, entry in enumerate(batch.rows):
        if index in MALFORMED:
            assert isinstance(entry, RowError), index
            assert [p.field for p in entry.errors] == [MALFORMED[index][1]]
            assert entry.case_id == rows[index]["case_id"]
        else:
            assert isinstance(entry, ParsedRow), (index, entry)
            assert entry.case.id == rows[index]["case_id"]


def test_csv_error_messages_name_the_problem() -> None:
    rows = [good_row(i) for i in range(200)]
    for index, (cells, _) in MALFORMED.items():
        rows[index].update(cells)
    errors = {e.row - 1: e.errors[0].message
              for e in parse_batch(to_csv(rows), format="csv", max_rows=200).row_errors}
    assert "day 32 is not 1-31" in errors[7]
    assert "'United Kingdom'" in errors[21] and "ISO 3166-1" in errors[21]
    assert errors[38] == "required, and the cell is blank"
    assert "'57a4'" in errors[52] and "four digits" in errors[52]
    assert errors[70] == "duplicate case id 'case-010': row 11 has it already"
    assert "less than or equal to 100" in errors[99]
    assert "'ZZ' is not a country" in errors[120]
    assert "'2021-02-30'" in errors[151]
    assert errors[177].startswith("item 2: 'ceo'")
    assert errors[199].startswith("item 2: 'Germany'")


def test_csv_row_reads_into_the_case() -> None:
    batch = parse_batch(to_csv([good_row(1)]), format="csv", max_rows=1)
    [entry] = batch.rows
    assert isinstance(entry, ParsedRow)
    case = entry.case
    assert case.subject.countries_of_operation == ["GB", "IE"]
    assert case.subject.addresses[0].city == "London"
    assert case.subject.contact is not None
    assert case.subject.contact.email == "ops1@example.com"
    [owner] = case.associated_individuals
    assert [str(r) for r in owner.roles] == ["director", "beneficial_owner"]
    assert str(owner.date_of_birth) == "1974-05"
    assert owner.ownership_percentage == 60
    assert case.metadata == {"crm_id": "crm-1"}


def test_csv_blank_cells_rows_and_groups() -> None:
    text = (
        "case_id,legal_name,address_city,individual_1_name,individual_2_name,individual_2_roles\n"
        "a,Alpha Ltd,,,Bea,director\n"
        ",,,,,\n"
        "\n"
        "b,Beta Ltd,Paris,,,officer\n"
    )
    batch = parse_batch(text.encode(), format="csv", max_rows=10)
    first, second = batch.rows
    assert isinstance(first, ParsedRow)
    assert first.case.subject.addresses == []  # every address cell blank: no address
    assert [p.full_name for p in first.case.associated_individuals] == ["Bea"]
    assert isinstance(second, RowError)
    assert (second.row, second.line) == (2, 5)  # the blank rows are skipped, not counted
    assert {(p.field, p.message) for p in second.errors} == {
        ("address_line1", "required when any address_* column is filled in"),
        ("address_country", "required when any address_* column is filled in"),
        ("individual_2_name", "required when any individual_2_* column is filled in"),
    }


def test_csv_quoting_bom_crlf_and_cell_counts() -> None:
    text = (
        "\ufeffcase_id,legal_name,description\r\n"
        'a,"Alpha, Ltd","two\r\nlines"\r\n'
        "b,Beta Ltd,x,surplus\r\n"
        "c,Gamma Ltd\r\n"  # a short row: the missing cells are blank
        "d,Delta Ltd,,,\r\n"  # blank surplus cells are harmless
    )
    batch = parse_batch(text.encode(), format="csv", max_rows=10)
    a, b, c, d = batch.rows
    assert isinstance(a, ParsedRow)
    assert a.case.subject.legal_name == "Alpha, Ltd"
    assert a.case.subject.description == "two\r\nlines"
    assert isinstance(b, RowError)
    assert b.line == 4
    assert b.errors[0].field == WHOLE_ROW
    assert "4 cells" in b.errors[0].message
    assert isinstance(c, ParsedRow)
    assert isinstance(d, ParsedRow)


def test_jsonl_lines() -> None:
    good = {"id": "j-1", "subject": {"legal_name": "Alpha Ltd", "jurisdiction": "us-de"}}
    not_a_case = {"id": "j-2", "subject": {"legal_name": "Beta"}, "associated_individuals": [
        {"full_name": "Bea", "roles": ["director"], "date_of_birth": "1974-01-32"}]}
    lines = [json.dumps(good), "", "{not json", json.dumps(not_a_case), "   ", "[1, 2]",
             json.dumps(good)]
    batch = parse_batch("\n".join(lines).encode(), format="jsonl", max_rows=5)

    assert [(r.row, r.line) for r in batch.rows] == [(1, 1), (2, 3), (3, 4), (4, 6), (5, 7)]
    first, bad_json, bad_case, array, duplicate = batch.rows
    assert isinstance(first, ParsedRow)
    assert first.case.subject.jurisdiction == "US-DE"
    assert isinstance(bad_json, RowError)
    assert bad_json.errors[0].field == WHOLE_ROW
    assert bad_json.errors[0].message.startswith("not JSON:")
    assert isinstance(bad_case, RowError)
    assert bad_case.case_id == "j-2"
    assert [p.field for p in bad_case.errors] == ["associated_individuals.0.date_of_birth"]
    assert isinstance(array, RowError)
    assert array.errors[0].message == "a JSON array, not a case object"
    assert isinstance(duplicate, RowError)
    assert [(p.field, p.message) for p in duplicate.errors] == [
        ("id", "duplicate case id 'j-1': row 1 has it already")]


def test_jsonl_line_nested_too_deeply_is_a_row_error() -> None:
    batch = parse_batch(b"[" * 100_000 + b"\n", format="jsonl", max_rows=1)
    [entry] = batch.rows
    assert isinstance(entry, RowError)
    assert "nested too deeply" in entry.errors[0].message


@pytest.mark.parametrize(
    ("data", "format", "match"),
    [
        (b"", "csv", "the file is empty"),
        (b"  \n\n", "jsonl", "the file is empty"),
        (b",,\n,,\n", "csv", "the file is empty"),
        (b"case_id,legal_name\n", "csv", "header but no rows"),
        (b"case_id,legal_name\na,Caf\xe9 Ltd\n", "csv", "not UTF-8 text: byte 0xe9 on line 2"),
        (b'\xef\xbb\xbf{"id": "\n\xff"}', "jsonl", "byte 0xff on line 2 is not UTF-8"),
        (b"legal_name,jurisdiction\nAlpha,GB\n", "csv", "required column 'case_id' is missing"),
        (b"case_id,legal_name,colour\na,Alpha,red\n", "csv", "unknown column 'colour'"),
        (b"case_id,legal_name,individual_10_name\na,A,B\n", "csv", "numbered 1-9"),
        (b"case_id,legal_name,individual_01_name\na,A,B\n", "csv", "numbered 1-9"),
        (b"case_id,legal_name,individual_1_age\na,A,40\n", "csv", "an individual's columns"),
        (b"case_id,legal_name,legal_name\na,A,B\n", "csv", "'legal_name' appears twice"),
        (b"case_id,legal_name,\na,A,\n", "csv", "column 3 has no name"),
        (b"case_id;legal_name\na;A\n", "csv", "separated by commas"),
        (b"case_id,legal_name\na,\x00\n", "csv", "line 2 holds a NUL character"),
        ("case_id,legal_name\na,b\n".encode("utf-16-le"), "csv", "is it UTF-16"),
        (b"case_id,legal_name\na," + b"x" * 140_000 + b"\n", "csv", "cannot be read at line 2"),
    ],
)
def test_whole_file_errors(data: bytes, format: str, match: str) -> None:
    with pytest.raises(BatchInvalid, match=match) as caught:
        parse_batch(data, format=format, max_rows=10)  # type: ignore[arg-type]
    assert caught.value.code == "batch_invalid"
    assert caught.value.status == 422


def test_too_many_rows() -> None:
    with pytest.raises(BatchInvalid, match="more than 199 rows"):
        parse_batch(to_csv([good_row(i) for i in range(200)]), format="csv", max_rows=199)
    lines = "\n".join(json.dumps({"id": str(i)}) for i in range(4))
    with pytest.raises(BatchInvalid, match="more than 3 rows"):
        parse_batch(lines.encode(), format="jsonl", max_rows=3)
    # blank rows do not count towards the limit
    assert len(parse_batch(lines.encode() + b"\n\n\n", format="jsonl", max_rows=4).rows) == 4


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        (None, "text/csv", "csv"),
        (None, "text/csv; charset=utf-8", "csv"),
        ("cases.jsonl", "application/x-ndjson", "jsonl"),
        ("cases.csv", "application/vnd.ms-excel", "csv"),  # browsers on Windows
        ("cases.CSV", None, "csv"),
        ("cases.ndjson", "application/octet-stream", "jsonl"),
        ("C:\\Users\\me\\cases.jsonl", "application/json", "jsonl"),
    ],
)
def test_batch_format(filename: str | None, content_type: str | None, expected: str) -> None:
    assert batch_format(filename, content_type) == expected


@pytest.mark.parametrize(
    ("filename", "content_type", "match"),
    [
        ("cases.csv", "application/pdf", "unsupported content type 'application/pdf'"),
        ("cases.xlsx", None, "cannot tell the format of 'cases.xlsx'"),
        ("cases.json", "application/json", "one case JSON per line"),
        (None, None, "no content type"),
    ],
)
def test_batch_format_refuses_unknown_types(
    filename: str | None, content_type: str | None, match: str
) -> None:
    with pytest.raises(BatchInvalid, match=match):
        batch_format(filename, content_type)
