"""The bytes of a case's document: from a file path, inline base64, or an http(s) URL."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

import httpx2

from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.reader import DEFAULT_LIMITS
from caseworker.domain.case import Document
from caseworker.netguard import url_problem
from caseworker.settings import get_settings

DOCUMENTS_DIR_ENV = "CASEWORKER_DOCUMENTS_DIR"  # where relative document paths resolve
FETCH_TIMEOUT = 30.0  # seconds for a document URL, connecting and reading
MAX_REDIRECTS = 3


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
    assert document.url is not None  # the case model allows exactly one source
    return fetch_url(document.url, name=name, max_bytes=max_bytes)


def _check_host(url: str, name: str) -> None:
    """Refuse a URL whose host resolves to loopback, private or link-local addresses."""
    problem = url_problem(url, allow_private=get_settings().documents_allow_private_urls)
    if problem is None:
        return
    if "private or local" in problem:
        problem += ("; documents are not fetched from there "
                    "(CASEWORKER_DOCUMENTS_ALLOW_PRIVATE_URLS allows it)")
    raise DocumentInvalid(f"{name}: {problem}")


def fetch_url(url: str, *, name: str, max_bytes: int, timeout: float = FETCH_TIMEOUT) -> bytes:
    """Download a document, stopping as soon as it passes `max_bytes`; redirects re-checked."""
    for _ in range(MAX_REDIRECTS + 1):
        _check_host(url, name)
        try:
            with httpx2.stream("GET", url, timeout=timeout, follow_redirects=False) as response:
                if response.is_redirect and (target := response.headers.get("location")):
                    url = str(response.url.join(target))
                    continue
                if response.status_code != 200:
                    raise DocumentInvalid(f"{name}: {url} answered {response.status_code}")
                declared = int(response.headers.get("content-length") or 0)
                if declared > max_bytes:
                    raise DocumentTooLarge(f"{name}: {declared} bytes, the limit is {max_bytes}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise DocumentTooLarge(f"{name}: more than {max_bytes} bytes at {url}")
                return bytes(body)
        except httpx2.HTTPError as exc:
            raise DocumentInvalid(f"{name}: cannot fetch {url}: {exc}") from exc
    raise DocumentInvalid(f"{name}: more than {MAX_REDIRECTS} redirects from {url}")
