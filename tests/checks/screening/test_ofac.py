import csv
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from caseworker.checks.screening.entity import BirthDate, EntityType, ListedEntity, NameQuality
from caseworker.checks.screening.errors import ListInvalid
from caseworker.checks.screening.loaders.ofac import load_ofac


def _data_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle) if row and row != ["\x1a"]]


@pytest.fixture(scope="module")
def sdn(sanctions_dir: Path) -> dict[str, ListedEntity]:
    d = sanctions_dir
    entities, _ = load_ofac(d / "ofac_sdn_2021_sdn.csv", d / "ofac_sdn_2021_alt.csv",
                            d / "ofac_sdn_2021_add.csv", d / "ofac_sdn_2021_sdn_comments.csv",
                            source="ofac_sdn")
    return {e.source_id: e for e in entities}


@pytest.fixture(scope="module")
def cons(sanctions_dir: Path) -> dict[str, ListedEntity]:
    d = sanctions_dir
    entities, _ = load_ofac(d / "ofac_cons_prim.csv", d / "ofac_cons_alt.csv",
                            d / "ofac_cons_add.csv", None, source="ofac_cons")
    return {e.source_id: e for e in entities}


@pytest.mark.parametrize(
    ("prefix", "entities", "aliases"),
    [("ofac_sdn_2021_", 8976, 11910), ("ofac_cons_", 442, 1073)],
)
def test_counts_match_the_files(sanctions_dir: Path, prefix: str, entities: int,
                                aliases: int) -> None:
    d = sanctions_dir
    primary = d / (f"{prefix}sdn.csv" if "sdn" in prefix else f"{prefix}prim.csv")
    alt, add = d / f"{prefix}alt.csv", d / f"{prefix}add.csv"
    comments = d / f"{prefix}sdn_comments.csv"
    loaded, info = load_ofac(primary, alt, add, comments if comments.exists() else None,
                             source="x")
    primary_rows, alt_rows = _data_rows(primary), _data_rows(alt)
    assert len(loaded) == info.entities == len(primary_rows) == entities  # README numbers
    assert len(alt_rows) == aliases
    assert info.names == sum(len(e.names) for e in loaded)
    assert info.publisher == "US Treasury OFAC" and info.list_date is None
    assert info.files[primary.name] == hashlib.sha256(primary.read_bytes()).hexdigest()
    by_id = {e.source_id: {n.full for n in e.names} for e in loaded}
    assert all(row[3] in by_id[row[0]] for row in alt_rows)  # every alias is on its entity
    types = {"individual": 0, "vessel": 0, "aircraft": 0, "-0- ": 0}
    for row in primary_rows:
        types[row[2]] += 1
    assert sum(e.type is EntityType.person for e in loaded) == types["individual"]
    assert sum(e.type is EntityType.vessel for e in loaded) == types["vessel"]


def test_person_with_dob_passport_and_names(sdn: dict[str, ListedEntity]) -> None:
    zawahiri = sdn["2676"]
    assert zawahiri.type is EntityType.person
    primary = zawahiri.names[0]
    assert (primary.full, primary.first, primary.last) == (
        "AL ZAWAHIRI, Dr. Ayman", "Dr. Ayman", "AL ZAWAHIRI")
    assert zawahiri.birth_dates[0].date == dt.date(1951, 6, 19)
    assert zawahiri.birth_places == ["Giza, Egypt"]
    assert ("passport", "1084010", "EG") in {(i.type, i.value, i.country)
                                             for i in zawahiri.identifiers}
    assert zawahiri.programs == ["SDGT"]
    assert "AL-ZAWAHIRI, Ayman" in {n.full for n in zawahiri.names}


def test_citizenship_and_weak_alias_from_remarks(sdn: dict[str, ListedEntity]) -> None:
    person = sdn["6918"]  # "citizen Saudi Arabia; a.k.a. 'ABU OMRAN'."
    assert person.nationalities == ["SA"]
    weak = [n for n in person.names if n.quality is NameQuality.weak]
    assert [n.full for n in weak] == ["ABU OMRAN"]


def test_vessel_with_imo(sdn: dict[str, ListedEntity]) -> None:
    vessel = sdn["15036"]
    assert vessel.type is EntityType.vessel and vessel.names[0].full == "ARTAVIL"
    ids = {(i.type, i.value) for i in vessel.identifiers}
    assert {("imo", "9187629"), ("mmsi", "572469210"), ("call_sign", "T2EU4")} <= ids
    assert "ALPHA" in {n.full for n in vessel.names if n.quality is NameQuality.weak}


def test_dob_forms(sdn: dict[str, ListedEntity]) -> None:
    dates = sdn["12057"].birth_dates
    assert BirthDate(year_from=1951, year_to=1953, raw="1951 to 1953") in dates
    assert BirthDate(year=1961, month=4, raw="Apr 1961") in dates
    assert BirthDate(year=1953, raw="1953") in dates
    circa = [b for e in sdn.values() for b in e.birth_dates if b.raw.startswith("circa ")]
    assert circa and all(b.approximate and b.year_from is not None for b in circa)


def test_remarks_overflow_is_appended(sdn: dict[str, ListedEntity]) -> None:
    remarks = sdn["12300"].remarks or ""
    assert len(remarks) > 1000
    assert remarks.endswith("Linked To: R D I S.A.")


def test_consolidated_programs_and_palestinian_nationality(
    cons: dict[str, ListedEntity],
) -> None:
    zahhar = cons["9647"]
    assert zahhar.programs == ["SDGT", "NS-PLC"]
    assert zahhar.nationalities == ["PS"]
    assert zahhar.birth_dates == [BirthDate(year=1945, raw="1945")]
    assert {"ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud"} <= {
        n.full for n in zahhar.names if n.quality is NameQuality.weak}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_wrong_column_count_names_file_and_line(tmp_path: Path) -> None:
    good = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    bad = _write(tmp_path / "sdn.csv", good + '173,"ANGLO-CARIBBEAN CO., LTD.",-0- \r\n')
    with pytest.raises(ListInvalid, match=r"sdn\.csv line 2 .*expected 12 columns, found 3"):
        load_ofac(bad, None, None, None, source="ofac_sdn")


def test_bad_alias_file_fails_the_whole_load(tmp_path: Path) -> None:
    good = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    primary = _write(tmp_path / "sdn.csv", good)
    alt = _write(tmp_path / "alt.csv", 'x,12,"aka","AERO-CARIBBEAN",-0- \r\n')
    with pytest.raises(ListInvalid, match=r"alt\.csv line 1 .*not a number") as info:
        load_ofac(primary, alt, None, None, source="ofac_sdn")
    assert info.value.code == "list_invalid"
    assert info.value.problems[0].line == 1


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = _write(tmp_path / "sdn.csv", "")
    with pytest.raises(ListInvalid, match=r"sdn\.csv is invalid: the file is empty"):
        load_ofac(empty, None, None, None, source="ofac_sdn")
    with pytest.raises(ListInvalid, match=r"absent\.csv is invalid: cannot read"):
        load_ofac(tmp_path / "absent.csv", None, None, None, source="ofac_sdn")
