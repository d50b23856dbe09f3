"""`caseworker worker --processes N`: a warm parent re-forks a killed worker in a moment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from caseworker.domain.job import JobStatus
from caseworker.runtime import operations
from caseworker.runtime.operations import OperationType
from caseworker.runtime.store import JobStore
from tests.fixtures import jobs
from tests.fixtures.cases import acme

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _wait_children(pid: int, count: int, without: set[int], timeout: float = 60) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _children(pid) - without
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"worker parent {pid} has {_children(pid)} children")


def test_a_killed_worker_is_reforked_at_once_and_the_parent_stops_cleanly(
    conn: redis.Redis, redis_url: str, counters: Path,
) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-m", "caseworker", "worker", "--url", redis_url, "--processes", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        first = _wait_children(parent.pid, 2, set())
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        (replacement,) = _wait_children(parent.pid, 1, first)
        assert time.monotonic() - killed < 5  # a fork, after the 1 s restart delay
        job_id = jobs.start(conn, "parallel", acme())
        jobs.wait(conn, job_id, timeout=60)
        assert JobStore(conn).get(job_id).status == JobStatus.complete
        records = operations.recent(conn)
        exited = next(r for r in records if r.type == OperationType.worker_exited)
        assert exited.data["pid"] == victim and exited.data["exit_code"] == -signal.SIGKILL
        restarted = next(r for r in records if r.type == OperationType.worker_restarted)
        assert restarted.data["pid"] == replacement
    finally:
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=40) == 0
