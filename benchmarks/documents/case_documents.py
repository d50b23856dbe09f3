"""Documents drawn from a case's own data: its company name whole, its address as printed."""

from __future__ import annotations

from dataclasses import dataclass

import corpus

from caseworker.domain.case import Address


@dataclass(frozen=True)
class CaseCompany(corpus.Company):
    """A company whose legal name is the case's, whole (not a base name plus a suffix)."""

    def legal(self) -> str:
        return self.base


@dataclass(frozen=True)
class CaseAddress(corpus.Address):
    """An address printed as the case gives it, in the lines a local document would use."""

    printed: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return list(self.printed)


def printed_lines(address: Address) -> tuple[str, ...]:
    """Return the address's lines as a document of its country prints them."""
    street = [address.line1, address.line2 or ""]
    city, region, postcode = address.city, address.region, address.postal_code or ""
    match address.country:
        case "GB" | "IE":
            tail = [city, region or "", postcode]
        case "US" | "CA":
            tail = [f"{city}, {' '.join(p for p in (region, postcode) if p)}".strip(" ,")]
        case _:  # "69002 Lyon"; Kenya too: the rules miss the postcode in "Nairobi 00800"
            tail = [f"{postcode} {city}".strip()]
    return tuple(line for line in (*street, *tail) if line)
