"""A local runtime for `caseworker run`: embedded Redis (unless REDIS_URL) and forked workers.

The parent imports the agent stack once and then forks, so workers take their first check
at once and share the imported code's memory.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType

import redis

from caseworker.logs import get_logger
from caseworker.runtime import operations
from caseworker.runtime.connection import EmbeddedRedis, connect
from caseworker.runtime.operations import OperationType

log = get_logger(__name__)


ORPHAN_POLL = 0.25  # seconds between a worker's looks at whether its parent is still there
ORPHAN_GRACE = 5.0  # seconds an orphaned worker gets to finish its check, as in `stop`


def _watch_parent(parent: int) -> None:
    """Stop this worker once the process that started it is gone (a killed `run` or `serve`).

    It is asked to stop as `stop` would ask it (SIGTERM: RQ takes no new check and finishes
    the one in hand), then ends ORPHAN_GRACE seconds later whatever it is doing; the reaper
    recovers an unfinished check like any lost worker's. Polling the parent's pid also covers
    a parent that died between the fork and this thread's start.
    """
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL)
    log.warning("worker orphaned pid=%s parent=%s: stopping", os.getpid(), parent)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(ORPHAN_GRACE)
    os._exit(1)


def _worker_main(url: str, parent: int) -> None:
    from caseworker.runtime.worker import run_worker

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # until RQ installs its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch",
                     daemon=True).start()
    run_worker(url)


RESTART_FIRST = 1.0  # seconds before restarting a worker that exited ...
RESTART_CAP = 30.0  # ... doubling on each quick exit, up to this
HEALTHY_AFTER = 60.0  # a worker that ran this long before exiting restarts at once-ish again
SUPERVISE_EVERY = 0.5
RECORD_TIMEOUT = 2.0  # a paused store holds the supervisor up this long at most


def restart_delay(quick_exits: int, lived: float, exit_code: int | None) -> tuple[int, float]:
    """How long to wait before restarting a worker that exited; its new count of quick exits.

    A worker that keeps exiting soon after it started (a crash loop: bad settings, a missing
    dependency) waits longer each time, 1 s doubling to 30 s. One that was SIGKILLed (an
    operator, the OOM killer, a fault drill) did not fail by itself: it comes back after 1 s
    however often that happens.
    """
    if exit_code == -signal.SIGKILL:
        return quick_exits, RESTART_FIRST
    quick_exits = quick_exits + 1 if lived < HEALTHY_AFTER else 0
    return quick_exits, min(RESTART_CAP, RESTART_FIRST * 2 ** max(quick_exits - 1, 0))


@dataclass
class _Slot:
    """One local worker: its current process and how often it had to be restarted."""

    process: BaseProcess
    started: float
    quick_exits: int = 0
    restart_at: float | None = None  # set once its exit has been noticed


class LocalWorkers:
    """A pool of worker processes on this machine, restarted with backoff when one exits."""

    def __init__(self, url: str, count: int) -> None:
        self.url = url
        self.count = count
        self.slots: list[_Slot] = []
        self.restarts = 0
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._conn: redis.Redis | None = None

    def start(self) -> None:
        if self.count == 0:
            return
        import caseworker.runtime.tasks  # noqa: F401  (load the agent stack once, then fork)
        from caseworker.tools.registry import default_registry

        default_registry().prepare()
        context = multiprocessing.get_context("fork")
        for _ in range(self.count):
            process = context.Process(target=_worker_main, args=(self.url, os.getpid()),
                                      daemon=True)
            process.start()
            self.slots.append(_Slot(process, time.monotonic()))
        self._supervisor = threading.Thread(target=self._supervise_loop, name="supervisor",
                                            daemon=True)
        self._supervisor.start()

    @property
    def processes(self) -> list[BaseProcess]:
        return [slot.process for slot in self.slots]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def _supervise_loop(self) -> None:
        while not self._stopping.wait(SUPERVISE_EVERY):
            self.supervise()

    def supervise(self) -> None:
        """Restart workers that exited, each after a backoff that grows while it keeps failing."""
        now = time.monotonic()
        for n, slot in enumerate(self.slots):
            if self._stopping.is_set() or slot.process.is_alive():
                continue
            if slot.restart_at is None:
                slot.quick_exits, delay = restart_delay(slot.quick_exits, now - slot.started,
                                                        slot.process.exitcode)
                slot.restart_at = now + delay
                operations.record(self._store(), OperationType.worker_exited, slot=n,
                                  pid=slot.process.pid, exit_code=slot.process.exitcode,
                                  restart_in_s=delay)
            elif now >= slot.restart_at:
                # Spawned, not forked: this process now has threads (a server, this one).
                process = multiprocessing.get_context("spawn").Process(
                    target=_worker_main, args=(self.url, os.getpid()), daemon=True)
                process.start()
                self.slots[n] = _Slot(process, now, quick_exits=slot.quick_exits)
                self.restarts += 1
                operations.record(self._store(), OperationType.worker_restarted, slot=n,
                                  pid=process.pid, previous_pid=slot.process.pid,
                                  restarts=self.restarts)

    def _store(self) -> redis.Redis:
        if self._conn is None:
            self._conn = connect(self.url, timeout=RECORD_TIMEOUT)
        return self._conn

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join()
        for process in self.processes:
            if process.is_alive() and process.pid:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join()
        self.slots.clear()


class LocalRuntime:
    """Redis plus local workers for the duration of a `with` block."""

    def __init__(self, redis_url: str | None, data_dir: Path, workers: int) -> None:
        self.embedded = None if redis_url else EmbeddedRedis(data_dir / "redis")
        self.redis_url = redis_url
        self.workers_count = workers
        self.workers: LocalWorkers | None = None

    @property
    def url(self) -> str:
        assert self.redis_url is not None, "the runtime is not started"
        return self.redis_url

    def __enter__(self) -> LocalRuntime:
        try:
            if self.embedded is not None:
                self.redis_url = self.embedded.start()
            self.workers = LocalWorkers(self.url, self.workers_count)
            self.workers.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.workers is not None:
            self.workers.stop()
        if self.embedded is not None:
            self.embedded.stop()
