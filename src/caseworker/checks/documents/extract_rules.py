"""The deterministic extractor: layout and pattern rules for the common formats of each type.

It reads `DocumentText` lines (text layer or OCR), finds each field by its label ("Company
number", "Bill date"), by the sentence that states it ("hereby certifies that X is this day
incorporated"), or by its shape (a postcode line closing an address block), and records the
page, box and quoted text of each. Confidence is the reader's confidence in those lines times
how sure the rule is (a label match is surer than a shape). Used by the `rules` model and as
the baseline the LLM extractor is measured against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from caseworker.checks.documents.applicability import identify
from caseworker.checks.documents.dates import find_dates, first_date
from caseworker.checks.documents.jurisdictions import US_STATE_NAMED, us_state
from caseworker.checks.documents.lines import (
    DocLine,
    Found,
    block_below,
    clean,
    document_lines,
    labelled,
    looks_like_label,
    rows,
    search,
)
from caseworker.checks.documents.schemas import (
    DocumentKind,
    ExtractedField,
    Extraction,
    Owner,
    field_names,
)
from caseworker.checks.documents.text import DocumentText

LABEL_SURE, SENTENCE_SURE, SHAPE_SURE = 0.95, 0.9, 0.75

# --- labels ------------------------------------------------------------------------------

NAME_LABELS = (
    "Company name",
    "Name of company",
    "Entity name",
    "Registered name",
    "Company (Firma)",
    "Name of the company",
    "Corporate name",
    "Legal name",
)
NUMBER_LABELS = (
    "Company number",
    "Company No",
    "Company No.",
    "Registered number",
    "Registration number",
    "Registration No. (UEN)",
    "Registration No.",
    "UEN",
    "CRO number",
    "Register number",
    "File number",
    "File No",
    "Registered No",
)
DATE_LABELS = (
    "Date of incorporation",
    "Incorporation date",
    "Incorporated on",
    "Registration date",
    "Date of registration",
    "Date incorporated",
)
OFFICE_LABELS = (
    "Registered office address",
    "Registered office",
    "Registered address",
    "Registered seat and business address",
    "Registered seat",
    "Address of registered office",
)
AUTHORITY_LABELS = ("Register court", "Registration court", "Issued by")
ISSUE_DATE_LABELS = (
    "Bill date",
    "Statement date",
    "Date of bill",
    "Date of issue",
    "Issue date",
    "Invoice date",
    "Date of statement",
    "Bill issued",
    "Statement issued",
    "Date",
)
PERIOD_LABELS = ("Statement period", "Billing period", "Period", "Statement for the period")
HOLDER_LABELS = ("Account holder", "Account name", "Customer name", "Name")
ADDRESS_LABELS = ("Supply address", "Service address", "Property address", "Address")

# --- incorporation -----------------------------------------------------------------------

_CERTIFIES = re.compile(
    r"certif(?:y|ies),?\s+that\s+(.+?)\s+(?:is|was)\s+(?:this day\s+)?incorporated", re.I
)
_QUOTED_NAME = re.compile(
    r"(?:certificate of (?:incorporation|formation) of|copy of)\s*\"([^\"]+)\"", re.I
)
_NAME_OF_CORPORATION = re.compile(
    r"name of the (?:corporation|company|limited liability company) is\s+(.+?)\.?$", re.I
)
_GIVEN_ON = re.compile(r"(?:given|dated|issued)\b.{0,60}?\bon\s+(.{6,40})", re.I)
_FILED_ON = re.compile(r"filed in this office on the\s+(.{8,60}?\d{4})", re.I)
_DE_FILE_NUMBER = re.compile(r"^(\d{7})\s+\d{4}\b")
_AUTHORITIES: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (
        re.compile(
            r"Registrar of Companies for (England and Wales|Scotland|Northern Ireland)", re.I
        ),
        None,
    ),
    (re.compile(r"SECRETARY OF STATE OF THE STATE OF ([A-Z ]+?)(?:,|\s+DO\b)", re.I), None),
    (re.compile(r"Accounting and Corporate Regulatory Authority", re.I), None),
    (re.compile(r"Companies Registration Office", re.I), None),
    (re.compile(r"Amtsgericht [A-ZÄÖÜ][\wäöüß-]+", re.I), None),
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


def _field(found: Found | None, value: object = None, sure: float = LABEL_SURE) -> ExtractedField:
    if found is None:
        return ExtractedField()
    return ExtractedField(
        value=found.value if value is None else value,
        confidence=round(found.confidence * sure, 3),
        page=found.page,
        bbox=found.bbox,
        source_text=found.source_text,
    )


def _date_field(found: Found | None, sure: float, *, month_first: bool = False) -> ExtractedField:
    if found is None:
        return ExtractedField()
    date = first_date(found.value, month_first=month_first)
    return _field(found, date.value, sure) if date else ExtractedField()


def _first(*finders: Callable[[], tuple[Found | None, float]]) -> tuple[Found | None, float]:
    for finder in finders:
        found, sure = finder()
        if found is not None:
            return found, sure
    return None, 0.0


def _whole_text(lines: Sequence[DocLine]) -> str:
    return "\n".join(dl.text for dl in lines)


def _jurisdiction(lines: Sequence[DocLine]) -> ExtractedField:
    for pattern, code in _JURISDICTION_CLUES:
        found = search(lines, pattern, group=0, span=1)
        if found:
            value = us_state(found.value) if code == "US-" else code
            return _field(found, value, SENTENCE_SURE)
    return ExtractedField()


def _authority(lines: Sequence[DocLine]) -> ExtractedField:
    found = labelled(lines, AUTHORITY_LABELS)
    if found:
        return _field(found)
    for pattern, _ in _AUTHORITIES:
        found = search(lines, pattern, group=0, span=2)
        if found:
            value = found.value
            m = re.match(
                r"(SECRETARY OF STATE OF THE STATE OF [A-Z ]+?)\s*(?:,|DO\b|$)", value, re.I
            )
            return _field(found, clean(m.group(1)) if m else value, SENTENCE_SURE)
    return ExtractedField()


def _office(lines: Sequence[DocLine]) -> ExtractedField:
    found = labelled(lines, OFFICE_LABELS, below=7, continuation=True)
    if found:
        return _field(found, _address_text(found))
    de = search(lines, _US_OFFICE, group=0, span=2)
    if de:
        last = de.lines[-1]
        block = block_below(lines, last, limit=3, column=last.line.bbox[0] + 0.03, exact=False)
        if block:
            joined = ", ".join(dl.text for dl in block)
            return _field(
                Found(joined, tuple(block), min(b.line.confidence for b in block), joined),
                sure=SENTENCE_SURE,
            )
    return ExtractedField()


def _address_text(found: Found) -> str:
    parts = [p.strip() for p in re.split(r",\s*|\s*/\s*", found.value) if p.strip()]
    return ", ".join(parts)


def extract_incorporation(lines: Sequence[DocLine]) -> dict[str, ExtractedField]:
    text = _whole_text(lines)
    us = bool(re.search(r"State of Delaware|Secretary of State", text, re.I))
    name, name_sure = _first(
        lambda: (labelled(lines, NAME_LABELS), LABEL_SURE),
        lambda: (search(lines, _CERTIFIES, span=4), SENTENCE_SURE),
        lambda: (search(lines, _QUOTED_NAME, span=3), SENTENCE_SURE),
        lambda: (search(lines, _NAME_OF_CORPORATION, span=1), SENTENCE_SURE),
        lambda: (labelled(lines, ("Name",)), SHAPE_SURE),  # a bare "Name" row, last resort
    )
    number, number_sure = _first(
        lambda: (labelled(lines, NUMBER_LABELS, accept=re.compile(r"\d")), LABEL_SURE),
        lambda: (search(lines, _DE_FILE_NUMBER, span=1), SHAPE_SURE),
    )
    date, date_sure = _first(
        lambda: (labelled(lines, DATE_LABELS, accept=_HAS_DATE), LABEL_SURE),
        lambda: (search(lines, _FILED_ON, span=2), SENTENCE_SURE),
        lambda: (search(lines, _GIVEN_ON, span=1), SENTENCE_SURE),
    )
    return {
        "registered_name": _field(name, _name_value(name), name_sure) if name else ExtractedField(),
        "company_number": _field(number, _number_value(number), number_sure)
        if number
        else ExtractedField(),
        "incorporation_date": _date_field(date, date_sure, month_first=us),
        "jurisdiction": _jurisdiction(lines),
        "registered_office": _office(lines),
        "issuing_authority": _authority(lines),
    }


_HAS_DATE = re.compile(r"\d{4}")


def _name_value(found: Found | None) -> str | None:
    if found is None:
        return None
    return (
        found.value.strip(" \"'.,") if not found.value.endswith(".") else found.value.strip(" \"',")
    )


def _number_value(found: Found | None) -> str | None:
    if found is None:
        return None
    m = _NUMBER_SHAPE.search(found.value.upper())
    return m.group(1) if m else found.value.split()[0]


# --- proof of address --------------------------------------------------------------------

_STREET_END = re.compile(
    r"\b(?:street|st|road|rd|avenue|ave|lane|drive|way|court|place|square|boulevard|highway|"
    r"straße|strasse|weg|gasse|allee|platz)\.?$",
    re.I,
)
_POSTCODE_LINE = (
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$"),  # UK
    re.compile(r"\b[A-Z]{2}\s\d{5}(?:-\d{4})?$"),  # US state + ZIP
    re.compile(r"(?:^|,\s*)\d{4,5}\s+[^\W\d]+(?:[ -][^\W\d]+)?$"),  # Europe: "70608 Stuttgart"
    re.compile(r"\b[^\W\d]+\s\d{6}$"),  # Singapore 048041
    re.compile(r"\b[A-Z]\d{2}\s?[A-Z\d]{4}$"),  # Irish Eircode
)


def is_postcode_line(text: str) -> bool:
    """Tell whether a line ends an address: it closes with a postcode, not a street."""
    upper = text.strip().upper()
    return not _STREET_END.search(text.strip()) and any(p.search(upper) for p in _POSTCODE_LINE)


_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s?Box\b", re.I)
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+", re.I)


_GENERIC_HEADINGS = re.compile(
    r"^(?:your\s+)?(?:bill|statement|invoice|account statement|bank statement|your)$", re.I
)


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
    return _field(Found(value, (head,), head.line.confidence, head.text), sure=SHAPE_SURE)


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


def extract_proof_of_address(lines: Sequence[DocLine]) -> dict[str, ExtractedField]:
    us = bool(re.search(r"\$\d|\b[A-Z]{2}\s\d{5}\b", _whole_text(lines)))
    name, address = _address_block(lines)
    if name is None:
        name = labelled(lines, HOLDER_LABELS)
    if address is None:
        address = labelled(lines, ADDRESS_LABELS, below=4, continuation=True)
    date = labelled(lines, ISSUE_DATE_LABELS, accept=_HAS_DATE)
    issue = _date_field(date, LABEL_SURE, month_first=us)
    if issue.value is None and (period := labelled(lines, PERIOD_LABELS, accept=_HAS_DATE)):
        dates = find_dates(period.value, month_first=us)  # a statement is issued as its period ends
        if dates:
            issue = _field(period, dates[-1].value, SENTENCE_SURE)
    return {
        "name": _field(name, sure=SHAPE_SURE if name else LABEL_SURE),
        "address": _field(address, _address_text(address) if address else None, SHAPE_SURE),
        "issue_date": issue,
        "issuer": _issuer(lines),
    }


# --- ownership ---------------------------------------------------------------------------

_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d{1,2})?)\s?%")
_ROLES = (
    "person with significant control",
    "beneficial owner",
    "shareholder",
    "stockholder",
    "member",
    "director",
    "member",
    "partner",
    "owner",
)
_ROW_NAME = re.compile(r"^\s*(?:\d+[.)]?\s+)?(.+?)\s+(?:" + "|".join(_ROLES) + r")\b", re.I)


def _owner_rows(lines: Sequence[DocLine]) -> list[tuple[Owner, DocLine]]:
    """Table rows with a name, a role and a percentage ("1 | Jane Doe | Shareholder | 25%").

    The name is the cell under the header's name column when there is a header, else the
    first cell with letters that is not the role.
    """
    owners: list[tuple[Owner, DocLine]] = []
    name_x: float | None = None
    for row in rows(lines):
        text = " ".join(dl.text for dl in row)
        if name_x is None and (
            head := next((dl for dl in row if _NAME_HEADER.search(dl.text)), None)
        ):
            name_x = head.line.bbox[0]
            continue
        pct = _PERCENT.findall(text)
        role = next((r for r in _ROLES if re.search(rf"\b{r}\b", text, re.I)), None)
        if not pct or role is None or re.match(r"^\s*total", text, re.I):
            continue
        cells = [dl for dl in row if re.search(r"[^\W\d_]{2}", dl.text)]
        cells = [dl for dl in cells if not re.fullmatch(rf"\s*{role}\s*", dl.text, re.I)]
        if name_x is not None and cells:
            cells.sort(key=lambda dl: abs(dl.line.bbox[0] - name_x))
        if cells:
            name = clean(re.sub(r"^[#\d]+[.)]?\s+", "", cells[0].text))
            name = re.sub(rf"\s+{role}\b.*$", "", name, flags=re.I)
            role = _ROLE_NAMES.get(role, role)
            owners.append(
                (Owner(name=name, percentage=float(pct[-1].replace(",", ".")), role=role), row[0])
            )
    return owners


_ROLE_NAMES = {"stockholder": "shareholder", "member": "shareholder"}
_NAME_HEADER = re.compile(r"\bname\b|^\s*#?\s*(?:holder|member|shareholder)s?\s*$", re.I)


def _psc_entries(lines: Sequence[DocLine]) -> list[tuple[Owner, DocLine]]:
    """Numbered people ("1. JANE DOE") each followed by the percentage of shares they hold."""
    owners: list[tuple[Owner, DocLine]] = []
    current: tuple[str, DocLine] | None = None
    for row in rows(lines):
        text = " ".join(dl.text for dl in row)
        if m := re.match(r"^\s*\d+\.\s+(.+)$", text):
            current = (clean(m.group(1)), row[0])
        elif current and (m := _PSC_SHARE.search(text)):
            owner = Owner(
                name=current[0],
                percentage=float(m.group(1)),
                role="person with significant control",
            )
            owners.append((owner, current[1]))
            current = None
    return owners


_PSC_SHARE = re.compile(
    r"percentage of (?:shares|voting rights|ownership) held\s*:?\s*(\d{1,3}(?:\.\d+)?)\s?%", re.I
)


def extract_ownership(lines: Sequence[DocLine]) -> dict[str, ExtractedField]:
    rows = _psc_entries(lines) or _owner_rows(lines)
    if not rows:
        return {"owners": ExtractedField()}
    used = tuple(dl for _, dl in rows)
    found = Found(
        "", used, min(dl.line.confidence for dl in used), " / ".join(dl.text for dl in used)
    )
    return {"owners": _field(found, [o for o, _ in rows], LABEL_SURE)}


# --- entry point -------------------------------------------------------------------------

EXTRACTORS: dict[DocumentKind, Callable[[Sequence[DocLine]], dict[str, ExtractedField]]] = {
    "incorporation": extract_incorporation,
    "proof_of_address": extract_proof_of_address,
    "ownership": extract_ownership,
}


def text_source(doc: DocumentText) -> Literal["text_layer", "ocr", "mixed"]:
    """Where the document's text came from: its text layer, OCR, or both (page by page)."""
    sources = {p.source for p in doc.pages}
    if len(sources) > 1:
        return "mixed"
    return "ocr" if sources == {"ocr"} else "text_layer"


def extract_with_rules(doc: DocumentText, kind: DocumentKind) -> Extraction:
    """Extract the fields of a document of `kind` with layout and pattern rules."""
    lines = document_lines(doc)
    fields = EXTRACTORS[kind](lines) if lines else {}
    fields = {name: fields.get(name, ExtractedField()) for name in field_names(kind)}
    warnings = [f"{name} not found" for name, f in fields.items() if f.value is None]
    if not lines:
        warnings.insert(0, "no text could be read from the document")
    return Extraction(
        type=kind,
        fields=fields,
        extractor="rules",
        document_sha256=doc.sha256,
        pages=len(doc.pages),
        text_source=text_source(doc),
        warnings=warnings,
        profile=profile.key if (profile := identify(kind, fields, doc.text)) else None,
    )


__all__ = ["extract_with_rules", "find_dates"]
