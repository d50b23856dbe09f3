"""Live job events over SSE (resumable with Last-Event-ID) and as NDJSON."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Annotated

import redis
from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from caseworker.api.context import Service
from caseworker.api.deps import Reader, ServiceDep, tenant_job
from caseworker.api.hub import Delivered
from caseworker.exceptions import AuthoringError, Problem
from caseworker.logs import get_logger
from caseworker.runtime import events, keys

log = get_logger(__name__)
router = APIRouter(prefix="/v1", tags=["events"])
RETRY_SECONDS = 1.0
_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
PAGE = 500

LastEventHeader = Annotated[str | None, Header(alias="Last-Event-ID", max_length=50)]
LastEventQuery = Annotated[
    str | None,
    Query(max_length=50, description="Resume after this event id (as the Last-Event-ID header)"),
]


def resume_cursor(header: str | None, query: str | None) -> str:
    value = (header or query or "").strip()
    if not value:
        return events.START
    if not _STREAM_ID.match(value):
        raise AuthoringError(f"Last-Event-ID {value!r} is not an event id (like 1700000000000-0)",
                             problems=[Problem("not an event id", check_id="Last-Event-ID")])
    return value


async def job_events(svc: Service, job_id: str, after: str) -> AsyncIterator[Delivered | None]:
    """Every event after `after`, live, ending after the job's terminal event.

    Yields None when nothing happened for the keep-alive interval. A lost Redis connection
    is retried; the client's cursor stays where it was.
    """
    async with svc.hub.subscribe(job_id, after) as woke:
        cursor = after
        while True:
            woke.clear()
            batch = svc.hub.after(job_id, cursor)
            full = False
            if batch is None:  # further behind than the hub's cache: catch up from Redis
                try:
                    entries = await svc.aconn.xrange(keys.events(job_id), min=f"({cursor}",
                                                     max="+", count=PAGE) or []
                except redis.RedisError as exc:
                    log.warning("event stream read failed job_id=%s error=%s", job_id, exc)
                    await asyncio.sleep(RETRY_SECONDS)
                    continue
                full = len(entries) == PAGE
                batch = [Delivered.of(job_id, entry) for entry in entries]
            for position, delivered in enumerate(batch):
                cursor = delivered.event.id
                yield delivered
                if delivered.event.type.terminal and position == len(batch) - 1 and not full:
                    return  # the job has finished and nothing follows its terminal event
            if batch:
                continue
            try:
                await asyncio.wait_for(woke.wait(), timeout=svc.settings.stream_keepalive)
            except TimeoutError:
                yield None


@router.get(
    "/jobs/{job_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "SSE: `id` is the event id, `event` its type, `data` JSON"}},
)
async def stream_events(
    job_id: str, svc: ServiceDep, key: Reader,
    last_event_id: LastEventHeader = None, after: LastEventQuery = None,
) -> EventSourceResponse:
    """Follow a job live. A finished job replays and ends with its terminal event."""
    await asyncio.to_thread(tenant_job, svc, key, job_id)
    cursor = resume_cursor(last_event_id, after)

    async def sse() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(retry=svc.settings.stream_retry_ms, comment="caseworker")
        async for event in job_events(svc, job_id, cursor):
            if event is not None:  # idle: sse-starlette's own pings keep the line alive
                yield ServerSentEvent(id=event.event.id, event=event.event.type.value,
                                      data=event.json)

    return EventSourceResponse(
        sse(), ping=int(max(1, svc.settings.stream_keepalive)),
        send_timeout=svc.settings.stream_send_timeout,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get(
    "/jobs/{job_id}/events.ndjson",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}},
                     "description": "One JSON event per line; blank lines are keep-alives"}},
)
async def stream_ndjson(
    job_id: str, svc: ServiceDep, key: Reader,
    last_event_id: LastEventHeader = None, after: LastEventQuery = None,
) -> StreamingResponse:
    """Follow a job as newline-delimited JSON, for clients without SSE."""
    await asyncio.to_thread(tenant_job, svc, key, job_id)
    cursor = resume_cursor(last_event_id, after)

    async def lines() -> AsyncIterator[str]:
        async for event in job_events(svc, job_id, cursor):
            yield "\n" if event is None else event.json + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"Cache-Control": "no-store"})
