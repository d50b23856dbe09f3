"""Local worker processes for `caseworker run`: forked after imports, so they start at once."""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.process import BaseProcess

from caseworker.logs import get_logger

log = get_logger(__name__)


def _worker_main(url: str) -> None:
    from caseworker.runtime.worker import run_worker

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
    run_worker(url)


class LocalWorkers:
    """A pool of worker processes on this machine."""

    def __init__(self, url: str, count: int) -> None:
        self.url = url
        self.count = count
        self.processes: list[BaseProcess] = []

    def start(self) -> None:
        import caseworker.runtime.tasks  # noqa: F401  (import the agent stack once, then fork)
        import caseworker.runtime.worker  # noqa: F401
        from caseworker.tools.registry import default_registry

        default_registry()

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
