"""The one entity model every sanctions or PEP list is loaded into."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class EntityType(StrEnum):
    person = "person"
    entity = "entity"  # companies, organisations, groups
    vessel = "vessel"
    aircraft = "aircraft"
    unknown = "unknown"


#: The types that are organisations or things, never a person.
ORGANISATION_TYPES = frozenset({EntityType.entity, EntityType.vessel, EntityType.aircraft})


class NameQuality(StrEnum):
    """How much a name can be trusted for matching."""

    primary = "primary"  # the listed name
    strong = "strong"  # a good-quality alias (a.k.a., OFAC "strong", UN "Good")
    weak = "weak"  # a low-quality alias (OFAC "weak", UN "Low"): matched, but scored down


class ListedName(BaseModel):
    """One name of an entity, as published (not normalised)."""

    model_config = ConfigDict(frozen=True)

    full: str = Field(min_length=1)
    quality: NameQuality = NameQuality.primary
    script: str | None = Field(default=None, description="ISO 15924, e.g. Latn, Arab, Cyrl")
    # Parts where the publisher gives them (OFAC `LAST, First`; UN FIRST_NAME...)
    first: str | None = None
    last: str | None = None


class BirthDate(BaseModel):
    """A date of birth as precise as the list gives it: a day, a month, a year or a range."""

    model_config = ConfigDict(frozen=True)

    date: dt.date | None = None  # exact day
    year: int | None = None  # year only (or the year of `date`)
    month: int | None = None
    year_from: int | None = None  # a range, e.g. "1962 to 1964" or "circa 1962" (±1)
    year_to: int | None = None
    approximate: bool = False
    raw: str = ""


class Identifier(BaseModel):
    """A document or registration number (passport, national id, IMO, tax id, ...)."""

    model_config = ConfigDict(frozen=True)

    type: str
    value: str
    country: str | None = None  # ISO 3166-1 alpha-2 where known


class ListedEntity(BaseModel):
    """A listed person, company, vessel or aircraft, with everything matching can use."""

    id: str = Field(description="Stable, `<source>:<source id>`")
    source: str = Field(description="ofac_sdn, ofac_cons, un, eu, uk, opensanctions")
    source_id: str
    type: EntityType
    names: list[ListedName] = Field(min_length=1)
    birth_dates: list[BirthDate] = Field(default_factory=list)
    birth_places: list[str] = Field(default_factory=list)
    nationalities: list[str] = Field(default_factory=list, description="ISO alpha-2")
    countries: list[str] = Field(default_factory=list, description="ISO alpha-2, any tie")
    addresses: list[str] = Field(default_factory=list)
    identifiers: list[Identifier] = Field(default_factory=list)
    programs: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list, description="sanction, pep, crime, ...")
    listed_on: dt.date | None = None
    remarks: str | None = None

    @property
    def primary_name(self) -> str:
        return self.names[0].full


class ListInfo(BaseModel):
    """Where a loaded list came from: quoted in every screening result."""

    source: str
    publisher: str
    list_date: dt.date | None = Field(default=None, description="As published, if it says")
    entities: int
    names: int
    files: dict[str, str] = Field(default_factory=dict, description="file name -> sha256")
