"""Loader for the UK Sanctions List (FCDO) CSV: one row per name, grouped by Unique ID."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
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
    countries_in,
    dedupe_names,
    file_sha256,
    invalid,
    listed_name,
    parse_date,
    split_values,
)
from caseworker.checks.screening.loaders.common import unique

SOURCE = "uk"
PUBLISHER = "UK Foreign, Commonwealth & Development Office (UK Sanctions List)"

# Our field -> the headings it goes by, compared lower-case without punctuation or spaces.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "unique_id": ("uniqueid",),
    "name1": ("name1",),
    "name2": ("name2",),
    "name3": ("name3",),
    "name4": ("name4",),
    "name5": ("name5",),
    "name6": ("name6",),
    "name_type": ("nametype", "aliastype"),
    "alias_strength": ("aliasstrength", "aliasquality"),
    "non_latin": ("namenonlatinscript",),
    "type": (
        "entityindividualorship",
        "individualentityorship",
        "individualentityship",
        "designationtype",
        "grouptype",
    ),
    "dob": ("dob", "dateofbirth"),
    "town_of_birth": ("townofbirth",),
    "country_of_birth": ("countryofbirth",),
    "nationality": ("nationalityies", "nationalities", "nationality"),
    "passport": ("passportnumber", "passportnumbers"),
    "national_id": ("nationalidentifiernumber", "nationalidentificationnumber"),
    "imo": ("imonumber",),
    "business_reg": ("businessregistrationnumbers", "businessregistrationnumber"),
    "address_country": ("addresscountry",),
    "regime": ("regimename", "regime"),
    "date_designated": ("datedesignated", "uksanctionslistdatedesignated"),
    "last_updated": ("lastupdated",),
    "other_info": ("otherinformation",),
}
_REQUIRED = {"unique_id": "Unique ID", "name6": "Name 6", "name_type": "Name type"}
_TYPES = {"individual": EntityType.person, "entity": EntityType.entity, "ship": EntityType.vessel}
_IDENTIFIERS = {
    "passport": "passport",
    "national_id": "national_id",
    "imo": "imo",
    "business_reg": "registration",
}
_DMY = re.compile(r"^(\d{1,2}|dd)/(\d{1,2}|mm)/(\d{4})$", re.IGNORECASE)
_DATE_FORMATS = ("%d/%m/%Y", "%d-%b-%Y", "%d %B %Y", "%Y-%m-%d")
_HEADER_SEARCH = 10

Row = dict[str, str]


def _heading(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _rows(path: Path, encoding: str) -> Iterator[tuple[int, Row | str]]:
    """Yield (line, preamble text) before the header, then (line, row) per data row."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        mapping: dict[str, int] | None = None
        try:
            for cells in reader:
                if mapping is None:
                    headings = [_heading(c) for c in cells]
                    if "uniqueid" not in headings:
                        if reader.line_num > _HEADER_SEARCH:
                            raise invalid(path, "no header row with a 'Unique ID' column", 1)
                        yield reader.line_num, ",".join(cells)
                        continue
                    mapping = _map_columns(path, headings, reader.line_num)
                    continue
                if any(c.strip() for c in cells):
                    yield (
                        reader.line_num,
                        {f: cells[i].strip() if i < len(cells) else "" for f, i in mapping.items()},
                    )
        except csv.Error as exc:
            raise invalid(path, f"malformed CSV: {exc}", reader.line_num) from exc
        if mapping is None:
            raise invalid(path, "no header row with a 'Unique ID' column", 1)


def _map_columns(path: Path, headings: list[str], line: int) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for field, options in _COLUMNS.items():
        found = next((headings.index(o) for o in options if o in headings), None)
        if found is not None:
            mapping[field] = found
    missing = [label for field, label in _REQUIRED.items() if field not in mapping]
    if missing:
        raise invalid(path, f"missing required columns: {', '.join(missing)}", line)
    return mapping


def _birth_dates(cell: str) -> list[BirthDate]:
    dates: list[BirthDate] = []
    for raw in split_values(cell):
        match = _DMY.match(raw)
        if match:
            day, month, year = (int(p) if p.isdigit() else 0 for p in match.groups())
            date = birth_date(year, month or None, day or None, raw=raw)
        elif raw.isdigit() and len(raw) == 4:
            date = birth_date(int(raw), raw=raw)
        else:
            date = None
        if date:
            dates.append(date)
    return dates


def _name(row: Row, person: bool, first_primary: bool) -> tuple[ListedName | None, bool]:
    parts = [row.get(f"name{i}", "") for i in range(1, 7)]
    kind = row.get("name_type", "").lower()
    strength = row.get("alias_strength", "").lower()
    if kind == "primary name" and first_primary:
        quality = NameQuality.primary
    elif "low" in strength or "weak" in strength:
        quality = NameQuality.weak
    else:
        quality = NameQuality.strong
    name = listed_name(
        " ".join(p for p in parts if p),
        quality,
        first=row.get("name1") if person else None,
        last=row.get("name6") if person else None,
    )
    return name, first_primary and not (name and quality is NameQuality.primary)


def _entity(uid: str, rows: list[Row]) -> ListedEntity | None:
    kind = next((r["type"].lower() for r in rows if r.get("type")), "")
    entity_type = _TYPES.get(kind, EntityType.unknown)
    names: list[ListedName] = []
    want_primary = True
    for row in rows:
        name, want_primary = _name(row, entity_type is EntityType.person, want_primary)
        if name:
            names.append(name)
        names += [
            n
            for v in split_values(row.get("non_latin"))
            if (n := listed_name(v, NameQuality.strong))
        ]
    if names and names[0].quality is not NameQuality.primary and want_primary:
        names[0] = names[0].model_copy(update={"quality": NameQuality.primary})
    names = dedupe_names(names)
    if not names:
        return None

    def cells(field: str) -> list[str]:
        return unique(r.get(field, "") for r in rows)

    nationalities = unique(c for cell in cells("nationality") for c in countries_in(cell))
    countries = [
        c
        for f in ("address_country", "country_of_birth")
        for cell in cells(f)
        for c in countries_in(cell)
    ]
    births = [
        ", ".join(p for p in (r.get("town_of_birth"), r.get("country_of_birth")) if p) for r in rows
    ]
    identifiers = dict.fromkeys(
        (id_type, value)
        for field, id_type in _IDENTIFIERS.items()
        for cell in cells(field)
        for value in split_values(cell)
    )
    designated = [parse_date(c, _DATE_FORMATS) for c in cells("date_designated")]
    return ListedEntity(
        id=f"{SOURCE}:{uid}",
        source=SOURCE,
        source_id=uid,
        type=entity_type,
        names=names,
        birth_dates=list({d.raw: d for c in cells("dob") for d in _birth_dates(c)}.values()),
        birth_places=unique(births),
        nationalities=nationalities,
        countries=unique([*nationalities, *countries]),
        identifiers=[Identifier(type=t, value=v) for t, v in identifiers],
        programs=cells("regime"),
        topics=["sanction"],
        listed_on=min((d for d in designated if d), default=None),
        remarks=next(iter(cells("other_info")), None),
    )


def _read(path: Path, encoding: str) -> tuple[dict[str, list[Row]], dt.date | None]:
    groups: dict[str, list[Row]] = {}
    report_date: dt.date | None = None
    for _line, item in _rows(path, encoding):
        if isinstance(item, str):
            label, _, value = item.partition(":")
            if label.strip().lower() == "report date":
                report_date = parse_date(value.strip(" ,"), _DATE_FORMATS)
            continue
        if item["unique_id"]:
            groups.setdefault(item["unique_id"], []).append(item)
    if report_date is None:  # no preamble: the latest "Last Updated" dates the list
        updated = [
            parse_date(r.get("last_updated"), _DATE_FORMATS)
            for rows in groups.values()
            for r in rows
        ]
        report_date = max((d for d in updated if d), default=None)
    return groups, report_date


def load_uk(path: Path) -> tuple[list[ListedEntity], ListInfo]:
    """Load the UK Sanctions List CSV; a malformed or empty file raises `ListInvalid`."""
    path = Path(path)
    try:
        try:
            groups, report_date = _read(path, "utf-8-sig")
        except UnicodeDecodeError:
            groups, report_date = _read(path, "cp1252")
    except OSError as exc:
        raise invalid(path, f"cannot be read: {exc.strerror or exc}") from exc
    entities = [e for uid, rows in groups.items() if (e := _entity(uid, rows))]
    if not entities:
        raise invalid(path, "no designations (rows with a Unique ID and a name)")
    return entities, ListInfo(
        source=SOURCE,
        publisher=PUBLISHER,
        list_date=report_date,
        entities=len(entities),
        names=sum(len(e.names) for e in entities),
        files={path.name: file_sha256(path)},
    )
