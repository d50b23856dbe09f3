"""Verification: what a document says against what the applicant said, and against the clock.

Extraction reads; verification judges. It takes an `Extraction` and the self-attested values
(same field names), compares field by field with the comparators in `compare.py`, checks that a
proof of address is recent enough, and that documents of one case agree with each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from caseworker.checks.documents.applicability import Profile, identify, profile_of
from caseworker.checks.documents.compare import (
    Comparison,
    compare_addresses,
    compare_company_names,
    compare_dates,
    compare_jurisdictions,
    compare_names,
    compare_numbers,
    compare_percentages,
)
from caseworker.checks.documents.schemas import ExtractedField, Extraction, Owner

FieldStatus = Literal[
    "match", "mismatch", "not_in_document", "not_applicable", "not_attested", "not_compared"
]
DEFAULT_MAX_AGE_DAYS = 90  # proof of address: issued within three months, unless the SOP says


class FieldCheck(BaseModel):
    """One field compared: both values, the verdict and why, and where the document said it."""

    field: str
    status: FieldStatus
    document_value: Any = None
    attested_value: Any = None
    similarity: float | None = None
    detail: str = ""
    page: int | None = None
    source_text: str | None = None


class Verification(BaseModel):
    """The verdict on one document: every field compared, freshness, and the mismatches."""

    type: str
    document_sha256: str
    checks: list[FieldCheck]
    mismatches: list[str] = Field(description="Fields whose values differ")
    missing: list[str] = Field(
        description="Attested fields the document does not show though its kind normally does"
    )
    not_applicable: list[str] = Field(
        default_factory=list,
        description="Attested fields this kind of document never shows (not counted as missing)",
    )
    profile: str | None = Field(default=None, description="The kind of document recognised")
    issue_date: dt.date | None = None
    age_days: int | None = None
    max_age_days: int | None = None
    stale: bool = False
    verified: bool = Field(description="No mismatch, nothing missing, not stale")


def _not_shown(profile: Profile | None, name: str) -> bool:
    return profile is not None and not profile.expects(name)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _compare_value(kind: str, name: str, document: Any, attested: Any) -> Comparison | None:
    """Pick the comparator for a field; None for fields nobody attests (issuer, authority)."""
    if name in ("registered_name",):
        return compare_company_names(str(document), str(attested))
    if name == "name":
        return compare_names(str(document), str(attested))
    if name == "company_number":
        return compare_numbers(str(document), str(attested))
    if name in ("incorporation_date", "issue_date"):
        a, b = _date(document), _date(attested)
        if a is None or b is None:
            return Comparison(False, 0.0, f"unreadable date: {document!r} / {attested!r}")
        return compare_dates(a, b)
    if name == "jurisdiction":
        return compare_jurisdictions(str(document), str(attested))
    if name in ("registered_office", "address"):
        return compare_addresses(str(document), str(attested))
    return None


def _check(
    kind: str, name: str, found: ExtractedField | None, attested: Any, profile: Profile | None
) -> FieldCheck:
    where = {"page": found.page, "source_text": found.source_text} if found else {}
    document = found.value if found else None
    if attested in (None, "", []):
        return FieldCheck(field=name, status="not_attested", document_value=document, **where)
    if document in (None, "", []) and _not_shown(profile, name):
        assert profile is not None
        return FieldCheck(
            field=name,
            status="not_applicable",
            attested_value=attested,
            detail=f"a {profile.title} does not show this field",
        )
    if document in (None, "", []):
        return FieldCheck(
            field=name,
            status="not_in_document",
            attested_value=attested,
            detail="the document does not show this field",
            **where,
        )
    result = _compare_value(kind, name, document, attested)
    if result is None:
        return FieldCheck(field=name, status="not_compared", document_value=document, **where)
    return FieldCheck(
        field=name,
        status="match" if result.same else "mismatch",
        document_value=document,
        attested_value=attested,
        similarity=round(result.similarity, 3),
        detail=result.detail,
        **where,
    )


def _owners(value: Any) -> list[Owner]:
    return [o if isinstance(o, Owner) else Owner.model_validate(o) for o in value or []]


def _owner_checks(
    found: ExtractedField | None, attested: Any, profile: Profile | None
) -> list[FieldCheck]:
    """Owners matched by name; each attested owner's share compared; extra or missing owners.

    An attested owner whose share is below what the register lists (a PSC register names only
    holders of more than 25%) is not applicable when absent, not a mismatch.
    """
    if not attested:
        return [FieldCheck(field="owners", status="not_attested")]
    listed = _owners(found.value if found else None)
    if not listed:
        return [FieldCheck(field="owners", status="not_in_document", attested_value=attested)]
    where = {"page": found.page if found else None}
    checks: list[FieldCheck] = []
    unmatched = list(listed)
    for claim in _owners(attested):
        compared = [(compare_names(o.name, claim.name), o) for o in unmatched]  # or companies
        closest, best = max(compared, key=lambda c: c[0].similarity, default=(None, None))
        if best is None or closest is None or not closest.same:
            floor = profile.min_owner_share if profile else None
            if floor is not None and claim.percentage is not None and claim.percentage <= floor:
                assert profile is not None
                checks.append(
                    FieldCheck(
                        field=f"owners[{claim.name}]",
                        status="not_applicable",
                        attested_value=claim.name,
                        detail=f"a {profile.title} lists only owners of more than {floor:g}%",
                    )
                )
                continue
            checks.append(
                FieldCheck(
                    field=f"owners[{claim.name}]",
                    status="mismatch",
                    attested_value=claim.name,
                    detail="not among the document's owners",
                    **where,
                )
            )
            continue
        unmatched.remove(best)
        if claim.percentage is None or best.percentage is None:
            status: FieldStatus = "match"
            detail = "named" if claim.percentage is None else "named, share not shown"
            checks.append(
                FieldCheck(
                    field=f"owners[{claim.name}]",
                    status=status,
                    document_value=best.name,
                    attested_value=claim.name,
                    detail=detail,
                    **where,
                )
            )
            continue
        share = compare_percentages(best.percentage, claim.percentage)
        checks.append(
            FieldCheck(
                field=f"owners[{claim.name}]",
                status="match" if share.same else "mismatch",
                document_value=best.percentage,
                attested_value=claim.percentage,
                similarity=round(share.similarity, 3),
                detail=share.detail,
                **where,
            )
        )
    for extra in unmatched:
        checks.append(
            FieldCheck(
                field=f"owners[{extra.name}]",
                status="mismatch",
                document_value=extra.name,
                detail="owner on the document the applicant did not declare",
                **where,
            )
        )
    return checks


def verify(
    extraction: Extraction,
    attested: dict[str, Any],
    *,
    as_of: dt.date | None = None,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Verification:
    """Compare one extraction with the attested values; proofs of address also for freshness.

    A field the document does not show is `missing` when its kind of document (its profile:
    type and issuing registry, see applicability.py) normally shows it, else `not_applicable`.
    """
    profile = profile_of(extraction.profile) or identify(extraction.type, extraction.fields)
    checks: list[FieldCheck] = []
    for name, found in extraction.fields.items():
        if name == "owners":
            checks.extend(_owner_checks(found, attested.get("owners"), profile))
        else:
            checks.append(_check(extraction.type, name, found, attested.get(name), profile))
    issue = (
        _date(extraction.fields["issue_date"].value) if "issue_date" in extraction.fields else None
    )
    age = (as_of - issue).days if (as_of and issue) else None
    stale = extraction.type == "proof_of_address" and age is not None and age > max_age_days
    mismatches = [c.field for c in checks if c.status == "mismatch"]
    missing = [c.field for c in checks if c.status == "not_in_document"]
    return Verification(
        type=extraction.type,
        document_sha256=extraction.document_sha256,
        checks=checks,
        mismatches=mismatches,
        missing=missing,
        not_applicable=[c.field for c in checks if c.status == "not_applicable"],
        profile=profile.key if profile else None,
        issue_date=issue,
        age_days=age,
        max_age_days=max_age_days if extraction.type == "proof_of_address" else None,
        stale=stale,
        verified=not mismatches and not missing and not stale,
    )


class Inconsistency(BaseModel):
    """Two documents of one case that disagree on the same fact."""

    fact: str
    first: str
    second: str
    detail: str


def cross_check(extractions: list[Extraction]) -> list[Inconsistency]:
    """Facts that several documents state must agree: the company's name and its address."""
    names: list[tuple[str, str]] = []
    addresses: list[tuple[str, str]] = []
    for ex in extractions:
        label = f"{ex.type}:{ex.document_sha256[:12]}"
        for key in ("registered_name", "name"):
            if (f := ex.fields.get(key)) and f.value:
                names.append((label, str(f.value)))
        for key in ("registered_office", "address"):
            if (f := ex.fields.get(key)) and f.value:
                addresses.append((label, str(f.value)))
    out: list[Inconsistency] = []
    for fact, values, compare in (
        ("name", names, compare_names),
        ("address", addresses, compare_addresses),
    ):
        for i, (first, a) in enumerate(values):
            for second, b in values[i + 1 :]:
                result = compare(a, b)
                if not result.same:
                    out.append(
                        Inconsistency(
                            fact=fact,
                            first=first,
                            second=second,
                            detail=f"'{a}' vs '{b}': {result.detail}",
                        )
                    )
    return out
