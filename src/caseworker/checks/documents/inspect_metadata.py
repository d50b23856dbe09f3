"""Signals from what a file says about itself: editing software and dates in Info, XMP and EXIF."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import ExifTags, Image
from pypdf import PdfReader
from pypdf.generic import StreamObject

from caseworker.checks.documents.inspect_signals import Severity, Signal, clean, clip
from caseworker.logs import get_logger

log = get_logger(__name__)

#: A modification this long after creation is reported.
MODIFIED_AFTER = timedelta(days=2)
#: Dates up to this far in the future are clock or time-zone slop, not a signal.
CLOCK_SKEW = timedelta(days=1)


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

_XMP_PACKET = re.compile(rb"<x:x[am]pmeta\b.*?</x:x[am]pmeta>", re.DOTALL)
_PDF_DATE = re.compile(
    r"(?:D:)?(?P<year>\d{4})(?P<month>\d\d)?(?P<day>\d\d)?"
    r"(?P<hour>\d\d)?(?P<minute>\d\d)?(?P<second>\d\d)?\s*"
    r"(?:Z(?:00'?00'?)?|(?P<sign>[+-])(?P<tz_hours>\d\d)'?(?P<tz_minutes>\d\d)?'?)?\s*"
)
_EXIF_DATE = "%Y:%m:%d %H:%M:%S"
_EXIF_FIELDS = (
    ExifTags.Base.Software, ExifTags.Base.ProcessingSoftware, ExifTags.Base.DateTime,
    ExifTags.Base.Make, ExifTags.Base.Model, ExifTags.Base.HostComputer, ExifTags.Base.Artist,
)  # fmt: skip
_EXIF_IFD_FIELDS = (ExifTags.Base.DateTimeOriginal, ExifTags.Base.DateTimeDigitized)


def metadata_signals(
    metadata: dict[str, str], now: datetime, created: str, modified: str
) -> list[Signal]:
    """Return the editing-software and date signals of a file's fields.

    `created` and `modified` name the fields that date the file (`CreationDate` and `ModDate`
    in a PDF's Info, `DateTimeOriginal` and `DateTime` in EXIF).
    """
    return [*editor_signals(metadata), *date_signals(metadata, now, created, modified)]


def pdf_date_fields(metadata: dict[str, str]) -> tuple[str, str]:
    """Return the fields that date a PDF: its Info dates, or its XMP ones when Info has none."""
    if "CreationDate" in metadata or "ModDate" in metadata:
        return "CreationDate", "ModDate"
    return "xmp:CreateDate", "xmp:ModifyDate"


def metadata_missing(metadata: dict[str, str]) -> list[Signal]:
    """Note a PDF that names no software at all: its metadata may have been stripped."""
    if any(field in metadata for field in SOFTWARE_FIELDS):
        return []
    message = "the PDF names no Producer or Creator; the metadata may have been stripped"
    return [Signal(code="metadata_missing", severity="info", message=message, evidence="")]


def pdf_info(pdf: Any) -> dict[str, str]:
    """Read the Info dictionary of a PDF open in PDFium (call it under `PDFIUM_LOCK`)."""
    info = pdf.get_metadata_dict(skip_empty=True)
    return {str(key): clean(value) for key, value in info.items() if clean(value)}


def pdf_xmp_fields(reader: PdfReader | None, name: str) -> dict[str, str]:
    """Read the tool names and dates of a PDF's XMP packet; none if pypdf cannot read it."""
    return xmp_fields(_pdf_xmp(reader, name)) if reader is not None else {}


def _pdf_xmp(reader: PdfReader, name: str) -> bytes:
    try:
        stream = reader.root_object.get("/Metadata")
        stream = stream.get_object() if stream is not None else None
        return stream.get_data() if isinstance(stream, StreamObject) else b""
    except Exception as exc:  # pypdf raises many exception types on a malformed stream
        log.info("pdf xmp unreadable name=%s error=%s", name, exc)
        return b""


def image_fields(image: Image.Image, data: bytes) -> dict[str, str]:
    """Read an image's EXIF tool and date fields, PNG text chunks and XMP packet."""
    exif = image.getexif()
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    raw: list[tuple[str, Any]] = [(tag.name, exif.get(tag)) for tag in _EXIF_FIELDS]
    raw += [(tag.name, exif_ifd.get(tag)) for tag in _EXIF_IFD_FIELDS]
    if image.format == "PNG":  # tEXt/iTXt chunks before the image data
        raw += [(str(key), value) for key, value in image.info.items() if isinstance(value, str)]
    fields = {key: clean(value) for key, value in raw if value is not None and clean(value)}
    packet = _XMP_PACKET.search(data)
    return fields | xmp_fields(packet.group() if packet else b"")


def xmp_fields(packet: bytes) -> dict[str, str]:
    """Read tool names and dates from an XMP packet with regexes (no XML parser on input)."""
    text = packet.decode("utf-8", "replace")
    fields = {}
    for key in ("xmp:CreatorTool", "pdf:Producer", "xmp:CreateDate", "xmp:ModifyDate"):
        if values := _xmp_values(text, key):
            fields[key] = values[0]
    if agents := _xmp_values(text, "stEvt:softwareAgent"):
        fields["xmpMM:History"] = clip("; ".join(dict.fromkeys(agents)))
    return fields


def _xmp_values(text: str, key: str) -> list[str]:
    pattern = re.escape(key) + r'(?:\s*=\s*"([^"]*)"|>([^<]*)<)'
    found = (clean(html.unescape(a or b)) for a, b in re.findall(pattern, text))
    return [value for value in found if value]


def editor_signals(metadata: dict[str, str]) -> list[Signal]:
    """Return one signal per editor named in the software fields, at the editor's severity."""
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


def date_signals(
    metadata: dict[str, str], now: datetime, created: str, modified: str
) -> list[Signal]:
    """Flag a modification long after creation, and dates in the future."""
    dates = {key: parse_date(metadata.get(key, "")) for key in (created, modified)}
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


def parse_date(raw: str) -> datetime | None:
    """Parse a PDF (`D:20210303120000+01'00'`), XMP (ISO 8601) or EXIF date; no zone is UTC."""
    raw = raw.strip()
    for parse in (_parse_pdf_date, datetime.fromisoformat, _parse_exif_date):
        try:
            return aware(parse(raw))
        except ValueError:
            continue
    return None


def aware(moment: datetime) -> datetime:
    """Return `moment` with its zone, or as UTC when it has none."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
