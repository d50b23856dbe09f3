"""One XREAD per API process tells stream subscribers when their job's events grew.

Subscribers read their events themselves (XRANGE after their own cursor), so each client
gets every event exactly once and in order whatever the hub does: the hub only wakes them.
A slow or frozen client holds nothing but its own cursor; the hub never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import redis
import redis.asyncio as aioredis

from caseworker.logs import get_logger
from caseworker.runtime import keys
from caseworker.runtime.connection import as_text

log = get_logger(__name__)
BLOCK_MS = 100  # how long one XREAD waits; new subscriptions join at the next round
BATCH = 100  # entries per stream per XREAD: enough to learn that a stream grew


def _stream_id(value: str) -> tuple[int, int]:
    ms, _, seq = value.partition("-")
    return int(ms), int(seq or 0)


class EventHub:
    """Wake subscribers of job streams on new entries, from a single blocking reader."""

    def __init__(self, conn: aioredis.Redis) -> None:
        self.conn = conn
        self._subscribers: dict[str, set[asyncio.Event]] = {}
        self._cursors: dict[str, str] = {}  # job id -> the last entry the hub has seen
        self._joined = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def subscribers(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    @contextlib.asynccontextmanager
    async def subscribe(self, job_id: str, after: str) -> AsyncIterator[asyncio.Event]:
        """Yield an event set whenever the job's stream may have entries after the hub's cursor."""
        woke = asyncio.Event()
        self._subscribers.setdefault(job_id, set()).add(woke)
        self.seen(job_id, after)
        self._joined.set()
        try:
            yield woke
        finally:
            group = self._subscribers.get(job_id)
            if group is not None:
                group.discard(woke)
                if not group:
                    del self._subscribers[job_id]
                    self._cursors.pop(job_id, None)

    def seen(self, job_id: str, cursor: str) -> None:
        """Note that a subscriber has read up to `cursor`: no need to report what lies before it."""
        current = self._cursors.get(job_id)
        if current is None or _stream_id(cursor) > _stream_id(current):
            self._cursors[job_id] = cursor

    async def _run(self) -> None:
        while True:
            if not self._subscribers:
                self._joined.clear()
                await self._joined.wait()
                continue
            streams = {keys.events(job): self._cursors.get(job, "0-0")
                       for job in list(self._subscribers)}
            try:
                reply: Any = await self.conn.xread(
                    streams,  # type: ignore[arg-type]
                    block=BLOCK_MS, count=BATCH,
                )
            except redis.RedisError as exc:
                log.warning("event hub read failed error=%s", exc)
                self._wake_all()  # subscribers find out for themselves, and say so
                await asyncio.sleep(0.5)
                continue
            for stream, entries in reply or []:
                job_id = as_text(stream).removeprefix(f"{keys.PREFIX}:job:").removesuffix(
                    ":events")
                if entries and job_id in self._subscribers:
                    self.seen(job_id, as_text(entries[-1][0]))
                    for woke in self._subscribers[job_id]:
                        woke.set()

    def _wake_all(self) -> None:
        for group in self._subscribers.values():
            for woke in group:
                woke.set()
