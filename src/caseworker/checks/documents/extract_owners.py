"""Rules for ownership documents: registers of members, cap tables, PSC registers (`ownership`).

Owners are read from numbered PSC entries ("1. JANE DOE" ... "Percentage of shares held:
60%"), from sentences that state a holding ("Jane Doe holds 60% of the shares"), or from table
rows. A table is read by its header when it has one: the name column and the percentage column
("% held", "Percentage") say which cell is which, so a row needs no role word and no % sign,
and a name broken over two lines in its cell is joined again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from caseworker.checks.documents.extract_common import LABEL_SURE, field_from
from caseworker.checks.documents.lines import DocLine, Found, clean, rows
from caseworker.checks.documents.schemas import ExtractedField, Owner

_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d{1,2})?)\s?%")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*$")
_ROLES = (
    "person with significant control",
    "beneficial owner",
    "shareholder",
    "stockholder",
    "member",
    "director",
    "partner",
    "owner",
)
_ROLE_NAMES = {"stockholder": "shareholder", "member": "shareholder"}
_NAME_HEADER = re.compile(
    r"\bname\b|^\s*#?\s*(?:registered\s+)?(?:holder|member|shareholder|stockholder|owner)s?\s*$",
    re.I,
)
_PERCENT_HEADER = re.compile(r"%|\bpercent(?:age)?\b|\bholding\b", re.I)
_NOT_A_NAME = re.compile(r"^\s*(?:total|sub-?total|sum|signed|certified|date|notes?)\b", re.I)
_NAME_REST = r"[^\W\d_][\w .,&'()-]*"
_COLUMN = 0.03  # how far (page widths) a cell may start from its header and still be under it


@dataclass
class _Header:
    name_x: float | None = None
    pct_x: float | None = None


def _header(row: Sequence[DocLine]) -> _Header | None:
    name = next((dl for dl in row if _NAME_HEADER.search(dl.text)), None)
    if name is None or any(_PERCENT.search(dl.text) for dl in row):
        return None
    pct = next((dl for dl in row if _PERCENT_HEADER.search(dl.text) and dl is not name), None)
    return _Header(name.line.bbox[0], pct.line.bbox[0] if pct else None)


def _percentage(row: Sequence[DocLine], header: _Header | None) -> float | None:
    text = " ".join(dl.text for dl in row)
    if found := _PERCENT.findall(text):
        return float(found[-1].replace(",", "."))
    if header is None or header.pct_x is None:
        return None
    pct_x = header.pct_x
    near = [dl for dl in row if abs(dl.line.bbox[0] - pct_x) <= _COLUMN]
    m = _BARE_NUMBER.match(near[0].text) if near else None
    return float(m.group(1).replace(",", ".")) if m else None


def _owner_rows(lines: Sequence[DocLine]) -> list[tuple[Owner, DocLine]]:
    """Table rows with a name and a percentage ("1 | Jane Doe | Shareholder | 25%").

    The name is the cell under the header's name column when there is a header, else the
    first cell with letters that is not the role; without a header a row needs a role word.
    """
    owners: list[tuple[Owner, DocLine]] = []
    header: _Header | None = None
    last: DocLine | None = None
    for row in rows(lines):
        text = " ".join(dl.text for dl in row)
        if header is None and (found := _header(row)):
            header = found
            continue
        pct = _percentage(row, header)
        role = next((r for r in _ROLES if re.search(rf"\b{r}\b", text, re.I)), None)
        if pct is None and owners and last is not None and _continues(row, last, header):
            owner, first = owners[-1]
            owners[-1] = (owner.model_copy(update={"name": f"{owner.name} {row[0].text}"}), first)
            last = row[0]
            continue
        last = None
        if pct is None or (role is None and header is None) or re.match(r"^\s*total", text, re.I):
            continue
        cells = [dl for dl in row if re.search(r"[^\W\d_]{2}", dl.text)]
        if role is not None:
            cells = [dl for dl in cells if not re.fullmatch(rf"\s*{role}\s*", dl.text, re.I)]
        if header is not None and header.name_x is not None and cells:
            name_x = header.name_x
            cells.sort(key=lambda dl: abs(dl.line.bbox[0] - name_x))
        if cells:
            name = clean(re.sub(r"^[#\d]+[.)]?\s+", "", cells[0].text))
            if role is not None:
                name = re.sub(rf"\s+{role}\b.*$", "", name, flags=re.I)
            kind = _ROLE_NAMES.get(role, role) if role else "shareholder"
            owners.append((Owner(name=name, percentage=pct, role=kind), row[0]))
            last = cells[0]
    return owners


def _continues(row: Sequence[DocLine], last: DocLine, header: _Header | None) -> bool:
    """Whether a one-cell row is the rest of the name above it (a name broken in its cell)."""
    if len(row) != 1 or header is None or header.name_x is None:
        return False
    cell = row[0]
    under = abs(cell.line.bbox[0] - last.line.bbox[0]) <= 0.005
    close = cell.line.bbox[1] - last.line.bbox[3] < 0.8 * last.height
    summary = bool(_NOT_A_NAME.match(cell.text))  # a total row whose figures moved off its row
    return under and close and not summary and bool(re.fullmatch(_NAME_REST, cell.text))


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
_HOLDS = re.compile(
    r"^\s*(?:\d+[.)]\s*)?(?P<name>[^\W\d_][^,;:()%]{1,80}?)(?:,[^%]{0,60}?,)?\s+"
    r"(?:holds|has held|held|owns|is the (?:registered |beneficial )?(?:holder|owner) of)\b"
    r"[^%]{0,60}?(?P<pct>\d{1,3}(?:[.,]\d{1,2})?)\s?%\s+of\s+the\s+"
    r"(?:issued\s+)?(?:shares|share capital|capital|voting rights|ordinary shares)",
    re.I,
)


def _owner_sentences(lines: Sequence[DocLine]) -> list[tuple[Owner, DocLine]]:
    """Sentences stating a holding: "Jane Doe holds, directly or indirectly, 60% of the shares"."""
    owners: list[tuple[Owner, DocLine]] = []
    i = 0
    while i < len(lines):
        window = [dl for dl in lines[i : i + 3] if dl.page == lines[i].page]
        joined = " ".join(dl.text for dl in window)
        m = _HOLDS.match(joined)
        if m is None or m.end("name") > len(window[0].text):  # the name starts a line
            i += 1
            continue
        owner = Owner(
            name=clean(m.group("name")),
            percentage=float(m.group("pct").replace(",", ".")),
            role="person with significant control",
        )
        owners.append((owner, lines[i]))
        i += _lines_used(window, m.end())
    return owners


def _lines_used(window: Sequence[DocLine], end: int) -> int:
    pos, used = 0, 0
    for dl in window:
        if pos >= end:
            break
        used += 1
        pos += len(dl.text) + 1
    return used


def extract_ownership(lines: Sequence[DocLine]) -> dict[str, ExtractedField]:
    """Return the owners a register or statement lists, each with a share and a role."""
    found_rows = _psc_entries(lines) or _owner_sentences(lines) or _owner_rows(lines)
    if not found_rows:
        return {"owners": ExtractedField()}
    used = tuple(dl for _, dl in found_rows)
    found = Found(
        "", used, min(dl.line.confidence for dl in used), " / ".join(dl.text for dl in used)
    )
    return {"owners": field_from(found, [o for o, _ in found_rows], LABEL_SURE)}
