"""Dates as documents write them, each found with the exact text it was read from.

The grammar covers the forms registries, banks and utilities print:

- legal: "on the 9th day of August, A.D. 2017", "this ninth day of August 2017",
  "THE TWENTY-FIRST DAY OF MAY, A.D. 2019", "9th of August in the year 2017";
- day first: "9 August 2017", "3rd March 2021", "09 Aug 2017", "9. August 2017", "9-Aug-2017";
- month first: "August 9th, 2017", "Aug. 9, 2017", "AUGUST 9 2017";
- numeric: "2017-08-09" (ISO), "09.08.2017" (always day first: the European dotted form),
  "09/08/2017" and "09-08-2017" (day first unless `month_first`, for US documents; a side
  above 12 settles it either way).

Month names are English, with the German, French and Dutch ones European registries print.
A hand-written grammar rather than a date-guessing library: it must say *where* each date is
(the quoted text is the evidence), never invent a date from a stray number, and let the
caller say which way round a numeric date goes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_MONTH_NAMES = (
    ("january", "jan", "januar", "janvier", "januari", "jänner"),
    ("february", "feb", "februar", "février", "fevrier", "februari", "fév", "fev"),
    ("march", "mar", "märz", "maerz", "mars", "maart", "mrz"),
    ("april", "apr", "avril", "avr"),
    ("may", "mai", "mei"),
    ("june", "jun", "juni", "juin"),
    ("july", "jul", "juli", "juillet", "juil"),
    ("august", "aug", "août", "aout", "augustus"),
    ("september", "sep", "sept", "septembre"),
    ("october", "oct", "oktober", "octobre", "okt"),
    ("november", "nov", "novembre"),
    ("december", "dec", "dezember", "décembre", "decembre", "dez"),
)
MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names}
# fmt: off
_UNITS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth",
)
# fmt: on
_ORDINAL_WORDS = {word: i for i, word in enumerate(_UNITS, start=1)}
_ORDINAL_WORDS |= {"twentieth": 20, "thirtieth": 30}
_ORDINAL_WORDS |= {f"twenty-{w}": 20 + i for i, w in enumerate(_UNITS[:9], start=1)}
_ORDINAL_WORDS |= {"thirty-first": 31}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_DAY = r"(?P<day>[0-3]?\d)\s?(?:st|nd|rd|th|er|\.)?"  # "9th", "9 th", "1er", "9."
_YEAR = r"(?P<year>(?:1[89]|20)\d{2})"
_WORD_DAY = (
    r"(?P<word>(?:twenty|thirty)(?:\s*-\s*|\s+)\w+|"
    + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True))
    + r")"
)
_ERA = r"(?:(?:A\.?\s?D\.?|in\s+the\s+year(?:\s+of\s+our\s+lord)?)\s+)?"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(rf"\b{_YEAR}-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)\b")),
    (
        "legal",  # "9th day of August, A.D. 2017", "ninth day of August in the year 2017"
        re.compile(rf"\b(?:{_DAY}|{_WORD_DAY})\s+day\s+of\s+{_MONTH},?\s+{_ERA}{_YEAR}\b", re.I),
    ),
    (
        "day_month_year",  # "9 August 2017", "9th of August, 2017", "9-Aug-2017"
        re.compile(
            rf"\b{_DAY}(?:\s+of\s+|\s*[-/ ]\s*|\s+){_MONTH}(?:,\s*|\s*[-/ ]\s*){_ERA}{_YEAR}\b",
            re.I,
        ),
    ),
    (
        "month_day_year",  # "August 9th, 2017", "Aug. 9, 2017"
        re.compile(rf"\b{_MONTH}\s*{_DAY},?\s+{_YEAR}\b", re.I),
    ),
    (
        "numeric",
        re.compile(rf"\b(?P<a>[0-3]?\d)\s?(?P<sep>[/.-])\s?(?P<b>[0-3]?\d)\s?(?P=sep)\s?{_YEAR}\b"),
    ),
)


@dataclass(frozen=True)
class FoundDate:
    """A date and the exact text it was read from."""

    value: dt.date
    text: str
    start: int


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word.casefold()).rstrip(".")


def _ordinal(word: str) -> int | None:
    return _ORDINAL_WORDS.get(re.sub(r"\s*-\s*|\s+", "-", word.casefold()))


def find_dates(text: str, *, month_first: bool = False) -> list[FoundDate]:
    """Every date in `text`, in order. Numeric dates are day first unless `month_first` (US)."""
    found: dict[int, FoundDate] = {}
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(
                f.start <= m.start() < f.start + len(f.text) or m.start() <= f.start < m.end()
                for f in found.values()
            ):
                continue
            value = _build(kind, m, month_first)
            if value is not None:
                found[m.start()] = FoundDate(value, m.group(0), m.start())
    return [found[k] for k in sorted(found)]


def _build(kind: str, m: re.Match[str], month_first: bool) -> dt.date | None:
    try:
        year = int(m["year"])
        if kind == "iso":
            return dt.date(year, int(m["m"]), int(m["d"]))
        if kind == "numeric":
            a, b = int(m["a"]), int(m["b"])
            first_is_month = month_first and m["sep"] != "."  # dotted dates are European
            month, day = (a, b) if first_is_month else (b, a)
            if month > 12 >= day:  # unambiguous the other way round
                month, day = day, month
            return dt.date(year, month, day)
        month = MONTHS[_fold(m["month"])]
        if kind == "legal" and m["word"]:
            ordinal = _ordinal(m["word"])
            return dt.date(year, month, ordinal) if ordinal else None
        return dt.date(year, month, int(m["day"]))
    except ValueError:
        return None


def first_date(text: str, *, month_first: bool = False) -> FoundDate | None:
    """Return the first date in `text`, if any."""
    dates = find_dates(text, month_first=month_first)
    return dates[0] if dates else None
