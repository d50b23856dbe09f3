"""Tests for the `risk.country` tool and its data file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from caseworker.checks.risk import country, datafile
from caseworker.checks.risk.country import CountryData, CountryRiskOutput, country_risk
from caseworker.exceptions import ConfigurationError, ToolInputInvalid
from caseworker.tools.base import ToolContext


def run(args: dict[str, Any]) -> CountryRiskOutput:
    out = asyncio.run(country_risk.invoke(args, ToolContext()))
    assert isinstance(out, CountryRiskOutput)
    return out


def test_spec() -> None:
    assert country_risk.name == "risk.country"
    assert country_risk.description.startswith("Rate countries")
    assert "countries" in country_risk.input_schema()["properties"]


def test_standard_countries() -> None:
    out = run({"countries": ["GB", "FR"]})
    assert [c.level for c in out.countries] == ["standard", "standard"]
    assert [c.name for c in out.countries] == ["United Kingdom", "France"]
    assert not out.any_prohibited
    assert not out.any_high_risk
    assert out.prohibited == out.high_risk == out.unknown == []
    assert out.evidence() == []


def test_prohibited_fatf_and_embargo() -> None:
    out = run({"countries": ["ir", " KP ", "CU", "MM"]})
    assert out.prohibited == ["IR", "KP", "CU", "MM"]
    assert out.any_prohibited and out.any_high_risk
    assert out.high_risk == []
    iran = out.countries[0]
    assert iran.name == "Iran"
    assert len(iran.reasons) == 2
    assert any("call for action" in r for r in iran.reasons)
    sources = [e.source for e in out.evidence()]
    assert f"list:FATF call for action ({out.list_date})#IR" in sources
    quote = next(e.quote for e in out.evidence() if e.source.endswith("#CU"))
    assert quote.startswith("Cuba — ") and "31 CFR 515" in quote


def test_high_risk_fatf_monitoring_and_sanctions() -> None:
    out = run({"countries": ["RU", "BY", "VE", "VN", "SY"]})
    assert out.high_risk == ["RU", "BY", "VE", "VN", "SY"]
    assert out.any_high_risk and not out.any_prohibited
    venezuela = out.countries[2]
    assert len(venezuela.reasons) == 2  # FATF increased monitoring and sanctions
    assert venezuela.listed_on[0].startswith(("FATF", "Significant"))
    syria = out.countries[4]
    assert syria.notes  # explains why Syria is no longer prohibited


def test_unknown_codes_are_reported() -> None:
    out = run({"countries": ["XX", "GBR", "", "de"]})
    assert out.unknown == ["XX", "GBR", ""]
    assert [c.code for c in out.countries] == ["DE"]
    assert not out.any_high_risk


def test_aliases_and_duplicates() -> None:
    out = run({"countries": ["UK", "gb", "EL"]})
    assert [c.code for c in out.countries] == ["GB", "GR"]


def test_subdivisions_are_rated_as_their_country() -> None:
    out = run({"countries": ["US-DE", "us", "GB-SCT", "UK-NIR", "IR-01", "XX-YY", "US-"]})
    assert [c.code for c in out.countries] == ["US", "GB", "IR"]
    assert out.prohibited == ["IR"]
    assert out.unknown == ["XX-YY", "US-"]


def test_yaml_boolean_trap_is_avoided() -> None:
    assert run({"countries": ["NO"]}).countries[0].name == "Norway"


def test_region_note_for_ukraine() -> None:
    ua = run({"countries": ["UA"]}).countries[0]
    assert ua.level == "standard"
    assert "Crimea" in ua.notes[0]


def test_empty_list() -> None:
    out = run({"countries": []})
    assert out.countries == [] and out.unknown == []
    assert not out.any_prohibited and not out.any_high_risk
    assert out.list_date == "2025-10-24"


@pytest.mark.parametrize(
    "args", [{}, {"countries": "GB"}, {"countries": [1]}, {"countries": ["GB"], "extra": 1}]
)
def test_bad_arguments(args: dict[str, Any]) -> None:
    with pytest.raises(ToolInputInvalid):
        run(args)


def test_data_file_is_complete() -> None:
    data = country.load_country_data()
    assert len(data.names) == 249
    assert {"fatf_call_for_action", "comprehensive_sanctions"} == set(data.policy.prohibited)
    assert data.policy.not_covered


MINIMAL = """
as_of: 2025-10-24
sources: [{id: s, publisher: P, title: T, date: 2025-10-24, url: "https://x"}]
policy: {prohibited: [a], high: []}
lists: [{id: a, label: A, source: s, date: 2025-10-24, reason: R, countries: {"ZZ": null}}]
names: {"GB": United Kingdom}
"""


def test_malformed_data_names_the_problem() -> None:
    with pytest.raises(ConfigurationError) as info:
        datafile.parse_data_file(MINIMAL, CountryData, source="countries.yaml")
    assert "codes not in names: ['ZZ']" in str(info.value)


def test_unplaced_list_is_rejected() -> None:
    text = MINIMAL.replace('"ZZ"', '"GB"').replace("prohibited: [a]", "prohibited: []")
    with pytest.raises(ConfigurationError, match="exactly one level"):
        datafile.parse_data_file(text, CountryData, source="countries.yaml")


def test_bare_no_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match=r"countries\.yaml"):
        datafile.parse_data_file(
            MINIMAL.replace('"GB"', "NO"), CountryData, source="countries.yaml"
        )


def test_invalid_yaml() -> None:
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        datafile.parse_data_file("a: [", CountryData, source="countries.yaml")
    with pytest.raises(ConfigurationError, match="mapping"):
        datafile.parse_data_file("- a", CountryData, source="countries.yaml")


def test_broken_data_file_fails_the_tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "countries.yaml").write_text("as_of: soon\n", encoding="utf-8")
    monkeypatch.setattr(datafile, "DATA_ROOT", tmp_path)
    country.load_country_data.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match=r"countries\.yaml is invalid"):
            run({"countries": ["GB"]})
    finally:
        country.load_country_data.cache_clear()


def test_missing_data_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(datafile, "DATA_ROOT", tmp_path)
    country.load_country_data.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="cannot read data file"):
            run({"countries": ["GB"]})
    finally:
        country.load_country_data.cache_clear()
