"""Dates as documents write them: "3rd March 2021", "03/03/2021", "the fifth day of May, 2019"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ORDINAL_WORDS = {
    word: i
    for i, word in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
            "twenty-first",
            "twenty-second",
            "twenty-third",
            "twenty-fourth",
            "twenty-fifth",
            "twenty-sixth",
            "twenty-seventh",
            "twenty-eighth",
            "twenty-ninth",
            "thirtieth",
            "thirty-first",
        ],
        start=1,
    )
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(rf"\b{_YEAR}-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})\b")),
    ("day_month_year", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I)),
    ("month_day_year", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I)),
    (
        "ordinal_words",
        re.compile(
            r"\b(?P<word>(?:twenty|thirty)-?\s?\w+|\w+)\s+day\s+of\s+"
            + _MONTH
            + r",?\s+(?:a\.?\s?d\.?\s+)?"
            + _YEAR,
            re.I,
        ),
    ),
    ("numeric", re.compile(rf"\b(?P<a>\d{{1,2}})[/.](?P<b>\d{{1,2}})[/.]{_YEAR}\b")),
)


@dataclass(frozen=True)
class FoundDate:
    """A date and the exact text it was read from."""

    value: dt.date
    text: str
    start: int


def _ordinal(word: str) -> int | None:
    return _ORDINAL_WORDS.get(re.sub(r"\s+", "-", word.casefold()).replace("--", "-"))


def find_dates(text: str, *, month_first: bool = False) -> list[FoundDate]:
    """Every date in `text`, in order. Numeric dates are day first unless `month_first` (US)."""
    found: dict[int, FoundDate] = {}
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(f.start <= m.start() < f.start + len(f.text) for f in found.values()):
                continue
            value = _build(kind, m, month_first)
            if value is not None:
                found[m.start()] = FoundDate(value, m.group(0), m.start())
    return [found[k] for k in sorted(found)]


def _build(kind: str, m: re.Match[str], month_first: bool) -> dt.date | None:
    try:
        if kind == "iso":
            return dt.date(int(m["year"]), int(m["m"]), int(m["d"]))
        if kind == "numeric":
            a, b = int(m["a"]), int(m["b"])
            month, day = (a, b) if month_first else (b, a)
            if month > 12 >= day:  # unambiguous the other way round
                month, day = day, month
            return dt.date(int(m["year"]), month, day)
        month = MONTHS[m["month"].casefold().rstrip(".")]
        if kind == "ordinal_words":
            ordinal = _ordinal(m["word"])
            return dt.date(int(m["year"]), month, ordinal) if ordinal else None
        return dt.date(int(m["year"]), month, int(m["day"]))
    except ValueError:
        return None


def first_date(text: str, *, month_first: bool = False) -> FoundDate | None:
    """Return the first date in `text`, if any."""
    dates = find_dates(text, month_first=month_first)
    return dates[0] if dates else None
