"""`caseworker worker --processes N`: one warm parent forks N workers and re-forks any that exits.

The parent imports the agent stack and loads the tools' data once, then only waits for its
children, so a replacement is forked in milliseconds with everything already in memory (a
freshly started process needs seconds). Restarts follow the local supervisor's policy
(`local.restart_delay`) and are recorded in the operations log. SIGTERM or SIGINT stops the
children (each finishes its current step) and then the parent.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass

import redis

import caseworker.runtime.tasks  # noqa: F401  (the agent stack, imported once, before forking)
from caseworker.logs import get_logger
from caseworker.runtime import operations
from caseworker.runtime.connection import connect
from caseworker.runtime.local import RECORD_TIMEOUT, _worker_main, restart_delay
from caseworker.runtime.operations import OperationType
from caseworker.tools.registry import default_registry

log = get_logger(__name__)

POLL = 0.1
STOP_GRACE = 30.0  # seconds children get to finish their step before SIGKILL


@dataclass
class _Child:
    slot: int
    started: float
    quick_exits: int = 0


def _fork(url: str) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: become a worker, never return into the parent's loop
        code = 0
        try:
            _worker_main(url, parent)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def run_prefork(url: str, processes: int) -> None:
    """Fork `processes` workers from this (warm) process and keep that many running."""
    default_registry().prepare()
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    store = connect(url, timeout=RECORD_TIMEOUT)
    children = {_fork(url): _Child(n, time.monotonic()) for n in range(processes)}
    pending: list[tuple[float, _Child, int]] = []  # (restart at, child, previous pid)
    log.info("prefork parent pid=%s workers=%s", os.getpid(), list(children))
    while not stopping:
        _reap(children, pending, store)
        now = time.monotonic()
        for entry in [p for p in pending if p[0] <= now]:
            pending.remove(entry)
            _, child, previous = entry
            pid = _fork(url)
            children[pid] = _Child(child.slot, now, child.quick_exits)
            operations.record(store, OperationType.worker_restarted, slot=child.slot, pid=pid,
                              previous_pid=previous)
        time.sleep(POLL)
    _stop_all(children)
    store.close()


def _reap(children: dict[int, _Child], pending: list[tuple[float, _Child, int]],
          store: redis.Redis) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        child = children.pop(pid, None)
        if child is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        now = time.monotonic()
        child.quick_exits, delay = restart_delay(child.quick_exits, now - child.started, code)
        pending.append((now + delay, child, pid))
        operations.record(store, OperationType.worker_exited, slot=child.slot, pid=pid,
                          exit_code=code, restart_in_s=delay)


def _stop_all(children: dict[int, _Child]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while children and time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left to wait for
        if pid:
            children.pop(pid, None)
        else:
            time.sleep(POLL)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
