"""Loader for OpenSanctions FollowTheMoney JSON lines (`entities.ftm.json`), sanctions and PEPs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

SOURCE = "opensanctions"
PUBLISHER = "OpenSanctions (default collection, FollowTheMoney export)"

# FtM schemata that can be screened; everything else (Address, Ownership, Sanction, ...) is skipped.
_SCHEMATA: dict[str, EntityType] = {
    "Person": EntityType.person,
    "Company": EntityType.entity,
    "Organization": EntityType.entity,
    "LegalEntity": EntityType.entity,
    "PublicBody": EntityType.entity,
    "Vessel": EntityType.vessel,
    "Airplane": EntityType.aircraft,
}
# FtM topics -> ours; topics not listed pass through unchanged (crime, debarment, ...).
_TOPICS = {"role.pep": "pep", "role.rca": "pep", "sanction": "sanction"}
# FtM identifier properties -> Identifier.type.
_IDENTIFIERS = {
    "passportNumber": "passport",
    "idNumber": "national_id",
    "taxNumber": "tax_id",
    "vatCode": "tax_id",
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "registrationNumber": "registration",
    "leiCode": "lei",
    "swiftBic": "swift_bic",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "callSign": "call_sign",
    "serialNumber": "serial_number",
}
_COUNTRY_PROPS = ("country", "jurisdiction", "mainCountry", "flag", "citizenship", "nationality")


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) per non-blank line; a line that is not an object is invalid."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise invalid(path, f"not JSON ({exc.msg})", number) from exc
            if not isinstance(record, dict):
                raise invalid(path, "a line is not a JSON object", number)
            yield number, record


def _values(props: dict[str, Any], name: str) -> list[str]:
    values = props.get(name) or []
    if isinstance(values, str):
        values = [values]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _names(record: dict[str, Any], props: dict[str, Any]) -> list[ListedName]:
    person = record.get("schema") == "Person"
    first = next(iter(_values(props, "firstName")), None) if person else None
    last = next(iter(_values(props, "lastName")), None) if person else None
    primaries = _values(props, "name") or [str(record.get("caption") or "")]
    names: list[ListedName | None] = [
        listed_name(
            value,
            NameQuality.primary if i == 0 else NameQuality.strong,
            first=first if i == 0 else None,
            last=last if i == 0 else None,
        )
        for i, value in enumerate(primaries)
    ]
    for prop, quality in (
        ("alias", NameQuality.strong),
        ("previousName", NameQuality.strong),
        ("weakAlias", NameQuality.weak),
    ):
        names += [listed_name(v, quality) for v in _values(props, prop)]
    return dedupe_names(n for n in names if n)


def _birth(value: str) -> BirthDate | None:
    parts = value.split("-")
    if not all(p.isdigit() for p in parts) or len(parts) > 3:
        return None
    numbers = [int(p) for p in parts] + [0, 0]
    return birth_date(numbers[0], numbers[1] or None, numbers[2] or None, raw=value)


def _entity(number: int, record: dict[str, Any], path: Path) -> ListedEntity | None:
    entity_type = _SCHEMATA.get(str(record.get("schema")))
    if entity_type is None:
        return None
    entity_id = record.get("id")
    props = record.get("properties")
    if not isinstance(entity_id, str) or not entity_id or not isinstance(props, dict):
        raise invalid(path, "an entity without a string `id` or a `properties` object", number)
    topics = unique(_TOPICS.get(t, t) for t in _values(props, "topics"))
    if not topics and not record.get("target"):
        return None  # neither a target nor tagged with a risk topic: not worth screening
    names = _names(record, props)
    if not names:
        return None
    nationalities = unique(
        c
        for p in ("nationality", "citizenship")
        for v in _values(props, p)
        if (c := country_code(v))
    )
    countries = [c for p in _COUNTRY_PROPS for v in _values(props, p) if (c := country_code(v))]
    identifiers = dict.fromkeys(
        (kind, value) for prop, kind in _IDENTIFIERS.items() for value in _values(props, prop)
    )
    datasets = [d for d in record.get("datasets") or [] if isinstance(d, str)]
    remarks = " ".join(_values(props, "notes"))
    if datasets:
        remarks = "; ".join(p for p in (remarks, f"datasets: {', '.join(datasets)}") if p)
    return ListedEntity(
        id=f"{SOURCE}:{entity_id}",
        source=SOURCE,
        source_id=entity_id,
        type=entity_type,
        names=names,
        birth_dates=[d for v in _values(props, "birthDate") if (d := _birth(v))],
        birth_places=unique(_values(props, "birthPlace")),
        nationalities=nationalities,
        countries=unique([*nationalities, *countries]),
        addresses=unique(_values(props, "address")),
        identifiers=[Identifier(type=kind, value=value) for kind, value in identifiers],
        programs=unique([*_values(props, "program"), *_values(props, "programId")]),
        topics=topics,
        listed_on=iso_date(str(record.get("first_seen") or "")),
        remarks=remarks or None,
    )


def load_opensanctions(path: Path) -> tuple[list[ListedEntity], ListInfo]:
    """Stream an FtM JSON-lines export; a line that is not JSON raises `ListInvalid` (file:line)."""
    path = Path(path)
    entities: list[ListedEntity] = []
    latest: dt.date | None = None
    try:
        for number, record in _records(path):
            entity = _entity(number, record, path)
            if entity is None:
                continue
            entities.append(entity)
            seen = iso_date(str(record.get("last_seen") or record.get("last_change") or ""))
            if seen and (latest is None or seen > latest):
                latest = seen
    except UnicodeDecodeError as exc:
        raise invalid(path, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise invalid(path, f"cannot be read: {exc.strerror or exc}") from exc
    if not entities:
        raise invalid(path, "no screenable entities (Person, Company, Vessel, ...)")
    return entities, ListInfo(
        source=SOURCE,
        publisher=PUBLISHER,
        list_date=latest,
        entities=len(entities),
        names=sum(len(e.names) for e in entities),
        files={path.name: file_sha256(path)},
    )
