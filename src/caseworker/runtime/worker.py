"""Worker processes: an RQ worker that heartbeats and sweeps for orphaned checks."""

from __future__ import annotations

import contextlib
import threading
import time

import redis
from rq import SimpleWorker

from caseworker import tracing
from caseworker.integrations import notices
from caseworker.integrations.webhooks.dispatch import webhook_queue
from caseworker.logs import get_logger
from caseworker.runtime import identity, keys, operations
from caseworker.runtime.connection import STORE_ERRORS, connect, wait_for_store
from caseworker.runtime.operations import OperationType
from caseworker.runtime.queue import check_queue
from caseworker.runtime.recovery import heartbeat, reap
from caseworker.settings import get_settings
from caseworker.tools.registry import default_registry

log = get_logger(__name__)
REAPER_LOCK_MS = 5_000


class Liveness(threading.Thread):
    """Background thread: refresh this worker's liveness key and reap dead workers' checks.

    It is also the worker's watch on the store: when ticks that failed succeed again, the
    outage is recorded in the operations log (`worker.rejoined`, with how long it lasted).
    """

    def __init__(self, conn: redis.Redis, name: str) -> None:
        super().__init__(name=f"liveness-{name}", daemon=True)
        self.conn = conn
        self.worker_name = name
        self.stopped = threading.Event()

    def run(self) -> None:
        settings = get_settings()
        next_reap = 0.0
        clock = 0.0
        lost_at: float | None = None  # monotonic time of the first failed tick of an outage
        while not self.stopped.is_set():
            try:
                heartbeat(self.conn, self.worker_name)
                if lost_at is not None:
                    operations.record(self.conn, OperationType.worker_rejoined,
                                      worker=self.worker_name,
                                      away_s=round(time.monotonic() - lost_at, 1))
                    lost_at = None
                if clock >= next_reap:
                    sweep(self.conn)
                    next_reap = clock + settings.reaper_interval
                self._dispatch()
            except redis.RedisError as exc:
                if lost_at is None and isinstance(exc, STORE_ERRORS):
                    lost_at = time.monotonic()
                log.warning("liveness tick failed worker=%s error=%s", self.worker_name, exc)
            self.stopped.wait(settings.heartbeat_interval)
            clock += settings.heartbeat_interval

    def _dispatch(self) -> None:
        """Move notices to the integrations; a failure there never stops the heartbeats."""
        try:
            notices.tick(self.conn, self.worker_name)
        except redis.RedisError:
            raise
        except Exception:  # a malformed notice must cost that notice, not the liveness thread
            log.exception("notice dispatch failed worker=%s", self.worker_name)

    def stop(self) -> None:
        self.stopped.set()

    def rename(self, name: str) -> None:
        """Heartbeat under a new worker name from now on."""
        self.worker_name = name


class CheckWorker(SimpleWorker):
    """RQ's in-process worker without its pub/sub command channel.

    RQ joins that channel's thread with a one-second timeout on every shutdown; caseworker
    controls checks through its own keys, so the channel would only slow every stop down.
    """

    def subscribe(self) -> None:
        self.pubsub_thread = None

    def unsubscribe(self) -> None:
        return None


def sweep(conn: redis.Redis) -> None:
    """One reaper pass, by at most one process at a time across the cluster."""
    if conn.set(keys.REAPER_LOCK, identity.current().name, nx=True, px=REAPER_LOCK_MS):
        try:
            reap(conn)
        finally:
            conn.delete(keys.REAPER_LOCK)


def run_worker(url: str, *, burst: bool = False) -> None:
    """Run one worker process against the Redis at `url` until stopped.

    The process outlives the store: when Redis goes away (restart, failover, pause), the
    worker waits for it with backoff and goes back to work, rather than exit.
    """
    me = identity.become_worker()
    tracing.configure()
    default_registry().prepare()  # load tools, plug-ins and their data before the first job
    conn = connect(url)
    liveness = Liveness(connect(url), me.name)
    liveness.start()
    log.info("worker started name=%s", me.name)
    try:
        while True:
            try:
                heartbeat(conn, me.name)
                # Deliveries first: each is one bounded HTTP request, and a backlog of checks
                # must not hold back news of the checks already done.
                worker = CheckWorker([webhook_queue(conn), check_queue(conn)], connection=conn,
                                     name=me.name)
                worker.work(burst=burst, logging_level="WARNING", with_scheduler=False)
                return
            except STORE_ERRORS as exc:
                log.warning("worker lost the store name=%s error=%s", me.name, exc)
                waited = wait_for_store(conn)
                log.warning("worker back at work name=%s after=%.1fs", me.name, waited)
                me = identity.become_worker()  # RQ's registration of the old name may linger
                liveness.rename(me.name)
    finally:
        liveness.stop()
        with contextlib.suppress(redis.RedisError):
            conn.delete(keys.worker_alive(me.name))
        tracing.shutdown()  # forked workers skip the exit-time flush
