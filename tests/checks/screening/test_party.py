"""A screened party: partial dates of birth and subdivisions become the right query features."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from caseworker.checks.screening.engine import Party


@pytest.mark.parametrize(
    ("dob", "stored", "birth_date", "year", "month"),
    [
        ("1969", "1969", None, 1969, None),
        ("1969-7", "1969-07", None, 1969, 7),
        ("1969-7-16", "1969-07-16", dt.date(1969, 7, 16), 1969, 7),
        (None, None, None, None, None),
    ],
)
def test_features_follow_the_precision(
    dob: str | None, stored: str | None, birth_date: dt.date | None, year: int | None,
    month: int | None,
) -> None:
    party = Party(name="Jane Smith", date_of_birth=dob)  # type: ignore[arg-type]
    assert party.model_dump(mode="json")["date_of_birth"] == stored
    features = party.features()
    assert (features.birth_date, features.birth_year, features.birth_month) == (
        birth_date, year, month)


def test_a_subdivision_counts_as_its_country() -> None:
    party = Party(name="Acme Inc", countries=["US-DE", "gb", " "])
    assert party.features().countries == frozenset({"US", "GB"})


@pytest.mark.parametrize("bad", ["1974-01-32", "1974-13-01", "3000"])
def test_impossible_dates_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match=f"'{bad}'"):
        Party(name="Jane Smith", date_of_birth=bad)  # type: ignore[arg-type]
