"""A local runtime for `caseworker run`: embedded Redis (unless REDIS_URL) and forked workers.

The parent imports the agent stack once and then forks, so workers take their first check
at once and share the imported code's memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType

from caseworker.logs import get_logger
from caseworker.runtime.connection import EmbeddedRedis

log = get_logger(__name__)


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent dies


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this process if its parent dies (a killed `run` or `serve`)."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _worker_main(url: str) -> None:
    from caseworker.runtime.worker import run_worker

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
    run_worker(url)


class LocalWorkers:
    """A pool of worker processes on this machine."""

    def __init__(self, url: str, count: int) -> None:
        self.url = url
        self.count = count
        self.processes: list[BaseProcess] = []

    def start(self) -> None:
        if self.count == 0:
            return
        import caseworker.runtime.tasks  # noqa: F401  (load the agent stack once, then fork)
        from caseworker.tools.registry import default_registry

        default_registry().prepare()
        context = multiprocessing.get_context("fork")
        for _ in range(self.count):
            process = context.Process(target=_worker_main, args=(self.url,), daemon=True)
            process.start()
            self.processes.append(process)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def stop(self, timeout: float = 5.0) -> None:
        for process in self.processes:
            if process.is_alive() and process.pid:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join()
        self.processes.clear()


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
