"""Case validation: good cases load, bad ones name the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseworker.domain.case import load_case, parse_case
from caseworker.exceptions import CaseInvalid
from tests.fixtures.cases import acme

ROOT = Path(__file__).resolve().parents[2]


def test_valid_case_and_derived_countries() -> None:
    case = acme(countries_of_operation=["IE", "GB"])
    assert case.subject.countries == ["GB", "IE"]
    assert case.memory_view()["subject"]["countries"] == ["GB", "IE"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["subject"].update(favourite_colour="blue"),
         "unknown field 'subject.favourite_colour'"),
        (lambda d: d["subject"].update(jurisdiction="United Kingdom"), "subject.jurisdiction"),
        (lambda d: d["subject"].pop("legal_name"), "subject.legal_name"),
        (lambda d: d["subject"].update(incorporation_date="31/12/2015"),
         "subject.incorporation_date"),
        (lambda d: d.update(documents=[{"type": "incorporation"}]), "exactly one of 'path'"),
        (lambda d: d.update(associated_individuals=[{"full_name": "X", "roles": ["director"],
                                                     "ownership_percentage": 140}]),
         "associated_individuals.0.ownership_percentage"),
    ],
)
def test_invalid_case_names_the_field(mutate: object, expected: str) -> None:
    data = acme().model_dump(mode="json")
    mutate(data)  # type: ignore[operator]
    with pytest.raises(CaseInvalid) as caught:
        parse_case(data, source="case.json")
    assert expected in str(caught.value)


def test_malformed_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x", "subject": ')
    with pytest.raises(CaseInvalid, match=r"broken\.json is not valid JSON"):
        load_case(path)
    with pytest.raises(CaseInvalid, match="must be a JSON object"):
        parse_case(json.dumps([1, 2]))
    with pytest.raises(CaseInvalid, match="cannot read case file"):
        load_case(tmp_path / "missing.json")


def test_example_cases_are_valid() -> None:
    cases = sorted((ROOT / "examples" / "cases").glob("*.json"))
    cases = [c for c in cases if not c.name.endswith(".expected.json")]
    assert len(cases) >= 6
    for path in cases:
        assert load_case(path).id


def test_partial_dates_of_birth_are_accepted_and_normalised() -> None:
    data = acme(type="person", date_of_birth="1969-7").model_dump(mode="json")
    data["associated_individuals"] = [
        {"full_name": "A", "roles": ["director"], "date_of_birth": "1958"},
        {"full_name": "B", "roles": ["director"], "date_of_birth": "1974-3-9"},
    ]
    case = parse_case(data)
    view = case.memory_view()
    assert view["subject"]["date_of_birth"] == "1969-07"
    assert [p["date_of_birth"] for p in view["associated_individuals"]] == ["1958", "1974-03-09"]
    assert case.subject.date_of_birth is not None
    assert case.subject.date_of_birth.precision == "month"
    assert parse_case(case.model_dump_json()) == case


@pytest.mark.parametrize("bad", ["1974-01-32", "1974-13", "2999-01-01", "12/03/1974"])
def test_impossible_date_of_birth_names_field_and_value(bad: str) -> None:
    data = acme().model_dump(mode="json")
    data["associated_individuals"] = [
        {"full_name": "A", "roles": ["director"], "date_of_birth": "1958"},
        {"full_name": "B", "roles": ["director"], "date_of_birth": bad},
    ]
    with pytest.raises(CaseInvalid) as caught:
        parse_case(data, source="case.json")
    problems = [p.message for p in caught.value.problems]
    assert len(problems) == 1
    assert "associated_individuals.1.date_of_birth" in problems[0] and f"'{bad}'" in problems[0]


def test_subdivision_jurisdictions_and_their_countries() -> None:
    case = acme(jurisdiction="us-de", addresses=[
        {"line1": "1 Main St", "city": "Wilmington", "country": "US"}])
    assert case.subject.jurisdiction == "US-DE"
    assert case.subject.countries == ["US"]
    view = case.memory_view()
    assert view["subject"]["jurisdiction"] == "US-DE" and view["subject"]["countries"] == ["US"]
    data = case.model_dump(mode="json")
    data["associated_entities"] = [{"legal_name": "Parent Ltd", "roles": ["shareholder"],
                                    "jurisdiction": "GB-SCT"}]
    assert parse_case(data).associated_entities[0].jurisdiction == "GB-SCT"


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        ("subject", "US-ZZ", "no ISO 3166-2 code US-ZZ"),
        ("subject", "QQ", "no ISO 3166-1 code QQ"),
        ("entity", "XX-DE", "no ISO 3166-1 code XX"),
    ],
)
def test_unknown_jurisdiction_names_the_field(where: str, value: str, expected: str) -> None:
    data = acme().model_dump(mode="json")
    if where == "subject":
        data["subject"]["jurisdiction"] = value
        field = "subject.jurisdiction"
    else:
        data["associated_entities"] = [{"legal_name": "P", "roles": ["parent"],
                                        "jurisdiction": value}]
        field = "associated_entities.0.jurisdiction"
    with pytest.raises(CaseInvalid) as caught:
        parse_case(data, source="case.json")
    (problem,) = caught.value.problems
    assert field in problem.message and expected in problem.message


def test_addresses_and_nationalities_stay_alpha_2() -> None:
    data = acme().model_dump(mode="json")
    data["subject"]["addresses"][0]["country"] = "US-DE"
    with pytest.raises(CaseInvalid, match=r"subject\.addresses\.0\.country"):
        parse_case(data)
