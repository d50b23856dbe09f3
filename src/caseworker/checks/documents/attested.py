"""What the applicant said, in the shape of a document type's fields (the other side of verify)."""

from __future__ import annotations

from typing import Any

from caseworker.checks.documents.compare import compare_addresses, compare_names
from caseworker.checks.documents.schemas import DocumentKind, Extraction


def one_line(address: dict[str, Any]) -> str:
    """Write a case address as one line: "line1, line2, city, region, postcode, country"."""
    parts = ("line1", "line2", "city", "region", "postal_code", "country")
    return ", ".join(str(address[p]) for p in parts if address.get(p))


def _registered(subject: dict[str, Any]) -> dict[str, Any] | None:
    addresses: list[dict[str, Any]] = subject.get("addresses") or []
    return next((a for a in addresses if a.get("type") == "registered"), None) or (
        addresses[0] if addresses else None
    )


def _closest(document_value: Any, candidates: list[str], compare: Any) -> str | None:
    """Pick the candidate most like what the document shows (several names or addresses may fit)."""
    if not candidates:
        return None
    if not document_value:
        return candidates[0]
    return max(candidates, key=lambda c: compare(str(document_value), c).similarity)


def attested_for(
    kind: DocumentKind,
    subject: dict[str, Any],
    individuals: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
    extraction: Extraction | None = None,
) -> dict[str, Any]:
    """Return the case's self-attested values for a document of `kind`, by field name."""
    individuals = individuals or []
    entities = entities or []
    if kind == "incorporation":
        office = _registered(subject)
        return {
            "registered_name": subject.get("legal_name"),
            "company_number": subject.get("registration_number"),
            "incorporation_date": subject.get("incorporation_date"),
            "jurisdiction": subject.get("jurisdiction"),
            "registered_office": one_line(office) if office else None,
        }
    if kind == "proof_of_address":
        shown = extraction.fields if extraction else {}
        names = [n for n in (subject.get("legal_name"), subject.get("trading_name")) if n]
        names += [p["full_name"] for p in individuals if p.get("full_name")]
        addresses = [one_line(a) for a in subject.get("addresses") or []]
        addresses += [one_line(p["address"]) for p in individuals if p.get("address")]
        name_field, address_field = shown.get("name"), shown.get("address")
        return {
            "name": _closest(name_field.value if name_field else None, names, compare_names),
            "address": _closest(
                address_field.value if address_field else None, addresses, compare_addresses
            ),
        }
    owners = [
        {"name": p["full_name"], "percentage": p["ownership_percentage"]}
        for p in individuals
        if p.get("ownership_percentage") is not None
    ]
    owners += [
        {"name": e["legal_name"], "percentage": e["ownership_percentage"]}
        for e in entities
        if e.get("ownership_percentage") is not None
    ]
    return {"owners": owners}
