"""The onboarding case: a business or person, the parties behind it, and their documents."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from caseworker.domain.dates import DateOfBirth
from caseworker.domain.jurisdictions import Jurisdiction, country_of
from caseworker.exceptions import CaseInvalid
from caseworker.validation import describe_validation_error

CountryCode = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code, e.g. GB"),
]


class Strict(BaseModel):
    """Base for case models: unknown fields are rejected, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SubjectType(StrEnum):
    business = "business"
    person = "person"


class AddressType(StrEnum):
    registered = "registered"
    operating = "operating"
    residential = "residential"
    mailing = "mailing"


class Address(Strict):
    """A postal address as the applicant gave it."""

    type: AddressType = AddressType.registered
    line1: str = Field(min_length=1)
    line2: str | None = None
    city: str = Field(min_length=1)
    region: str | None = None
    postal_code: str | None = None
    country: CountryCode


class Contact(Strict):
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None


class Subject(Strict):
    """The business (or person) being onboarded, with its self-attested data."""

    type: SubjectType = SubjectType.business
    legal_name: str = Field(min_length=1)
    trading_name: str | None = None
    registration_number: str | None = None
    tax_id: str | None = None
    jurisdiction: Jurisdiction | None = None
    incorporation_date: dt.date | None = None
    legal_form: str | None = None
    addresses: list[Address] = Field(default_factory=list)
    countries_of_operation: list[CountryCode] = Field(default_factory=list)
    website: str | None = None
    description: str | None = None
    industry: str | None = None
    mcc: str | None = Field(default=None, pattern=r"^\d{4}$", description="ISO 18245 merchant code")
    contact: Contact | None = None
    date_of_birth: DateOfBirth | None = Field(
        default=None, description="For a person subject: YYYY, YYYY-MM or YYYY-MM-DD"
    )
    nationalities: list[CountryCode] = Field(default_factory=list)

    @property
    def countries(self) -> list[str]:
        """Every country the subject is tied to: jurisdiction, addresses, operations, nationality.

        A jurisdiction given as a subdivision counts as its country: `US-DE` gives `US`.
        """
        seen: dict[str, None] = {}
        jurisdiction = country_of(self.jurisdiction) if self.jurisdiction else None
        for code in [jurisdiction, *(a.country for a in self.addresses),
                     *self.countries_of_operation, *self.nationalities]:
            if code:
                seen.setdefault(code, None)
        return list(seen)


class IndividualRole(StrEnum):
    director = "director"
    beneficial_owner = "beneficial_owner"
    shareholder = "shareholder"
    authorised_signatory = "authorised_signatory"
    officer = "officer"
    controller = "controller"


class AssociatedIndividual(Strict):
    """A person behind the subject: director, owner, signatory."""

    id: str | None = None
    full_name: str = Field(min_length=1)
    roles: list[IndividualRole] = Field(min_length=1)
    date_of_birth: DateOfBirth | None = None
    nationalities: list[CountryCode] = Field(default_factory=list)
    country_of_residence: CountryCode | None = None
    ownership_percentage: float | None = Field(default=None, ge=0, le=100)
    address: Address | None = None


class AssociatedEntity(Strict):
    """A company behind the subject: parent, corporate shareholder."""

    id: str | None = None
    legal_name: str = Field(min_length=1)
    roles: list[str] = Field(min_length=1)
    registration_number: str | None = None
    jurisdiction: Jurisdiction | None = None
    ownership_percentage: float | None = Field(default=None, ge=0, le=100)


class DocumentType(StrEnum):
    incorporation = "incorporation"
    proof_of_address = "proof_of_address"
    ownership = "ownership"
    identity = "identity"
    bank_statement = "bank_statement"
    other = "other"


class Document(Strict):
    """A document supplied with the case: exactly one of path, url or base64 content."""

    id: str | None = None
    type: DocumentType
    path: str | None = None
    url: str | None = None
    content_base64: str | None = None
    mime_type: str | None = None
    filename: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Document:
        given = [s for s in (self.path, self.url, self.content_base64) if s]
        if len(given) != 1:
            raise ValueError("a document needs exactly one of 'path', 'url' or 'content_base64'")
        return self


class Case(Strict):
    """One onboarding case, as submitted."""

    id: str = Field(min_length=1, max_length=200)
    subject: Subject
    associated_individuals: list[AssociatedIndividual] = Field(default_factory=list)
    associated_entities: list[AssociatedEntity] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict, description="Free-form caller tags")

    def memory_view(self) -> dict[str, Any]:
        """Return the case as memory (`case.*`).

        That is its JSON, with derived fields such as `subject.countries`.
        """
        data = self.model_dump(mode="json")
        data["subject"]["countries"] = self.subject.countries
        return data


def parse_case(data: str | bytes | dict[str, Any], *, source: str = "case") -> Case:
    """Validate case JSON (text or decoded), raising `CaseInvalid` that names every problem."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise CaseInvalid(f"{source} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CaseInvalid(f"{source} must be a JSON object, got {type(data).__name__}")
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc, file=source)
        raise CaseInvalid(f"{source} is not a valid case", problems=problems) from exc


def load_case(path: Path) -> Case:
    """Read and validate a case file; document paths become absolute, from the case's folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseInvalid(f"cannot read case file {path}: {exc.strerror}") from exc
    case = parse_case(text, source=str(path))
    folder = path.resolve().parent
    for document in case.documents:
        if document.path and not Path(document.path).is_absolute():
            document.path = str(folder / document.path)
    return case
