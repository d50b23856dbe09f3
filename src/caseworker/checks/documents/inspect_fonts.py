"""The `mixed_fonts` signal: a value set in another font family than the text around it."""

from __future__ import annotations

import ctypes
import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby, islice
from typing import Any, Literal

import pypdfium2.raw as pdfium_c

from caseworker.checks.documents.inspect_signals import MAX_PAGES, Signal, clip

#: Characters read per page.
MAX_CHARS_PER_PAGE = 10_000
#: Signals reported per document; past this the document is plainly odd.
MAX_FONT_SIGNALS = 20

#: Baselines closer than this fraction of the font size belong to one line.
_LINE_TOLERANCE = 0.25
#: Glyphs closer than this many font sizes are neighbours on a line (a word gap, not a column).
_NEIGHBOUR_GAP = 1.0
#: A different-family run needs this many non-space characters, unless it holds a digit.
_MIN_RUN_CHARS = 3
#: A family on more lines than this is part of the layout (inline code, say), not an edit.
_RARE_FAMILY_LINES = 3
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
_STYLE_SUFFIX = re.compile(
    r"(bold|italic|oblique|regular|roman|light|medium|semibold|demibold|black|heavy|book"
    r"|condensed|narrow|slant|mt|ps)+$"
)
#: Design sizes at the end of a name (CMR10, LMRoman12), after at least three letters.
_DESIGN_SIZE = re.compile(r"(?<=[a-z]{3})\d+$")
#: TeX's Computer Modern and EC fonts name weight and shape in letters: CMBX is CM bold.
_TEX_FAMILIES = {
    **dict.fromkeys(("cmr", "cmb", "cmbx", "cmti", "cmsl", "cmbxti", "cmbxsl", "cmcsc"), "cmr"),
    **dict.fromkeys(("cmtt", "cmsltt", "cmitt", "cmtcsc"), "cmtt"),
    **dict.fromkeys(("cmss", "cmssbx", "cmssi", "cmssdc"), "cmss"),
    **dict.fromkeys(("sfrm", "sfb", "sfbx", "sfti", "sfsl", "sfcc", "sfbi", "sfbl"), "sfrm"),
    **dict.fromkeys(("sftt", "sfit", "sfst"), "sftt"),
    **dict.fromkeys(("sfss", "sfsi", "sfsx", "sfso"), "sfss"),
}

#: Where a run sits against the other text of its line: drawn over it, with text on both
#: sides, on one side only, or with none within a word gap (alone in a table cell, say).
Placement = Literal["over", "inside", "beside", "apart"]
_WHERE: dict[Placement, str] = {
    "over": "over",
    "inside": "inside",
    "beside": "next to the text of",
    "apart": "on",
}


@dataclass(frozen=True, slots=True)
class _Glyph:
    index: int
    char: str
    font: str
    family: str
    size: float
    x0: float
    x1: float
    baseline: float


@dataclass(frozen=True)
class _Run:
    """A run set in another family than its line, and where it sits."""

    page: int
    value: str
    font: str
    family: str
    placement: Placement
    has_digit: bool
    line_font: str
    line_family: str
    evidence: str


@dataclass(frozen=True)
class _Usage:
    """How the document uses its families: on how many lines, and which stand alone.

    `solo` holds the families that set a line on their own (headings, logos, addresses);
    `body` is the family with the most characters.
    """

    lines_using: Counter[str]
    solo: frozenset[str]
    body: str

    def rare(self, family: str) -> bool:
        return self.lines_using[family] <= _RARE_FAMILY_LINES

    def established(self, family: str) -> bool:
        return family == self.body or not self.rare(family)


def font_signals(pdf: Any) -> list[Signal]:
    """Flag runs of text set in a family that neither their line nor the document uses.

    Characters are grouped into lines by baseline (so text painted later over a line joins
    it), and into runs of one family in drawing order. Weight, style and design size are one
    family (Helvetica-Bold is Helvetica, ArialMT is Arial, CMBX12 is CMR10), so a bold label
    before a regular value is not a change. A line is set in the family with most characters
    on it, of its established families (see 3.) if it has any. A run in another family, of
    three or more non-space characters or with a digit, is flagged when:

    1. glyphs of the line's family overlap it: text painted over text; or its family is rare
       (on at most `_RARE_FAMILY_LINES` lines of the document) and
    2. the line's text lies within a word gap on both sides of it: a value retyped inside a
       sentence; or
    3. the text lies within a word gap on one side only (`Company Number 02745182` with the
       number retyped), or on neither side but the run holds a digit (a value alone in its
       table cell), the line is set in an established family (the document's most used, or
       one on more than `_RARE_FAMILY_LINES` lines), and the run's family never sets a line
       on its own (headings, logos and letterheads do; a retyped value does not).

    So a label and its value in two families on a line of their own (both rare) are a form's
    design, a family on many lines (inline code, a typewriter column of values) is layout,
    and a brand font beside an address is a letterhead.

    Blind spots: an edit in the same family (or a change of size only); an edit in a family
    the document uses on many lines or for a heading; a whole line retyped in the new family;
    more than `_RARE_FAMILY_LINES` lines edited in one font; a word (no digit) alone in its
    cell; text drawn as images or paths; pages after `MAX_PAGES`. False alarms: a value set
    in another family on up to `_RARE_FAMILY_LINES` lines beside body text by design (a form
    with one or two fields filled in a typewriter font, a single `inline code` span or URL),
    OCR text layers with a font per word.
    """
    pages: list[list[list[_Glyph]]] = []
    for index in range(min(len(pdf), MAX_PAGES)):
        page = pdf[index]
        try:
            pages.append(_lines(_glyphs(page.get_textpage())))
        finally:
            page.close()
    usage = _usage(line for lines in pages for line in lines)
    odd = (
        _odd_runs(line, usage, number) for number, lines in enumerate(pages, 1) for line in lines
    )
    flagged = (run for runs in odd if (run := _first_suspicious(runs, usage)))
    return [_signal(run, usage) for run in islice(flagged, MAX_FONT_SIGNALS)]


@functools.lru_cache(maxsize=256)
def font_family(font: str) -> str:
    """Return a family key: `TimesNewRomanPS-BoldMT` and `TimesNewRomanPSMT` give `timesnew`.

    A subset prefix (`ABCDEF+`), weight and style suffixes and a trailing design size are
    dropped; Computer Modern's weights and shapes (CMR, CMBX, CMTI) are one family.
    """
    base = re.split(r"[-,]", _SUBSET_PREFIX.sub("", font), maxsplit=1)[0]
    letters = _DESIGN_SIZE.sub("", re.sub(r"[^a-z0-9]", "", base.lower()))
    if letters in _TEX_FAMILIES:
        return _TEX_FAMILIES[letters]
    return _STYLE_SUFFIX.sub("", letters) or letters


def _glyphs(textpage: Any) -> list[_Glyph]:
    page = textpage.raw  # the bare handle: wrapper objects cost a lookup on every call
    glyphs = []
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()
    name = ctypes.create_string_buffer(256)
    for index in range(min(int(textpage.count_chars()), MAX_CHARS_PER_PAGE)):
        code = int(pdfium_c.FPDFText_GetUnicode(page, index))
        named = pdfium_c.FPDFText_GetFontInfo(page, index, name, len(name), None) <= len(name)
        if code < 0x20 or not named:  # line breaks PDFium generates; absurdly long font names
            continue
        font = _SUBSET_PREFIX.sub("", name.value.decode("utf-8", "replace"))
        boxed = pdfium_c.FPDFText_GetCharBox(page, index, left, right, bottom, top)
        if not font or not boxed or not pdfium_c.FPDFText_GetCharOrigin(page, index, x, y):
            continue
        size = float(pdfium_c.FPDFText_GetFontSize(page, index))
        glyphs.append(
            _Glyph(
                index, chr(code), font, font_family(font), size, left.value, right.value, y.value
            )
        )
    return glyphs


def _lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Group glyphs by baseline, top down; a space joins the line at hand, never starts one.

    (Spaces carry no ink, and a stray one drawn at a tiny size would split a line.)
    """
    lines: list[list[_Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: -g.baseline):
        line = lines[-1] if lines else None
        tolerance = _LINE_TOLERANCE * max(glyph.size, 1)
        if line and (glyph.char.isspace() or abs(line[0].baseline - glyph.baseline) <= tolerance):
            line.append(glyph)
        else:
            lines.append([glyph])
    return lines


def _usage(lines: Iterable[list[_Glyph]]) -> _Usage:
    lines_using: Counter[str] = Counter()
    ink: Counter[str] = Counter()
    solo: set[str] = set()
    for line in lines:
        families = Counter(g.family for g in line if not g.char.isspace())
        lines_using.update(families.keys())
        ink.update(families)
        solo.update(families.keys() if len(families) == 1 else ())
    return _Usage(lines_using, frozenset(solo), ink.most_common(1)[0][0] if ink else "")


def _odd_runs(line: list[_Glyph], usage: _Usage, page: int) -> list[_Run]:
    """Return the line's runs, long enough to matter, set in another family than the line.

    The line's family is the one with most characters on it, of its established families if
    it has any, so a long edited value does not make its label look odd.
    """
    families = Counter(g.family for g in line if not g.char.isspace())
    if len(families) < 2:
        return []
    main = max(families, key=lambda family: (usage.established(family), families[family]))
    main_font = Counter(g.font for g in line if g.family == main).most_common(1)[0][0]
    ordered = sorted(line, key=lambda g: g.index)
    runs = [list(run) for _, run in groupby(ordered, key=lambda g: g.family)]
    evidence = clip("".join(g.char for g in ordered))
    odd = []
    for run in runs:
        ink = [g for g in run if not g.char.isspace()]
        has_digit = any(g.char.isdigit() for g in ink)
        if run[0].family == main or (len(ink) < _MIN_RUN_CHARS and not has_digit):
            continue
        value = "".join(g.char for g in run).strip()
        font, family = run[0].font, run[0].family
        placement = _placement(ink, line)
        odd.append(_Run(page, value, font, family, placement, has_digit, main_font, main, evidence))
    return odd


def _placement(ink: list[_Glyph], line: list[_Glyph]) -> Placement:
    """Say whether other-family glyphs of the line overlap the run or lie within a word gap."""
    start, end = min(g.x0 for g in ink), max(g.x1 for g in ink)
    gap = _NEIGHBOUR_GAP * max(g.size for g in ink)
    others = [g for g in line if g.family != ink[0].family and not g.char.isspace()]
    if any(start <= (g.x0 + g.x1) / 2 <= end for g in others):
        return "over"
    before = any(start - gap <= g.x1 and g.x0 < start for g in others)
    after = any(g.x0 <= end + gap and g.x1 > end for g in others)
    return "inside" if before and after else "beside" if before or after else "apart"


def _first_suspicious(runs: list[_Run], usage: _Usage) -> _Run | None:
    return next((run for run in runs if _suspicious(run, usage)), None)


def _suspicious(run: _Run, usage: _Usage) -> bool:
    if run.placement == "over":
        return True
    if not usage.rare(run.family):
        return False
    if run.placement == "inside":
        return True
    if run.family in usage.solo or not usage.established(run.line_family):
        return False
    return run.placement == "beside" or run.has_digit


def _signal(run: _Run, usage: _Usage) -> Signal:
    message = f"'{run.value}' is set in {run.font} {_WHERE[run.placement]} a line set in "
    message += run.line_font
    if run.placement != "over":
        lines = usage.lines_using[run.family]
        message += (
            f"; that family is on only {lines} line{'s' if lines > 1 else ''} of the document"
        )
    return Signal(
        code="mixed_fonts",
        severity="warning",
        message=message,
        page=run.page,
        evidence=run.evidence,
    )
