"""The scheduler: enqueue each check once its dependencies are done; finalize when all are."""

from __future__ import annotations

import redis

from caseworker.agents.aggregator import decide
from caseworker.domain.events import EventType
from caseworker.domain.job import CheckState, JobStatus
from caseworker.logs import get_logger
from caseworker.runtime import events, keys
from caseworker.runtime.queue import enqueue_check
from caseworker.runtime.store import JobStore

log = get_logger(__name__)
FINALIZE_LOCK_MS = 30_000


def advance(conn: redis.Redis, job_id: str) -> None:
    """Enqueue every newly ready check; finalize the job once every check is done.

    Safe to call from any process at any time: the pending → queued transition is atomic,
    so a check is enqueued once however many callers race. At most the agent's
    `concurrency` checks of one job are queued or running at once.
    """
    store = JobStore(conn)
    if store.status(job_id).finished:
        return
    definition = store.definition(job_id)
    plan = definition.plan
    states = store.states(job_id)
    done = {c for c, s in states.items() if s == CheckState.done}
    started = {c for c, s in states.items() if s != CheckState.pending}
    capacity = definition.spec.concurrency - len(started - done)
    for check_id in plan.ready(done, started)[: max(capacity, 0)]:
        if store.transition(job_id, check_id, CheckState.pending, CheckState.queued):
            rq_id = enqueue_check(conn, job_id, check_id)
            events.emit(conn, job_id, EventType.check_queued, check_id=check_id,
                        data={"attempt": store.attempts(job_id, check_id) + 1, "rq_job": rq_id})
    if len(done) == len(plan.checks):
        finalize(conn, job_id)


def finalize(conn: redis.Redis, job_id: str) -> None:
    """Apply the decision policy and complete the job (once, under a lock that expires)."""
    if not conn.set(keys.finalize_lock(job_id), "1", nx=True, px=FINALIZE_LOCK_MS):
        return
    store = JobStore(conn)
    if store.status(job_id).finished:
        return
    plan = store.definition(job_id).plan
    try:
        recommendation, reason = decide(plan, store.results(job_id))
    except Exception as exc:  # never leave a job hanging on an aggregation crash
        log.exception("aggregation failed job_id=%s", job_id)
        store.finish(job_id, JobStatus.failed, error=f"aggregation failed: {exc}")
        return
    store.finish(job_id, JobStatus.complete, recommendation=recommendation, reason=reason)
    log.info("job complete job_id=%s recommendation=%s", job_id, recommendation.value)
