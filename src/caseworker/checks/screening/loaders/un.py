"""Loader for the UN Security Council Consolidated List (official XML, sc-sanctions.xsd)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from caseworker.checks.screening.entity import (
    BirthDate,
    EntityType,
    Identifier,
    ListedEntity,
    ListedName,
    ListInfo,
    NameQuality,
)
from caseworker.checks.screening.errors import ListInvalid
from caseworker.checks.screening.loaders.common import (
    country_code,
    detect_script,
    read_list_file,
    sha256,
    unique,
)

SOURCE = "un"
PUBLISHER = "UN Security Council"
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# QUALITY as published; the list also writes the alias kind there ("a.k.a.", "f.k.a.") or nothing.
QUALITY = {"good": NameQuality.strong, "low": NameQuality.weak}
DOCUMENT_TYPES = {
    "passport": "passport",
    "numéro de passeport": "passport",
    "número de pasaporte": "passport",
    "national identification number": "national_id",
}


def _text(element: ET.Element, tag: str) -> str:
    """Return the whitespace-normalised text of a child element, or ''."""
    child = element.find(tag)
    return " ".join(child.text.split()) if child is not None and child.text else ""


def _joined(element: ET.Element, tags: tuple[str, ...]) -> str:
    return ", ".join(part for part in (_text(element, tag) for tag in tags) if part)


class _Reader:
    """Turns one INDIVIDUAL or ENTITY element into a ListedEntity; ListInvalid if malformed."""

    def __init__(self, path: Path) -> None:
        self.file = path.name

    def invalid(self, what: str, source_id: str) -> ListInvalid:
        return ListInvalid.at(self.file, f"{what} (DATAID {source_id or '?'})")

    def entity(self, element: ET.Element, kind: EntityType) -> ListedEntity:
        source_id = _text(element, "DATAID")
        if not source_id:
            raise self.invalid(f"a <{element.tag}> has no DATAID", "")
        full = " ".join(p for p in (_text(element, tag) for tag in NAME_PARTS) if p)
        if not full:
            raise self.invalid(f"<{element.tag}> has no name", source_id)
        first = _text(element, "FIRST_NAME") if kind is EntityType.person else ""
        names = [ListedName(full=full, script=detect_script(full), first=first or None)]
        for original in element.iterfind("NAME_ORIGINAL_SCRIPT"):
            text = " ".join((original.text or "").split())
            if text:
                names.append(ListedName(full=text, script=detect_script(text)))
        alias_tag = "INDIVIDUAL_ALIAS" if kind is EntityType.person else "ENTITY_ALIAS"
        for alias in element.iterfind(alias_tag):
            text = _text(alias, "ALIAS_NAME")
            if text:
                quality = QUALITY.get(_text(alias, "QUALITY").lower(), NameQuality.strong)
                names.append(ListedName(full=text, quality=quality, script=detect_script(text)))
        address_tag = "INDIVIDUAL_ADDRESS" if kind is EntityType.person else "ENTITY_ADDRESS"
        addresses = list(element.iterfind(address_tag))
        places = list(element.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"))
        nationalities = [country_code(_text(v, ".")) for v in element.iterfind("NATIONALITY/VALUE")]
        nationality_codes = unique([c for c in nationalities if c])
        countries = [country_code(_text(a, "COUNTRY")) for a in [*addresses, *places]]
        return ListedEntity(
            id=f"{SOURCE}:{source_id}", source=SOURCE, source_id=source_id, type=kind,
            names=_distinct(names),
            birth_dates=unique([d for d in (self.birth_date(e, source_id) for e in
                                            element.iterfind("INDIVIDUAL_DATE_OF_BIRTH")) if d]),
            birth_places=unique([p for p in (_joined(e, ("STREET", "CITY", "STATE_PROVINCE",
                                                         "COUNTRY")) for e in places) if p]),
            nationalities=nationality_codes,
            countries=unique([c for c in [*countries, *nationality_codes] if c]),
            addresses=unique([a for a in (_joined(e, ("STREET", "CITY", "STATE_PROVINCE",
                                                      "ZIP_CODE", "COUNTRY")) for e in addresses)
                              if a]),
            identifiers=unique([i for i in map(_document, element.iterfind("INDIVIDUAL_DOCUMENT"))
                                if i]),
            programs=[p for p in (_text(element, "UN_LIST_TYPE"),
                                  _text(element, "REFERENCE_NUMBER")) if p],
            topics=["sanction"],
            listed_on=self.date(_text(element, "LISTED_ON"), "LISTED_ON", source_id),
            remarks=(element.findtext("COMMENTS1") or "").strip() or None,
        )

    def date(self, text: str, what: str, source_id: str) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise self.invalid(f"{what} {text!r} is not a date", source_id) from None

    def birth_date(self, element: ET.Element, source_id: str) -> BirthDate | None:
        kind = _text(element, "TYPE_OF_DATE").upper()
        approximate = kind == "APPROXIMATELY"
        day = self.date(_text(element, "DATE"), "DATE", source_id)
        years = [_text(element, tag) for tag in ("YEAR", "FROM_YEAR", "TO_YEAR")]
        if any(y and not y.isdigit() for y in years):
            raise self.invalid(f"date of birth year {years} is not a number", source_id)
        year, year_from, year_to = (int(y) if y else None for y in years)
        raw = " ".join(p for p in (kind, day.isoformat() if day else "", *years) if p)
        if year_from is not None and year_to is not None:
            return BirthDate(year_from=year_from, year_to=year_to, approximate=approximate,
                             raw=raw)
        year = day.year if day else year
        if year is None:
            return None
        spread = (year - 1, year + 1) if approximate else (None, None)
        return BirthDate(date=day, year=year, month=day.month if day else None,
                         year_from=spread[0], year_to=spread[1], approximate=approximate, raw=raw)


def _document(element: ET.Element) -> Identifier | None:
    number = _text(element, "NUMBER")
    if not number:
        return None
    label = _text(element, "TYPE_OF_DOCUMENT").lower()
    kind = DOCUMENT_TYPES.get(label) or re.sub(r"\W+", "_", label).strip("_") or "document"
    country = country_code(_text(element, "ISSUING_COUNTRY") or _text(element, "COUNTRY_OF_ISSUE"))
    return Identifier(type=kind, value=number, country=country)


def _distinct(names: list[ListedName]) -> list[ListedName]:
    """Drop repeats of the same spelling, keeping the first (strongest) name."""
    seen: dict[str, ListedName] = {}
    for name in names:
        seen.setdefault(name.full, name)
    return list(seen.values())


def load_un(path: Path) -> tuple[list[ListedEntity], ListInfo]:
    """Load the UN Consolidated List XML; ListInvalid if the file is unreadable or malformed."""
    data = read_list_file(path)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0]
        raise ListInvalid.at(path.name, f"not well-formed XML ({exc})", line=line) from exc
    if root.tag != "CONSOLIDATED_LIST":
        raise ListInvalid.at(path.name, f"root element is <{root.tag}>, not <CONSOLIDATED_LIST>")
    individuals, groups = root.find("INDIVIDUALS"), root.find("ENTITIES")
    if individuals is None or groups is None:
        raise ListInvalid.at(path.name, "<INDIVIDUALS> or <ENTITIES> is missing")
    reader = _Reader(path)
    generated = root.get("dateGenerated", "")
    list_date = reader.date(generated, "dateGenerated", "list") if generated else None
    entities = [reader.entity(e, EntityType.person) for e in individuals.iterfind("INDIVIDUAL")]
    entities += [reader.entity(e, EntityType.entity) for e in groups.iterfind("ENTITY")]
    seen: set[str] = set()
    for entity in entities:
        if entity.source_id in seen:
            raise reader.invalid("the same DATAID is listed twice", entity.source_id)
        seen.add(entity.source_id)
    info = ListInfo(source=SOURCE, publisher=PUBLISHER, list_date=list_date,
                    entities=len(entities), names=sum(len(e.names) for e in entities),
                    files={path.name: sha256(data)})
    return entities, info
