"""Small, format-faithful EU, UK and OpenSanctions list files (fictional entries) for the tests."""

from __future__ import annotations

import csv
import io
import json
import re

# --- EU Financial Sanctions Files, xmlFullSanctionsList_1_1 ---------------------------------
EU_XML = """<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-02-27T18:02:11.435+01:00"
        globalFileId="170001">
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9001.11"
                  logicalId="9001">
    <regulation regulationType="regulation" organisationType="council"
                publicationDate="2022-03-15" entryIntoForceDate="2022-03-15"
                numberTitle="2022/427 (OJ L87)" programme="UKR" logicalId="90011">
      <publicationUrl>https://eur-lex.europa.eu/example</publicationUrl>
    </regulation>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Pyotr" middleName="Ilyich" lastName="Volkonsky"
               wholeName="Pyotr Ilyich Volkonsky" function="" gender="M" title=""
               nameLanguage="" strong="true" logicalId="90012"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Пётр Ильич Волконский"
               function="" gender="M" title="" nameLanguage="RU" strong="true" logicalId="90013"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Petya the Banker"
               function="" gender="M" title="" nameLanguage="" strong="false" logicalId="90014"/>
    <citizenship region="" countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION"
                 logicalId="90015"/>
    <birthdate circa="true" calendarType="GREGORIAN" city="Tver" zipCode="" region="" place=""
               countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION" year="1962"
               logicalId="90016"/>
    <identification diplomatic="false" knownExpired="false" knownFalse="false"
                    reportedLost="false" revokedByIssuer="false" issuedBy="" latinNumber=""
                    nameOnDocument="" number="753912345" region="" countryIso2Code="RU"
                    countryDescription="RUSSIAN FEDERATION" identificationTypeCode="passport"
                    identificationTypeDescription="National passport" logicalId="90017"/>
    <remark>Founder of a fictional bank.</remark>
  </sanctionEntity>
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9002.22"
                  logicalId="9002">
    <regulation publicationDate="2023-06-23" programme="RUS" logicalId="90021"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="Northwind Shipping Holdings JSC" nameLanguage="" strong="true"
               logicalId="90022"/>
    <nameAlias wholeName="Nordvind Holding" nameLanguage="" strong="true" logicalId="90023"/>
    <address city="Moscow" street="Tverskaya 1" poBox="" zipCode="125009" region="" place=""
             countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION" logicalId="90024"/>
    <identification number="1027700132195" countryIso2Code="RU"
                    identificationTypeCode="regnumber" logicalId="90025"/>
  </sanctionEntity>
  <sanctionEntity euReferenceNumber="EU.9003.33" logicalId="9003" designationDate="2011-05-23">
    <regulation publicationDate="2011-05-24" programme="SYR" logicalId="90031"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Layla" lastName="Haddad" wholeName="Layla Haddad" nameLanguage=""
               strong="true" logicalId="90032"/>
    <birthdate circa="false" birthdate="1971-04-09" dayOfMonth="9" monthOfYear="4" year="1971"
               city="Damascus" countryIso2Code="SY" countryDescription="SYRIAN ARAB REPUBLIC"
               logicalId="90033"/>
    <citizenship countryIso2Code="00" countryDescription="UNKNOWN" logicalId="90034"/>
  </sanctionEntity>
</export>
"""

# --- UK Sanctions List (FCDO) CSV: a preamble line, a header, one row per name --------------
UK_HEADER = [
    "Last Updated", "Unique ID", "OFSI Group ID", "UN Reference Number", "Name 6", "Name 1",
    "Name 2", "Name 3", "Name 4", "Name 5", "Name type", "Alias strength", "Title",
    "Name non-latin script", "Non-latin script type", "Non-latin script language",
    "Regime Name", "Designation Type", "Designation source", "Sanctions Imposed",
    "Other Information", "UK Statement of Reasons", "Address Country", "Date of birth",
    "Town of birth", "Country of birth", "Nationality(/ies)", "Passport number",
    "National Identifier number", "IMO number", "Date Designated",
]  # fmt: skip


def _heading(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def uk_row(**cells: str) -> list[str]:
    """One CSV row with the named cells (keys match headings ignoring case and punctuation)."""
    values = {_heading(k): v for k, v in cells.items()}
    return [values.get(_heading(h), "") for h in UK_HEADER]


def _person(**cells: str) -> list[str]:
    common = {
        "Last_Updated": "14/02/2026", "Unique_ID": "RUS1234", "OFSI_Group_ID": "15001",
        "Regime_Name": "Russia", "Designation_Type": "Individual", "Date_Designated": "15/03/2022",
        "Nationality(/ies)": "(1) Russia (2) Ukraine", "Date_of_birth": "00/00/1962",
        "Town_of_birth": "Tver", "Country_of_birth": "Russia", "Passport_number": "753912345",
        "Address_Country": "Russia", "Other_Information": "Fictional test entry.",
    }  # fmt: skip
    return uk_row(**{**common, **cells})


UK_ROWS = [
    ["Report Date: 27-Feb-2026"],
    UK_HEADER,
    _person(
        Name_6="VOLKONSKY",
        Name_1="Pyotr",
        Name_2="Ilyich",
        Name_type="Primary Name",
        Name_non_latin_script="Пётр Ильич Волконский",
    ),
    _person(Name_6="VOLKONSKII", Name_1="Petr", Name_type="Primary Name Variation"),
    _person(Name_6="BANKER", Name_1="Petya", Name_type="Alias", Alias_strength="Low quality"),
    _person(Name_6="VOLKONSKY", Name_1="Pyotr", Name_2="Ilyich", Name_type="Primary Name"),
    uk_row(
        Last_Updated="20/01/2026",
        Unique_ID="RUS5678",
        Name_6="NORTHWIND SHIPPING JSC",
        Name_type="Primary Name",
        Designation_Type="Entity",
        Regime_Name="Russia",
        Address_Country="Russia",
        Date_Designated="23/06/2023",
    ),
    uk_row(
        Unique_ID="RUS9012",
        Name_6="OCEAN MIST",
        Name_type="Primary Name",
        Designation_Type="Ship",
        Regime_Name="Russia",
        IMO_number="9123456",
        Date_Designated="01/12/2024",
    ),
    [""] * len(UK_HEADER),
]


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


UK_CSV = csv_text(UK_ROWS)

# --- OpenSanctions FollowTheMoney JSON lines ------------------------------------------------
FTM_RECORDS: list[dict[str, object]] = [
    {
        "id": "Q1000001", "schema": "Person", "target": True,
        "properties": {
            "name": ["Maria Ortega Ruiz"], "firstName": ["Maria"], "lastName": ["Ortega Ruiz"],
            "alias": ["María Ortega"], "weakAlias": ["La Jefa"], "birthDate": ["1968-07"],
            "birthPlace": ["Valencia"], "nationality": ["ve"], "country": ["ve"],
            "position": ["Minister of Finance"], "topics": ["role.pep"],
            "idNumber": ["V-12345678"],
        },
        "datasets": ["wd_peps"], "first_seen": "2023-01-05T10:00:00",
        "last_seen": "2026-02-26T03:10:00", "last_change": "2025-11-02T08:00:00",
    },
    {
        "id": "NK-abc123", "schema": "Company", "target": True,
        "properties": {
            "name": ["Red Harbor Trading LLC"], "alias": ["Krasnaya Gavan Trading"],
            "country": ["ru"], "jurisdiction": ["ae"], "topics": ["sanction"],
            "program": ["RUSSIA-EO14024"], "registrationNumber": ["1187746000001"],
            "address": ["Office 5, Dubai Marina, UAE"], "notes": ["Fictional test entity."],
        },
        "datasets": ["us_ofac_sdn", "eu_fsf"], "first_seen": "2022-04-06T00:00:00",
        "last_seen": "2026-02-27T03:10:00", "last_change": "2024-02-01T00:00:00",
    },
    {
        "id": "imo-9876543", "schema": "Vessel", "target": True,
        "properties": {
            "name": ["SEA FALCON"], "previousName": ["OCEAN STAR"], "imoNumber": ["9876543"],
            "flag": ["pa"], "topics": ["sanction"],
        },
        "datasets": ["gb_fcdo_sanctions"], "first_seen": "2024-12-01T00:00:00",
        "last_seen": "2026-02-27T03:10:00",
    },
    {
        "id": "addr-1", "schema": "Address", "target": False,
        "properties": {"full": ["Office 5, Dubai Marina, UAE"], "country": ["ae"]},
        "datasets": ["us_ofac_sdn"], "first_seen": "2022-04-06T00:00:00",
    },
    {
        "id": "sanc-1", "schema": "Sanction",
        "properties": {"entity": ["NK-abc123"], "program": ["RUSSIA-EO14024"]},
    },
    {
        "id": "co-registry-1", "schema": "Company", "target": False,
        "properties": {"name": ["Harmless Bakery Ltd"], "country": ["gb"]},
    },
]  # fmt: skip
FTM_JSONL = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FTM_RECORDS)
