"""One XREAD per API process reads every followed job's new events once, for all its clients.

The hub keeps, per followed job, the events it has read since the job was first followed (up
to CACHE_EVENTS of them) and wakes the job's subscribers. A subscriber takes the events after
its own cursor from that cache; one that is further behind (resuming from an old
Last-Event-ID) reads its own catch-up with XRANGE. Either way each client gets every event
once and in order, and a slow or frozen client holds nothing but its own cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.typing import StreamEntry

from caseworker.domain.events import JobEvent
from caseworker.logs import get_logger
from caseworker.runtime import events, keys
from caseworker.runtime.connection import as_text

log = get_logger(__name__)
BLOCK_MS = 100  # how long one XREAD waits; a new subscription joins at the next round
BATCH = 200  # entries per stream per XREAD
CACHE_EVENTS = 2_000  # events kept per followed job


def stream_id(value: str) -> tuple[int, int]:
    """Return a stream id as a comparable pair ("1700000000000-3" -> (1700000000000, 3))."""
    ms, _, seq = value.partition("-")
    return int(ms), int(seq or 0)


@dataclass(frozen=True, slots=True)
class Delivered:
    """One event and its JSON, encoded once for every client that receives it."""

    event: JobEvent
    json: str

    @classmethod
    def of(cls, job_id: str, entry: StreamEntry) -> Delivered:
        """Decode one stream entry and encode its JSON."""
        event = events.decode(job_id, entry)
        return cls(event, event.model_dump_json())


@dataclass
class _Followed:
    """What the hub knows of one followed job's stream."""

    cursor: str  # the last entry the hub has read
    start: str  # the cache holds every entry after this one, up to `cursor`
    cache: deque[Delivered] = field(default_factory=lambda: deque(maxlen=CACHE_EVENTS))
    subscribers: set[asyncio.Event] = field(default_factory=set)

    def after(self, cursor: str) -> list[Delivered] | None:
        """Return the cached events after `cursor`; None if the cache does not reach that far."""
        at = stream_id(cursor)
        if at >= stream_id(self.cursor):
            return []
        if at < stream_id(self.start):
            return None
        newer: list[Delivered] = []  # clients are mostly near the end: walk back from there
        for delivered in reversed(self.cache):
            if stream_id(delivered.event.id) <= at:
                break
            newer.append(delivered)
        newer.reverse()
        return newer

    def add(self, delivered: Delivered) -> None:
        if len(self.cache) == self.cache.maxlen:
            self.start = self.cache[0].event.id  # the oldest falls out of reach
        self.cache.append(delivered)
        self.cursor = delivered.event.id


class EventHub:
    """Read followed jobs' streams with a single blocking reader and wake their subscribers."""

    def __init__(self, conn: aioredis.Redis) -> None:
        self.conn = conn
        self._jobs: dict[str, _Followed] = {}
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
        return sum(len(f.subscribers) for f in self._jobs.values())

    @contextlib.asynccontextmanager
    async def subscribe(self, job_id: str, after: str) -> AsyncIterator[asyncio.Event]:
        """Yield an event the hub sets whenever it has read new entries of the job's stream.

        A job followed for the first time is read from `after`, this subscriber's cursor.
        """
        woke = asyncio.Event()
        followed = self._jobs.get(job_id)
        if followed is None:
            followed = self._jobs[job_id] = _Followed(cursor=after, start=after)
        followed.subscribers.add(woke)
        self._joined.set()
        try:
            yield woke
        finally:
            followed.subscribers.discard(woke)
            if not followed.subscribers and self._jobs.get(job_id) is followed:
                del self._jobs[job_id]

    def after(self, job_id: str, cursor: str) -> list[Delivered] | None:
        """Events the hub has read after `cursor`; None when the caller must read them itself."""
        followed = self._jobs.get(job_id)
        return None if followed is None else followed.after(cursor)

    async def _run(self) -> None:
        while True:
            if not self._jobs:
                self._joined.clear()
                await self._joined.wait()
                continue
            streams = {keys.events(job): f.cursor for job, f in self._jobs.items()}
            try:
                reply: Any = await self.conn.xread(
                    streams,  # type: ignore[arg-type]
                    block=BLOCK_MS, count=BATCH,
                )
            except redis.RedisError as exc:
                log.warning("event hub read failed error=%s", exc)
                await asyncio.sleep(0.5)
                continue
            for stream, entries in reply or []:
                job_id = as_text(stream).removeprefix(f"{keys.PREFIX}:job:").removesuffix(
                    ":events")
                followed = self._jobs.get(job_id)
                if followed is None or not entries:
                    continue
                for entry in entries:
                    followed.add(Delivered.of(job_id, entry))
                for woke in followed.subscribers:
                    woke.set()
