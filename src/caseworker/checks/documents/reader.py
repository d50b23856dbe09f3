"""Intake's work in the current process: limits, type detection from content, and reading."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Literal

from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.images import read_image
from caseworker.checks.documents.pdf import read_pdf
from caseworker.checks.documents.text import DocumentText
from caseworker.logs import get_logger

log = get_logger(__name__)

MediaType = Literal["application/pdf", "image/png", "image/jpeg", "image/tiff"]

# Signatures at offset 0 of the image types intake reads.
IMAGE_SIGNATURES: tuple[tuple[bytes, MediaType], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
# PDF readers accept the header anywhere in the first KiB (after a mail or print prefix).
PDF_SIGNATURE = b"%PDF-"
PDF_SEARCH_BYTES = 1024

# What an unsupported file probably is, from its first bytes, to say so in the error.
LOOKALIKES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive?"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document?"),
    (b"GIF8", "a GIF image?"),
    (b"BM", "a BMP image?"),
    (b"\x1f\x8b", "a gzip archive?"),
    (b"Rar!", "a RAR archive?"),
    (b"7z\xbc\xaf", "a 7-Zip archive?"),
    (b"{\\rtf", "an RTF document?"),
    (b"%!PS", "a PostScript file?"),
    (b"<?xml", "an XML file?"),
    (b"<svg", "an SVG image?"),
    (b"<!doctype html", "an HTML page?"),
    (b"<html", "an HTML page?"),
)


@dataclass(frozen=True)
class IntakeLimits:
    """How much intake reads before it refuses a file."""

    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 50
    max_pixels: int = 40_000_000  # per image frame or rendered page
    ocr_dpi: int = 200
    timeout_s: float = 60.0  # wall clock for one file, start-up and OCR included
    memory_mb: int = 1536  # address space of the process that reads the file


DEFAULT_LIMITS = IntakeLimits()


def guess_lookalike(data: bytes) -> str | None:
    """Guess what an unsupported file is ("a ZIP archive?"), or return None."""
    head = data[:32].lower()
    for signature, guess in LOOKALIKES:
        if head.startswith(signature.lower()):
            return guess
    if data[8:12] == b"WEBP" and data[:4] == b"RIFF":
        return "a WebP image?"
    if data[4:8] == b"ftyp":
        return "an HEIC photo or MP4 video?"
    return None


def describe_unsupported(data: bytes) -> str:
    """Say why `data` is refused: what it is not, how it starts and what it may be."""
    if not data:
        return "empty file"
    start = repr(data[:4])[1:]  # b'PK\x03\x04' -> 'PK\x03\x04'
    guess = guess_lookalike(data)
    detail = f"starts with {start}, {guess}" if guess else f"starts with {start}"
    return f"not a PDF, PNG, JPEG or TIFF file ({detail})"


def detect_media_type(data: bytes, *, name: str = "document") -> MediaType:
    """Detect the media type of `data` from its content (magic bytes), never from a file name.

    Raises `DocumentInvalid` naming `name` when the content is none of PDF, PNG, JPEG or TIFF.
    """
    for signature, media_type in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return media_type
    if PDF_SIGNATURE in data[:PDF_SEARCH_BYTES]:
        return "application/pdf"
    raise DocumentInvalid(f"{name}: {describe_unsupported(data)}")


def check_size(data: bytes, name: str, limits: IntakeLimits) -> None:
    """Refuse a file larger than `limits.max_bytes`."""
    if len(data) > limits.max_bytes:
        raise DocumentTooLarge(
            f"{name}: file is {len(data) / 2**20:.1f} MiB, "
            f"the limit is {limits.max_bytes / 2**20:g} MiB"
        )


def read_document_inprocess(
    data: bytes, *, name: str = "document", limits: IntakeLimits = DEFAULT_LIMITS, ocr: bool = True
) -> DocumentText:
    """Read `data` in this process, with no time or memory bound: for the sandbox and debugging.

    Raises `DocumentInvalid` (or `DocumentTooLarge`) naming `name` for a file it will not read.
    """
    started = time.perf_counter()
    check_size(data, name, limits)
    media_type = detect_media_type(data, name=name)
    if media_type == "application/pdf":
        pages = read_pdf(
            data,
            name=name,
            max_pages=limits.max_pages,
            dpi=limits.ocr_dpi,
            max_pixels=limits.max_pixels,
            ocr=ocr,
        )
    else:
        pages = read_image(
            data,
            name=name,
            media_type=media_type,
            max_pages=limits.max_pages,
            max_pixels=limits.max_pixels,
            ocr=ocr,
        )
    log.debug(
        "documents.read name=%s media_type=%s pages=%d seconds=%.2f",
        name,
        media_type,
        len(pages),
        time.perf_counter() - started,
    )
    return DocumentText(
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media_type,
        size_bytes=len(data),
        pages=pages,
    )
