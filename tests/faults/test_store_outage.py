"""Jobs survive the store going away: Redis SIGKILLed and restarted on its AOF, or paused."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from caseworker.domain.events import EventType
from caseworker.domain.job import JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.runtime import events, operations
from caseworker.runtime.connection import EmbeddedRedis, connect
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.operations import OperationType
from caseworker.runtime.store import JobStore
from tests.fixtures import jobs
from tests.fixtures.cases import acme

pytestmark = [
    pytest.mark.faults, pytest.mark.slow,
    # Killing the server under live clients leaves sockets that redis-py drops without closing;
    # the garbage collector's ResourceWarning about them is the fault injected, not a leak.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
JOBS = 24


@dataclass
class Store:
    server: EmbeddedRedis
    data: Path

    @property
    def process(self) -> subprocess.Popen[bytes]:
        assert self.server.process is not None
        return self.server.process

    def restart(self) -> None:
        self.server = EmbeddedRedis(self.data)
        self.server.start()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    data = tmp_path / "redis"
    server = EmbeddedRedis(data)
    server.start()
    running = Store(server, data)
    yield running
    running.server.stop()


@pytest.fixture
def pool(store: Store, counters: Path) -> Iterator[LocalWorkers]:
    workers = LocalWorkers(store.server.url, 3)
    workers.start()
    yield workers
    workers.stop()


def _submit(conn: redis.Redis) -> list[str]:
    cases = [acme().model_copy(update={"id": f"outage-{n}"}) for n in range(JOBS)]
    ids = [jobs.start(conn, "parallel", case) for case in cases]
    time.sleep(1.5)  # past the AOF's once-a-second fsync: the submissions are durable
    return ids


def _wait_all(conn: redis.Redis, ids: list[str], timeout: float) -> dict[str, JobStatus]:
    store = JobStore(conn)
    deadline = time.monotonic() + timeout
    while True:
        try:
            statuses = {job_id: store.status(job_id) for job_id in ids}
        except redis.ConnectionError:
            statuses = {}
        if statuses and all(s.finished for s in statuses.values()):
            return statuses
        if time.monotonic() > deadline:
            return statuses
        time.sleep(0.5)


def _assert_outcome(conn: redis.Redis, ids: list[str], statuses: dict[str, JobStatus]) -> None:
    stuck = [job_id for job_id, status in statuses.items() if not status.finished]
    assert not stuck, f"{len(stuck)} of {len(ids)} jobs never finished"
    store = JobStore(conn)
    for job_id in ids:
        job = store.get(job_id)
        assert job.status == JobStatus.complete, (job_id, job.error)
        assert job.recommendation == Recommendation.approve  # the fault-free decision
        assert set(job.results) == {"left", "right", "join"}
        done_at: dict[str, int] = {}
        for n, event in enumerate(events.replay(conn, job_id)):
            if event.type == EventType.check_completed and event.check_id:
                assert event.check_id not in done_at, f"{job_id}: {event.check_id} twice"
                done_at[event.check_id] = n
            if event.type == EventType.check_started and event.check_id in done_at:
                raise AssertionError(f"{job_id}: completed check {event.check_id} run again")


def test_jobs_complete_through_a_redis_kill_and_restart(
    store: Store, pool: LocalWorkers,
) -> None:
    conn = connect(store.server.url)
    ids = _submit(conn)
    store.process.send_signal(signal.SIGKILL)
    store.process.wait()
    time.sleep(2)
    store.restart()
    statuses = _wait_all(conn, ids, timeout=120)
    _assert_outcome(conn, ids, statuses)
    assert all(p.is_alive() for p in pool.processes)
    rejoined = [e for e in operations.recent(conn) if e.type == OperationType.worker_rejoined]
    # Every worker saw the outage (its name is worker-<host>-<pid>-<hex>) and says how long.
    assert {int(e.data["worker"].rsplit("-", 2)[1]) for e in rejoined} == set(pool.pids)
    assert all(e.data["away_s"] >= 1 for e in rejoined)  # Redis was down for 2 s


def test_jobs_complete_through_a_redis_pause(store: Store, pool: LocalWorkers) -> None:
    conn = connect(store.server.url)
    ids = _submit(conn)
    os.kill(store.process.pid, signal.SIGSTOP)
    time.sleep(10)
    os.kill(store.process.pid, signal.SIGCONT)
    statuses = _wait_all(conn, ids, timeout=120)
    _assert_outcome(conn, ids, statuses)
