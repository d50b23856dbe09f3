"""ISO 3166 jurisdictions: countries and subdivisions are real codes, their country is known."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from caseworker.domain.jurisdictions import (
    Jurisdiction,
    country_code,
    country_of,
    jurisdiction_code,
    subdivision_of,
)


class Holder(BaseModel):
    where: Jurisdiction | None = None


@pytest.mark.parametrize(
    ("given", "code", "country"),
    [
        ("GB", "GB", "GB"), ("us-de", "US-DE", "US"), ("GB-SCT", "GB-SCT", "GB"),
        ("CA-ON", "CA-ON", "CA"), (" fr-75C ", "FR-75C", "FR"), ("UK", "GB", "GB"),
        ("UK-SCT", "GB-SCT", "GB"), ("XK", "XK", "XK"),
    ],
)
def test_real_codes_are_normalised(given: str, code: str, country: str) -> None:
    assert Holder(where=given).where == code
    assert jurisdiction_code(given) == code
    assert country_of(code) == country
    assert subdivision_of(code) == (code if "-" in code else None)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("US-XX", "not a subdivision of United States: no ISO 3166-2 code US-XX"),
        ("QQ", "not a country: no ISO 3166-1 code QQ"),
        ("QQ-DE", "not a country: no ISO 3166-1 code QQ"),
        ("Delaware", "not an ISO 3166 code"),
        ("GBR", "not an ISO 3166 code"),
        ("US-", "not an ISO 3166 code"),
    ],
)
def test_unknown_codes_say_why(given: str, why: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Holder(where=given)
    assert why in str(caught.value) and caught.value.errors()[0]["loc"] == ("where",)


def test_country_code_refuses_subdivisions() -> None:
    assert country_code("gb") == "GB"
    with pytest.raises(ValueError, match="alpha-2"):
        country_code("US-DE")


def test_json_schema_names_both_forms() -> None:
    schema = Holder.model_json_schema()["properties"]["where"]["anyOf"][0]
    assert schema["type"] == "string" and "US-DE" in schema["description"]
