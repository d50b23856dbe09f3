"""Read PDF pages with PDFium: the text layer as positioned lines, scanned pages through OCR."""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.layout import COLUMN_GAP, Fragment, assemble_lines, union_box
from caseworker.checks.documents.ocr import ocr_lines
from caseworker.checks.documents.pdfium_lock import PDFIUM_LOCK
from caseworker.checks.documents.text import Box, Page

# A page with fewer visible characters than this in its text layer is treated as a scan.
MIN_TEXT_LAYER_CHARS = 10
# PDF user space unit, in inches.
POINTS_PER_INCH = 72

# PDFium's FPDF_GetLastError codes, in words.
LOAD_ERRORS = {
    1: "unknown error",
    2: "the file could not be opened",
    3: "not a PDF or corrupted (PDFium: data format error)",
    4: "the PDF is encrypted (password-protected); ask for an unprotected copy",
    5: "the PDF is encrypted with an unsupported security handler",
    6: "page not found or content error",
}

# A gap between two characters at least this share of the text height reads as a space.
WORD_GAP = 0.2

# PDFium marks a hyphen it found at a line end as U+0002.
LINE_END_HYPHEN = 0x02
LINE_BREAKS = frozenset("\r\n")

Point = tuple[float, float]


@dataclass(frozen=True)
class PdfChar:
    """One character of the text layer, placed in points on the displayed page (top-left origin).

    Spaces and generated characters have no box.
    """

    text: str
    box: Box | None = None
    baseline: float = 0.0


def open_pdf(data: bytes, name: str, max_pages: int) -> Any:
    """Open the PDF, refusing it if unreadable or if it declares more than `max_pages` pages.

    PDFium reads the declared page count from the page tree without touching the pages, so a
    PDF that claims a million pages fails here, fast.
    """
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = LOAD_ERRORS.get(exc.err_code, str(exc))
        raise DocumentInvalid(f"{name}: {reason}") from None
    pages = len(document)
    if pages > max_pages:
        document.close()
        raise DocumentTooLarge(f"{name}: PDF declares {pages} pages, the limit is {max_pages}")
    return document


def page_to_points(page: Any) -> Callable[[float, float], Point]:
    """Map PDF user space to points on the page as displayed (origin top-left).

    Crop box and rotation are applied: PDFium's page-to-device transform, read at three points.
    """
    width, height = page.get_size()
    grid = 1_000_000  # device pixels: PDFium returns integers, so ask on a fine grid
    step = 1000.0
    x, y = ctypes.c_int(), ctypes.c_int()

    def device(px: float, py: float) -> Point:
        pdfium_c.FPDF_PageToDevice(page, 0, 0, grid, grid, 0, px, py, x, y)
        return x.value / grid * width, y.value / grid * height

    ox, oy = device(0.0, 0.0)
    ax, ay = device(step, 0.0)
    bx, by = device(0.0, step)
    xx, xy = (ax - ox) / step, (ay - oy) / step
    yx, yy = (bx - ox) / step, (by - oy) / step
    return lambda px, py: (ox + xx * px + yx * py, oy + xy * px + yy * py)


def display_box(to_points: Callable[[float, float], Point], rect: Any) -> Box:
    """Convert a PDFium rectangle (left, bottom, right, top in user space) to a display box."""
    corners = [
        to_points(px, py) for px in (rect.left, rect.right) for py in (rect.bottom, rect.top)
    ]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return (min(xs), min(ys), max(xs), max(ys))


def decode_code_point(code: int) -> str:
    """Decode a character code from PDFium, repairing its line-end hyphen marker and bad values."""
    if code == LINE_END_HYPHEN:
        return "-"
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return "\ufffd"
    return chr(code)


def text_layer_chars(textpage: Any, page: Any) -> Iterator[PdfChar]:
    """Yield each character of the page's text layer in PDFium's order, with box and baseline."""
    to_points = page_to_points(page)
    rect = pdfium_c.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    for index in range(textpage.count_chars()):
        text = decode_code_point(pdfium_c.FPDFText_GetUnicode(textpage, index))
        if (
            text.isspace()
            or pdfium_c.FPDFText_IsGenerated(textpage, index)
            or not pdfium_c.FPDFText_GetLooseCharBox(textpage, index, rect)
            or not pdfium_c.FPDFText_GetCharOrigin(textpage, index, origin_x, origin_y)
        ):
            yield PdfChar(text)
            continue
        baseline = to_points(origin_x.value, origin_y.value)[1]
        yield PdfChar(text, display_box(to_points, rect), baseline)


def char_runs(chars: Iterable[PdfChar]) -> Iterator[list[PdfChar]]:
    """Split characters into runs on one baseline, at PDFium's line breaks and where text jumps.

    A run continues while each character sits within half a text height of the run's first
    baseline, does not step back left of the previous character and is not a column away. A
    gap wider than a space with no space character in it (two strings drawn side by side)
    gets one.
    """
    run: list[PdfChar] = []
    anchor: PdfChar | None = None  # the run's first character with a box
    right = 0.0  # right edge of the run's last character with a box
    for char in chars:
        if char.text in LINE_BREAKS:
            yield run
            run, anchor = [], None
            continue
        if char.box is not None:
            if anchor is not None and not continues_run(anchor, right, char.box, char.baseline):
                yield run
                run, anchor = [], None
            elif (
                anchor and wider_than_space(anchor, right, char.box) and not run[-1].text.isspace()
            ):
                run.append(PdfChar(" "))
            anchor = anchor or char
            right = char.box[2]
        run.append(char)
    yield run


def text_height(anchor: PdfChar) -> float:
    """Return the height of a run's text: its first placed character's box height."""
    return anchor.box[3] - anchor.box[1] if anchor.box else 0.0


def continues_run(anchor: PdfChar, right: float, box: Box, baseline: float) -> bool:
    """Whether a character at `box` on `baseline` carries on the run that `anchor` started."""
    height = text_height(anchor)
    same_baseline = abs(baseline - anchor.baseline) <= 0.5 * height
    near = box[0] - right <= COLUMN_GAP * height  # a wider gap starts another column
    return same_baseline and box[0] >= right - 0.5 * height and near


def wider_than_space(anchor: PdfChar, right: float, box: Box) -> bool:
    """Whether the gap from `right` to `box` is as wide as a space in the run's text."""
    return box[0] - right >= WORD_GAP * text_height(anchor)


def run_fragment(run: list[PdfChar], width: float, height: float) -> Fragment | None:
    """Turn a run into a layout fragment (fractions of the page) with its text; None if blank."""
    boxes = [char.box for char in run if char.box is not None]
    text = "".join(char.text for char in run).strip()
    if not boxes or not text:
        return None
    x0, y0, x1, y1 = union_box(boxes)
    baseline = next(char.baseline for char in run if char.box is not None)
    box = (x0 / width, y0 / height, x1 / width, y1 / height)
    return Fragment(text=text, box=box, baseline=baseline / height)


def text_layer_page(page: Any, number: int) -> tuple[Page, int]:
    """Read the page from its text layer; also return how many visible characters it has."""
    textpage = page.get_textpage()
    try:
        chars = list(text_layer_chars(textpage, page))
    finally:
        textpage.close()
    visible = sum(1 for char in chars if not char.text.isspace())
    width, height = page.get_size()
    fragments = (run_fragment(run, width, height) for run in char_runs(chars))
    lines = assemble_lines(f for f in fragments if f is not None)
    page_text = Page(number=number, width=width, height=height, source="text_layer", lines=lines)
    return page_text, visible


def render_scale(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> float:
    """Scale (pixels per point) for `dpi`, lowered so the raster stays within `max_pixels`."""
    scale = dpi / POINTS_PER_INCH
    if width_pt * height_pt * scale * scale > max_pixels:
        scale = math.sqrt(max_pixels / (width_pt * height_pt)) * 0.999
    return scale


def render_page(page: Any, dpi: int, max_pixels: int) -> Image.Image:
    """Render the page to an RGB image at `dpi` (or less, to respect `max_pixels`)."""
    width, height = page.get_size()
    bitmap = page.render(scale=render_scale(width, height, dpi, max_pixels))
    try:
        image: Image.Image = bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()
    return image


def scanned_page(image: Image.Image, number: int) -> Page:
    """Read a rendered page by OCR; width and height in rendered pixels."""
    return Page(
        number=number, width=image.width, height=image.height, source="ocr", lines=ocr_lines(image)
    )


def read_page(
    page: Any, number: int, *, dpi: int, max_pixels: int, ocr: bool
) -> Page | Image.Image:
    """Read the page from its text layer, or render it for OCR when that is (nearly) empty.

    The rendering is returned rather than read, so that OCR runs outside `PDFIUM_LOCK`.
    """
    text_page, visible = text_layer_page(page, number)
    if visible >= MIN_TEXT_LAYER_CHARS or not ocr:
        return text_page
    return render_page(page, dpi, max_pixels)


def read_pdf(
    data: bytes, *, name: str, max_pages: int, dpi: int, max_pixels: int, ocr: bool
) -> list[Page]:
    """Read every page of the PDF in `data`, in order.

    PDFium is called under `PDFIUM_LOCK` (it is not thread-safe); OCR of a scanned page, the
    slow part, runs outside it.
    """
    with PDFIUM_LOCK:
        document = open_pdf(data, name, max_pages)
        count = len(document)
    pages: list[Page] = []
    try:
        for index in range(count):
            with PDFIUM_LOCK:
                read = read_page_at(document, index, name, dpi=dpi, max_pixels=max_pixels, ocr=ocr)
            pages.append(read if isinstance(read, Page) else scanned_page(read, index + 1))
    finally:
        with PDFIUM_LOCK:
            document.close()
    return pages


def read_page_at(
    document: Any, index: int, name: str, *, dpi: int, max_pixels: int, ocr: bool
) -> Page | Image.Image:
    """Open page `index` of `document`, read it with `read_page` and close it."""
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        raise DocumentInvalid(f"{name}: page {index + 1} cannot be read ({exc})") from None
    try:
        return read_page(page, index + 1, dpi=dpi, max_pixels=max_pixels, ocr=ocr)
    finally:
        page.close()
