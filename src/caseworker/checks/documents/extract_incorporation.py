"""Rules for certificates of incorporation and registry extracts (the `incorporation` type).

A field is read from its label, whatever the wording (labels.py families: "Company Reg. No.",
"Date Registered", "Address of Registered Office"), else from the sentence that states it
("hereby certifies that X is this day incorporated", "filed in this office on the 9th day of
August, A.D. 2017"), else from its shape (a Delaware file number).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from caseworker.checks.documents.dates import find_dates
from caseworker.checks.documents.extract_common import (
    LABEL_SURE,
    SENTENCE_SURE,
    SHAPE_SURE,
    address_text,
    by_family,
    date_field,
    field_from,
    first_found,
    has_date,
    whole_text,
)
from caseworker.checks.documents.jurisdictions import US_STATE_NAMED, us_state
from caseworker.checks.documents.lines import DocLine, Found, block_below, clean, search
from caseworker.checks.documents.schemas import ExtractedField

_VERB = r"(?:incorporated|formed|registered|organi[sz]ed)"
_CERTIFIES = re.compile(
    r"certif(?:y|ies),?\s+that\s+(.{2,140}?)\s+(?:is|was|has been)\s+"
    r"(?:(?:this day|on this day|duly|validly|today)\s+)*" + _VERB,
    re.I,
)
_QUOTED_NAME = re.compile(
    r"(?:certificate of (?:incorporation|formation) of|copy of)\s*\"([^\"]+)\"", re.I
)
_NAME_OF_CORPORATION = re.compile(
    r"name of the (?:corporation|company|limited liability company) is\s+(.+?)\.?$", re.I
)
# A sentence that dates the incorporation: the first date after one of these words.
_DATED = re.compile(r"\b(?:filed|incorporated|formed|given|dated|issued|registered)\b", re.I)
_DATE_REACH = 110  # characters after the word within which its date must start
_DE_FILE_NUMBER = re.compile(r"^(\d{7})\s+\d{4}\b")
_AUTHORITIES: tuple[re.Pattern[str], ...] = (
    re.compile(r"Registrar of Companies for (England and Wales|Scotland|Northern Ireland)", re.I),
    re.compile(r"SECRETARY\s*OF\s*STATE\s*OF\s*THE\s*STATE\s*OF\s*([A-Z ]+?)(?:,|\s+DO\b)", re.I),
    re.compile(r"Accounting and Corporate Regulatory Authority", re.I),
    re.compile(r"Companies Registration Office", re.I),
    re.compile(
        r"Amtsgericht [A-ZÄÖÜ][\wäöüß-]+(?: (?:am|an der|im|in der|ob der) [A-ZÄÖÜ][\wäöüß-]+)?"
    ),
    re.compile(r"\bCompanies House\b"),
)
_SECRETARY = re.compile(
    r"SECRETARY\s*OF\s*STATE\s*OF\s*THE\s*STATE\s*OF\s*([A-Z][A-Z ]*?)\s*(?:,|DO\b|$)", re.I
)
_JURISDICTION_CLUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"England and Wales|Companies House|Scotland|Northern Ireland", re.I), "GB"),
    (US_STATE_NAMED, "US-"),  # the state's code is read from the match: "US-DE"
    (
        re.compile(r"Accounting and Corporate Regulatory Authority|\bACRA\b|\bSingapore\b", re.I),
        "SG",
    ),
    (re.compile(r"Companies Registration Office|\bIreland\b", re.I), "IE"),
    (re.compile(r"Handelsregister|Amtsgericht|Registergericht", re.I), "DE"),
    (re.compile(r"Kamer van Koophandel|Netherlands Chamber of Commerce|\bKvK\b", re.I), "NL"),
    (re.compile(r"Crossroads Bank for Enterprises|Banque-Carrefour|\bKBO\b", re.I), "BE"),
    (re.compile(r"Department of Registrar of Companies and Intellectual Property", re.I), "CY"),
    (re.compile(r"Department of Economy and Tourism|United Arab Emirates", re.I), "AE"),
    (re.compile(r"Corporations Canada|Canada Business Corporations Act", re.I), "CA"),
    (re.compile(r"Registre du commerce et des sociétés|\bRCS\b|\bINPI\b", re.I), "FR"),
)
_US_OFFICE = re.compile(
    r"registered office of the (?:corporation|limited liability company|company) in the State "
    r"of \w+ is:?",
    re.I,
)
_NUMBER_SHAPE = re.compile(
    r"\b(HR[AB]\s?\d{3,6}(?:\s?[A-Z])?|[A-Z]{1,2}\s?\d{6,8}|\d{6,10}[A-Z]?)\b"
)
_HAS_DIGIT = re.compile(r"\d")


def _jurisdiction(lines: Sequence[DocLine]) -> ExtractedField:
    for pattern, code in _JURISDICTION_CLUES:
        found = search(lines, pattern, group=0, span=1)
        if found:
            value = us_state(found.value) if code == "US-" else code
            return field_from(found, value, SENTENCE_SURE)
    return ExtractedField()


def _authority(lines: Sequence[DocLine]) -> ExtractedField:
    found = by_family(lines, "incorporation", "issuing_authority")
    if found:
        return field_from(found)
    for pattern in _AUTHORITIES:
        found = search(lines, pattern, group=0, span=2)
        if found:
            value = found.value
            if m := _SECRETARY.match(value):  # written out again: OCR may drop spaces
                value = f"Secretary of State of the State of {m.group(1)}"
            return field_from(found, value, SENTENCE_SURE)
    return ExtractedField()


def _office(lines: Sequence[DocLine]) -> ExtractedField:
    found = by_family(lines, "incorporation", "registered_office", below=7, continuation=True)
    if found:
        return field_from(found, address_text(found))
    de = search(lines, _US_OFFICE, group=0, span=2)
    if de:
        last = de.lines[-1]
        block = block_below(lines, last, limit=3, column=last.line.bbox[0] + 0.03, exact=False)
        if block:
            joined = ", ".join(dl.text for dl in block)
            return field_from(
                Found(joined, tuple(block), min(b.line.confidence for b in block), joined),
                sure=SENTENCE_SURE,
            )
    return ExtractedField()


def _dated_sentence(lines: Sequence[DocLine], *, month_first: bool) -> Found | None:
    """Return the date a sentence gives ("filed in this office on the ...", "this 9th day")."""
    for i in range(len(lines)):
        window = [dl for dl in lines[i : i + 3] if dl.page == lines[i].page]
        joined = " ".join(dl.text for dl in window)
        for m in _DATED.finditer(joined, 0, len(lines[i].text)):
            tail = joined[m.end() : m.end() + _DATE_REACH + 60]
            dates = [d for d in find_dates(tail, month_first=month_first) if d.start < _DATE_REACH]
            if dates:
                end = m.end() + dates[0].start + len(dates[0].text)
                used = _covering(window, end)
                conf = min(x.line.confidence for x in used)
                return Found(dates[0].text, tuple(used), conf, joined[m.start() : end])
    return None


def _covering(window: Sequence[DocLine], end: int) -> list[DocLine]:
    out, pos = [], 0
    for dl in window:
        if pos > end:
            break
        out.append(dl)
        pos += len(dl.text) + 1
    return out


def extract_incorporation(lines: Sequence[DocLine]) -> dict[str, ExtractedField]:
    """Name, number, date, jurisdiction, office and authority of a certificate or extract."""
    text = whole_text(lines)
    us = bool(re.search(r"State of Delaware|Secretary of State", text, re.I))
    name, name_sure = first_found(
        lambda: (by_family(lines, "incorporation", "registered_name"), LABEL_SURE),
        lambda: (search(lines, _CERTIFIES, span=4), SENTENCE_SURE),
        lambda: (search(lines, _QUOTED_NAME, span=3), SENTENCE_SURE),
        lambda: (search(lines, _NAME_OF_CORPORATION, span=1), SENTENCE_SURE),
    )
    number, number_sure = first_found(
        lambda: (
            by_family(lines, "incorporation", "company_number", accept=_HAS_DIGIT.search),
            LABEL_SURE,
        ),
        lambda: (search(lines, _DE_FILE_NUMBER, span=1), SHAPE_SURE),
    )
    date, date_sure = first_found(
        lambda: (
            by_family(lines, "incorporation", "incorporation_date", accept=has_date),
            LABEL_SURE,
        ),
        lambda: (_dated_sentence(lines, month_first=us), SENTENCE_SURE),
    )
    return {
        "registered_name": field_from(name, _name_value(name), name_sure)
        if name
        else ExtractedField(),
        "company_number": field_from(number, _number_value(number), number_sure)
        if number
        else ExtractedField(),
        "incorporation_date": date_field(date, date_sure, month_first=us),
        "jurisdiction": _jurisdiction(lines),
        "registered_office": _office(lines),
        "issuing_authority": _authority(lines),
    }


def _name_value(found: Found | None) -> str | None:
    if found is None:
        return None
    value = clean(found.value)
    return value.strip(" \"'.,") if not value.endswith(".") else value.strip(" \"',")


def _number_value(found: Found | None) -> str | None:
    if found is None:
        return None
    m = _NUMBER_SHAPE.search(found.value.upper())
    return m.group(1) if m else found.value.split()[0]
