"""Rules for proofs of address: bills, bank statements and letters (`proof_of_address`).

The holder and address come from the recipient block (the lines above the first postcode line
near the top, as an envelope window shows them) or else from labels; the issue date from a
label of the date family ("Bill date", "Produced on", "Date of this letter"), else the end of
the statement period, else a date alone on a line near the top; the issuer from the letterhead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from caseworker.checks.documents.dates import find_dates
from caseworker.checks.documents.extract_common import (
    HAS_DATE,
    LABEL_SURE,
    SENTENCE_SURE,
    SHAPE_SURE,
    address_text,
    by_family,
    date_field,
    field_from,
    has_date,
    whole_text,
)
from caseworker.checks.documents.lines import DocLine, Found, labelled, looks_like_label
from caseworker.checks.documents.schemas import ExtractedField

PERIOD_LABELS = ("Statement period", "Billing period", "Period", "Statement for the period")

_STREET_END = re.compile(
    r"\b(?:street|st|road|rd|avenue|ave|lane|drive|way|court|place|square|boulevard|blvd|"
    r"highway|parkway|pkwy|terrace|crescent|plaza|straße|strasse|weg|gasse|allee|platz|"
    r"straat|laan|plein|gracht|kade|kai|ufer|ring|damm)\.?$",
    re.I,
)
_POSTCODE_LINE = (
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$"),  # UK
    re.compile(r"\b[A-Z]{2}\s\d{5}(?:-\d{4})?$"),  # US state + ZIP
    # Europe: "70608 Stuttgart", "60514 Frankfurt am Main", "2511 PE Den Haag" (NL letters)
    re.compile(r"(?:^|,\s*)\d{4,5}(?:\s?[A-Z]{2})?\s+[^\W\d]+(?:[ '-][^\W\d.]+){0,3}$"),
    re.compile(r"\b[^\W\d]+\s\d{6}$"),  # Singapore 048041
    re.compile(r"\b[A-Z]\d{2}\s?[A-Z\d]{4}$"),  # Irish Eircode
)


def is_postcode_line(text: str) -> bool:
    """Tell whether a line ends an address: it closes with a postcode, not a street."""
    upper = text.strip().upper()
    return not _STREET_END.search(text.strip()) and any(p.search(upper) for p in _POSTCODE_LINE)


_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s?Box\b", re.I)
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+", re.I)


# A document's title is not its issuer: a heading made only of such words.
_TITLE_WORDS = (
    r"your|my|the|a|an|of|and|for|bill|bills|statement|statements|invoice|account|accounts|"
    r"summary|current|monthly|quarterly|annual|yearly|bank|letter|notice|confirmation|"
    r"renewal|policy|schedule|tax|e-statement|details|savings|customer"
)
_GENERIC_HEADINGS = re.compile(rf"^(?:(?:{_TITLE_WORDS})\b[\s,.:-]*)+$", re.I)


def _issuer(lines: Sequence[DocLine]) -> ExtractedField:
    """Read the letterhead: the biggest text atop the first page, not a generic heading."""
    top = (
        [
            dl
            for dl in lines
            if dl.page == lines[0].page
            and dl.line.bbox[1] < 0.15
            and not _GENERIC_HEADINGS.match(dl.text)
        ]
        if lines
        else []
    )
    if not top:
        return ExtractedField()
    tallest = max(dl.height for dl in top)
    head = next(dl for dl in top if dl.height >= 0.85 * tallest)
    value = re.sub(r"\s+(?:Statement|Your bill|Bill|Invoice)$", "", head.text, flags=re.I)
    return field_from(Found(value, (head,), head.line.confidence, head.text), sure=SHAPE_SURE)


def _address_block(lines: Sequence[DocLine]) -> tuple[Found | None, Found | None]:
    """Name and address from the recipient block: lines above the first postcode line."""
    for dl in lines:
        if dl.line.bbox[1] > 0.45 or looks_like_label(dl.text):
            continue
        if not is_postcode_line(dl.text):
            continue
        block = _column_above(lines, dl)
        if len(block) < 2:
            continue
        name_line, *address_lines = block
        name = _HONORIFIC.sub("", name_line.text)
        address = ", ".join(a.text for a in address_lines)
        conf = min(b.line.confidence for b in block)
        return (
            Found(name, (name_line,), conf, name_line.text),
            Found(address, tuple(address_lines), conf, " / ".join(a.text for a in address_lines)),
        )
    return None, None


def _column_above(lines: Sequence[DocLine], last: DocLine, *, limit: int = 6) -> list[DocLine]:
    """`last` and the lines straight above it in its column, with no gap, top first."""
    out = [last]
    for dl in reversed(lines[: last.index]):
        if dl.page != last.page or len(out) > limit:
            break
        if abs(dl.line.bbox[0] - last.line.bbox[0]) > 0.02:
            continue  # another column on the same rows
        gap = out[0].line.bbox[1] - dl.line.bbox[3]
        typical = sorted(b.height for b in out)[len(out) // 2]
        smaller = dl.height < 0.65 * typical  # a sender's return address in small print
        sender = is_postcode_line(dl.text) or bool(_PO_BOX.search(dl.text))  # another address
        if (
            gap > 1.2 * max(out[0].height, dl.height)
            or looks_like_label(dl.text)
            or smaller
            or sender
        ):
            break
        out.insert(0, dl)
    return out


def _letter_date(lines: Sequence[DocLine]) -> Found | None:
    """Return a date alone on a line in the top half of page one: the letter's date."""
    for dl in lines:
        if dl.page != lines[0].page or dl.line.bbox[1] > 0.5:
            continue
        dates = find_dates(dl.text)
        if len(dates) == 1 and len(dl.text.strip(" ,.")) <= len(dates[0].text) + 2:
            return Found(dl.text, (dl,), dl.line.confidence, dl.text)
    return None


def extract_proof_of_address(lines: Sequence[DocLine]) -> dict[str, ExtractedField]:
    """Holder, address, issue date and issuer of a bill, statement or letter."""
    us = bool(re.search(r"\$\d|\b[A-Z]{2}\s\d{5}\b", whole_text(lines)))
    name, address = _address_block(lines)
    if name is None:
        name = by_family(lines, "proof_of_address", "name")
    if address is None:
        address = by_family(lines, "proof_of_address", "address", below=4, continuation=True)
    date = by_family(lines, "proof_of_address", "issue_date", accept=has_date)
    issue = date_field(date, LABEL_SURE, month_first=us)
    if issue.value is None and (period := labelled(lines, PERIOD_LABELS, accept=HAS_DATE)):
        dates = find_dates(period.value, month_first=us)  # a statement is issued as its period ends
        if dates:
            issue = field_from(period, dates[-1].value, SENTENCE_SURE)
    if issue.value is None:
        issue = date_field(_letter_date(lines), SHAPE_SURE, month_first=us)
    return {
        "name": field_from(name, sure=SHAPE_SURE if name else LABEL_SURE),
        "address": field_from(address, address_text(address) if address else None, SHAPE_SURE),
        "issue_date": issue,
        "issuer": _issuer(lines),
    }
