"""What extraction returns: typed fields per document type, each with provenance and confidence."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from caseworker.checks.documents.text import Box

DocumentKind = Literal["incorporation", "proof_of_address", "ownership"]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = ("incorporation", "proof_of_address", "ownership")


class Owner(BaseModel):
    """One owner or controller named in an ownership document."""

    name: str = Field(min_length=1)
    percentage: float | None = Field(default=None, ge=0, le=100)
    role: str | None = None


class IncorporationData(BaseModel):
    """Certificate of incorporation (or a registry extract standing in for one)."""

    registered_name: str | None = None
    company_number: str | None = None
    incorporation_date: dt.date | None = None
    jurisdiction: str | None = Field(default=None, description="ISO 3166 code, e.g. GB, US-DE")
    registered_office: str | None = None
    issuing_authority: str | None = None


class ProofOfAddressData(BaseModel):
    """Utility bill, bank statement or similar letter showing a name at an address."""

    name: str | None = None
    address: str | None = None
    issue_date: dt.date | None = None
    issuer: str | None = None


class OwnershipData(BaseModel):
    """Shareholder register, cap table or register of persons with significant control."""

    owners: list[Owner] | None = None


SCHEMAS: dict[DocumentKind, type[BaseModel]] = {
    "incorporation": IncorporationData,
    "proof_of_address": ProofOfAddressData,
    "ownership": OwnershipData,
}


def field_names(kind: DocumentKind) -> list[str]:
    """Return the fields a document of `kind` has, in schema order."""
    return list(SCHEMAS[kind].model_fields)


class ExtractedField(BaseModel):
    """One field's value and where it came from: the page, the box and the quoted text."""

    value: Any = None
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    page: int | None = Field(default=None, ge=1)
    bbox: Box | None = None
    source_text: str | None = Field(default=None, description="The text the value was read from")

    @property
    def found(self) -> bool:
        return self.value is not None


class Extraction(BaseModel):
    """The fields extracted from one document, with the extractor that produced them."""

    type: DocumentKind
    fields: dict[str, ExtractedField]
    extractor: str = Field(description="'rules' or the model that extracted")
    document_sha256: str
    pages: int
    text_source: Literal["text_layer", "ocr", "mixed"]
    warnings: list[str] = Field(default_factory=list)
    profile: str | None = Field(
        default=None,
        description="Which kind of document of its type it is (applicability.PROFILES key), "
        "e.g. 'gb_companies_house_certificate'; None when not recognised",
    )

    def data(self) -> BaseModel:
        """Return the values alone, validated against the type's schema."""
        return SCHEMAS[self.type].model_validate({k: f.value for k, f in self.fields.items()})

    def cli_view(self) -> dict[str, Any]:
        """Return the shape `caseworker extract --json` prints."""
        return {
            "type": self.type,
            "fields": {
                name: {
                    "value": f.value.isoformat()
                    if isinstance(f.value, dt.date)
                    else _plain(f.value),
                    "confidence": round(f.confidence, 3),
                    "page": f.page,
                    "source_text": f.source_text,
                }
                for name, f in self.fields.items()
            },
        }


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    return value
