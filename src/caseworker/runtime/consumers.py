"""Consumer groups over the runtime's shared streams (the outbox, the operations log).

Each integration reads a stream through its own group: an entry is handled, then
acknowledged, so one a dead process left unacknowledged is claimed by another after
`CLAIM_IDLE_MS` (at least once). An entry whose handling fails on anything but the store is
logged and dropped: retrying a malformed entry forever would stall the group.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import redis

from caseworker.logs import get_logger
from caseworker.runtime.connection import as_text

log = get_logger(__name__)

CLAIM_IDLE_MS = 30_000
BATCH = 100

Handler = Callable[[redis.Redis, dict[str, str]], object]


def _read(conn: redis.Redis, stream: str, group: str, consumer: str) -> list[Any]:
    claimed = conn.xautoclaim(stream, group, consumer, CLAIM_IDLE_MS, "0-0", count=BATCH)
    fresh: Any = conn.xreadgroup(group, consumer, {stream: ">"}, count=BATCH)
    entries: list[Any] = list(claimed[1]) if claimed else []
    for _stream, items in fresh or []:
        entries.extend(items)
    return entries


def consume(conn: redis.Redis, stream: str, group: str, consumer: str, handle: Handler, *,
            start: str = "$") -> int:
    """Handle and acknowledge what waits for `consumer` in `group`; how many entries.

    The group is made on first use, reading from `start` ("$": entries from now on, "0":
    the whole stream).
    """
    try:
        entries = _read(conn, stream, group, consumer)
    except redis.ResponseError as exc:
        if "NOGROUP" not in str(exc):
            raise
        with contextlib.suppress(redis.ResponseError):  # BUSYGROUP: another made it first
            conn.xgroup_create(stream, group, id=start, mkstream=True)
        entries = _read(conn, stream, group, consumer)
    for entry_id, fields in entries:
        try:
            if fields:
                handle(conn, {as_text(k): as_text(v) for k, v in fields.items()})
        except redis.RedisError:
            raise  # left unacknowledged: claimed again once the store is back
        except Exception:
            log.exception("stream entry dropped stream=%s group=%s id=%s", stream, group,
                          as_text(entry_id))
        conn.xack(stream, group, entry_id)
    return len(entries)
