"""Dashboard logins: an API key exchanged for a server-side session behind an HttpOnly cookie.

The cookie holds a random token; Redis holds only its SHA-256, the key it stands for and the
session's CSRF token. Every request re-reads the key, so revoking it ends its sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import redis

from caseworker.api.credentials import ApiKey, ApiKeyStore
from caseworker.exceptions import NotFound
from caseworker.runtime.connection import as_text
from caseworker.runtime.keys import PREFIX

COOKIE = "cw_session"


def _key(token: str) -> str:
    return f"{PREFIX}:websession:{hashlib.sha256(token.encode()).hexdigest()}"


@dataclass(frozen=True)
class Session:
    """A logged-in browser: whose key it acts with, and the token its forms must echo."""

    key: ApiKey
    csrf: str

    def csrf_ok(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent, self.csrf)


def open_session(conn: redis.Redis, key: ApiKey, ttl: int) -> str:
    """Start a session for `key`; return the cookie's token (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    pipe = conn.pipeline(transaction=True)
    pipe.hset(_key(token), mapping={"key_id": key.id, "csrf": secrets.token_urlsafe(24)})
    pipe.expire(_key(token), ttl)
    pipe.execute()
    return token


def resolve(conn: redis.Redis, token: str | None, ttl: int) -> Session | None:
    """Return the live session of a cookie's token, renewing it; None if unknown or revoked."""
    if not token:
        return None
    pipe = conn.pipeline(transaction=False)
    pipe.hmget(_key(token), ["key_id", "csrf"])
    pipe.expire(_key(token), ttl)
    (key_id, csrf), _ = pipe.execute()
    if key_id is None or csrf is None:
        return None
    try:
        key = ApiKeyStore(conn).get(as_text(key_id))
    except NotFound:
        return None
    if key.revoked_at is not None:
        close_session(conn, token)
        return None
    return Session(key=key, csrf=as_text(csrf))


def close_session(conn: redis.Redis, token: str | None) -> None:
    """End the session (logging out); nothing if it had already ended."""
    if token:
        conn.delete(_key(token))
