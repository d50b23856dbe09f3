"""Loader for OFAC's legacy CSV files (the SDN list and the Consolidated non-SDN list)."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
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
from caseworker.checks.screening.errors import ListInvalid
from caseworker.checks.screening.loaders.common import (
    T,
    country_code,
    detect_script,
    parse_birth_date,
    read_list_file,
    sha256,
    unique,
)

PUBLISHER = "US Treasury OFAC"
EMPTY = "-0-"  # OFAC writes `-0- ` for an empty field
WIDTHS = {"primary": 12, "alt": 5, "add": 6, "comments": 2}
TYPES = {"individual": EntityType.person, "vessel": EntityType.vessel,
         "aircraft": EntityType.aircraft, "": EntityType.entity}

# Remarks labels that introduce a document or registration number, and the type they give.
ID_LABELS: dict[str, str] = {
    "Passport": "passport", "Diplomatic Passport": "passport",
    "National ID No.": "national_id", "D.N.I.": "national_id", "Cedula No.": "national_id",
    "Identification Number": "id_number", "C.U.R.P.": "curp",
    "Tax ID No.": "tax_id", "NIT #": "tax_id", "RUC #": "tax_id", "R.F.C.": "tax_id",
    "RIF #": "tax_id", "V.A.T. Number": "vat",
    "Registration ID": "registration", "Registration Number": "registration",
    "Company Number": "registration", "Business Registration Number": "registration",
    "Commercial Registry Number": "registration", "C.R. No.": "registration",
    "Trade License No.": "registration", "Folio Mercantil No.": "registration",
    "Matricula Mercantil No": "registration", "Government Gazette Number": "registration",
    "Unified Social Credit Code (USCC)": "registration", "Legal Entity Number": "lei",
    "D-U-N-S Number": "duns", "SWIFT/BIC": "swift_bic", "MMSI": "mmsi", "ISIN": "isin",
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_msn",
    "Aircraft Tail Number": "aircraft_tail_number",
    "Email Address": "email", "Website": "website",
}
_LABEL = re.compile(
    "^(" + "|".join(re.escape(lb) for lb in sorted(ID_LABELS, key=len, reverse=True)) + ") (.+)$"
)
_PROGRAM_SPLIT = re.compile(r"\]\s*\[")
_ID_VALUE = re.compile(r"^(?P<value>.+?)(?: \((?P<country>[^()]+)\))?(?: (?:issued|expires)\b.*)?$")
_IMO = re.compile(r"^(?:Vessel Registration Identification|Identification Number|Company Number)"
                  r" IMO (\d{7})\b")
_CRYPTO = re.compile(r"^Digital Currency Address - (\w+) (\S+)$")
_WEAK_ALIAS = re.compile(r"^[afn]\.k\.a\. '(.+)'$")
_NATIONALITY = re.compile(r"^(?:nationality|Nationality|citizen) (.+)$")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # OFAC's older files are Windows-1252
        return data.decode("cp1252", errors="replace")


def _rows(path: Path, data: bytes, width: int) -> Iterator[tuple[str, list[str]]]:
    """Yield the cleaned cells of every data row by ent_num; ListInvalid on a malformed line."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        for row in reader:
            if not row or all(not cell.strip(" \t\x1a") for cell in row):
                continue  # blank lines and the DOS end-of-file marker OFAC appends
            if len(row) != width:
                raise ListInvalid.at(path.name, f"expected {width} columns, found {len(row)}",
                                  line=reader.line_num)
            cells = ["" if c.strip() == EMPTY else c.strip() for c in row]
            if not cells[0].isdigit():
                raise ListInvalid.at(path.name, f"ent_num {cells[0]!r} is not a number",
                                  line=reader.line_num)
            yield cells[0], cells
    except csv.Error as exc:
        raise ListInvalid.at(path.name, f"not valid CSV ({exc})", line=reader.line_num) from exc


def _name(full: str, quality: NameQuality, person: bool) -> ListedName:
    last, sep, first = full.partition(", ")
    if person and sep and last.strip() and first.strip():
        return ListedName(full=full, quality=quality, script=detect_script(full),
                          first=first.strip(), last=last.strip())
    return ListedName(full=full, quality=quality, script=detect_script(full))


def _identifier(kind: str, text: str) -> Identifier | None:
    m = _ID_VALUE.match(text)
    if m is None:
        return None
    code = country_code(m["country"])
    value = m["value"] if code or not m["country"] else f"{m['value']} ({m['country']})"
    return Identifier(type=kind, value=value.strip(), country=code)


class _Remarks:
    """What the free-text Remarks field says, clause by clause (`DOB 1962; POB Shati.`)."""

    def __init__(self, remarks: str, person: bool) -> None:
        self.birth_dates: list[BirthDate] = []
        self.birth_places: list[str] = []
        self.nationalities: list[str] = []
        self.countries: list[str] = []
        self.identifiers: list[Identifier] = []
        self.weak_names: list[ListedName] = []
        self.unparsed: list[str] = []
        for clause in remarks.split(";"):
            self._clause(clause.strip().rstrip(".").strip().removeprefix("alt. "), person)

    def _clause(self, text: str, person: bool) -> None:
        if text.startswith("DOB "):
            date = parse_birth_date(text[4:])
            self._keep(self.birth_dates, date, text)
        elif text.startswith("POB "):
            self.birth_places.append(text[4:])
            self._keep(self.countries, country_code(text.rsplit(",", 1)[-1]), None)
        elif text.startswith("Nationality of Registration "):
            self._keep(self.countries, country_code(text[28:]), text)
        elif m := _NATIONALITY.match(text):
            self._keep(self.nationalities, country_code(m[1]), text)
        elif m := _WEAK_ALIAS.match(text):
            self.weak_names.append(_name(m[1], NameQuality.weak, person))
        elif m := _IMO.match(text):
            kind = "imo_company" if text.startswith("Company Number") else "imo"
            self.identifiers.append(Identifier(type=kind, value=m[1]))
        elif m := _CRYPTO.match(text):
            self.identifiers.append(Identifier(type=f"crypto_{m[1].lower()}", value=m[2]))
        elif m := _LABEL.match(text):
            self._keep(self.identifiers, _identifier(ID_LABELS[m[1]], m[2]), text)

    def _keep(self, into: list[T], item: T | None, text: str | None) -> None:
        if item is not None:
            into.append(item)
        elif text is not None:
            self.unparsed.append(text)


def _distinct(names: list[ListedName]) -> list[ListedName]:
    """Drop repeats of the same spelling, keeping the first (strongest) name."""
    seen: dict[str, ListedName] = {}
    for name in names:
        seen.setdefault(name.full, name)
    return list(seen.values())


def _programs(text: str) -> list[str]:
    return [p for p in (part.strip(" []") for part in _PROGRAM_SPLIT.split(text)) if p]


def _entity(source: str, cells: list[str], alts: list[list[str]], adds: list[list[str]],
            remarks: str) -> ListedEntity:
    ent_num, name, sdn_type, program, _title, call_sign, _vtype, _ton, _grt, flag, _own, _r = cells
    kind = TYPES.get(sdn_type.lower(), EntityType.unknown)
    person = kind is EntityType.person
    parsed = _Remarks(remarks, person)
    names = [_name(name, NameQuality.primary, person)]
    names += [_name(alt[3], NameQuality.strong, person) for alt in alts if alt[3]]
    names += parsed.weak_names
    addresses = [", ".join(p for p in add[2:5] if p) for add in adds]
    countries = [country_code(add[4]) for add in adds] + [country_code(flag)]
    identifiers = list(parsed.identifiers)
    if call_sign:
        identifiers.insert(0, Identifier(type="call_sign", value=call_sign))
    return ListedEntity(
        id=f"{source}:{ent_num}", source=source, source_id=ent_num, type=kind,
        names=_distinct(names),
        birth_dates=unique(parsed.birth_dates), birth_places=unique(parsed.birth_places),
        nationalities=unique(parsed.nationalities),
        countries=unique([c for c in [*countries, *parsed.countries, *parsed.nationalities] if c]),
        addresses=unique([a for a in addresses if a]), identifiers=unique(identifiers),
        programs=_programs(program), topics=["sanction"], remarks=remarks or None,
    )


def load_ofac(primary: Path, alt: Path | None, add: Path | None, comments: Path | None, *,
              source: str) -> tuple[list[ListedEntity], ListInfo]:
    """Load one OFAC legacy CSV list (sdn/alt/add/sdn_comments); ListInvalid if any file is bad.

    Names are kept as published (`LAST, First` for individuals) with `first`/`last` set.
    """
    files: dict[str, str] = {}
    related: dict[str, dict[str, list[list[str]]]] = {}
    primary_data = read_list_file(primary)
    files[primary.name] = sha256(primary_data)
    rows: dict[str, list[str]] = {}
    for ent_num, cells in _rows(primary, primary_data, WIDTHS["primary"]):
        if ent_num in rows:
            raise ListInvalid.at(primary.name, f"ent_num {ent_num} is listed twice")
        rows[ent_num] = cells
    for kind, path in (("alt", alt), ("add", add), ("comments", comments)):
        related[kind] = defaultdict(list)
        if path is not None:
            # the remarks-overflow file may legitimately hold no rows
            data = read_list_file(path, allow_empty=kind == "comments")
            files[path.name] = sha256(data)
            for ent_num, cells in _rows(path, data, WIDTHS[kind]) if data else ():
                related[kind][ent_num].append(cells)
    entities = []
    for ent_num, cells in rows.items():
        remarks = cells[11] + "".join(c[1] for c in related["comments"].get(ent_num, []))
        entities.append(_entity(source, cells, related["alt"].get(ent_num, []),
                                related["add"].get(ent_num, []), remarks))
    info = ListInfo(source=source, publisher=PUBLISHER, entities=len(entities),
                    names=sum(len(e.names) for e in entities), files=files)
    return entities, info

