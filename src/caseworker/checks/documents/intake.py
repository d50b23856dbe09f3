"""Document intake: read a PDF, PNG, JPEG or TIFF into text with positions, safely.

`read_document` checks the size and the type (from content) here, then reads the file in a
child process bounded in time and memory (`sandbox`): PDF text layers through PDFium, scanned
pages and images through OCR. `read_document_inprocess` does the same work without the child.
"""

from __future__ import annotations

from caseworker.checks.documents.inspect import Inspection
from caseworker.checks.documents.reader import (
    DEFAULT_LIMITS,
    IntakeLimits,
    MediaType,
    check_size,
    detect_media_type,
    read_document_inprocess,
)
from caseworker.checks.documents.sandbox import inspect_in_child, read_in_child
from caseworker.checks.documents.text import DocumentText

__all__ = [
    "DEFAULT_LIMITS",
    "IntakeLimits",
    "MediaType",
    "detect_media_type",
    "inspect_file",
    "read_document",
    "read_document_inprocess",
]


def read_document(
    data: bytes, *, name: str = "document", limits: IntakeLimits = DEFAULT_LIMITS, ocr: bool = True
) -> DocumentText:
    """Read the file in `data` into pages of positioned lines, in a bounded child process.

    `name` is used in messages only; the type comes from the content. Raises
    `DocumentTooLarge` when the file passes a limit (bytes, pages, pixels, time, memory) and
    `DocumentInvalid` when it is unsupported, encrypted, corrupt or crashes the reader.
    """
    check_size(data, name, limits)
    detect_media_type(data, name=name)
    return read_in_child(data, name=name, limits=limits, ocr=ocr)


def inspect_file(
    data: bytes, *, name: str = "document", limits: IntakeLimits = DEFAULT_LIMITS
) -> Inspection:
    """Look for tampering signals in `data`, in a bounded child process like `read_document`."""
    check_size(data, name, limits)
    detect_media_type(data, name=name)
    return inspect_in_child(data, name=name, limits=limits)
