"""The SSRF guard: whether a URL may be fetched or posted to from inside the service."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def url_problem(url: str, *, allow_private: bool) -> str | None:
    """Say what is wrong with sending a request to `url`, or None if nothing is.

    Only http and https are allowed, and (unless `allow_private`) only hosts whose every
    address is global: no loopback, private, link-local, shared or reserved range, which also
    keeps cloud metadata endpoints (169.254.169.254) out of reach.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"only http and https URLs are allowed: {url}"
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        return f"cannot resolve {parts.hostname}: {exc}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return f"{parts.hostname} is a private or local address ({address})"
    return None
