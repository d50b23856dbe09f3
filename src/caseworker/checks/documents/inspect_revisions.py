"""The `incremental_update` signal: saves appended to a PDF, and the pages they redrew."""

from __future__ import annotations

import re
from itertools import islice

from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, IndirectObject

from caseworker.checks.documents.inspect_signals import MAX_PAGES, Signal
from caseworker.logs import get_logger

log = get_logger(__name__)

_STARTXREF = re.compile(rb"startxref\s+\d+\s*%%EOF")


def save_ends(data: bytes) -> list[int]:
    """Return where each save of the PDF ends: the original first, then each update.

    Every save ends in `startxref … %%EOF`; a linearized file's first-page section has its
    own, so its first two make up the original. Empty when the file has none (PDFium opens
    some such files by rebuilding the cross-reference table).
    """
    ends = [match.end() for match in _STARTXREF.finditer(data)]
    linearized = b"/Linearized" in data[:1024] and len(ends) >= 2
    return ends[1:] if linearized else ends


def revision_signals(ends: list[int], reader: PdfReader | None, name: str) -> list[Signal]:
    """Report the updates after the original save: critical for each page they redrew.

    `reader` (None when pypdf cannot read the file) tells which pages' content streams were
    defined after the original save; an update that redrew none (signatures, form filling,
    annotations, metadata) is only noted.
    """
    revisions = max(1, len(ends))
    if revisions <= 1:
        return []
    changed = _pages_changed_after(reader, ends[0], name)
    evidence = "startxref sections ending at bytes " + ", ".join(map(str, ends))
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
    except Exception as exc:  # pypdf raises many exception types on a malformed page tree
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
