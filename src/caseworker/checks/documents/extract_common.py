"""What the rule extractors share: confidences, fields from found values, family labels."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from caseworker.checks.documents.dates import find_dates, first_date
from caseworker.checks.documents.labels import field_of_label, is_label
from caseworker.checks.documents.lines import DocLine, Found, labelled_by, looks_like_label
from caseworker.checks.documents.schemas import DocumentKind, ExtractedField

LABEL_SURE, SENTENCE_SURE, SHAPE_SURE = 0.95, 0.9, 0.75
HAS_DATE = re.compile(r"\d{4}")


def has_date(text: str) -> bool:
    """Whether `text` holds a whole date (day, month and year), not just a year."""
    return bool(find_dates(text))


_CONTINUES = re.compile(r"\s*(?:on|the|of|in|at|to|for|by|and|is|was|as|with)\b", re.I)
_HEAD_END = " \t:;|-\u2013\u2014"  # what may close a label before its value ("#" is a label)


def field_from(
    found: Found | None, value: object = None, sure: float = LABEL_SURE
) -> ExtractedField:
    """Make a field of what was found: the value (or `value`), page, box and quote."""
    if found is None:
        return ExtractedField()
    return ExtractedField(
        value=found.value if value is None else value,
        confidence=round(found.confidence * sure, 3),
        page=found.page,
        bbox=found.bbox,
        source_text=found.source_text,
    )


def date_field(found: Found | None, sure: float, *, month_first: bool = False) -> ExtractedField:
    """Make a field of the first date in what was found; empty when it holds none."""
    if found is None:
        return ExtractedField()
    date = first_date(found.value, month_first=month_first)
    return field_from(found, date.value, sure) if date else ExtractedField()


def first_found(*finders: Callable[[], tuple[Found | None, float]]) -> tuple[Found | None, float]:
    """Return the first finder's result that found something, with how sure its rule is."""
    for finder in finders:
        found, sure = finder()
        if found is not None:
            return found, sure
    return None, 0.0


def whole_text(lines: Sequence[DocLine]) -> str:
    """Join the lines, one per line."""
    return "\n".join(dl.text for dl in lines)


def address_text(found: Found) -> str:
    """Write an address value as one comma-separated line."""
    parts = [p.strip() for p in re.split(r",\s*|\s*/\s*", found.value) if p.strip()]
    return ", ".join(parts)


def label_end(kind: DocumentKind, field: str, text: str) -> int | None:
    """Where a label naming `field` ends in `text`, if the line starts with one.

    The label is the text before a colon, the whole line, or the longest run of words before
    the value (up to the first word with a digit, or the first date for date fields) that is
    a label: "Company No. 0123", "Company Registration Number HRB 5", "Issued on 3 May 2026".
    """
    if ":" in text:  # the label is what precedes the colon, or there is none
        head = text.split(":", 1)[0]
        return len(head) + 1 if field_of_label(kind, head) == field else None
    if field_of_label(kind, text) == field:
        return len(text)
    limit = len(text)
    if digit := re.search(r"\S*\d", text):
        limit = digit.start()
    if field.endswith("date") and (dates := find_dates(text)):
        limit = dates[0].start
    cuts = [m.start() for m in re.finditer(r"(?<=\S)\s+(?=\S)", text[: limit + 1])]
    for cut in sorted({*cuts, limit}, reverse=True):
        head = text[:cut].rstrip(_HEAD_END)
        if not (0 < cut < len(text) and head) or _CONTINUES.match(text[cut:]):
            continue  # a value never starts with a word that carries a sentence on
        if field_of_label(kind, head) == field:
            return cut
    return None


def by_family(
    lines: Sequence[DocLine],
    kind: DocumentKind,
    field: str,
    *,
    below: int = 1,
    accept: Callable[[str], object] | None = None,
    continuation: bool = False,
) -> Found | None:
    """Return the value of the first label of `field`'s family (labels.py), however it is worded."""
    return labelled_by(
        lines,
        lambda dl: label_end(kind, field, dl.text),
        below=below,
        accept=accept,
        continuation=continuation,
        label_test=lambda text: looks_like_label(text) or is_label(kind, text),
    )
