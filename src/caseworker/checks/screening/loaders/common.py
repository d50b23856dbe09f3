"""Helpers shared by the list loaders: country names, birth dates, scripts and file reading."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from caseworker.checks.risk.country import load_country_data
from caseworker.checks.screening.entity import BirthDate
from caseworker.checks.screening.errors import ListInvalid

T = TypeVar("T")

# Names the lists use that are not the short ISO names in countries.yaml.
COUNTRY_VARIANTS: dict[str, str] = {
    # ... as the UK list writes them
    "congo democratic republic": "CD",
    "democratic republic of congo": "CD",
    "congo republic": "CG",
    "korea north": "KP",
    "korea south": "KR",
    "iran islamic republic of": "IR",
    "ivory coast": "CI",
    "great britain": "GB",
    "united kingdom": "GB",
    "uk": "GB",
    "usa": "US",
    "swaziland": "SZ",
    "macedonia": "MK",
    "cape verde": "CV",
    "occupied palestinian territories": "PS",
    "the gambia": "GM",
    # ... and as the other lists do
    "bahamas, the": "BS",
    "bolivia (plurinational state of)": "BO",
    "brunei": "BN",
    "burma": "MM",
    "china, hong kong special administrative region": "HK",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "cote d ivoire": "CI",
    "czech republic": "CZ",
    "democratic people's republic of korea": "KP",
    "gambia, the": "GM",
    "iran (islamic republic of)": "IR",
    "korea, north": "KP",
    "korea, south": "KR",
    "kosovo": "XK",  # user-assigned code, used by the EU and most screening lists
    "lao people's democratic republic": "LA",
    "macau": "MO",
    "macedonia, the former yugoslav republic of": "MK",
    "man, isle of": "IM",
    "micronesia (federated states of)": "FM",
    "palestinian": "PS",
    "possibly palestinian": "PS",
    "region: crimea": "UA",
    "region: gaza": "PS",
    "region: northern mali": "ML",
    "republic of korea": "KR",
    "republic of moldova": "MD",
    "russian federation": "RU",
    "state of palestine": "PS",
    "syrian arab republic": "SY",
    "turkey": "TR",
    "united kingdom of great britain and northern ireland": "GB",
    "united republic of tanzania": "TZ",
    "united states of america": "US",
    "venezuela (bolivarian republic of)": "VE",
    "viet nam": "VN",
    "virgin islands, british": "VG",
    "west bank": "PS",
}

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
)}
_DAY = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")
_MONTH = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(.+?)\s*(?: to |-)\s*(.+)$")
_SCRIPTS = {"ARABIC": "Arab", "CYRILLIC": "Cyrl", "CJK": "Hani", "HANGUL": "Hang", "GREEK": "Grek",
            "HEBREW": "Hebr", "THAI": "Thai", "HIRAGANA": "Hira", "KATAKANA": "Kana",
            "DEVANAGARI": "Deva", "GEORGIAN": "Geor", "ARMENIAN": "Armn", "LATIN": "Latn"}


def _key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().replace(".", "").split()).removeprefix("the ")


def _loose_key(name: str) -> str:
    """`_key` without punctuation: "Korea, North" and "Korea (North)" become "korea north"."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", _key(name).replace("'", "")).split())


@lru_cache(maxsize=1)
def _country_map() -> dict[str, str]:
    pairs = [(name, code) for code, name in load_country_data().names.items()]
    pairs += list(COUNTRY_VARIANTS.items())
    names = {_loose_key(name): code for name, code in pairs}
    names.update({_key(name): code for name, code in pairs})
    return names


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """Return the ISO alpha-2 code for a code (any case) or a country name as a list writes it."""
    if not name or not name.strip():
        return None
    text = name.strip()
    if len(text) == 2 and text.isalpha():
        data = load_country_data()
        code = data.aliases.get(text.upper(), text.upper())
        return code if code in data.names else None
    names = _country_map()
    return names.get(_key(text)) or names.get(_loose_key(text))


def _one_date(text: str) -> tuple[int, int | None, dt.date | None] | None:
    """Parse `12 Jan 1962`, `Jan 1962` or `1962` into (year, month, day-date)."""
    if m := _DAY.match(text):
        month = MONTHS.get(m[2].lower())
        if month is None:
            return None
        try:
            day = dt.date(int(m[3]), month, int(m[1]))
        except ValueError:
            return None
        return day.year, month, day
    if (m := _MONTH.match(text)) and m[1].lower() in MONTHS:
        return int(m[2]), MONTHS[m[1].lower()], None
    if m := _YEAR.match(text):
        return int(m[1]), None, None
    return None


def parse_birth_date(raw: str) -> BirthDate | None:
    """Parse a textual date of birth; forms: day, month, year, `circa X`, `X to Y`."""
    text = " ".join(raw.split()).rstrip(".")
    approximate = text.lower().startswith("circa ")
    if approximate:
        text = text[6:]
    single = _one_date(text)
    if single is not None:
        year, month, day = single
        if approximate:
            return BirthDate(date=day, year=year, month=month, year_from=year - 1,
                             year_to=year + 1, approximate=True, raw=raw)
        return BirthDate(date=day, year=year, month=month, raw=raw)
    if m := _RANGE.match(text):
        start, end = _one_date(m[1]), _one_date(m[2])
        if start and end and start[0] <= end[0]:
            return BirthDate(year_from=start[0], year_to=end[0], approximate=approximate, raw=raw)
    return None


def detect_script(text: str) -> str | None:
    """Return the ISO 15924 script most letters of `text` are in (Latn, Arab, Cyrl, Hani)."""
    if text.isascii():
        return "Latn" if any(c.isalpha() for c in text) else None
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            block = unicodedata.name(char, "").split(" ", 1)[0]
            script = _SCRIPTS.get(block)
            if script:
                counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda s: counts[s]) if counts else None


def read_list_file(path: Path, *, allow_empty: bool = False) -> bytes:
    """Read a list file; ListInvalid if it is missing, unreadable or (unless allowed) empty."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ListInvalid.at(path.name, f"cannot read the file ({exc.strerror or exc})") from exc
    if not allow_empty and not data.strip(b" \t\r\n\x1a"):
        raise ListInvalid.at(path.name, "the file is empty")
    return data


def sha256(data: bytes) -> str:
    """Return the hex sha256 of a file's bytes, for ListInfo.files."""
    return hashlib.sha256(data).hexdigest()


def unique(items: Iterable[T]) -> list[T]:
    """Return the items in their first order, without repeats or empty values."""
    return list(dict.fromkeys(item for item in items if item))
