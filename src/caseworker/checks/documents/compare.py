"""Compare a value read from a document with the value the applicant gave, field by field.

Each comparator answers `Comparison(same, similarity, detail)`. They forgive how people and
OCR write things (case, punctuation, "Ltd" for "Limited", "St" for "Street", leading zeros,
postcode spacing, a misread letter in a long name) and nothing that changes the fact (another
word in the name, another house number, another postcode, another date).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from caseworker.checks.documents.jurisdictions import split_code, subdivision_code
from caseworker.checks.screening.entity import EntityType
from caseworker.checks.screening.normalize import (
    LEGAL_FORMS_SURE,
    LEGAL_FORMS_WEAK,
    LEGAL_PHRASES,
    normalize_name,
)

# Legal forms that mean the same thing, written differently.
_FORM_CLASS = {
    "limited": "ltd",
    "ltd": "ltd",
    "plc": "plc",
    "llc": "llc",
    "llp": "llp",
    "lp": "lp",
    "inc": "inc",
    "incorporated": "inc",
    "corp": "corp",
    "corporation": "corp",
    "gmbh": "gmbh",
    "ag": "ag",
    "bv": "bv",
    "nv": "nv",
    "sa": "sa",
    "sas": "sas",
    "sarl": "sarl",
    "pte": "pte",
    "pteltd": "pte",
    "co": "co",
    "company": "co",
    "dac": "dac",
    "ug": "ug",
}
_STREET_WORDS = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "hwy": "highway",
    "pkwy": "parkway",
    "cres": "crescent",
    "tce": "terrace",
    "ter": "terrace",
    "gdns": "gardens",
    "ste": "suite",
    "fl": "floor",
    "apt": "apartment",
    "bldg": "building",
    "cl": "close",
    "lwr": "lower",
    "upr": "upper",
    "grn": "green",
    "pk": "park",
    "mt": "mount",
    "crt": "court",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "strasse": "strasse",
    "straße": "strasse",
}
_COUNTRY_WORDS = {
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united states": "US",
    "usa": "US",
    "united states of america": "US",
    "ireland": "IE",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "netherlands": "NL",
    "singapore": "SG",
    "belgium": "BE",
    "spain": "ES",
    "italy": "IT",
    "canada": "CA",
    "cyprus": "CY",
    "united arab emirates": "AE",
}
# Postcodes: UK outward+inward, US ZIP(+4), Canadian, and the digit groups of most of Europe.
_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b")
_US_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
_DIGIT_POSTCODE = re.compile(r"\b(\d{4,6})\b")
_CA_POSTCODE = re.compile(r"\b([A-Z]\d[A-Z])\s*(\d[A-Z]\d)\b")
_IE_EIRCODE = re.compile(r"\b([A-Z]\d{2}|D6W)\s*([A-Z\d]{4})\b")
_HOUSE_NUMBER = re.compile(r"\b(\d+[A-Z]?)(?:\s*[-\u2013]\s*\d+[A-Z]?)?\b")
NAME_MATCH = 0.92  # token-sort similarity at or above which two names are the same (OCR slips)
STREET_MATCH = 0.85


@dataclass(frozen=True)
class Comparison:
    """Whether two values state the same fact, how similar they are, and why."""

    same: bool
    similarity: float
    detail: str


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


# Legal forms spelled out, and the abbreviation registries and applicants also use.
_SPELLED_OUT = {
    "designated activity company": "dac",
    "company limited by guarantee": "clg",
    "unlimited company": "uc",
    "public limited company": "plc",
    "limited liability company": "llc",
    "limited liability partnership": "llp",
    "limited partnership": "lp",
    "private limited company": "ltd",
    "gesellschaft mit beschrankter haftung": "gmbh",
    "aktiengesellschaft": "ag",
    "besloten vennootschap": "bv",
    "naamloze vennootschap": "nv",
    "societe par actions simplifiee": "sas",
    "societe anonyme": "sa",
    "societe a responsabilite limitee": "sarl",
    "private limited": "pte ltd",
}


_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}(?:[^\W\d_]\b)?")


def abbreviate_forms(name: str) -> str:
    """Fold a name and write its spelled-out legal forms as abbreviations ("... dac")."""
    undotted = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), name)  # "L.L.C." -> "LLC"
    folded = _fold(undotted)
    for words, short in _SPELLED_OUT.items():
        folded = re.sub(rf"\b{words}\b", short, folded)
    return folded


def legal_form(name: str) -> str | None:
    """Return the legal form a company name ends or starts with ("Acme Limited" -> "ltd")."""
    tokens = abbreviate_forms(name).split()
    joined = " ".join(tokens)
    for phrase in LEGAL_PHRASES:
        if " ".join(phrase) in joined:
            return " ".join(phrase)
    for token in (tokens[-1:] + tokens[:1]) if tokens else []:
        if token in _FORM_CLASS:
            return _FORM_CLASS[token]
        if token in LEGAL_FORMS_SURE or token in LEGAL_FORMS_WEAK:
            return token
    return None


def _ampersand(text: str) -> str:
    return re.sub(r"\s*&\s*", " and ", text)


def compare_company_names(document: str, attested: str) -> Comparison:
    """Compare company names, allowing legal-form spelling, punctuation, case and OCR slips."""
    a = normalize_name(abbreviate_forms(_ampersand(document)), kind=EntityType.entity)
    b = normalize_name(abbreviate_forms(_ampersand(attested)), kind=EntityType.entity)
    sim = fuzz.token_sort_ratio(" ".join(a.tokens), " ".join(b.tokens)) / 100.0
    form_a, form_b = legal_form(document), legal_form(attested)
    if form_a and form_b and form_a != form_b:
        return Comparison(False, sim, f"legal form differs: '{form_a}' vs '{form_b}'")
    if sim >= NAME_MATCH:
        return Comparison(True, sim, "same name" if sim == 1.0 else "same name, minor spelling")
    return Comparison(False, sim, f"names differ ({sim:.2f})")


def compare_person_names(document: str, attested: str) -> Comparison:
    """Compare a person's names in any order, allowing titles, case, accents and OCR slips."""
    a = normalize_name(document, kind=EntityType.person)
    b = normalize_name(attested, kind=EntityType.person)
    sim = fuzz.token_sort_ratio(" ".join(a.tokens), " ".join(b.tokens)) / 100.0
    if sim >= NAME_MATCH:
        return Comparison(True, sim, "same name" if sim == 1.0 else "same name, minor spelling")
    return Comparison(False, sim, f"names differ ({sim:.2f})")


def compare_names(document: str, attested: str) -> Comparison:
    """Compare names that may be a company's or a person's (proof-of-address holders)."""
    if legal_form(document) or legal_form(attested):
        return compare_company_names(document, attested)
    return compare_person_names(document, attested)


def normalize_number(value: str) -> str:
    """Registration number as letters and digits, upper case, leading zeros of digit runs off."""
    compact = re.sub(r"[^0-9A-Z]", "", value.upper())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", compact)


def compare_numbers(document: str, attested: str) -> Comparison:
    """Compare registration numbers, ignoring spaces, punctuation, case and leading zeros."""
    a, b = normalize_number(document), normalize_number(attested)
    if a == b:
        return Comparison(True, 1.0, "same number")
    # A register prefix one side leaves out ("HRB 12345" / "12345").
    if a and b and (a.endswith(b) or b.endswith(a)) and min(len(a), len(b)) >= 5:
        prefix = a[: len(a) - len(b)] if len(a) > len(b) else b[: len(b) - len(a)]
        if prefix.isalpha():
            return Comparison(True, 0.95, f"same number, register prefix '{prefix}' on one side")
    sim = Levenshtein.normalized_similarity(a, b)
    return Comparison(False, sim, f"numbers differ: {a} vs {b}")


def compare_dates(document: dt.date, attested: dt.date) -> Comparison:
    """Dates are the same day or they differ; the detail says by how much."""
    if document == attested:
        return Comparison(True, 1.0, "same date")
    days = (document - attested).days
    return Comparison(False, 0.0, f"dates differ by {abs(days)} days")


def country_code(text: str) -> str | None:
    """ISO code of a country named or coded in `text` ("United Kingdom", "UK", "GB")."""
    folded = _fold(text)
    if re.fullmatch(r"[a-z]{2}", folded):
        return "GB" if folded == "uk" else folded.upper()
    for words, code in sorted(_COUNTRY_WORDS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{words}\b", folded):
            return code
    return None


def _jurisdiction_code(value: str) -> str:
    text = value.strip().upper()
    if re.fullmatch(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?", text):
        return text
    return subdivision_code(value) or country_code(value) or text


def compare_jurisdictions(document: str, attested: str) -> Comparison:
    """Compare jurisdictions at the level both state: ISO 3166-1 ("GB") or 3166-2 ("US-DE").

    "US-DE" is the same as a Delaware certificate and differs from a California one; "US"
    agrees with either (country level); "UK" is "GB"; names ("State of Delaware") are coded.
    """
    a, b = (_jurisdiction_code(v) for v in (document, attested))
    (a_country, a_state), (b_country, b_state) = split_code(a), split_code(b)
    if a_country != b_country:
        return Comparison(False, 0.0, f"jurisdiction {a} vs {b}")
    if a_state and b_state and a_state != b_state:
        return Comparison(False, 0.5, f"state {a_state} vs {b_state}")
    if a_state != b_state:
        return Comparison(True, 0.9, f"same country ({a_country}); only one side names the state")
    return Comparison(True, 1.0, "same jurisdiction")


@dataclass(frozen=True)
class AddressParts:
    """The parts of an address that identify it."""

    postcode: str | None
    numbers: tuple[str, ...]
    street: str  # every word that is not a number, postcode or country
    country: str | None
    street_name: str | None = None  # the words between the house number and the street type


_STREET_TYPES = (
    "street|road|avenue|lane|drive|court|close|way|place|square|boulevard|highway|green|"
    "gardens|terrace|crescent|parkway|row|walk|hill|park|quay|wharf|mews|grove|rise|view"
)
_STREET_NAME = re.compile(rf"\b\d+[a-z]?\s+((?:[a-z]+\s+){{0,3}}?(?:{_STREET_TYPES}))\b")
_STREET_NAME_AFTER = re.compile(r"\b([a-zäöüß]+(?:strasse|weg|gasse|allee|platz|ring|damm))\s+\d+")


def address_parts(text: str) -> AddressParts:
    """Split a one-line address into postcode, house/unit numbers, street words and country."""
    upper = unicodedata.normalize("NFKC", text).upper()
    postcode: str | None = None
    for pattern in (_UK_POSTCODE, _CA_POSTCODE, _IE_EIRCODE):
        if m := pattern.search(upper):
            postcode = (m.group(1) + m.group(2)).replace(" ", "")
            upper = upper[: m.start()] + " " + upper[m.end() :]
            break
    if postcode is None:
        digits = _US_ZIP.findall(upper) or _DIGIT_POSTCODE.findall(upper)
        if digits:
            postcode = digits[-1]
            cut = upper.rfind(postcode)
            upper = upper[:cut] + " " + upper[cut + len(postcode) :]
    country = country_code(text.rsplit(",", 1)[-1]) if "," in text else None
    numbers = tuple(sorted({m.group(1).lstrip("0") or "0" for m in _HOUSE_NUMBER.finditer(upper)}))
    folded = _fold(upper)
    for words in sorted(_COUNTRY_WORDS, key=len, reverse=True):  # country names are not streets
        folded = re.sub(rf"\b{words}\b", " ", folded)
    codes = {c.casefold() for c in _COUNTRY_WORDS.values()}
    street = " ".join(
        _STREET_WORDS.get(w, w)
        for w in folded.split()
        if not any(c.isdigit() for c in w) and w not in codes
    )
    expanded = " ".join(_STREET_WORDS.get(w, w) for w in _fold(upper).split())
    named = _STREET_NAME.search(expanded) or _STREET_NAME_AFTER.search(expanded)
    return AddressParts(postcode, numbers, street, country, named.group(1) if named else None)


def compare_addresses(document: str, attested: str) -> Comparison:
    """Compare addresses by component: postcode, house and unit numbers, then street and town words.

    A postcode or a number that differs is a different address whatever the rest says; words
    are compared by token-set similarity after expanding abbreviations, so "12 High St" is
    "12, High Street" and a line the applicant left out (a building name) does not count.
    """
    a, b = address_parts(document), address_parts(attested)
    if a.postcode and b.postcode and a.postcode != b.postcode:
        return Comparison(False, 0.0, f"postcode {a.postcode} vs {b.postcode}")
    if a.country and b.country and a.country != b.country:
        return Comparison(False, 0.0, f"country {a.country} vs {b.country}")
    if (
        a.numbers
        and b.numbers
        and not (set(a.numbers) <= set(b.numbers) or set(b.numbers) <= set(a.numbers))
    ):
        return Comparison(False, 0.3, f"numbers {', '.join(a.numbers)} vs {', '.join(b.numbers)}")
    if a.street_name and b.street_name:
        named = fuzz.ratio(a.street_name, b.street_name) / 100.0
        if named < STREET_MATCH:
            return Comparison(False, named, f"street '{a.street_name}' vs '{b.street_name}'")
    sim = fuzz.token_set_ratio(a.street, b.street) / 100.0
    if sim < STREET_MATCH:
        return Comparison(False, sim, f"street differs ({sim:.2f})")
    return Comparison(
        True, sim, "same address" if sim == 1.0 else "same address, written differently"
    )


def compare_percentages(document: float, attested: float, tolerance: float = 0.5) -> Comparison:
    """Compare ownership shares within `tolerance` percentage points (rounding on registers)."""
    gap = abs(document - attested)
    if gap <= tolerance:
        return Comparison(True, 1.0, "same share")
    return Comparison(False, max(0.0, 1.0 - gap / 100.0), f"share {document:g}% vs {attested:g}%")
