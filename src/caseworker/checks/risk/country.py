"""Tool `risk.country`: rates countries against dated FATF lists and sanctions programmes."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from caseworker.checks.risk.datafile import read_data_file
from caseworker.tools.base import EvidenceDraft, ToolContext, ToolOutput, tool

DATA_FILE = "countries.yaml"

Level = Literal["prohibited", "high", "standard"]
_CODE = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_SEVERITY: dict[str, int] = {"standard": 0, "high": 1, "prohibited": 2}


# --- the data file ------------------------------------------------------------------------


class _DataModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_DataModel):
    """An official publication the lists are taken from."""

    id: str
    publisher: str
    title: str
    date: dt.date
    url: str


class CountryList(_DataModel):
    """One list of countries, e.g. the FATF call for action, with a note per country."""

    id: str
    label: str
    source: str
    date: dt.date
    reason: str
    countries: dict[str, str | None]

    def reason_for(self, code: str) -> str:
        detail = self.countries.get(code)
        return f"{self.reason}: {detail}" if detail else self.reason

    @property
    def citation(self) -> str:
        return f"{self.label} ({self.date.isoformat()})"


class CountryPolicy(_DataModel):
    """Which lists make a country prohibited or high risk; what the data does not cover."""

    prohibited: list[str]
    high: list[str]
    not_covered: list[str] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)


class CountryData(_DataModel):
    """The whole of `countries.yaml`."""

    as_of: dt.date
    sources: list[Source]
    policy: CountryPolicy
    aliases: dict[str, str] = Field(default_factory=dict)
    lists: list[CountryList]
    names: dict[str, str]

    @model_validator(mode="after")
    def _consistent(self) -> CountryData:
        errors: list[str] = []
        bad = [c for c in self.names if not _CODE.match(c)]
        if bad:
            errors.append(f"names: codes must be two capital letters, got {bad}")
        source_ids = {s.id for s in self.sources}
        list_ids = [lst.id for lst in self.lists]
        if len(set(list_ids)) != len(list_ids):
            errors.append(f"lists: duplicate ids in {list_ids}")
        for lst in self.lists:
            if lst.source not in source_ids:
                errors.append(f"list '{lst.id}': unknown source '{lst.source}'")
            unknown = [c for c in lst.countries if c not in self.names]
            if unknown:
                errors.append(f"list '{lst.id}': codes not in names: {unknown}")
        placed = [*self.policy.prohibited, *self.policy.high]
        for list_id in set(placed) ^ set(list_ids):
            errors.append(f"policy: list '{list_id}' must be placed in exactly one level")
        if len(placed) != len(set(placed)):
            errors.append("policy: a list is placed in more than one level")
        for alias, target in self.aliases.items():
            if target not in self.names or alias in self.names:
                errors.append(f"aliases: '{alias}' -> '{target}' is not a valid alias")
        unknown_notes = [c for c in self.policy.notes if c not in self.names]
        if unknown_notes:
            errors.append(f"policy.notes: codes not in names: {unknown_notes}")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def level_of(self, list_id: str) -> Level:
        return "prohibited" if list_id in self.policy.prohibited else "high"


@lru_cache(maxsize=1)
def load_country_data() -> CountryData:
    """Load the validated country data, once per process."""
    return read_data_file(DATA_FILE, CountryData)


# --- the tool -----------------------------------------------------------------------------


class CountryRiskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    countries: list[str] = Field(
        max_length=500,
        description=(
            "ISO 3166-1 alpha-2 country codes to rate, e.g. ['GB', 'IR']; case is ignored; "
            "an ISO 3166-2 subdivision such as 'US-DE' is rated as its country. "
            "Unknown codes are reported, not rejected. An empty list is allowed."
        ),
    )


class CountryAssessment(BaseModel):
    """How one country rates, and why."""

    code: str
    name: str
    level: Level
    reasons: list[str] = Field(default_factory=list)
    listed_on: list[str] = Field(
        default_factory=list,
        description="The list behind each reason, same order, e.g. "
        "'FATF call for action (2025-10-24)'",
    )
    notes: list[str] = Field(default_factory=list)


class CountryRiskOutput(ToolOutput):
    countries: list[CountryAssessment]
    prohibited: list[str]
    high_risk: list[str]
    unknown: list[str]
    any_prohibited: bool
    any_high_risk: bool
    list_date: str

    def evidence(self) -> list[EvidenceDraft]:
        return [
            EvidenceDraft(source=f"list:{listed}#{c.code}", quote=f"{c.name} — {reason}")
            for c in self.countries
            for listed, reason in zip(c.listed_on, c.reasons, strict=True)
        ]


def assess_country(data: CountryData, code: str) -> CountryAssessment:
    """Rate one known code: the most severe level of every list it is on."""
    level: Level = "standard"
    reasons: list[str] = []
    listed_on: list[str] = []
    for lst in data.lists:
        if code in lst.countries:
            reasons.append(lst.reason_for(code))
            listed_on.append(lst.citation)
            list_level = data.level_of(lst.id)
            if _SEVERITY[list_level] > _SEVERITY[level]:
                level = list_level
    note = data.policy.notes.get(code)
    return CountryAssessment(
        code=code,
        name=data.names[code],
        level=level,
        reasons=reasons,
        listed_on=listed_on,
        notes=[note] if note else [],
    )


@tool("risk.country", prepare=load_country_data)
def country_risk(args: CountryRiskInput, context: ToolContext) -> CountryRiskOutput:
    """Rate countries as prohibited, high or standard risk against FATF and sanctions lists.

    A country is `prohibited` when it is on the FATF call-for-action list or under a
    comprehensive embargo (e.g. Cuba, Iran, North Korea), `high` when it is under FATF
    increased monitoring or a significant sanctions programme (e.g. Russia, Belarus,
    Venezuela), else `standard`. Returns one assessment per country (code, name, level,
    reasons), the codes that are prohibited (`prohibited`) and high (`high_risk`), the
    codes not recognised (`unknown`), `any_prohibited`, `any_high_risk` (true when any
    country is prohibited or high) and `list_date`, the date of the lists used.
    Region-level embargoes such as Crimea are not covered by a country code.
    """
    data = load_country_data()
    assessments: list[CountryAssessment] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for raw in args.countries:
        given = raw.strip().upper()
        # A subdivision (US-DE, GB-SCT) is rated as its country.
        code = given.partition("-")[0] if _SUBDIVISION.match(given) else given
        code = data.aliases.get(code, code)
        if code in seen:
            continue
        seen.add(code)
        if code in data.names:
            assessments.append(assess_country(data, code))
        else:
            unknown.append(given)
    prohibited = [a.code for a in assessments if a.level == "prohibited"]
    high_risk = [a.code for a in assessments if a.level == "high"]
    return CountryRiskOutput(
        countries=assessments,
        prohibited=prohibited,
        high_risk=high_risk,
        unknown=unknown,
        any_prohibited=bool(prohibited),
        any_high_risk=bool(prohibited or high_risk),
        list_date=data.as_of.isoformat(),
    )
