"""API keys: each scoped to one tenant and a set of roles, stored hashed in Redis."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from enum import StrEnum

import redis
from pydantic import BaseModel, Field

from caseworker.exceptions import AuthoringError, NotFound, Unauthorized
from caseworker.runtime.connection import as_text
from caseworker.runtime.keys import PREFIX

KEYS = f"{PREFIX}:apikeys"  # set: every key id
TOKEN_PREFIX = "cwk"
_TOKEN = re.compile(rf"^{TOKEN_PREFIX}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{20,}})$")
TENANT_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class Role(StrEnum):
    submit = "submit"  # start jobs, batches and single checks
    read = "read"  # read jobs, events, reports, batches
    review = "review"  # record reviewer decisions and feedback
    admin = "admin"  # everything above


class ApiKey(BaseModel):
    """A stored key: never its secret, only the secret's SHA-256."""

    id: str
    name: str
    tenant: str = Field(pattern=TENANT_PATTERN)
    roles: frozenset[Role]
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    def allows(self, role: Role) -> bool:
        return Role.admin in self.roles or role in self.roles

    @property
    def reviewer(self) -> str:
        """Who this key acts as in reviews and the audit trail."""
        return f"{self.name} ({self.id})"


def _key(key_id: str) -> str:
    return f"{PREFIX}:apikey:{key_id}"


def _digest(secret: str) -> str:
    # Secrets are 192 random bits: a fast hash is safe, a slow one would only cost latency.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyStore:
    """Create, list, revoke and authenticate API keys."""

    def __init__(self, conn: redis.Redis) -> None:
        self.conn = conn

    def create(self, tenant: str, roles: set[Role], name: str = "") -> tuple[ApiKey, str]:
        """Store a new key; return it and its token (shown once, never stored)."""
        if not re.match(TENANT_PATTERN, tenant):
            raise AuthoringError(f"tenant {tenant!r} must match {TENANT_PATTERN}")
        if not roles:
            raise AuthoringError("an API key needs at least one role")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(24)
        key = ApiKey(id=key_id, name=name or f"key-{key_id}", tenant=tenant,
                     roles=frozenset(roles), created_at=dt.datetime.now(dt.UTC))
        pipe = self.conn.pipeline(transaction=True)
        pipe.hset(_key(key_id), mapping={"key": key.model_dump_json(), "hash": _digest(secret)})
        pipe.sadd(KEYS, key_id)
        pipe.execute()
        return key, f"{TOKEN_PREFIX}_{key_id}_{secret}"

    def get(self, key_id: str) -> ApiKey:
        raw = self.conn.hget(_key(key_id), "key")
        if raw is None:
            raise NotFound(f"no API key '{key_id}'")
        return ApiKey.model_validate_json(raw)

    def list(self, tenant: str | None = None) -> list[ApiKey]:
        ids = sorted(as_text(k) for k in self.conn.smembers(KEYS))
        keys = [self.get(key_id) for key_id in ids]
        return [k for k in keys if tenant is None or k.tenant == tenant]

    def revoke(self, key_id: str) -> ApiKey:
        key = self.get(key_id).model_copy(update={"revoked_at": dt.datetime.now(dt.UTC)})
        self.conn.hset(_key(key_id), "key", key.model_dump_json())
        return key

    def authenticate(self, token: str) -> ApiKey:
        """Return the key a bearer token belongs to; Unauthorized if unknown, wrong or revoked."""
        match = _TOKEN.match(token)
        if not match:
            raise Unauthorized("the API key is malformed (expected cwk_<id>_<secret>)")
        key_id, secret = match.groups()
        stored = self.conn.hmget(_key(key_id), ["key", "hash"])
        if stored[0] is None or stored[1] is None:
            raise Unauthorized("unknown API key")
        if not hmac.compare_digest(as_text(stored[1]), _digest(secret)):
            raise Unauthorized("unknown API key")
        key = ApiKey.model_validate_json(stored[0])
        if key.revoked_at is not None:
            raise Unauthorized(f"API key {key_id} was revoked")
        return key
