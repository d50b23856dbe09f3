"""Idempotency-Key: the same key and body give the same job; another body is refused."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import redis

from caseworker.exceptions import Conflict, IdempotencyKeyReused
from caseworker.runtime import keys

PENDING_TTL = 60  # seconds a claim lives if its request dies before answering
WAIT = 10.0  # seconds a concurrent duplicate waits for the first request's answer


def fingerprint(route: str, body: Any) -> str:
    """SHA-256 of the route and the canonical JSON of the body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{route}\n{canonical}".encode()).hexdigest()


def once(
    conn: redis.Redis, *, tenant: str, key: str, print_: str, ttl: int,
    create: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Run `create` once per (tenant, key); later calls with the same fingerprint get its answer.

    The first request claims the key atomically (SET NX), so of concurrent identical requests
    exactly one creates; the others wait for its stored answer.
    """
    slot = keys.idempotency(tenant, key)
    claim = json.dumps({"fingerprint": print_, "state": "pending"})
    if conn.set(slot, claim, nx=True, ex=PENDING_TTL):
        try:
            answer = create()
        except BaseException:
            conn.delete(slot)  # a failed request did not happen: the key may be used again
            raise
        conn.set(slot, json.dumps({"fingerprint": print_, "state": "done", "answer": answer}),
                 ex=ttl)
        return answer
    deadline = time.monotonic() + WAIT
    while True:
        raw = conn.get(slot)
        if raw is None:  # the first request failed and released the key: try again
            return once(conn, tenant=tenant, key=key, print_=print_, ttl=ttl, create=create)
        stored = json.loads(raw)
        if stored["fingerprint"] != print_:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {key!r} was used with another request body")
        if stored["state"] == "done":
            done: dict[str, Any] = stored["answer"]
            return done
        if time.monotonic() > deadline:
            raise Conflict(f"a request with Idempotency-Key {key!r} is still in progress")
        time.sleep(0.02)
