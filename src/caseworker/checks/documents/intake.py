"""Document intake: read a PDF, PNG, JPEG or TIFF into text with positions, safely.

`read_document` checks the size and the type (from content) here, then reads the file in a
child process bounded in time and memory (`sandbox`): PDF text layers through PDFium, scanned
pages and images through OCR. `read_document_inprocess` does the same work without the child.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import TypeVar

from pydantic import BaseModel

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

_M = TypeVar("_M", bound=BaseModel)

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
    key = (hashlib.sha256(data).hexdigest(), name, limits, ocr)
    if (cached := _recall(_READ, key)) is not None:
        return cached
    document, inspection = read_in_child(data, name=name, limits=limits, ocr=ocr)
    _remember(_READ, key, document.model_copy(deep=True))
    if inspection is not None:
        _remember(_INSPECTED, (key[0], name, limits, False), inspection)
    return document


def inspect_file(
    data: bytes, *, name: str = "document", limits: IntakeLimits = DEFAULT_LIMITS
) -> Inspection:
    """Look for tampering signals in `data`, in a bounded child process like `read_document`."""
    check_size(data, name, limits)
    detect_media_type(data, name=name)
    key = (hashlib.sha256(data).hexdigest(), name, limits, False)
    if (cached := _recall(_INSPECTED, key)) is not None:
        return cached
    found = inspect_in_child(data, name=name, limits=limits)
    _remember(_INSPECTED, key, found.model_copy(deep=True))
    return found


# The same bytes read twice give the same answer: a worker keeps the last few, so a document
# read by one check and inspected by another, or a case run again, starts no second child.
# Failures are not kept (a timeout under load may pass next time).
CACHE_SIZE = 32
_Key = tuple[str, str, IntakeLimits, bool]
_READ: OrderedDict[_Key, DocumentText] = OrderedDict()
_INSPECTED: OrderedDict[_Key, Inspection] = OrderedDict()


_CACHE_LOCK = threading.Lock()  # tools run in threads


def _recall(cache: OrderedDict[_Key, _M], key: _Key) -> _M | None:
    with _CACHE_LOCK:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
    return found.model_copy(deep=True) if found is not None else None


def _remember(cache: OrderedDict[_Key, _M], key: _Key, value: _M) -> None:
    with _CACHE_LOCK:
        cache[key] = value
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
