"""Assemble positioned text fragments (PDF character runs, OCR boxes) into ordered lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from caseworker.checks.documents.text import Box, Line

# Two fragments share a line when their baselines differ by less than this share of the
# smaller fragment's height: tolerant of superscripts and OCR jitter, never of the next line
# (line spacing is at least one text height).
SAME_LINE_TOLERANCE = 0.5
# Fragments of one row further apart than this many text heights are in different columns.
COLUMN_GAP = 1.5


@dataclass(frozen=True)
class Fragment:
    """A piece of one line: its text, box and baseline as fractions of the page, top-left origin."""

    text: str
    box: Box
    baseline: float
    confidence: float = 1.0

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def shares_line(a: Fragment, b: Fragment) -> bool:
    """Whether `b` sits on the same baseline as `a`."""
    tolerance = SAME_LINE_TOLERANCE * max(min(a.height, b.height), 1e-6)
    return abs(a.baseline - b.baseline) <= tolerance


def union_box(boxes: Iterable[Box]) -> Box:
    """Return the smallest box that holds every box in `boxes` (at least one)."""
    x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def clamp_box(box: Box) -> Box:
    """`box` with each coordinate held within the page (0..1) and corners in order."""
    x0, y0, x1, y1 = (min(max(value, 0.0), 1.0) for value in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def group_by_baseline(fragments: Iterable[Fragment]) -> list[list[Fragment]]:
    """Fragments grouped into rows, top to bottom, each row left to right."""
    rows: list[list[Fragment]] = []
    for fragment in sorted(fragments, key=lambda f: (f.baseline, f.box[0])):
        if rows and shares_line(rows[-1][0], fragment):
            rows[-1].append(fragment)
        else:
            rows.append([fragment])
    return [sorted(row, key=lambda f: f.box[0]) for row in rows]


def join_row(row: list[Fragment]) -> str:
    """Join a row's fragments left to right, with one space between pieces that need one."""
    text = ""
    for fragment in row:
        if text and not text[-1].isspace() and not fragment.text[:1].isspace():
            text += " "
        text += fragment.text
    return text.strip()


def split_columns(row: list[Fragment]) -> list[list[Fragment]]:
    """Cut a row where the gap between fragments is wider than COLUMN_GAP text heights."""
    segments: list[list[Fragment]] = []
    for fragment in row:
        if segments:
            last = segments[-1][-1]
            gap = fragment.box[0] - last.box[2]
            if gap <= COLUMN_GAP * max(min(last.height, fragment.height), 1e-6):
                segments[-1].append(fragment)
                continue
        segments.append([fragment])
    return segments


def assemble_lines(fragments: Iterable[Fragment]) -> list[Line]:
    """`Line`s top to bottom, left to right, merging fragments that share a baseline.

    Text in separate columns of one row ("Mr J Smith" ... "Bill date: 3 May") stays in
    separate lines, so a label's value and an address block keep their own boxes. A merged
    line's confidence is that of its least certain fragment.
    """
    lines: list[Line] = []
    for row in group_by_baseline(f for f in fragments if f.text.strip()):
        for segment in split_columns(row):
            lines.append(
                Line(
                    text=join_row(segment),
                    bbox=clamp_box(union_box(f.box for f in segment)),
                    confidence=min(min(max(f.confidence, 0.0), 1.0) for f in segment),
                )
            )
    return lines
