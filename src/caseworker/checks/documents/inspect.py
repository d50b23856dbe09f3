"""Tampering signals read from a document file itself: metadata, revisions and fonts."""

from __future__ import annotations

import ctypes
import functools
import html
import re
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from itertools import groupby, islice
from typing import Any, Literal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import ExifTags, Image
from pydantic import BaseModel
from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, IndirectObject, StreamObject

from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.logs import get_logger

log = get_logger(__name__)

Severity = Literal["info", "warning", "critical"]

#: Largest file inspected; larger files are refused rather than scanned in part.
MAX_BYTES = 64 * 1024 * 1024
#: Pages whose fonts and content streams are examined; later pages are not.
MAX_PAGES = 50
#: Characters read per page for the font check.
MAX_CHARS_PER_PAGE = 10_000
#: `mixed_fonts` signals reported per document; past this the document is plainly odd.
MAX_FONT_SIGNALS = 20
#: A modification this long after creation is reported.
MODIFIED_AFTER = timedelta(days=2)
#: Dates up to this far in the future are clock or time-zone slop, not a signal.
CLOCK_SKEW = timedelta(days=1)
#: Longest metadata value kept (titles and XMP histories can be long).
MAX_VALUE_CHARS = 500


class Signal(BaseModel):
    """One reason to look at a document more closely, with the raw value that shows it."""

    code: str
    severity: Severity
    message: str
    page: int | None = None
    evidence: str


class Inspection(BaseModel):
    """What the file itself says about how it was made and changed.

    `revisions` counts the saves a PDF records (1 plus its incremental updates; 1 for an
    image); `suspicious` is true when any signal is a warning or critical.
    """

    media_type: str
    metadata: dict[str, str]
    revisions: int
    signals: list[Signal]
    suspicious: bool


@dataclass(frozen=True)
class Editor:
    """Software that can alter a document, found by a case-insensitive regex on a tool name."""

    name: str
    pattern: str
    severity: Severity = "warning"
    note: str = "software that edits images or PDFs"


# fmt: off
#: Tools named in Producer, Creator, CreatorTool, XMP history or EXIF Software. Generators
#: (reportlab, wkhtmltopdf, print drivers, Acrobat Distiller, PDFMaker) are not listed.
EDITORS: tuple[Editor, ...] = (
    Editor("Adobe Photoshop", r"photoshop"),
    Editor("Photopea", r"photopea"),
    Editor("GIMP", r"\bgimp\b"),
    Editor("Adobe Illustrator", r"illustrator"),
    Editor("Adobe Lightroom", r"lightroom"),
    Editor("Inkscape", r"inkscape"),
    Editor("Canva", r"\bcanva\b"),
    Editor("CorelDRAW", r"coreldraw"),
    Editor("Affinity", r"affinity (photo|designer|publisher)"),
    Editor("Pixelmator", r"pixelmator"),
    Editor("Paint.NET", r"paint\.net"),
    Editor("Pixlr", r"pixlr"),
    Editor("PicsArt", r"picsart"),
    Editor("Snapseed", r"snapseed"),
    Editor("iLovePDF", r"ilovepdf"),
    Editor("PDFescape", r"pdfescape"),
    Editor("Sejda", r"sejda"),
    Editor("Smallpdf", r"smallpdf"),
    Editor("Foxit PDF Editor", r"foxit (phantompdf|pdf editor|editor)"),
    Editor("Nitro PDF Pro", r"nitro (pdf )?pro"),
    Editor("PDF-XChange Editor", r"pdf-xchange (editor|pro)"),
    Editor("PDFelement", r"pdfelement"),
    Editor("Soda PDF", r"soda pdf"),
    Editor("pdfFiller", r"pdffiller"),
    Editor("DocHub", r"dochub"),
    Editor("Master PDF Editor", r"master pdf editor"),
    Editor("PDF Expert", r"pdf expert"),
    Editor("PDF Candy", r"pdf ?candy"),
    Editor("LibreOffice Draw", r"^draw$", note="LibreOffice's tool for editing PDFs"),
    Editor("Adobe Acrobat", r"acrobat (pro|standard|dc|\d)", "info",
           "it edits page content, but also combines, OCRs and signs files"),
    Editor("Apple Preview", r"^preview\b", "info",
           "it annotates and edits, but also merely rotates and merges files"),
    Editor("ABBYY FineReader", r"finereader", "info",
           "it edits PDFs, but is mostly used to OCR scans"),
    Editor("Microsoft Word", r"microsoft\W{0,3}word", "info",
           "normal for a letter, unusual for a statement issued by a bank or registry"),
    Editor("LibreOffice Writer", r"^writer$", "info",
           "normal for a letter, unusual for a statement issued by a bank or registry"),
)
# fmt: on

#: Metadata fields that name the software behind a file.
SOFTWARE_FIELDS = (
    "Producer", "Creator", "xmp:CreatorTool", "pdf:Producer", "xmpMM:History",
    "Software", "ProcessingSoftware",
)  # fmt: skip

_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe, not even across documents
_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"II*\x00", "image/tiff", "TIFF"),
    (b"MM\x00*", "image/tiff", "TIFF"),
)
_STARTXREF = re.compile(rb"startxref\s+\d+\s*%%EOF")
_XMP_PACKET = re.compile(rb"<x:x[am]pmeta\b.*?</x:x[am]pmeta>", re.DOTALL)
_PDF_DATE = re.compile(
    r"(?:D:)?(?P<year>\d{4})(?P<month>\d\d)?(?P<day>\d\d)?"
    r"(?P<hour>\d\d)?(?P<minute>\d\d)?(?P<second>\d\d)?\s*"
    r"(?:Z(?:00'?00'?)?|(?P<sign>[+-])(?P<tz_hours>\d\d)'?(?P<tz_minutes>\d\d)?'?)?\s*"
)
_EXIF_DATE = "%Y:%m:%d %H:%M:%S"
_PDF_PERMISSIONS = ((0x8, "modify"), (0x10, "copy"), (0x20, "annotate"), (0x400, "assemble"))


def inspect_document(
    data: bytes, *, name: str = "document", now: datetime | None = None
) -> Inspection:
    """Read a PDF, PNG, JPEG or TIFF for traces of editing, without trusting what it shows.

    `name` is used in error messages; `now` (default: the current time) dates the
    "in the future" check. Raises `DocumentInvalid` for a file that is not one of those
    types or cannot be parsed, `DocumentTooLarge` past `MAX_BYTES`.
    """
    if len(data) > MAX_BYTES:
        raise DocumentTooLarge(f"{name}: {len(data)} bytes, the limit is {MAX_BYTES}")
    now = _aware(now or datetime.now(UTC))
    if b"%PDF-" in data[:1024]:
        return _inspect_pdf(data, name, now)
    for signature, media_type, image_format in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return _inspect_image(data, name, now, media_type, image_format)
    raise DocumentInvalid(f"{name}: not a PDF, PNG, JPEG or TIFF file")


def _inspection(
    media_type: str, metadata: dict[str, str], revisions: int, signals: list[Signal]
) -> Inspection:
    suspicious = any(signal.severity != "info" for signal in signals)
    return Inspection(
        media_type=media_type,
        metadata=metadata,
        revisions=revisions,
        signals=signals,
        suspicious=suspicious,
    )


# --- PDF -------------------------------------------------------------------------------


def _inspect_pdf(data: bytes, name: str, now: datetime) -> Inspection:
    with _PDFIUM_LOCK:
        pdf = _open_pdf(data, name)
        try:
            metadata = _pdf_info(pdf)
            security = _security_signals(pdf)
            fonts = _font_signals(pdf)
        finally:
            pdf.close()
    sections = [match.end() for match in _STARTXREF.finditer(data)]
    original = 2 if b"/Linearized" in data[:1024] and len(sections) >= 2 else 1
    revisions = max(1, len(sections) - original + 1)
    reader = _pypdf_reader(data, name)
    metadata |= _xmp_fields(_pdf_xmp(reader, name))
    changed = _pages_changed_after(reader, sections[original - 1], name) if revisions > 1 else []
    signals = [
        *_editor_signals(metadata),
        *_date_signals(metadata, now, *_pdf_date_fields(metadata)),
        *_metadata_missing(metadata),
        *security,
        *_revision_signals(revisions, sections[original - 1 :], changed),
        *fonts,
    ]
    return _inspection("application/pdf", metadata, revisions, signals)


def _open_pdf(data: bytes, name: str) -> Any:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentInvalid(
                f"{name}: the PDF needs a password to open; ask for an unprotected copy"
            ) from exc
        raise DocumentInvalid(f"{name}: not a readable PDF ({exc})") from exc


def _pdf_info(pdf: Any) -> dict[str, str]:
    info = pdf.get_metadata_dict(skip_empty=True)
    return {str(key): _clean(value) for key, value in info.items() if _clean(value)}


def _pypdf_reader(data: bytes, name: str) -> PdfReader | None:
    """Open the file with pypdf for the structure PDFium does not expose; None if it cannot.

    PDFium has already accepted the file, so a pypdf failure (it raises many exception types
    on malformed input, and cannot decrypt AES without an optional crypto library) only
    leaves the XMP and revision comparison out.
    """
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            log.info("pdf not decryptable by pypdf without a password name=%s", name)
            return None
    except Exception as exc:
        log.info("pdf structure unreadable by pypdf name=%s error=%s", name, exc)
        return None
    return reader


def _pdf_xmp(reader: PdfReader | None, name: str) -> bytes:
    if reader is None:
        return b""
    try:
        stream = reader.root_object.get("/Metadata")
        stream = stream.get_object() if stream is not None else None
        return stream.get_data() if isinstance(stream, StreamObject) else b""
    except Exception as exc:  # pypdf on a malformed stream; see _pypdf_reader
        log.info("pdf xmp unreadable name=%s error=%s", name, exc)
        return b""


def _pdf_date_fields(metadata: dict[str, str]) -> tuple[str, str]:
    if "CreationDate" in metadata or "ModDate" in metadata:
        return "CreationDate", "ModDate"
    return "xmp:CreateDate", "xmp:ModifyDate"


def _metadata_missing(metadata: dict[str, str]) -> list[Signal]:
    if any(field in metadata for field in SOFTWARE_FIELDS):
        return []
    message = "the PDF names no Producer or Creator; the metadata may have been stripped"
    return [Signal(code="metadata_missing", severity="info", message=message, evidence="")]


def _security_signals(pdf: Any) -> list[Signal]:
    revision = int(pdfium_c.FPDF_GetSecurityHandlerRevision(pdf))
    if revision < 0:
        return []
    permissions = int(pdfium_c.FPDF_GetDocPermissions(pdf)) & 0xFFFFFFFF
    forbidden = [label for bit, label in _PDF_PERMISSIONS if not permissions & bit]
    restriction = f"forbids: {', '.join(forbidden)}" if forbidden else "restricts nothing"
    signed = permissions - (1 << 32) if permissions >= 1 << 31 else permissions
    message = f"the PDF is encrypted (security handler revision {revision}) and {restriction}"
    return [
        Signal(
            code="encrypted_or_restricted",
            severity="info",
            message=message,
            evidence=f"/P {signed}",
        )
    ]


# --- revisions -------------------------------------------------------------------------


def _revision_signals(
    revisions: int, section_ends: list[int], changed: list[int] | None
) -> list[Signal]:
    if revisions <= 1:
        return []
    evidence = "startxref sections ending at bytes " + ", ".join(map(str, section_ends))
    if changed:
        return [
            Signal(
                code="incremental_update",
                severity="critical",
                message=f"a later revision (of {revisions}) changed the content streams "
                f"that draw page {page}",
                page=page,
                evidence=evidence,
            )
            for page in changed
        ]
    outcome = (
        "page content could not be compared"
        if changed is None
        else f"none changed the content streams of the first {MAX_PAGES} pages "
        "(typical of signatures, form filling, annotations or metadata edits)"
    )
    message = f"the file was saved {revisions - 1} more time(s) after it was made; {outcome}"
    return [Signal(code="incremental_update", severity="info", message=message, evidence=evidence)]


def _pages_changed_after(reader: PdfReader | None, offset: int, name: str) -> list[int] | None:
    """Return the numbers of the pages with a content stream defined after `offset`."""
    if reader is None:
        return None
    try:
        later = _objects_defined_after(reader, offset)
        pages = islice(reader.pages, MAX_PAGES)
        return [number for number, page in enumerate(pages, 1) if _content_streams(page) & later]
    except Exception as exc:  # pypdf on a malformed page tree; see _pypdf_reader
        log.info("pdf revisions not comparable name=%s error=%s", name, exc)
        return None


def _objects_defined_after(reader: PdfReader, offset: int) -> set[int]:
    """Return the objects whose newest definition lies past `offset` (pypdf keeps the newest)."""
    located = {num for table in reader.xref.values() for num, at in table.items() if at >= offset}
    compressed = {num for num, (stream, _) in reader.xref_objStm.items() if stream in located}
    return located | compressed


def _content_streams(page: PageObject) -> set[int]:
    """Return the object numbers of the page's content streams, opening an indirect array."""
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    if isinstance(contents, IndirectObject) and isinstance(contents.get_object(), ArrayObject):
        contents = contents.get_object()
    streams = contents if isinstance(contents, ArrayObject) else [contents]
    return {stream.idnum for stream in streams if isinstance(stream, IndirectObject)}


# --- fonts ------------------------------------------------------------------------------

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
    r"|condensed|narrow|mt|ps)+$"
)


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
class _Inset:
    """A run set in another family than its line, drawn over it or between its words."""

    signal: Signal
    family: str
    drawn_over: bool


def _font_signals(pdf: Any) -> list[Signal]:
    """Flag lines where a run in another font family sits inside or over the line's own text.

    Characters are grouped into lines by baseline (so text painted later over a line joins
    it), and into runs of one family in drawing order. Weight and style variants are one
    family (Helvetica-Bold is Helvetica, ArialMT is Arial), so a bold label before a
    regular value is not a change. A run of three or more non-space characters, or with a
    digit, in a family other than the line's most used one is flagged when glyphs of
    another family overlap it (text painted over text), or lie within a word gap on both
    sides of it and its family is rare in the document (on at most `_RARE_FAMILY_LINES`
    lines): a value edited in place, or painted over the old one, in the editor's font.

    Blind spots: an edit in the same family (or only a size change); an edited value at
    the end of a line (indistinguishable from a label followed by a value in another
    font); a whole line or table cell redrawn in its own font; edits in a family the
    document uses on many lines; text drawn as images or paths; pages after `MAX_PAGES`.
    False alarms: a name or word set in another family mid-sentence once or twice, tightly
    spaced table columns in alternating families, OCR text layers with a font per word.
    """
    insets: list[_Inset] = []
    lines_using: Counter[str] = Counter()
    for index in range(min(len(pdf), MAX_PAGES)):
        page = pdf[index]
        try:
            lines = _lines(_glyphs(page.get_textpage()))
        finally:
            page.close()
        for line in lines:
            lines_using.update({glyph.family for glyph in line})
            if inset := _inset(line, index + 1):
                insets.append(inset)
    flagged = (i for i in insets if i.drawn_over or lines_using[i.family] <= _RARE_FAMILY_LINES)
    return [inset.signal for inset in islice(flagged, MAX_FONT_SIGNALS)]


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
            _Glyph(index, chr(code), font, _family(font), size, left.value, right.value, y.value)
        )
    return glyphs


@functools.lru_cache(maxsize=256)
def _family(font: str) -> str:
    """Return a family key: `TimesNewRomanPS-BoldMT` and `TimesNewRomanPSMT` give `timesnew`."""
    base = re.split(r"[-,]", font, maxsplit=1)[0]
    letters = re.sub(r"[^a-z0-9]", "", base.lower())
    return _STYLE_SUFFIX.sub("", letters) or letters


def _lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    lines: list[list[_Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: -g.baseline):
        line = lines[-1] if lines else None
        if line and abs(line[0].baseline - glyph.baseline) <= _LINE_TOLERANCE * max(glyph.size, 1):
            line.append(glyph)
        else:
            lines.append([glyph])
    return lines


def _runs(line: list[_Glyph]) -> list[list[_Glyph]]:
    ordered = sorted(line, key=lambda g: g.index)
    return [list(run) for _, run in groupby(ordered, key=lambda g: g.family)]


def _inset(line: list[_Glyph], page: int) -> _Inset | None:
    families = Counter(g.family for g in line if not g.char.isspace())
    if len(families) < 2:
        return None
    main = families.most_common(1)[0][0]
    runs = _runs(line)
    for run in runs:
        placement = _placement(run, line) if run[0].family != main else None
        if placement is None:
            continue
        main_font = Counter(g.font for g in line if g.family == main).most_common(1)[0][0]
        value = "".join(g.char for g in run).strip()
        where = "over" if placement == "over" else "inside"
        signal = Signal(
            code="mixed_fonts",
            severity="warning",
            message=f"'{value}' is set in {run[0].font} {where} a line set in {main_font}",
            page=page,
            evidence=_clip("".join(g.char for run in runs for g in run)),
        )
        return _Inset(signal, run[0].family, drawn_over=placement == "over")
    return None


def _placement(run: list[_Glyph], line: list[_Glyph]) -> Literal["over", "between"] | None:
    """Say whether other-family glyphs of the line overlap the run or flank it within a gap."""
    ink = [g for g in run if not g.char.isspace()]
    if len(ink) < _MIN_RUN_CHARS and not any(g.char.isdigit() for g in ink):
        return None
    start, end = min(g.x0 for g in ink), max(g.x1 for g in ink)
    gap = _NEIGHBOUR_GAP * max(g.size for g in ink)
    others = [g for g in line if g.family != run[0].family and not g.char.isspace()]
    if any(start <= (g.x0 + g.x1) / 2 <= end for g in others):
        return "over"
    before = any(start - gap <= g.x1 and g.x0 < start for g in others)
    after = any(g.x0 <= end + gap and g.x1 > end for g in others)
    return "between" if before and after else None


# --- images ------------------------------------------------------------------------------

_EXIF_FIELDS = (
    ExifTags.Base.Software, ExifTags.Base.ProcessingSoftware, ExifTags.Base.DateTime,
    ExifTags.Base.Make, ExifTags.Base.Model, ExifTags.Base.HostComputer, ExifTags.Base.Artist,
)  # fmt: skip
_EXIF_IFD_FIELDS = (ExifTags.Base.DateTimeOriginal, ExifTags.Base.DateTimeDigitized)


def _inspect_image(
    data: bytes, name: str, now: datetime, media_type: str, image_format: str
) -> Inspection:
    try:
        with Image.open(BytesIO(data), formats=[image_format]) as image:
            metadata = _image_fields(image)
    except Image.DecompressionBombError as exc:
        raise DocumentTooLarge(f"{name}: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's ways of saying "corrupt"
        raise DocumentInvalid(f"{name}: not a readable {image_format} image ({exc})") from exc
    packet = _XMP_PACKET.search(data)
    metadata |= _xmp_fields(packet.group() if packet else b"")
    signals = [
        *_editor_signals(metadata),
        *_date_signals(metadata, now, "DateTimeOriginal", "DateTime"),
    ]
    return _inspection(media_type, metadata, 1, signals)


def _image_fields(image: Image.Image) -> dict[str, str]:
    exif = image.getexif()
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    raw: list[tuple[str, Any]] = [(tag.name, exif.get(tag)) for tag in _EXIF_FIELDS]
    raw += [(tag.name, exif_ifd.get(tag)) for tag in _EXIF_IFD_FIELDS]
    if image.format == "PNG":  # tEXt/iTXt chunks before the image data
        raw += [(str(key), value) for key, value in image.info.items() if isinstance(value, str)]
    return {key: _clean(value) for key, value in raw if value is not None and _clean(value)}


# --- metadata shared by PDFs and images ----------------------------------------------


def _xmp_fields(packet: bytes) -> dict[str, str]:
    """Read tool names and dates from an XMP packet with regexes (no XML parser on input)."""
    text = packet.decode("utf-8", "replace")
    fields = {}
    for key in ("xmp:CreatorTool", "pdf:Producer", "xmp:CreateDate", "xmp:ModifyDate"):
        if values := _xmp_values(text, key):
            fields[key] = values[0]
    if agents := _xmp_values(text, "stEvt:softwareAgent"):
        fields["xmpMM:History"] = _clip("; ".join(dict.fromkeys(agents)))
    return fields


def _xmp_values(text: str, key: str) -> list[str]:
    pattern = re.escape(key) + r'(?:\s*=\s*"([^"]*)"|>([^<]*)<)'
    found = (_clean(html.unescape(a or b)) for a, b in re.findall(pattern, text))
    return [value for value in found if value]


def _editor_signals(metadata: dict[str, str]) -> list[Signal]:
    signals: dict[str, Signal] = {}
    for field in SOFTWARE_FIELDS:
        value = metadata.get(field, "")
        for editor in EDITORS:
            if editor.name not in signals and re.search(editor.pattern, value, re.IGNORECASE):
                signals[editor.name] = Signal(
                    code="editing_software",
                    severity=editor.severity,
                    message=f"{field} names {editor.name}: {editor.note}",
                    evidence=value,
                )
    return list(signals.values())


def _date_signals(
    metadata: dict[str, str], now: datetime, created: str, modified: str
) -> list[Signal]:
    dates = {key: _parse_date(metadata.get(key, "")) for key in (created, modified)}
    start, end = dates[created], dates[modified]
    messages = []
    if start and end and end - start > MODIFIED_AFTER:
        messages.append(f"{modified} is {(end - start).days} days after {created}")
    messages += [
        f"{key} {date:%Y-%m-%d} is in the future"
        for key, date in dates.items()
        if date and date > now + CLOCK_SKEW
    ]
    evidence = ", ".join(f"{key}={metadata[key]}" for key in dates if key in metadata)
    return [
        Signal(code="modified_later", severity="warning", message=message, evidence=evidence)
        for message in messages
    ]


def _parse_date(raw: str) -> datetime | None:
    """Parse a PDF (`D:20210303120000+01'00'`), XMP (ISO 8601) or EXIF date; no zone is UTC."""
    raw = raw.strip()
    for parse in (_parse_pdf_date, datetime.fromisoformat, _parse_exif_date):
        try:
            return _aware(parse(raw))
        except ValueError:
            continue
    return None


def _parse_pdf_date(raw: str) -> datetime:
    match = _PDF_DATE.fullmatch(raw)
    if match is None:
        raise ValueError(f"not a PDF date: {raw!r}")
    offset = timedelta(hours=int(match["tz_hours"] or 0), minutes=int(match["tz_minutes"] or 0))
    return datetime(
        int(match["year"]),
        int(match["month"] or 1),
        int(match["day"] or 1),
        int(match["hour"] or 0),
        int(match["minute"] or 0),
        int(match["second"] or 0),
        tzinfo=timezone(-offset if match["sign"] == "-" else offset),
    )


def _parse_exif_date(raw: str) -> datetime:
    return datetime.strptime(raw, _EXIF_DATE)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _clean(value: Any) -> str:
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return _clip(text.replace("\x00", "").strip())


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
