"""Private helpers for the EU, UK and OpenSanctions loaders: cells, dates, names, errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from caseworker.checks.screening.entity import BirthDate, ListedName, NameQuality
from caseworker.checks.screening.errors import ListInvalid
from caseworker.checks.screening.loaders.common import country_code, detect_script, unique

_NUMBERED = re.compile(r"\(\d+\)")


def split_values(text: str | None) -> list[str]:
    """Split a multi-valued cell: `(1) Iran (2) Iraq`, `a; b` or `a | b`."""
    if not text or not text.strip():
        return []
    parts = re.split(r"[;|]", _NUMBERED.sub(";", text))
    return [p.strip(" ,.") for p in parts if p.strip(" ,.")]


def countries_in(text: str | None) -> list[str]:
    """Country codes named in a cell that may hold several countries."""
    codes = [country_code(part) for part in split_values(text)]
    return unique(c for c in codes if c)


def iso_date(text: str | None) -> dt.date | None:
    """Return the day of an ISO date or timestamp (`2024-05-14`, `2024-05-14T18:32:43+02:00`)."""
    if not text or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_date(text: str | None, formats: Iterable[str]) -> dt.date | None:
    """Parse `text` with the first of `formats` that fits, else return None."""
    if not text or not text.strip():
        return None
    for fmt in formats:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def birth_date(
    year: int | None,
    month: int | None = None,
    day: int | None = None,
    *,
    approximate: bool = False,
    raw: str = "",
) -> BirthDate | None:
    """Build a BirthDate from parts as precise as given; circa widens the year by one either way."""
    if year is None or not 1000 <= year <= 2999:
        return None
    month = month if month and 1 <= month <= 12 else None
    exact: dt.date | None = None
    if month and day:
        try:
            exact = dt.date(year, month, day)
        except ValueError:
            exact = None
    return BirthDate(
        date=exact,
        year=year,
        month=month,
        year_from=year - 1 if approximate else None,
        year_to=year + 1 if approximate else None,
        approximate=approximate,
        raw=raw,
    )


def listed_name(
    full: str | None,
    quality: NameQuality,
    *,
    first: str | None = None,
    last: str | None = None,
) -> ListedName | None:
    """Build a ListedName with whitespace collapsed, or None for an empty name."""
    text = " ".join((full or "").split())
    if not text:
        return None
    return ListedName(
        full=text,
        quality=quality,
        script=detect_script(text),
        first=(first or "").strip() or None,
        last=(last or "").strip() or None,
    )


def dedupe_names(names: Iterable[ListedName]) -> list[ListedName]:
    """One entry per spelling (case-insensitive), keeping the first and best quality."""
    rank = {NameQuality.primary: 0, NameQuality.strong: 1, NameQuality.weak: 2}
    best: dict[str, ListedName] = {}
    for name in names:
        key = name.full.casefold()
        kept = best.get(key)
        if kept is None:
            best[key] = name
        elif rank[name.quality] < rank[kept.quality]:
            best[key] = kept.model_copy(update={"quality": name.quality})
    return sorted(best.values(), key=lambda n: rank[n.quality])


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file, read in blocks (lists can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def invalid(path: Path, message: str, line: int | None = None) -> ListInvalid:
    """Build a ListInvalid whose message names the file (and line)."""
    return ListInvalid.at(path.name, message, line=line)
