"""A worker killed mid-check: the check is picked up again fast; completed checks never rerun."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import redis
from rq.job import Job

from caseworker.domain.events import EventType
from caseworker.domain.job import CheckState, JobStatus
from caseworker.domain.plan import Recommendation, Severity
from caseworker.domain.results import CheckResult, CheckStatus, Timings
from caseworker.runtime import events
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.queue import check_queue, queue_entry
from caseworker.runtime.recovery import heartbeat, reap
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
    seen = jobs.wait(conn, job_id, timeout=30)

    retry = next(e for e in seen if e.type == EventType.check_retrying and e.check_id == "slow")
    assert retry.data["reason"] == "worker_lost"
    assert retry.ts.timestamp() - killed_at < 10, "the orphaned check was not picked up in 10 s"
    restarted = [e for e in seen if e.type == EventType.check_started and e.check_id == "slow"]
    # run again by the other worker, or by the one the pool started in the killed one's place
    assert len(restarted) == 2 and restarted[1].pid != started.pid

    job = JobStore(conn).get(job_id)
    assert job.status == JobStatus.complete
    assert job.recommendation == Recommendation.approve
    assert job.results["slow"].attempts == 2
    assert executions("slow") == 2  # interrupted once, then completed
    assert executions("quick") == 1  # completed before the kill: never run again
    assert executions("sibling") == 1
    assert executions("final") == 1


def test_checks_give_up_after_bounded_attempts(conn: redis.Redis, counters: object) -> None:
    job_id = jobs.start(conn, "killable", acme())
    store = JobStore(conn)
    # `quick` is taken by workers that die, as many times as attempts allow.
    for attempt in range(1, 4):
        assert store.claim_check(job_id, "quick", f"dead-worker-{attempt}")
        assert (job_id, "quick") in reap(conn)
    result = store.result(job_id, "quick")
    assert result is not None and result.status == "error"
    assert result.attempts == 3
    assert result.alerts[0].code == "attempts_exhausted"
    # the job goes on: the checks after `quick` were enqueued
    assert store.states(job_id)["slow"] == CheckState.queued


def test_lost_queue_entry_is_enqueued_again(conn: redis.Redis, counters: object) -> None:
    job_id = jobs.start(conn, "killable", acme())
    entry = queue_entry(conn, job_id, "quick")
    assert entry is not None and entry.status == "queued"
    Job.fetch(entry.rq_id, connection=conn).delete()  # e.g. lost with a worker mid-dequeue
    assert reap(conn) == []  # within the grace period nothing happens
    time.sleep(0.6)
    assert reap(conn) == [(job_id, "quick")]
    again = queue_entry(conn, job_id, "quick")
    assert again is not None and again.rq_id != entry.rq_id and again.status == "queued"
    retry = events.replay(conn, job_id)[-1]
    assert retry.type == EventType.check_retrying and retry.data["reason"] == "queue_entry_lost"


def test_a_queue_entry_taken_by_a_worker_that_died_before_starting_it_is_enqueued_again(
    conn: redis.Redis, counters: object,
) -> None:
    job_id = jobs.start(conn, "killable", acme())
    entry = queue_entry(conn, job_id, "quick")
    assert entry is not None and entry.status == "queued"
    queue = check_queue(conn)
    # As RQ's dequeue does, then the worker is SIGKILLed: the job says queued, no list holds it.
    assert conn.lrem(queue.key, 1, entry.rq_id) == 1
    time.sleep(0.6)  # past the enqueue's grace period
    assert reap(conn) == []  # first seen missing: it may yet turn up (a move under way)
    time.sleep(0.6)
    assert reap(conn) == [(job_id, "quick")]  # still missing a grace period later: lost
    again = queue_entry(conn, job_id, "quick")
    assert again is not None and again.rq_id != entry.rq_id
    assert again.rq_id.encode() in conn.lrange(queue.key, 0, -1)


def test_a_queue_entry_registered_as_started_by_a_worker_that_died_is_enqueued_again(
    conn: redis.Redis, counters: object,
) -> None:
    job_id = jobs.start(conn, "killable", acme())
    entry = queue_entry(conn, job_id, "quick")
    assert entry is not None
    queue = check_queue(conn)
    # The worker moved it to the started registry and was SIGKILLed before marking it started.
    assert conn.lrem(queue.key, 1, entry.rq_id) == 1
    conn.zadd(queue.started_job_registry.key, {f"{entry.rq_id}:exec1": time.time() + 900})
    time.sleep(0.6)
    assert reap(conn) == []
    time.sleep(0.6)
    assert reap(conn) == [(job_id, "quick")]


def test_a_check_waiting_in_the_queue_is_left_alone(conn: redis.Redis, counters: object) -> None:
    jobs.start(conn, "killable", acme())
    time.sleep(0.6)  # past the grace period, still waiting: no worker runs here
    assert reap(conn) == [] and reap(conn) == []


def test_reaper_finishes_what_a_dead_process_left_half_done(
    conn: redis.Redis, counters: object,
) -> None:
    """A worker that died between saving a result and enqueueing the dependents."""
    job_id = jobs.start(conn, "killable", acme())
    store = JobStore(conn)
    assert store.claim_check(job_id, "quick", "worker-that-died")
    now = dt.datetime.now(dt.UTC)
    store.complete_check(job_id, CheckResult(
        check_id="quick", title="Quick check", severity=Severity.medium,
        status=CheckStatus.passed, answer="ok", timings=Timings(started_at=now, finished_at=now),
    ), memory_writes={})
    assert store.states(job_id)["slow"] == CheckState.pending
    reap(conn)
    assert store.states(job_id)["slow"] == CheckState.queued
    assert store.states(job_id)["sibling"] == CheckState.queued


def test_a_check_taken_back_goes_to_the_front_of_the_queue(
    conn: redis.Redis, counters: object,
) -> None:
    from caseworker.runtime.queue import check_queue, queue_entry

    first = jobs.start(conn, "killable", acme())
    backlog = [jobs.start(conn, "killable", acme()) for _ in range(3)]
    store = JobStore(conn)
    assert store.claim_check(first, "quick", "dead-worker")
    assert (first, "quick") in reap(conn)
    retried = queue_entry(conn, first, "quick")
    assert retried is not None and retried.rq_id == f"{first}-quick-2"
    queued = check_queue(conn).job_ids
    assert queued[0] == retried.rq_id  # ahead of the backlog's checks
    assert any(rq_id.startswith(backlog[-1]) for rq_id in queued[1:])


def test_a_claimed_check_has_its_worker_from_the_first_moment(
    conn: redis.Redis, counters: object,
) -> None:
    """The reaper once took back checks caught between 'running' and their worker's name."""
    job_id = jobs.start(conn, "killable", acme())
    store = JobStore(conn)
    me = "worker-alive"
    heartbeat(conn, me)  # a live worker
    assert store.claim_check(job_id, "quick", me) == 1
    assert store.claim_check(job_id, "quick", "another-worker") is None  # claimed once only
    assert store.states(job_id)["quick"] == CheckState.running
    assert store.running(job_id) == {"quick": me}
    assert reap(conn) == []
    assert store.claim_check(job_id, "slow", me) is None  # pending, not queued
