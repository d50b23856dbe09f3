"""Local workers that exit are restarted, with a backoff that grows while they keep exiting."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from caseworker.domain.job import JobStatus
from caseworker.runtime import local, operations
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.operations import OperationType
from caseworker.runtime.store import JobStore
from tests.fixtures import jobs
from tests.fixtures.cases import acme


@pytest.fixture
def one_worker(conn: redis.Redis, redis_url: str, counters: Path) -> Iterator[LocalWorkers]:
    pool = LocalWorkers(redis_url, 1)
    pool.start()
    yield pool
    pool.stop()


def _new_pid(pool: LocalWorkers, old: int, timeout: float = 15.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [p.pid for p in pool.processes if p.is_alive() and p.pid != old]
        if pids and pids[0] is not None:
            return pids[0]
        time.sleep(0.1)
    raise AssertionError("the worker was not restarted")


def test_a_killed_worker_is_restarted_and_takes_work(
    conn: redis.Redis, one_worker: LocalWorkers,
) -> None:
    (first,) = one_worker.pids
    os.kill(first, signal.SIGKILL)
    second = _new_pid(one_worker, first)
    assert one_worker.restarts == 1
    job_id = jobs.start(conn, "parallel", acme())
    jobs.wait(conn, job_id, timeout=60)
    job = JobStore(conn).get(job_id)
    assert job.status == JobStatus.complete
    assert {r.worker for r in job.results.values()} and all(
        str(second) in (r.worker or "") for r in job.results.values())


def test_a_worker_that_keeps_exiting_backs_off(
    one_worker: LocalWorkers, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local, "RESTART_FIRST", 0.2)
    pid = one_worker.pids[0]
    waits = []
    for _ in range(3):
        os.kill(pid, signal.SIGTERM)  # it stops by itself, as a crash loop does
        killed = time.monotonic()
        pid = _new_pid(one_worker, pid)
        waits.append(time.monotonic() - killed)
    assert one_worker.slots[0].quick_exits == 3
    assert waits[2] > waits[0]  # 0.2 s, 0.4 s, 0.8 s before each restart (plus start-up)


def test_an_exit_and_its_restart_are_in_the_operations_log(
    conn: redis.Redis, one_worker: LocalWorkers,
) -> None:
    (first,) = one_worker.pids
    os.kill(first, signal.SIGKILL)
    second = _new_pid(one_worker, first)
    deadline = time.monotonic() + 5
    while len(operations.recent(conn)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    exited, restarted = operations.recent(conn)[-2:]
    assert exited.type == OperationType.worker_exited
    assert exited.data["pid"] == first and exited.data["exit_code"] == -signal.SIGKILL
    assert restarted.type == OperationType.worker_restarted
    assert restarted.data == {"slot": 0, "pid": second, "previous_pid": first, "restarts": 1}


def test_a_worker_killed_from_outside_comes_back_at_once_however_often(
    one_worker: LocalWorkers,
) -> None:
    pid = one_worker.pids[0]
    for _ in range(3):
        os.kill(pid, signal.SIGKILL)  # an operator, the OOM killer, a fault drill
        pid = _new_pid(one_worker, pid)
    assert one_worker.slots[0].quick_exits == 0  # not a crash loop: no growing backoff
