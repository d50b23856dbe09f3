"""Finding things in a document's lines: labelled values, blocks below a label, patterns."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from caseworker.checks.documents.layout import union_box
from caseworker.checks.documents.text import Box, DocumentText, Line

LABEL_MATCH = 90  # fuzzy ratio (0-100) at which a line's start reads as a label (OCR slips)
_SEPARATORS = " \t:;|.#-\u2013\u2014"


@dataclass(frozen=True)
class DocLine:
    """A line with its page and position in reading order across the document."""

    page: int
    index: int
    line: Line

    @property
    def text(self) -> str:
        return self.line.text

    @property
    def height(self) -> float:
        return self.line.bbox[3] - self.line.bbox[1]


@dataclass(frozen=True)
class Found:
    """A value found in the document, with the lines it came from."""

    value: str
    lines: tuple[DocLine, ...]
    confidence: float
    source_text: str

    @property
    def page(self) -> int:
        return self.lines[0].page

    @property
    def bbox(self) -> Box:
        return union_box(dl.line.bbox for dl in self.lines)


def clean(text: str) -> str:
    """NFKC, straight quotes, one space between words."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"')
    return re.sub(r"\s+", " ", text.replace("\u201d", '"')).strip()


def document_lines(doc: DocumentText) -> list[DocLine]:
    """Every non-empty line of the document in reading order, cleaned."""
    out: list[DocLine] = []
    for page in doc.pages:
        for line in page.lines:
            text = clean(line.text)
            if text:
                out.append(DocLine(page.number, len(out), line.model_copy(update={"text": text})))
    return out


def _label_end(text: str, label: str) -> int | None:
    """Where `label` ends if `text` starts with it (fuzzily, case-insensitive), else None."""
    low, lab = text.casefold(), label.casefold()
    n = len(lab)
    if low.startswith(lab):
        end = n
    elif len(low) >= n - 1 and n >= 10:
        # The best cut around the label's length, for OCR's dropped or extra letters.
        scores = [(fuzz.ratio(low[:k], lab), k) for k in (n - 1, n, n + 1) if k <= len(low)]
        score, end = max(scores)
        if score < LABEL_MATCH:
            return None
    else:
        return None
    if end < len(low) and low[end].isalnum() and lab[-1:].isalnum():
        return None  # "Name" must not match "Names..." or "Namecheap"
    return end


def _strip_separators(text: str) -> str:
    return text.strip(_SEPARATORS + " ").strip()


def labelled(
    lines: Sequence[DocLine],
    labels: Iterable[str],
    *,
    below: int = 1,
    accept: re.Pattern[str] | None = None,
    continuation: bool = False,
    label_test: Callable[[str], bool] | None = None,
) -> Found | None:
    """Find the value of the first line starting with one of `labels` (longest first).

    The value is the rest of that line; else the text to its right on the same row (a table's
    next column); else up to `below` lines under it. With `continuation`, the lines under a
    value that stay in its column (a multi-line address) are added. `accept` filters values.
    """
    ordered = sorted(labels, key=len, reverse=True)

    def label_end(dl: DocLine) -> int | None:
        return next((e for lab in ordered if (e := _label_end(dl.text, lab)) is not None), None)

    return labelled_by(
        lines,
        label_end,
        below=below,
        accept=accept.search if accept else None,
        continuation=continuation,
        label_test=label_test,
    )


def labelled_by(
    lines: Sequence[DocLine],
    label_end: Callable[[DocLine], int | None],
    *,
    below: int = 1,
    accept: Callable[[str], object] | None = None,
    continuation: bool = False,
    label_test: Callable[[str], bool] | None = None,
) -> Found | None:
    """Like `labelled`, for any label: `label_end` says where a line's label ends, or None.

    `label_test` tells a label from a value (default: `looks_like_label`), so that a value is
    never another label in the next column, and a block below stops at the next label.
    """
    test = label_test or looks_like_label
    for dl in lines:
        end = label_end(dl)
        if end is None:
            continue
        found = _value_of(lines, dl, end, below=below, continuation=continuation, test=test)
        if found and (accept is None or accept(found.value)):
            return found
    return None


def _value_of(
    lines: Sequence[DocLine],
    dl: DocLine,
    end: int,
    *,
    below: int,
    continuation: bool,
    test: Callable[[str], bool],
) -> Found | None:
    rest = _strip_separators(dl.text[end:])
    used = [dl]
    values: list[str] = []
    if rest:
        values.append(rest)
        column = dl.line.bbox[0] + 0.03  # continuation lines sit right of the label
        exact = False
    elif (right := right_of(lines, dl, test)) is not None:
        used.append(right)
        values.append(right.text)
        column, exact = right.line.bbox[0], True
    elif below:
        block = block_below(lines, dl, limit=below, column=dl.line.bbox[0], test=test)
        used += block
        values += [b.text for b in block]
        column, exact, continuation = dl.line.bbox[0], True, False
    if not values:
        return None
    if continuation:
        more = block_below(lines, used[-1], limit=5, column=column, exact=exact, test=test)
        if exact is False or len(used) == 2:  # a value beside its label, as in a table: it
            # ends at a row with text left of it again (the label cell of the next row)
            more = list(
                itertools.takewhile(lambda m: not _has_left(lines, m, m.line.bbox[0]), more)
            )
        used += more
        values += [m.text for m in more]
    conf = min(x.line.confidence for x in used)
    return Found(", ".join(values), tuple(used), conf, " / ".join(x.text for x in used))


def _has_left(lines: Sequence[DocLine], dl: DocLine, column: float) -> bool:
    """Whether text sits left of `column` on `dl`'s row (the label cell of a table's next row)."""
    near = lines[max(0, dl.index - 6) : dl.index + 6]
    return any(
        o.page == dl.page and o.line.bbox[2] <= column + 0.005 and _overlap(dl, o) >= 0.5
        for o in near
        if o is not dl
    )


def right_of(
    lines: Sequence[DocLine], dl: DocLine, test: Callable[[str], bool] | None = None
) -> DocLine | None:
    """Return the nearest piece of text on the same row, to the right of `dl`."""
    near = [
        other
        for other in lines[max(0, dl.index - 6) : dl.index + 8]
        if other.page == dl.page
        and other.line.bbox[0] > dl.line.bbox[2] - 0.005
        and _overlap(dl, other) >= 0.5
    ]
    if not near:
        return None
    other = min(near, key=lambda o: o.line.bbox[0])
    return None if (test or looks_like_label)(other.text) else other


def looks_like_label(text: str) -> bool:
    """Tell whether a line is a label: short text ending with a colon, or 'Label: value'."""
    head = text.split(":", 1)[0]
    return ":" in text and len(head) <= 40 and not any(c.isdigit() for c in head)


def block_below(
    lines: Sequence[DocLine],
    start: DocLine,
    *,
    limit: int = 6,
    column: float | None = None,
    exact: bool = True,
    test: Callable[[str], bool] | None = None,
) -> list[DocLine]:
    """Lines under `start` on its page in a column, without a gap, up to `limit`.

    The column is where lines start: at `column` (within a small tolerance) when `exact`, right
    of it otherwise; lines elsewhere on the same rows (another column) are skipped.
    """
    column = start.line.bbox[0] if column is None else column
    out: list[DocLine] = []
    previous = start
    for dl in lines[start.index + 1 :]:
        if dl.page != start.page or len(out) >= limit:
            break
        x0 = dl.line.bbox[0]
        if (exact and abs(x0 - column) > 0.02) or (not exact and x0 < column):
            new_row = dl.line.bbox[1] > previous.line.bbox[3] - 0.3 * previous.height
            first_row = not out and dl.line.bbox[1] - start.line.bbox[3] < 1.2 * start.height
            if x0 < column and new_row and not first_row:
                break  # the next row of a table starts left of the column: the value ended
            continue
        gap = dl.line.bbox[1] - previous.line.bbox[3]
        if gap > 1.2 * max(previous.height, 1e-6) or (test or looks_like_label)(dl.text):
            break
        out.append(dl)
        previous = dl
    return out


def search(
    lines: Sequence[DocLine], pattern: re.Pattern[str], *, group: int | str = 1, span: int = 3
) -> Found | None:
    """Find the first match of `pattern` in windows of up to `span` lines joined."""
    for i in range(len(lines)):
        window = [dl for dl in lines[i : i + span] if dl.page == lines[i].page]
        joined = " ".join(dl.text for dl in window)
        m = pattern.search(joined)
        if m and m.start() < len(lines[i].text) + 1:  # starts on the window's first line
            used = _lines_of(window, m.start(), m.end())
            conf = min(x.line.confidence for x in used)
            return Found(clean(m.group(group)), tuple(used), conf, m.group(0))
    return None


def _lines_of(window: Sequence[DocLine], start: int, end: int) -> list[DocLine]:
    out: list[DocLine] = []
    pos = 0
    for dl in window:
        lo, hi = pos, pos + len(dl.text)
        if hi >= start and lo <= end:
            out.append(dl)
        pos = hi + 1
    return out or [window[0]]


def _overlap(a: DocLine, b: DocLine) -> float:
    """Vertical overlap of two lines as a share of the shorter one's height."""
    top = max(a.line.bbox[1], b.line.bbox[1])
    bottom = min(a.line.bbox[3], b.line.bbox[3])
    return max(0.0, bottom - top) / max(min(a.height, b.height), 1e-6)


def rows(lines: Sequence[DocLine]) -> list[list[DocLine]]:
    """Lines grouped into table rows, each left to right; rows top to bottom.

    Cells join a row by overlapping its rightmost cell vertically, so a slightly rotated scan
    (each cell a little lower than the last) still gives whole rows.
    """
    built: list[list[DocLine]] = []
    for dl in sorted(lines, key=lambda d: (d.page, d.line.bbox[0])):
        best, best_overlap = None, 0.5
        for row in built:
            last = row[-1]
            if last.page != dl.page or dl.line.bbox[0] < last.line.bbox[2] - 0.01:
                continue
            if (o := _overlap(last, dl)) >= best_overlap:
                best, best_overlap = row, o
        if best is None:
            built.append([dl])
        else:
            best.append(dl)
    return sorted(built, key=lambda r: (r[0].page, r[0].line.bbox[1]))
