"""Tool `profile.business`: completeness and consistency of a business's self-attested data."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from caseworker.domain.case import (
    AddressType,
    AssociatedEntity,
    AssociatedIndividual,
    IndividualRole,
    Subject,
    SubjectType,
)
from caseworker.domain.jurisdictions import country_of
from caseworker.exceptions import ToolInputInvalid
from caseworker.tools.base import EvidenceDraft, ToolContext, ToolOutput, tool
from caseworker.validation import describe_validation_error

NEW_BUSINESS_DAYS = 180
BENEFICIAL_OWNER_PCT = 25.0

# Companies House prefixes of the Scottish and Northern Irish registers (SC company, SO LLP,
# SL limited partnership, GS European grouping...; NI company, NC LLP, NL partnership...).
_SCOTTISH = r"(?:S[ACFGILOPRZ]|GS)"
_NORTHERN_IRISH = r"(?:N[ACFILOPRZ]|GN)"
_ENGLAND_AND_WALES = (
    re.compile(rf"^(\d{{8}}|(?!{_SCOTTISH}|{_NORTHERN_IRISH})[A-Z]{{2}}\d{{6}})$"),
    "Companies House, England and Wales: 8 digits, or a prefix such as OC, LP or FC + 6 digits "
    "(SC… and NI… numbers are Scottish and Northern Irish)",
)

#: Company-register number formats by jurisdiction, checked after removing spaces and dots. An
#: ISO 3166-2 subdivision with a register of its own has its own entry (a Delaware file number,
#: the Scottish register); others use their country's (DE-BY is a Handelsregister number). A
#: country whose registers are all regional (US, CA) has entries only for its subdivisions.
REGISTRATION_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "GB": (
        re.compile(r"^(\d{8}|[A-Z]{2}\d{6}|R\d{7})$"),
        "Companies House: 8 digits or 2 letters + 6 digits, e.g. 01234567, SC123456",
    ),
    "GB-ENG": _ENGLAND_AND_WALES,
    "GB-WLS": _ENGLAND_AND_WALES,
    "GB-SCT": (
        re.compile(rf"^{_SCOTTISH}\d{{6}}$"),
        "Companies House, Scotland: SC (or SO, SL… for LLPs and partnerships) + 6 digits, "
        "e.g. SC123456",
    ),
    "GB-NIR": (
        re.compile(rf"^({_NORTHERN_IRISH}\d{{6}}|R\d{{7}})$"),
        "Companies House, Northern Ireland: NI (or NC, NL… for LLPs and partnerships) + "
        "6 digits, or R + 7 digits, e.g. NI123456",
    ),
    "IE": (re.compile(r"^\d{1,7}$"), "CRO number: digits only, e.g. 123456"),
    "DE": (
        re.compile(r"^HR[AB]\d{1,6}[A-Z]{0,2}$"),
        "Handelsregister: HRA or HRB + digits, e.g. HRB 12345 B",
    ),
    "FR": (re.compile(r"^\d{9}$"), "SIREN: 9 digits, e.g. 552 100 554"),
    "NL": (re.compile(r"^\d{8}$"), "KvK number: 8 digits, e.g. 12345678"),
    "BE": (
        re.compile(r"^(BE)?[01]\d{9}$"),
        "enterprise number (KBO/BCE): 10 digits starting 0 or 1, e.g. 0123.456.789",
    ),
    "US-DE": (
        re.compile(r"^\d{7}$"),
        "Delaware Division of Corporations file number: 7 digits, e.g. 1234567",
    ),
    "CA-QC": (
        re.compile(r"^\d{10}$"),
        "Québec enterprise number (NEQ): 10 digits, e.g. 1143512345",
    ),
}


def registration_format(jurisdiction: str) -> tuple[str, re.Pattern[str], str] | None:
    """Return the register format for a jurisdiction: its own, else its country's, or None.

    The first item is the code whose format it is (`US-DE`, or `DE` for `DE-BY`).
    """
    for code in dict.fromkeys((jurisdiction, country_of(jurisdiction))):
        if code in REGISTRATION_FORMATS:
            return (code, *REGISTRATION_FORMATS[code])
    return None


# fmt: off
#: Mailbox providers anyone can sign up to; a business address there is weak evidence.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
    "ymail.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "outlook.com",
    "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "proton.me",
    "protonmail.com", "pm.me", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "yandex.com",
    "yandex.ru", "mail.ru", "qq.com", "163.com", "126.com", "tutanota.com", "zoho.com",
    "libero.it", "laposte.net", "orange.fr", "btinternet.com", "t-online.de",
})

#: Free website builders, blog and social hosts: a site there is not a business domain.
FREE_WEB_HOSTS = frozenset({
    "blogspot.com", "wordpress.com", "wixsite.com", "weebly.com", "tumblr.com", "medium.com",
    "sites.google.com", "github.io", "netlify.app", "vercel.app", "carrd.co", "jimdosite.com",
    "webnode.page", "godaddysites.com", "business.site", "square.site", "strikingly.com",
    "facebook.com", "instagram.com", "linkedin.com", "twitter.com", "x.com", "tiktok.com",
    "linktr.ee", "etsy.com",
})

_LEGAL_SUFFIXES = frozenset({
    "ltd", "limited", "plc", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation",
    "co", "company", "gmbh", "ag", "kg", "sa", "sas", "sarl", "bv", "nv", "srl", "spa", "oy",
    "ab", "as", "aps", "the", "and", "group", "holdings",
})
# fmt: on

Severity = Literal["info", "warning", "high"]
M = TypeVar("M", bound=BaseModel)


class BusinessProfileInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: dict[str, Any] = Field(
        description="The case's subject as JSON (case.subject); derived keys such as "
        "'countries' are ignored"
    )
    individuals: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Associated individuals as JSON (case.associated_individuals)",
    )
    entities: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Associated entities as JSON (case.associated_entities)",
    )
    as_of: dt.date | None = Field(
        default=None, description="Date to compute the company's age at; defaults to today"
    )


class Issue(BaseModel):
    """One finding about the profile."""

    code: str
    field: str
    severity: Severity
    message: str


class BusinessProfileOutput(ToolOutput):
    complete: bool
    consistent: bool
    missing: list[str]
    issues: list[Issue]
    issue_codes: list[str]
    high_issues: int
    warnings: int
    age_days: int | None
    newly_incorporated: bool
    owners_total_pct: float

    def evidence(self) -> list[EvidenceDraft]:
        return [EvidenceDraft(source=f"case:{i.field}", quote=i.message) for i in self.issues]


def _validate(model: type[M], data: dict[str, Any], where: str) -> M:
    """Validate `data` into `model`, raising `ToolInputInvalid` with pydantic's messages."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(p.message for p in describe_validation_error(exc))
        raise ToolInputInvalid(f"{where} is not valid: {details}") from exc


def _host(url: str) -> str | None:
    """Return the lower-case host of an http(s) URL (a bare domain reads as https), or None."""
    text = url.strip()
    if not re.match(r"^[a-z][a-z0-9+.\-]*://", text, re.IGNORECASE):
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or " " in text:
        return None
    if not re.match(r"^([a-z0-9]([a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,}$", host):
        return None
    return host


def _on(host: str, domains: frozenset[str]) -> str | None:
    return next((d for d in domains if host == d or host.endswith(f".{d}")), None)


def _name_tokens(name: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", name.casefold())
    return {w for w in words if w not in _LEGAL_SUFFIXES} or set(words)


def names_differ(legal: str, trading: str) -> bool:
    """Tell whether a trading name shares no word with, and barely resembles, the legal name."""
    a, b = _name_tokens(legal), _name_tokens(trading)
    if a & b:
        return False
    joined_a, joined_b = "".join(sorted(a)), "".join(sorted(b))
    if joined_a in joined_b or joined_b in joined_a:
        return False
    return difflib.SequenceMatcher(None, joined_a, joined_b).ratio() < 0.6


class _Findings:
    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.missing: list[str] = []

    def add(self, code: str, field: str, severity: Severity, message: str) -> None:
        self.issues.append(Issue(code=code, field=field, severity=severity, message=message))

    def lack(self, name: str, field: str, message: str) -> None:
        self.missing.append(name)
        self.add("missing", field, "warning", message)


def _check_required(s: Subject, f: _Findings) -> None:
    business = s.type is SubjectType.business
    for name in ("legal_name", "registration_number", "jurisdiction", "incorporation_date"):
        if business and not getattr(s, name):
            f.lack(name, f"subject.{name}", f"{name.replace('_', ' ')} is missing")
    if not s.addresses:
        name = "registered_address" if business else "address"
        f.lack(name, "subject.addresses", "no address is given")
    elif business and not any(a.type is AddressType.registered for a in s.addresses):
        f.lack(
            "registered_address",
            "subject.addresses",
            "addresses are given but none is the registered address",
        )
    if business and not (s.description or s.industry):
        f.lack(
            "description_or_industry",
            "subject.description",
            "neither a description nor an industry is given",
        )


def _check_dates(s: Subject, as_of: dt.date, f: _Findings) -> int | None:
    if s.incorporation_date is None:
        return None
    age = (as_of - s.incorporation_date).days
    if age < 0:
        f.add(
            "incorporation_in_future",
            "subject.incorporation_date",
            "high",
            f"incorporation date {s.incorporation_date} is after {as_of}",
        )
    elif age < NEW_BUSINESS_DAYS:
        f.add(
            "newly_incorporated",
            "subject.incorporation_date",
            "warning",
            f"incorporated on {s.incorporation_date}, {age} days before {as_of} "
            f"(under {NEW_BUSINESS_DAYS})",
        )
    return age


def _check_registration(s: Subject, f: _Findings) -> None:
    found = registration_format(s.jurisdiction) if s.jurisdiction else None
    if not (s.registration_number and found):
        return
    code, pattern, expected = found
    normalised = re.sub(r"[\s.]", "", s.registration_number).upper()
    if not pattern.match(normalised):
        f.add(  # the SOP's contradictions fail the check: a number the registry cannot have
            "registration_number_format",
            "subject.registration_number",
            "high",
            f"registration number '{s.registration_number}' does not match the "
            f"{code} format ({expected})",
        )


def _check_places_and_contacts(s: Subject, f: _Findings) -> None:
    countries = {a.country for a in s.addresses}
    country = country_of(s.jurisdiction) if s.jurisdiction else None
    if country and countries and country not in countries:
        shown = s.jurisdiction if s.jurisdiction == country else f"{s.jurisdiction} ({country})"
        f.add(
            "jurisdiction_not_in_addresses",
            "subject.jurisdiction",
            "warning",
            f"jurisdiction {shown} is not the country of any address "
            f"({', '.join(sorted(countries))})",
        )
    if s.website:
        host = _host(s.website)
        if host is None:
            f.add(
                "website_invalid",
                "subject.website",
                "warning",
                f"website '{s.website}' is not a valid http(s) URL",
            )
        elif free := _on(host, FREE_WEB_HOSTS | FREE_MAIL_DOMAINS):
            f.add(
                "website_free_host",
                "subject.website",
                "warning",
                f"website '{s.website}' is on a free, blog or social host ({free})",
            )
    email = s.contact.email if s.contact else None
    if email:
        domain = email.rsplit("@", 1)[-1].lower()
        if domain in FREE_MAIL_DOMAINS:
            f.add(
                "email_free_mail",
                "subject.contact.email",
                "info",
                f"contact email '{email}' is on a free-mail domain ({domain})",
            )
    if s.trading_name and names_differ(s.legal_name, s.trading_name):
        f.add(
            "trading_name_differs",
            "subject.trading_name",
            "info",
            f"trading name '{s.trading_name}' is unlike legal name '{s.legal_name}'",
        )


def _check_parties(
    s: Subject,
    people: list[AssociatedIndividual],
    firms: list[AssociatedEntity],
    f: _Findings,
) -> float:
    total = sum(p.ownership_percentage or 0.0 for p in people) + sum(
        e.ownership_percentage or 0.0 for e in firms
    )
    if total > 100 + 1e-6:
        f.add(
            "ownership_over_100",
            "associated_individuals",
            "high",
            f"ownership percentages of individuals and entities add up to {total:g}%",
        )
    if s.type is not SubjectType.business:
        return total
    has_director = any(IndividualRole.director in p.roles for p in people) or any(
        "director" in (r.lower() for r in e.roles) for e in firms
    )
    if not has_director:
        f.add("no_director", "associated_individuals", "high", "no director is listed")
    big_owners = [p for p in people if (p.ownership_percentage or 0) >= BENEFICIAL_OWNER_PCT]
    controllers = [p for p in people if IndividualRole.controller in p.roles]
    if not big_owners and not controllers:
        f.add(
            "no_beneficial_owner",
            "associated_individuals",
            "high",
            f"no individual owns {BENEFICIAL_OWNER_PCT:g}% or more and none is listed "
            "as controller",
        )
    for i, p in enumerate(people):
        if not p.nationalities and not p.country_of_residence:
            f.add(
                "individual_country_missing",
                f"associated_individuals[{i}]",
                "warning",
                f"{p.full_name} has no nationality and no country of residence, so country "
                "risk cannot be assessed for them",
            )
        pct = p.ownership_percentage
        if (
            IndividualRole.beneficial_owner in p.roles
            and pct is not None
            and pct < BENEFICIAL_OWNER_PCT
        ):
            f.add(
                "beneficial_owner_below_threshold",
                f"associated_individuals[{i}].ownership_percentage",
                "info",
                f"{p.full_name} is listed as beneficial owner with {pct:g}% "
                f"(under {BENEFICIAL_OWNER_PCT:g}%)",
            )
    return total


@tool("profile.business")
def business_profile(args: BusinessProfileInput, context: ToolContext) -> BusinessProfileOutput:
    """Check a business's self-attested profile for completeness and consistency.

    Looks for missing required data (registration number, jurisdiction, incorporation
    date, registered address, description or industry), an incorporation date in the
    future or less than 180 days ago, a registration number in the wrong format for its
    jurisdiction, a jurisdiction matching no address, a bad or free-hosted website, a
    free-mail contact email, no director, ownership over 100%, no beneficial owner or
    controller, and a trading name unlike the legal name. Returns `complete` (nothing
    missing), `consistent` (no high-severity issue), `missing`, `issues` (code, field,
    severity info|warning|high, message), `issue_codes`, `high_issues`, `warnings`,
    `age_days`, `newly_incorporated` and `owners_total_pct`.
    """
    known = Subject.model_fields
    subject = _validate(Subject, {k: v for k, v in args.subject.items() if k in known}, "subject")
    people = [
        _validate(AssociatedIndividual, d, f"individuals[{i}]")
        for i, d in enumerate(args.individuals)
    ]
    firms = [_validate(AssociatedEntity, d, f"entities[{i}]") for i, d in enumerate(args.entities)]
    as_of = args.as_of or dt.date.today()

    f = _Findings()
    _check_required(subject, f)
    age_days = _check_dates(subject, as_of, f)
    _check_registration(subject, f)
    _check_places_and_contacts(subject, f)
    total = _check_parties(subject, people, firms, f)

    return BusinessProfileOutput(
        complete=not f.missing,
        consistent=not any(i.severity == "high" for i in f.issues),
        missing=f.missing,
        issues=f.issues,
        issue_codes=list(dict.fromkeys(i.code for i in f.issues)),
        high_issues=sum(i.severity == "high" for i in f.issues),
        warnings=sum(i.severity == "warning" for i in f.issues),
        age_days=age_days,
        newly_incorporated=age_days is not None and 0 <= age_days < NEW_BUSINESS_DAYS,
        owners_total_pct=round(total, 4),
    )
