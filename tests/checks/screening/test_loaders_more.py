"""The EU, UK and OpenSanctions loaders on small format-faithful files, and on malformed ones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from caseworker.checks.screening.entity import EntityType, Identifier, NameQuality
from caseworker.checks.screening.errors import ListInvalid
from caseworker.checks.screening.loaders.eu import load_eu
from caseworker.checks.screening.loaders.opensanctions import load_opensanctions
from caseworker.checks.screening.loaders.uk import load_uk
from tests.checks.screening.list_files import (
    EU_XML,
    FTM_JSONL,
    UK_CSV,
    UK_HEADER,
    UK_ROWS,
    csv_text,
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding, newline="")
    return path


# --- EU ---------------------------------------------------------------------------------


def test_eu_loads_persons_and_enterprises(tmp_path: Path) -> None:
    entities, info = load_eu(write(tmp_path, "eu_fsf.xml", EU_XML))

    assert [e.id for e in entities] == ["eu:9001", "eu:9002", "eu:9003"]
    assert info.source == "eu" and info.entities == 3 and info.names == 6
    assert info.list_date == dt.date(2026, 2, 27)
    assert len(info.files["eu_fsf.xml"]) == 64

    volkonsky, northwind, haddad = entities
    assert volkonsky.type is EntityType.person and northwind.type is EntityType.entity
    assert [(n.full, n.quality, n.script) for n in volkonsky.names] == [
        ("Pyotr Ilyich Volkonsky", NameQuality.primary, "Latn"),
        ("Пётр Ильич Волконский", NameQuality.strong, "Cyrl"),
        ("Petya the Banker", NameQuality.weak, "Latn"),
    ]
    assert (volkonsky.names[0].first, volkonsky.names[0].last) == ("Pyotr", "Volkonsky")
    (circa,) = volkonsky.birth_dates
    assert (circa.year, circa.year_from, circa.year_to, circa.approximate) == (
        1962,
        1961,
        1963,
        True,
    )
    assert circa.date is None
    assert volkonsky.birth_places == ["Tver, RUSSIAN FEDERATION"]
    assert volkonsky.nationalities == ["RU"] and volkonsky.countries == ["RU"]
    assert volkonsky.identifiers == [Identifier(type="passport", value="753912345", country="RU")]
    assert volkonsky.programs == ["UKR"] and volkonsky.topics == ["sanction"]
    assert volkonsky.listed_on == dt.date(2022, 3, 15)
    assert volkonsky.remarks == "Founder of a fictional bank."

    assert [n.quality for n in northwind.names] == [NameQuality.primary, NameQuality.strong]
    assert northwind.addresses == ["Tverskaya 1, 125009, Moscow, RUSSIAN FEDERATION"]
    assert northwind.countries == ["RU"]
    assert northwind.identifiers[0].type == "regnumber"

    (exact,) = haddad.birth_dates
    assert exact.date == dt.date(1971, 4, 9) and not exact.approximate
    assert haddad.nationalities == []  # "00" / UNKNOWN is no country
    assert haddad.countries == ["SY"]
    assert haddad.listed_on == dt.date(2011, 5, 23)  # designationDate beats the later regulation


def test_eu_truncated_xml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "eu_fsf.xml", EU_XML[: len(EU_XML) // 2])
    with pytest.raises(ListInvalid, match=r"eu_fsf\.xml line \d+ is invalid: not well-formed XML"):
        load_eu(path)


def test_eu_other_xml_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "eu_fsf.xml", "<?xml version='1.0'?><CONSOLIDATED_LIST/>")
    with pytest.raises(ListInvalid, match="not <export>"):
        load_eu(path)
    empty = write(tmp_path, "empty.xml", '<export xmlns="http://eu.europa.ec/fpi/fsd/export"/>')
    with pytest.raises(ListInvalid, match="no sanctionEntity"):
        load_eu(empty)


# --- UK ---------------------------------------------------------------------------------


def test_uk_groups_rows_by_unique_id(tmp_path: Path) -> None:
    entities, info = load_uk(write(tmp_path, "UK-Sanctions-List.csv", UK_CSV))

    assert [e.id for e in entities] == ["uk:RUS1234", "uk:RUS5678", "uk:RUS9012"]
    assert info.source == "uk" and info.list_date == dt.date(2026, 2, 27)
    person, company, ship = entities
    assert person.type is EntityType.person
    assert [(n.full, n.quality) for n in person.names] == [
        ("Pyotr Ilyich VOLKONSKY", NameQuality.primary),
        ("Пётр Ильич Волконский", NameQuality.strong),
        ("Petr VOLKONSKII", NameQuality.strong),
        ("Petya BANKER", NameQuality.weak),
    ]
    assert (person.names[0].first, person.names[0].last) == ("Pyotr", "VOLKONSKY")
    (dob,) = person.birth_dates
    assert (dob.year, dob.month, dob.date, dob.raw) == (1962, None, None, "00/00/1962")
    assert person.nationalities == ["RU", "UA"] and person.countries == ["RU", "UA"]
    assert person.birth_places == ["Tver, Russia"]
    assert person.identifiers == [Identifier(type="passport", value="753912345")]
    assert person.programs == ["Russia"] and person.listed_on == dt.date(2022, 3, 15)
    assert person.remarks == "Fictional test entry."

    assert company.type is EntityType.entity and company.primary_name == "NORTHWIND SHIPPING JSC"
    assert company.names[0].first is None
    assert ship.type is EntityType.vessel
    assert ship.identifiers == [Identifier(type="imo", value="9123456")]


def test_uk_without_preamble_dates_by_last_updated(tmp_path: Path) -> None:
    _entities, info = load_uk(write(tmp_path, "uk.csv", csv_text(UK_ROWS[1:])))
    assert info.list_date == dt.date(2026, 2, 14)


def test_uk_reads_windows_1252(tmp_path: Path) -> None:
    text = UK_CSV.replace("Пётр Ильич Волконский", "").replace("Tver", "Tvér")
    entities, _info = load_uk(write(tmp_path, "uk.csv", text, encoding="cp1252"))
    assert entities[0].birth_places == ["Tvér, Russia"]


def test_uk_missing_required_columns(tmp_path: Path) -> None:
    header = [h for h in UK_HEADER if h not in ("Name 6", "Name type")]
    path = write(tmp_path, "uk.csv", csv_text([["Report Date: 27-Feb-2026"], header, ["x"]]))
    with pytest.raises(ListInvalid, match=r"uk\.csv line 2 is invalid") as caught:
        load_uk(path)
    assert "Name 6, Name type" in str(caught.value)
    assert caught.value.problems[0].line == 2


def test_uk_not_the_list(tmp_path: Path) -> None:
    path = write(tmp_path, "uk.csv", "<html><body>Service unavailable</body></html>\n")
    with pytest.raises(ListInvalid, match="no header row"):
        load_uk(path)


# --- OpenSanctions ----------------------------------------------------------------------


def test_opensanctions_loads_targets_and_skips_the_rest(tmp_path: Path) -> None:
    entities, info = load_opensanctions(write(tmp_path, "entities.ftm.json", FTM_JSONL))

    assert [e.id for e in entities] == [
        "opensanctions:Q1000001",
        "opensanctions:NK-abc123",
        "opensanctions:imo-9876543",
    ]
    assert info.list_date == dt.date(2026, 2, 27) and info.entities == 3
    pep, company, vessel = entities
    assert pep.type is EntityType.person and pep.topics == ["pep"]
    assert [(n.full, n.quality) for n in pep.names] == [
        ("Maria Ortega Ruiz", NameQuality.primary),
        ("María Ortega", NameQuality.strong),
        ("La Jefa", NameQuality.weak),
    ]
    assert (pep.names[0].first, pep.names[0].last) == ("Maria", "Ortega Ruiz")
    (born,) = pep.birth_dates
    assert (born.year, born.month, born.date) == (1968, 7, None)
    assert pep.nationalities == ["VE"] and pep.birth_places == ["Valencia"]
    assert pep.identifiers == [Identifier(type="national_id", value="V-12345678")]
    assert pep.listed_on == dt.date(2023, 1, 5)

    assert company.type is EntityType.entity and company.topics == ["sanction"]
    assert company.countries == ["RU", "AE"] and company.programs == ["RUSSIA-EO14024"]
    assert company.identifiers == [Identifier(type="registration", value="1187746000001")]
    assert company.remarks == "Fictional test entity.; datasets: us_ofac_sdn, eu_fsf"

    assert vessel.type is EntityType.vessel and vessel.countries == ["PA"]
    assert [n.full for n in vessel.names] == ["SEA FALCON", "OCEAN STAR"]
    assert vessel.identifiers == [Identifier(type="imo", value="9876543")]


def test_opensanctions_line_that_is_not_json(tmp_path: Path) -> None:
    lines = FTM_JSONL.splitlines(keepends=True)
    lines.insert(2, '{"id": "broken", "schema": "Person", "properties": {"name": ["x"]\n')
    path = write(tmp_path, "entities.ftm.json", "".join(lines))
    with pytest.raises(ListInvalid, match=r"entities\.ftm\.json line 3 is invalid: not JSON"):
        load_opensanctions(path)


def test_opensanctions_rejects_non_objects_and_empty_exports(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", FTM_JSONL + json.dumps(["not", "an", "entity"]) + "\n")
    with pytest.raises(ListInvalid, match=r"a\.json line 7 is invalid"):
        load_opensanctions(path)
    only_addresses = write(tmp_path, "b.json", json.dumps({"id": "a", "schema": "Address"}) + "\n")
    with pytest.raises(ListInvalid, match="no screenable entities"):
        load_opensanctions(only_addresses)
