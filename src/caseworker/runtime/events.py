"""The job event log: one Redis Stream per job, appended on every state change, replayable."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import redis
from redis.typing import EncodableT, FieldT, StreamEntry, XReadResponse

from caseworker.domain.events import EventType, JobEvent
from caseworker.runtime import identity, keys
from caseworker.runtime.connection import as_text

START = "0-0"


def emit(
    conn: redis.Redis | redis.client.Pipeline,
    job_id: str,
    type: EventType,
    *,
    check_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Any:
    """Append one event (on a pipeline, it joins that pipeline's round trip)."""
    me = identity.current()
    fields: dict[FieldT, EncodableT] = {
        "type": type.value,
        "ts": dt.datetime.now(dt.UTC).isoformat(),
        "worker": me.name,
        "pid": str(me.pid),
        "data": json.dumps(data or {}, default=str),
    }
    if check_id:
        fields["check_id"] = check_id
    return conn.xadd(keys.events(job_id), fields)


def decode(job_id: str, entry: StreamEntry) -> JobEvent:
    """Turn one stream entry into a JobEvent."""
    event_id, fields = entry
    if event_id is None or fields is None:
        raise ValueError(f"job {job_id}: a stream entry without id or fields")
    f = {as_text(k): as_text(v) for k, v in fields.items()}
    return JobEvent(
        id=as_text(event_id),
        job_id=job_id,
        type=EventType(f["type"]),
        ts=dt.datetime.fromisoformat(f["ts"]),
        check_id=f.get("check_id"),
        worker=f.get("worker"),
        pid=int(f["pid"]) if f.get("pid") else None,
        data=json.loads(f.get("data", "{}")),
    )


def replay(conn: redis.Redis, job_id: str, after: str = START, count: int = 1000) -> list[JobEvent]:
    """Every stored event strictly after `after`, in order."""
    out: list[JobEvent] = []
    cursor = after
    while True:
        batch = conn.xrange(keys.events(job_id), min=f"({cursor}", max="+", count=count) or []
        out.extend(decode(job_id, entry) for entry in batch)
        if len(batch) < count:
            return out
        cursor = out[-1].id


def follow(
    conn: redis.Redis,
    job_id: str,
    after: str = START,
    *,
    block_ms: int = 1000,
    stop_at_terminal: bool = True,
    timeout: float | None = None,
) -> Iterator[JobEvent]:
    """Yield events after `after` as they arrive (XREAD BLOCK).

    With `stop_at_terminal`, it ends after the job's last event.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    cursor = after
    stream = keys.events(job_id)
    while deadline is None or time.monotonic() < deadline:
        reply = conn.xread({stream: cursor}, block=block_ms, count=500)
        for entry in _read_entries(reply):
            event = decode(job_id, entry)
            cursor = event.id
            yield event
            if stop_at_terminal and event.type.terminal:
                return


def _read_entries(reply: XReadResponse | None) -> list[StreamEntry]:
    """Flatten an XREAD reply (RESP2: `[[stream, entries], ...]`; None on timeout)."""
    if not reply:
        return []
    if not isinstance(reply, list):
        raise TypeError(f"unexpected XREAD reply (RESP3?): {type(reply).__name__}")
    return [entry for _, entries in reply for entry in entries]
