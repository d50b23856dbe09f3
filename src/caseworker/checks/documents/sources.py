"""The bytes of a case's document: from a file path, inline base64, or (not yet) a URL."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.reader import DEFAULT_LIMITS
from caseworker.domain.case import Document

DOCUMENTS_DIR_ENV = "CASEWORKER_DOCUMENTS_DIR"  # where relative document paths resolve


def document_label(document: Document, position: int) -> str:
    """How messages and evidence name a document: its id, file name or position."""
    if document.id:
        return document.id
    if document.filename:
        return document.filename
    if document.path:
        return Path(document.path).name
    return f"document {position + 1}"


def document_bytes(document: Document, *, max_bytes: int = DEFAULT_LIMITS.max_bytes) -> bytes:
    """Read a document's content, refusing anything over `max_bytes` before reading it all."""
    name = document_label(document, 0)
    if document.content_base64:
        encoded = document.content_base64
        if len(encoded) * 3 // 4 > max_bytes:
            raise DocumentTooLarge(f"{name}: more than {max_bytes} bytes")
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DocumentInvalid(f"{name}: content_base64 is not valid base64 ({exc})") from exc
    if document.path:
        path = Path(document.path)
        if not path.is_absolute():
            path = Path(os.environ.get(DOCUMENTS_DIR_ENV, ".")) / path
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise DocumentInvalid(f"{name}: cannot read {path}: {exc.strerror}") from exc
        if size > max_bytes:
            raise DocumentTooLarge(f"{name}: {size} bytes, the limit is {max_bytes}")
        return path.read_bytes()
    raise DocumentInvalid(
        f"{name}: documents given by URL are not fetched yet; send the file as content_base64"
    )
