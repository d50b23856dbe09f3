"""ISO 3166 codes: countries (alpha-2) and the subdivisions (ISO 3166-2) companies register in."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, WithJsonSchema

#: Codes read as another: ISO 3166 reserves UK for the United Kingdom, whose code is GB.
ALIASES = {"UK": "GB"}
#: User-assigned codes in wide use (EU, IMF, SWIFT) that ISO 3166-1 does not list.
USER_ASSIGNED = {"XK": "Kosovo"}

_SHAPE = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")
_EXAMPLES = "a country such as GB or a subdivision such as US-DE, GB-SCT, CA-ON"


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Return every ISO 3166-1 alpha-2 code (and the user-assigned ones) with its name."""
    names = {c.alpha_2: c.name for c in pycountry.countries}
    return {**names, **USER_ASSIGNED}


@lru_cache(maxsize=1)
def subdivision_names() -> dict[str, str]:
    """Return every ISO 3166-2 subdivision code (US-DE) with its name (Delaware)."""
    return {s.code: s.name for s in pycountry.subdivisions}


def _canonical(value: str) -> str:
    code = value.strip().upper().replace("_", "-")
    country, dash, rest = code.partition("-")
    return ALIASES.get(country, country) + dash + rest


def country_code(value: str) -> str:
    """Normalise an ISO 3166-1 alpha-2 code ("gb", "UK" -> "GB"); `ValueError` when unknown."""
    code = _canonical(value)
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code such as GB")
    if code not in country_names():
        raise ValueError(f"'{value}' is not a country: no ISO 3166-1 code {code}")
    return code


def jurisdiction_code(value: str) -> str:
    """Normalise a country or subdivision code ("us-de" -> "US-DE"); `ValueError` when unknown."""
    code = _canonical(value)
    shape = _SHAPE.match(code)
    if not shape:
        raise ValueError(f"'{value}' is not an ISO 3166 code: give {_EXAMPLES}")
    country = country_code(shape.group(1))
    if shape.group(2) and code not in subdivision_names():
        raise ValueError(
            f"'{value}' is not a subdivision of {country_names()[country]}: "
            f"no ISO 3166-2 code {code}"
        )
    return code


def country_of(jurisdiction: str) -> str:
    """Return the country part of a jurisdiction code ("US-DE" -> "US", "GB" -> "GB")."""
    return jurisdiction.partition("-")[0]


def subdivision_of(jurisdiction: str) -> str | None:
    """Return the subdivision code of a jurisdiction ("US-DE"), or None for a bare country."""
    return jurisdiction if "-" in jurisdiction else None


#: Where a company is registered: ISO 3166-1 alpha-2 (GB) or ISO 3166-2 (US-DE, GB-SCT).
Jurisdiction = Annotated[
    str,
    AfterValidator(jurisdiction_code),
    WithJsonSchema({
        "type": "string",
        "pattern": r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$",
        "description": "ISO 3166-1 alpha-2 country (GB) or ISO 3166-2 subdivision "
        "(US-DE, GB-SCT, CA-ON) code",
        "examples": ["GB", "US-DE", "GB-SCT"],
    }),
]
