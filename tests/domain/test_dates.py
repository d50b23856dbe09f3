"""Partial dates of birth: lenient reading, padded ISO writing, impossible dates refused."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from caseworker.domain.dates import MIN_BIRTH_YEAR, DateOfBirth, PartialDate


class Holder(BaseModel):
    dob: DateOfBirth | None = None


@pytest.mark.parametrize(
    ("text", "normalised", "precision"),
    [
        ("1969", "1969", "year"),
        ("1969-7", "1969-07", "month"),
        ("1969-07", "1969-07", "month"),
        ("1969-7-16", "1969-07-16", "day"),
        (" 1969-07-6 ", "1969-07-06", "day"),
        ("2000-02-29", "2000-02-29", "day"),
    ],
)
def test_lenient_reading_and_padded_writing(text: str, normalised: str, precision: str) -> None:
    held = Holder(dob=text)  # type: ignore[arg-type]
    assert held.dob is not None
    assert str(held.dob) == normalised
    assert held.dob.precision == precision
    assert held.model_dump(mode="json") == {"dob": normalised}
    assert held.model_dump() == {"dob": normalised}
    assert Holder.model_validate_json(held.model_dump_json()) == held


def test_other_inputs_read_too() -> None:
    assert Holder(dob=dt.date(1969, 7, 16)).dob == PartialDate(1969, 7, 16)  # type: ignore[arg-type]
    assert Holder.model_validate({"dob": 1969}).dob == PartialDate(1969)
    assert Holder.model_validate({"dob": None}).dob is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1974-01-32", "day 32 is not 1-31"),
        ("1974-13", "month 13 is not 1-12"),
        ("1974-00-10", "month 0 is not 1-12"),
        ("1975-02-29", "day 29 is not 1-28"),
        ("16/07/1969", "use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("69", "use YYYY"),
        ("1969-07-16T00:00", "use YYYY"),
        ("", "use YYYY"),
        (str(MIN_BIRTH_YEAR - 1), f"before {MIN_BIRTH_YEAR}"),
    ],
)
def test_impossible_dates_name_the_value(text: str, why: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Holder(dob=text)  # type: ignore[arg-type]
    message = str(caught.value)
    assert f"'{text}'" in message and why in message
    assert caught.value.errors()[0]["loc"] == ("dob",)


def test_future_dates_are_refused_at_every_precision() -> None:
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    for text in (tomorrow.isoformat(), f"{next_month:%Y-%m}", str(today.year + 1)):
        with pytest.raises(ValidationError, match="is in the future"):
            Holder(dob=text)  # type: ignore[arg-type]
    # This year and this month are not in the future: the date may be earlier in them.
    assert Holder(dob=str(today.year)).dob == PartialDate(today.year)  # type: ignore[arg-type]
    assert Holder(dob=today.isoformat()).dob == PartialDate.parse(today)  # type: ignore[arg-type]


def test_ranges_and_full_date() -> None:
    year, month, day = PartialDate(1968), PartialDate(1968, 2), PartialDate(1968, 2, 10)
    assert (year.earliest(), year.latest()) == (dt.date(1968, 1, 1), dt.date(1968, 12, 31))
    assert (month.earliest(), month.latest()) == (dt.date(1968, 2, 1), dt.date(1968, 2, 29))
    assert day.earliest() == day.latest() == day.to_date() == dt.date(1968, 2, 10)
    assert year.to_date() is None and month.to_date() is None
    with pytest.raises(ValueError, match="a day needs a month"):
        PartialDate(1968, None, 3)


def test_json_schema_describes_the_text() -> None:
    schema = Holder.model_json_schema()["properties"]["dob"]["anyOf"][0]
    assert schema["type"] == "string" and "YYYY-MM" in schema["description"]
