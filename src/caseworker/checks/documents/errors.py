"""Errors of the documents capability: a file we refuse to read, or cannot."""

from __future__ import annotations

from caseworker.exceptions import AuthoringError


class DocumentInvalid(AuthoringError):
    """A supplied file is corrupt, truncated, encrypted, of an unsupported type or over a limit.

    The message names the file and the problem ("statement.pdf: PDF declares 1000000 pages,
    the limit is 50"); retrying will not help.
    """

    code = "document_invalid"


class DocumentTooLarge(DocumentInvalid):
    """A file exceeds a configured limit (bytes, pages, pixels, or time to read it)."""

    code = "document_too_large"
