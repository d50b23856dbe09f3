"""Jurisdictions as codes: ISO 3166-1 alpha-2 ("GB") or ISO 3166-2 ("US-DE", "GB-SCT").

A case may name a country or one of its subdivisions; a document names a registry's territory
("State of Delaware", "England and Wales", "Scotland"). Both become codes here, so that
comparison can be at the level both sides state: `US-DE` against a Delaware certificate is
the same, against a California one it is not, and `US` against Delaware agrees on the country.
"""

from __future__ import annotations

import re

import pycountry

# State (and district, territory) names from pycountry's ISO 3166-2 data: "delaware" -> "DE".
US_STATES = {
    sub.name.casefold(): sub.code.split("-", 1)[1]
    for sub in pycountry.subdivisions
    if sub.country_code == "US"
}
# UK registries: Scotland and Northern Ireland are subdivisions; "England and Wales" is two,
# so it stays at country level (GB-ENG and GB-WLS both agree with it).
GB_NATIONS = {"scotland": "SCT", "northern ireland": "NIR", "england": "ENG", "wales": "WLS"}
_CODE = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")
US_STATE_NAMED = re.compile(
    r"\bstate of (" + "|".join(sorted(US_STATES, key=len, reverse=True)) + r")\b", re.I
)


def us_state(text: str) -> str | None:
    """ISO 3166-2 code of the US state a text names as "State of X" ("US-DE"), if any."""
    m = US_STATE_NAMED.search(text)
    return f"US-{US_STATES[m.group(1).casefold()]}" if m else None


def subdivision_code(text: str) -> str | None:
    """Return the ISO 3166-2 code a territory's name stands for ("Delaware" -> "US-DE")."""
    folded = " ".join(re.sub(r"[^a-z]+", " ", text.casefold()).split())
    folded = re.sub(r"^(?:the )?state of ", "", folded)
    if folded in US_STATES:
        return f"US-{US_STATES[folded]}"
    if folded in ("england and wales", "england wales"):
        return "GB"
    if folded in GB_NATIONS:
        return f"GB-{GB_NATIONS[folded]}"
    return us_state(text)


def split_code(code: str) -> tuple[str, str]:
    """("US", "DE") for "US-DE", ("GB", "") for "GB"; "UK" is written "GB"."""
    country, _, sub = code.partition("-")
    return {"UK": "GB"}.get(country, country), sub
