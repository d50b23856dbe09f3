import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from caseworker.checks.screening.entity import BirthDate, EntityType, ListedEntity, NameQuality
from caseworker.checks.screening.errors import ListInvalid
from caseworker.checks.screening.loaders.un import load_un

UN_FILE = "un_consolidated.xml"


@pytest.fixture(scope="module")
def un(sanctions_dir: Path) -> dict[str, ListedEntity]:
    entities, _ = load_un(sanctions_dir / UN_FILE)
    return {e.source_id: e for e in entities}


def test_counts_match_the_file(sanctions_dir: Path) -> None:
    path = sanctions_dir / UN_FILE
    entities, info = load_un(path)
    root = ET.parse(path).getroot()
    individuals = root.findall("INDIVIDUALS/INDIVIDUAL")
    groups = root.findall("ENTITIES/ENTITY")
    assert (len(individuals), len(groups)) == (730, 273)  # the README's numbers
    assert sum(e.type is EntityType.person for e in entities) == len(individuals)
    assert sum(e.type is EntityType.entity for e in entities) == len(groups)
    assert info.entities == len(entities) == 1003
    assert info.list_date == dt.date(2026, 2, 27)
    assert info.source == "un" and info.publisher == "UN Security Council"
    assert info.names == sum(len(e.names) for e in entities)
    by_id = {e.source_id: {n.full for n in e.names} for e in entities}
    aliases = 0
    for element in [*individuals, *groups]:
        names = by_id[element.findtext("DATAID", "")]
        for alias in element.iter():
            text = " ".join((alias.findtext("ALIAS_NAME") or "").split())
            if alias.tag.endswith("_ALIAS") and text:
                aliases += 1
                assert text in names
    assert aliases == 2752


def test_individual_with_original_script_and_between_dob(un: dict[str, ListedEntity]) -> None:
    person = un["3012888"]
    assert person.names[0].full == "ABDERRAHMANE OULD EL AMAR"
    assert person.names[0].first == "ABDERRAHMANE"
    original = [n for n in person.names if n.script == "Arab"]
    assert [n.full for n in original] == ["عبد الرحمن ولد العامر"]
    assert person.birth_dates == [BirthDate(year_from=1977, year_to=1982, raw="BETWEEN 1977 1982")]
    assert person.nationalities == ["ML"]


def test_approximate_dob_and_programs(un: dict[str, ListedEntity]) -> None:
    person = un["6908051"]
    assert person.birth_dates[0].year == 1957 and person.birth_dates[0].approximate
    assert (person.birth_dates[0].year_from, person.birth_dates[0].year_to) == (1956, 1958)
    assert person.programs == ["Iraq", "IQi.004"]
    assert person.listed_on == dt.date(2003, 6, 27)
    assert person.countries == ["IQ"]


def test_alias_quality_and_address_country(un: dict[str, ListedEntity]) -> None:
    kakolele = un["6907994"]
    assert {n.full: n.quality for n in kakolele.names}["AIGLE BLANC"] is NameQuality.strong
    assert kakolele.nationalities == ["CD"] and "CD" in kakolele.countries
    weak = [n for e in un.values() for n in e.names if n.quality is NameQuality.weak]
    assert len(weak) > 500
    adf = un["6908402"]
    assert adf.type is EntityType.entity and adf.countries == ["CD"]
    assert adf.programs == ["DRC", "CDe.001"]


def test_documents_and_han_script(un: dict[str, ListedEntity]) -> None:
    passports = [i for e in un.values() for i in e.identifiers if i.type == "passport"]
    assert len(passports) > 250 and any(i.country for i in passports)
    assert {n.script for n in un["6908691"].names} == {"Latn", "Hani"}


def test_truncated_xml_names_file_and_line(sanctions_dir: Path, tmp_path: Path) -> None:
    truncated = tmp_path / UN_FILE
    truncated.write_bytes((sanctions_dir / UN_FILE).read_bytes()[:20000])
    with pytest.raises(ListInvalid, match=r"un_consolidated\.xml line \d+ is invalid: not well"):
        load_un(truncated)


def test_wrong_root_and_empty_file(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text("<sdnList/>", encoding="utf-8")
    with pytest.raises(ListInvalid, match=r"other\.xml is invalid: root element is <sdnList>"):
        load_un(other)
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ListInvalid, match=r"empty\.xml is invalid: the file is empty"):
        load_un(empty)


def test_individual_without_dataid_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>X</FIRST_NAME>"
                    "</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>", encoding="utf-8")
    with pytest.raises(ListInvalid, match="has no DATAID"):
        load_un(path)
