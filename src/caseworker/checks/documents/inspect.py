"""Tampering signals read from a document file itself: metadata, revisions and fonts.

`inspect_document` opens the file and runs the inspectors: `inspect_metadata` (editing
software, dates), `inspect_revisions` (incremental updates) and `inspect_fonts` (mixed fonts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image
from pydantic import BaseModel
from pypdf import PdfReader

from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.inspect_fonts import font_signals
from caseworker.checks.documents.inspect_metadata import (
    aware,
    image_fields,
    metadata_missing,
    metadata_signals,
    pdf_date_fields,
    pdf_info,
    pdf_xmp_fields,
)
from caseworker.checks.documents.inspect_revisions import revision_signals, save_ends
from caseworker.checks.documents.inspect_signals import Severity, Signal
from caseworker.checks.documents.pdfium_lock import PDFIUM_LOCK
from caseworker.logs import get_logger

__all__ = ["MAX_BYTES", "Inspection", "Severity", "Signal", "inspect_document"]

log = get_logger(__name__)

#: Largest file inspected; larger files are refused rather than scanned in part.
MAX_BYTES = 64 * 1024 * 1024

_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"II*\x00", "image/tiff", "TIFF"),
    (b"MM\x00*", "image/tiff", "TIFF"),
)
_PDF_PERMISSIONS = ((0x8, "modify"), (0x10, "copy"), (0x20, "annotate"), (0x400, "assemble"))


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
    now = aware(now or datetime.now(UTC))
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


def _inspect_pdf(data: bytes, name: str, now: datetime) -> Inspection:
    with PDFIUM_LOCK:
        pdf = _open_pdf(data, name)
        try:
            metadata = pdf_info(pdf)
            security = _security_signals(pdf)
            fonts = font_signals(pdf)
        finally:
            pdf.close()
    ends = save_ends(data)
    reader = _pypdf_reader(data, name)
    metadata |= pdf_xmp_fields(reader, name)
    signals = [
        *metadata_signals(metadata, now, *pdf_date_fields(metadata)),
        *metadata_missing(metadata),
        *security,
        *revision_signals(ends, reader, name),
        *fonts,
    ]
    return _inspection("application/pdf", metadata, max(1, len(ends)), signals)


def _open_pdf(data: bytes, name: str) -> Any:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentInvalid(
                f"{name}: the PDF needs a password to open; ask for an unprotected copy"
            ) from exc
        raise DocumentInvalid(f"{name}: not a readable PDF ({exc})") from exc


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


def _inspect_image(
    data: bytes, name: str, now: datetime, media_type: str, image_format: str
) -> Inspection:
    try:
        with Image.open(BytesIO(data), formats=[image_format]) as image:
            metadata = image_fields(image, data)
    except Image.DecompressionBombError as exc:
        raise DocumentTooLarge(f"{name}: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's ways of saying "corrupt"
        raise DocumentInvalid(f"{name}: not a readable {image_format} image ({exc})") from exc
    signals = metadata_signals(metadata, now, "DateTimeOriginal", "DateTime")
    return _inspection(media_type, metadata, 1, signals)
