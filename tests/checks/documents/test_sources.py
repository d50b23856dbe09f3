"""Documents by URL: fetched from a real local HTTP server, bounded, and never from inside."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.sources import document_bytes
from caseworker.domain.case import Document
from caseworker.settings import get_settings

PDF = b"%PDF-1.4\n" + b"0" * 1000


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/doc.pdf":
            self._send(PDF)
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/doc.pdf")
            self.end_headers()
        elif self.path == "/endless":  # no Content-Length: the size shows only while reading
            self.send_response(200)
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"0" * 65536)
        else:
            self.send_response(404)
            self.end_headers()

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allow_local(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CASEWORKER_DOCUMENTS_ALLOW_PRIVATE_URLS", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _doc(url: str) -> Document:
    return Document(type="incorporation", url=url, id="cert")


def test_a_document_is_fetched_and_redirects_are_followed(server: str, allow_local: None) -> None:
    assert document_bytes(_doc(f"{server}/doc.pdf")) == PDF
    assert document_bytes(_doc(f"{server}/redirect")) == PDF


def test_a_body_over_the_limit_stops_the_download(server: str, allow_local: None) -> None:
    with pytest.raises(DocumentTooLarge, match="more than 1000000 bytes"):
        document_bytes(_doc(f"{server}/endless"), max_bytes=1_000_000)
    with pytest.raises(DocumentTooLarge, match="the limit is 100"):
        document_bytes(_doc(f"{server}/doc.pdf"), max_bytes=100)


def test_errors_name_the_document(server: str, allow_local: None) -> None:
    with pytest.raises(DocumentInvalid, match=r"cert: .* answered 404"):
        document_bytes(_doc(f"{server}/missing.pdf"))
    with pytest.raises(DocumentInvalid, match="only http and https"):
        document_bytes(_doc("file:///etc/passwd"))


def test_local_and_private_addresses_are_refused_by_default(server: str) -> None:
    get_settings.cache_clear()
    for url in (f"{server}/doc.pdf", "http://10.0.0.8/doc.pdf", "http://169.254.169.254/x"):
        with pytest.raises(DocumentInvalid, match="private or local address"):
            document_bytes(_doc(url))
