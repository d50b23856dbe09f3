"""The date grammar: legal, ordinal, day-first, month-first and numeric forms, with provenance."""

from __future__ import annotations

import datetime as dt

import pytest

from caseworker.checks.documents.dates import find_dates, first_date

AUG_9 = dt.date(2017, 8, 9)


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        (
            "FILED IN THIS OFFICE on the 9th day of August, A.D. 2017, AT 10:07",
            "9th day of August, A.D. 2017",
        ),
        ("Witness my hand this 9th day of August 2017.", "9th day of August 2017"),
        ("ON THE NINTH DAY OF AUGUST, A.D. 2017", "NINTH DAY OF AUGUST, A.D. 2017"),
        ("the 9 th day of August, AD 2017", "9 th day of August, AD 2017"),
        ("on this ninth day of August in the year 2017", "ninth day of August in the year 2017"),
        ("Incorporated on August 9th, 2017", "August 9th, 2017"),
        ("Given at Companies House on 9 August 2017", "9 August 2017"),
        ("Datum: 09.08.2017", "09.08.2017"),
        ("Date of registration 2017-08-09", "2017-08-09"),
        ("Filed Aug. 9, 2017", "Aug. 9, 2017"),
        ("dated 9th of August, 2017", "9th of August, 2017"),
        ("Eingetragen am 9. August 2017", "9. August 2017"),
        ("Date: 09-Aug-2017", "09-Aug-2017"),
        ("le 9 août 2017", "9 août 2017"),
        ("AUGUST 9 2017", "AUGUST 9 2017"),
        ("09/08/2017", "09/08/2017"),
    ],
)
def test_each_form_reads_with_its_quoted_text(text: str, quoted: str) -> None:
    found = first_date(text)
    assert found is not None, text
    assert (found.value, found.text) == (AUG_9, quoted)
    assert text[found.start : found.start + len(found.text)] == quoted


def test_words_above_twenty() -> None:
    found = first_date("THE TWENTY-FIRST DAY OF MAY, A.D. 2019")
    assert found is not None and found.value == dt.date(2019, 5, 21)
    found = first_date("the twenty first day of May 2019")
    assert found is not None and found.value == dt.date(2019, 5, 21)
    assert first_date("the thirty-first day of February, 2019") is None  # no such day


def test_numeric_dates_day_first_unless_us() -> None:
    assert first_date("08/09/2017", month_first=True).value == AUG_9  # type: ignore[union-attr]
    assert first_date("09/08/2017").value == AUG_9  # type: ignore[union-attr]
    # Dotted dates are European whatever the context; a side above 12 settles it.
    assert first_date("09.08.2017", month_first=True).value == AUG_9  # type: ignore[union-attr]
    assert first_date("08/29/2017").value == dt.date(2017, 8, 29)  # type: ignore[union-attr]


def test_stray_numbers_and_words_are_not_dates() -> None:
    assert find_dates("Company number 2017 0809, 14 days, may 2017 shares") == []
    assert find_dates("31/31/2017 and 2017-13-40") == []


def test_several_dates_in_order() -> None:
    found = find_dates("Statement period 1 July 2026 to 31 July 2026, issued 2026-08-02")
    assert [d.value.isoformat() for d in found] == ["2026-07-01", "2026-07-31", "2026-08-02"]
