"""A worker killed mid-check: the check is picked up again fast; completed checks never rerun."""

from __future__ import annotations

import os
import signal
import time

import redis

from caseworker.domain.events import EventType
from caseworker.domain.job import JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.runtime import events
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from tests.fixtures import jobs
from tests.fixtures.cases import acme
from tests.fixtures.tools import executions


def _wait_for_event(conn: redis.Redis, job_id: str, type: EventType, check_id: str,
                    timeout: float = 15.0) -> events.JobEvent:
    for event in events.follow(conn, job_id, block_ms=100, timeout=timeout):
        if event.type == type and event.check_id == check_id:
            return event
    raise AssertionError(f"no {type} for {check_id} within {timeout}s")


def test_sigkill_mid_check_recovers_without_rerunning_completed_checks(
    conn: redis.Redis, workers: LocalWorkers,
) -> None:
    job_id = jobs.start(conn, "killable", acme())
    started = _wait_for_event(conn, job_id, EventType.tool_called, "slow")
    assert started.pid in workers.pids
    time.sleep(0.3)  # well inside the 3 s of work
    os.kill(started.pid, signal.SIGKILL)
    killed_at = time.time()
    # The surviving worker keeps serving, but the killed one must be replaced for capacity.
    replacement = LocalWorkers(workers.url, 1)
    replacement.start()
    try:
        seen = jobs.wait(conn, job_id, timeout=30)
    finally:
        replacement.stop()

    retry = next(e for e in seen if e.type == EventType.check_retrying and e.check_id == "slow")
    assert retry.data["reason"] == "worker_lost"
    assert retry.ts.timestamp() - killed_at < 10, "the orphaned check was not picked up in 10 s"
    restarted = [e for e in seen if e.type == EventType.check_started and e.check_id == "slow"]
    assert len(restarted) == 2 and restarted[1].pid != started.pid

    job = JobStore(conn).get(job_id)
    assert job.status == JobStatus.complete
    assert job.recommendation == Recommendation.approve
    assert job.results["slow"].attempts == 2
    assert executions("slow") == 2  # interrupted once, then completed
    assert executions("quick") == 1  # completed before the kill: never run again
    assert executions("sibling") == 1
    assert executions("final") == 1


def test_checks_give_up_after_bounded_attempts(conn: redis.Redis, redis_url: str,
                                               counters: object) -> None:
    from caseworker.runtime.recovery import reap

    job_id = jobs.start(conn, "killable", acme())
    store = JobStore(conn)
    # Simulate `quick` held by workers that died, as many times as attempts allow.
    for attempt in range(1, 4):
        assert store.transition(job_id, "quick", *(("queued", "running")))
        store.start_check(job_id, "quick", f"dead-worker-{attempt}")
        recovered = reap(conn)
        assert (job_id, "quick") in recovered
    result = store.result(job_id, "quick")
    assert result is not None and result.status == "error"
    assert result.alerts[0].code == "attempts_exhausted"
