"""Loader for the EU Financial Sanctions Files consolidated XML (`xmlFullSanctionsList_1_1`)."""

from __future__ import annotations

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
from caseworker.checks.screening.loaders._helpers import (
    birth_date,
    dedupe_names,
    file_sha256,
    invalid,
    iso_date,
    listed_name,
)
from caseworker.checks.screening.loaders.common import country_code, unique

SOURCE = "eu"
PUBLISHER = "European Commission, EU Financial Sanctions Files (FSF)"

_SUBJECT_TYPES = {"person": EntityType.person, "enterprise": EntityType.entity}
_NO_COUNTRY = {"", "00"}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _country(element: ET.Element) -> str | None:
    code = (element.get("countryIso2Code") or "").strip()
    if code in _NO_COUNTRY:
        return None
    return country_code(code) or country_code(element.get("countryDescription"))


def _names(entry: ET.Element) -> list[ListedName]:
    """Every nameAlias; the first strong one is the primary name, `strong="false"` is weak."""
    names: list[ListedName] = []
    has_primary = False
    for alias in _children(entry, "nameAlias"):
        remark = " ".join(r.text or "" for r in _children(alias, "remark")).lower()
        weak = alias.get("strong", "true").strip().lower() == "false" or "low quality" in remark
        parts = [alias.get(k) for k in ("firstName", "middleName", "lastName")]
        whole = alias.get("wholeName") or " ".join(p for p in parts if p)
        quality = NameQuality.weak if weak else NameQuality.strong
        if not weak and not has_primary:
            quality, has_primary = NameQuality.primary, True
        name = listed_name(whole, quality, first=alias.get("firstName"), last=alias.get("lastName"))
        if name:
            names.append(name)
    if names and not has_primary:  # only weak aliases: the first still heads the entry
        names[0] = names[0].model_copy(update={"quality": NameQuality.primary})
    return dedupe_names(names)


def _birth(element: ET.Element) -> tuple[BirthDate | None, str | None]:
    circa = element.get("circa", "false").strip().lower() == "true"
    exact = iso_date(element.get("birthdate"))
    raw = element.get("birthdate") or element.get("year") or ""
    if exact:
        date = birth_date(exact.year, exact.month, exact.day, approximate=circa, raw=raw)
    else:
        date = birth_date(
            _int(element.get("year")),
            _int(element.get("monthOfYear")),
            _int(element.get("dayOfMonth")),
            approximate=circa,
            raw=("circa " if circa else "") + raw,
        )
    range_from, range_to = _int(element.get("yearRangeFrom")), _int(element.get("yearRangeTo"))
    if date is None and range_from and range_to:
        date = BirthDate(year_from=range_from, year_to=range_to, raw=f"{range_from} to {range_to}")
    place_parts = [element.get("city"), element.get("place"), element.get("countryDescription")]
    place = ", ".join(p.strip() for p in place_parts if p and p.strip() and p.strip() != "UNKNOWN")
    return date, place or None


def _address(element: ET.Element) -> str | None:
    keys = ("street", "poBox", "zipCode", "city", "region", "place", "countryDescription")
    parts = [(element.get(k) or "").strip() for k in keys]
    text = ", ".join(p for p in parts if p and p != "UNKNOWN")
    return text or None


def _entity(path: Path, entry: ET.Element) -> ListedEntity | None:
    logical_id = (entry.get("logicalId") or "").strip()
    if not logical_id:
        raise invalid(path, "a sanctionEntity has no logicalId")
    names = _names(entry)
    if not names:
        return None
    subject = next(iter(_children(entry, "subjectType")), None)
    code = (subject.get("code") or "").strip().lower() if subject is not None else ""
    births = [_birth(b) for b in _children(entry, "birthdate")]
    nationalities = unique(c for n in _children(entry, "citizenship") if (c := _country(n)))
    address_nodes = _children(entry, "address")
    countries = [_country(a) for a in address_nodes]
    countries += [_country(b) for b in _children(entry, "birthdate")]
    identifiers = [
        Identifier(
            type=(node.get("identificationTypeCode") or "other"),
            value=number.strip(),
            country=_country(node),
        )
        for node in _children(entry, "identification")
        if (number := node.get("number") or node.get("latinNumber") or "").strip()
    ]
    regulations = _children(entry, "regulation")
    listed = [iso_date(entry.get("designationDate"))]
    listed += [iso_date(r.get("publicationDate")) for r in regulations]
    remarks = " ".join(" ".join((r.text or "").split()) for r in _children(entry, "remark"))
    return ListedEntity(
        id=f"{SOURCE}:{logical_id}",
        source=SOURCE,
        source_id=logical_id,
        type=_SUBJECT_TYPES.get(code, EntityType.unknown),
        names=names,
        birth_dates=[d for d, _ in births if d],
        birth_places=unique(p for _, p in births if p),
        nationalities=nationalities,
        countries=unique([*nationalities, *(c for c in countries if c)]),
        addresses=unique(a for node in address_nodes if (a := _address(node))),
        identifiers=identifiers,
        programs=unique(r.get("programme") or "" for r in regulations),
        topics=["sanction"],
        listed_on=min((d for d in listed if d), default=None),
        remarks=remarks.strip() or None,
    )


def load_eu(path: Path) -> tuple[list[ListedEntity], ListInfo]:
    """Load the EU consolidated list; a malformed or empty file raises `ListInvalid`."""
    path = Path(path)
    entities: list[ListedEntity] = []
    root: ET.Element | None = None
    generated: str | None = None
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if root is None:
                root = element
                if _local(root.tag) != "export":
                    raise invalid(path, f"root element is <{_local(root.tag)}>, not <export>")
                generated = root.get("generationDate")
            elif event == "end" and _local(element.tag) == "sanctionEntity":
                entity = _entity(path, element)
                if entity:
                    entities.append(entity)
                root.clear()  # entries are direct children of <export>: keep memory flat
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise invalid(path, f"not well-formed XML (column {column})", line) from exc
    except OSError as exc:
        raise invalid(path, f"cannot be read: {exc.strerror or exc}") from exc
    if root is None or not entities:
        raise invalid(path, "no sanctionEntity records")
    return entities, ListInfo(
        source=SOURCE,
        publisher=PUBLISHER,
        list_date=iso_date(generated),
        entities=len(entities),
        names=sum(len(e.names) for e in entities),
        files={path.name: file_sha256(path)},
    )
