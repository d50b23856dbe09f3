"""Secondary features (birth date, country, identifiers, entity type) that move a name score."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from caseworker.checks.screening.entity import (
    ORGANISATION_TYPES,
    BirthDate,
    EntityType,
    ListedEntity,
)

# Adjustments added to the name score (see `feature_adjustments`).
DOB_DAY_MATCH = 0.08  # the same day of birth
DOB_YEAR_MATCH = 0.03  # the same year, or inside the listed range
DOB_DAY_CONFLICT = -0.10  # two full dates, same year, another day
DOB_MONTH_CONFLICT = -0.06  # same year, another month (the query gives only year and month)
DOB_NEAR_MISS = -0.06  # one year off (typos, calendar conversions)
DOB_CONFLICT = -0.15  # 2-4 years off
DOB_FAR_CONFLICT = -0.25  # 5+ years off
COUNTRY_MATCH = 0.03
COUNTRY_CONFLICT = -0.05  # lists name only some ties, so a mismatch of ties is weak evidence
NATIONALITY_CONFLICT = -0.10  # the listing states nationalities and the party shares none
TYPE_CONFLICT = -0.2  # a person against a company, or the reverse
IDENTIFIER_SCORE = 0.98  # an identical document/registration number: near certain

_NOT_ID = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True, slots=True)
class QueryFeatures:
    """What a query says about the party besides its name."""

    kind: EntityType | None = None
    birth_date: dt.date | None = None
    birth_year: int | None = None
    birth_month: int | None = None  # 1-12, when the query gives the month
    countries: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()  # normalised with `normalize_identifier`


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One feature's effect on the score, and why."""

    feature: str  # dob | country | nationality | identifier | type
    delta: float
    reason: str
    corroborates: bool = False  # a fact few people share agrees: equal full DOB or identifier


def normalize_identifier(value: str) -> str:
    """Upper-case letters and digits only ("AB 12-345" -> "AB12345")."""
    return _NOT_ID.sub("", value.upper())


def _year_gap(year: int, bd: BirthDate) -> int | None:
    if bd.year_from is not None or bd.year_to is not None:
        lo = bd.year_from if bd.year_from is not None else bd.year_to
        hi = bd.year_to if bd.year_to is not None else bd.year_from
    else:
        lo = hi = bd.date.year if bd.date else bd.year
    if lo is None or hi is None:
        return None
    if bd.approximate:
        lo, hi = lo - 1, hi + 1
    return max(lo - year, year - hi, 0)


def _dob(q: QueryFeatures, dates: list[BirthDate]) -> Adjustment | None:
    year = q.birth_date.year if q.birth_date else q.birth_year
    if year is None or not dates:
        return None
    best: Adjustment | None = None
    for bd in dates:
        gap = _year_gap(year, bd)
        if gap is None:
            continue
        shown = bd.raw or (bd.date.isoformat() if bd.date else str(bd.year or ""))
        if gap == 0 and q.birth_date and bd.date:
            same = bd.date == q.birth_date
            adj = Adjustment(
                "dob",
                DOB_DAY_MATCH if same else DOB_DAY_CONFLICT,
                f"{'same day' if same else 'same year, another day'} ({shown})",
                corroborates=same,
            )
        elif gap == 0 and q.birth_month and (listed := bd.date.month if bd.date else bd.month):
            same = listed == q.birth_month
            adj = Adjustment(
                "dob",
                DOB_YEAR_MATCH if same else DOB_MONTH_CONFLICT,
                f"{'same month' if same else 'same year, another month'} ({shown})",
            )
        elif gap == 0:
            adj = Adjustment("dob", DOB_YEAR_MATCH, f"year compatible with {shown}")
        elif gap == 1:
            adj = Adjustment("dob", DOB_NEAR_MISS, f"one year from {shown}")
        else:
            delta = DOB_CONFLICT if gap < 5 else DOB_FAR_CONFLICT
            adj = Adjustment("dob", delta, f"{gap} years from {shown}")
        if best is None or adj.delta > best.delta:
            best = adj
    return best


def feature_adjustments(q: QueryFeatures, entity: ListedEntity) -> tuple[list[Adjustment], bool]:
    """Compute the adjustments for one listed entity, and whether an identifier matched."""
    out: list[Adjustment] = []
    if (dob := _dob(q, entity.birth_dates)) is not None:
        out.append(dob)
    nationalities = {c.upper() for c in entity.nationalities}
    listed = {c.upper() for c in entity.countries} | nationalities
    if q.countries and listed:
        common = sorted(q.countries & listed)
        if common:
            out.append(Adjustment("country", COUNTRY_MATCH, f"shared country {', '.join(common)}"))
        elif nationalities:
            out.append(
                Adjustment(
                    "nationality",
                    NATIONALITY_CONFLICT,
                    f"listed nationality {', '.join(sorted(nationalities))}, party's ties "
                    f"{', '.join(sorted(q.countries))}",
                )
            )
        else:
            out.append(
                Adjustment("country", COUNTRY_CONFLICT, f"listed for {', '.join(sorted(listed))}")
            )
    kind = q.kind
    if (kind == EntityType.person and entity.type in ORGANISATION_TYPES) or (
        kind == EntityType.entity and entity.type == EntityType.person
    ):
        out.append(Adjustment("type", TYPE_CONFLICT, f"query {kind}, listed {entity.type}"))
    id_match = False
    if q.identifiers:
        for ident in entity.identifiers:
            value = normalize_identifier(ident.value)
            if len(value) >= 4 and value in q.identifiers:
                id_match = True
                out.append(
                    Adjustment(
                        "identifier", 0.0, f"same {ident.type} {ident.value}", corroborates=True
                    )
                )
                break
    return out, id_match
