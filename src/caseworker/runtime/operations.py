"""The operations log: one capped Redis Stream of what happened to the runtime itself.

A job's own stream says what happened to that job; this one says what happened to the machinery
under every job: a local worker that exited and the supervisor's restart, a worker that lost
the store and came back, a webhook delivery that failed for good, an endpoint disabled. Each
record is also a structured log line. Recording is best effort: the supervisor and the workers
keep running when the store cannot take the record (it is logged either way).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from enum import StrEnum
from typing import Any

import redis
from pydantic import BaseModel, Field

from caseworker.logs import get_logger
from caseworker.runtime import keys
from caseworker.runtime.connection import STORE_ERRORS, as_text

log = get_logger(__name__)

KEEP = 10_000  # records kept (approximately: the stream is trimmed with `~`)


class OperationType(StrEnum):
    worker_exited = "worker.exited"
    worker_restarted = "worker.restarted"
    worker_rejoined = "worker.rejoined"  # back at work after the store was away
    delivery_failed = "delivery.failed"  # a webhook delivery used up its attempts
    endpoint_disabled = "endpoint.disabled"  # a webhook endpoint answered 410 or kept failing


class OperationEvent(BaseModel):
    """One record of the operations log; `id` is its Redis Stream id."""

    id: str
    type: OperationType
    ts: dt.datetime
    host: str
    data: dict[str, Any] = Field(default_factory=dict)


def record(conn: redis.Redis, type: OperationType, **data: Any) -> None:
    """Log one operations event and append it to the stream, if the store takes it."""
    log.warning("%s %s", type.value, " ".join(f"{k}={v}" for k, v in data.items()))
    fields = {"type": type.value, "ts": dt.datetime.now(dt.UTC).isoformat(),
              "host": socket.gethostname(), "data": json.dumps(data, default=str)}
    try:
        conn.xadd(keys.OPERATIONS, fields, maxlen=KEEP, approximate=True)  # type: ignore[arg-type]
    except STORE_ERRORS as exc:
        log.warning("operations event not stored type=%s error=%s", type.value, exc)


def recent(conn: redis.Redis, count: int = 100) -> list[OperationEvent]:
    """Read the newest `count` records back, oldest first."""
    entries = conn.xrevrange(keys.OPERATIONS, count=count)
    events = []
    for event_id, fields in reversed(entries or []):
        if event_id is None or fields is None:
            continue
        f = {as_text(k): as_text(v) for k, v in fields.items()}
        events.append(OperationEvent(
            id=as_text(event_id), type=OperationType(f["type"]),
            ts=dt.datetime.fromisoformat(f["ts"]), host=f.get("host", ""),
            data=json.loads(f.get("data", "{}")),
        ))
    return events
