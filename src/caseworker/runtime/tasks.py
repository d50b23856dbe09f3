"""RQ job functions: what a worker process runs for one check attempt."""

from __future__ import annotations

import asyncio
import json

import redis
from rq import get_current_job

from caseworker import tracing
from caseworker.agents.worker import CheckRun
from caseworker.agents.worker import run_check as run_agent
from caseworker.domain.events import EventType
from caseworker.domain.job import JobStatus
from caseworker.exceptions import JobCancelled
from caseworker.logs import get_logger
from caseworker.runtime import events, identity, keys
from caseworker.runtime.connection import STORE_ERRORS, wait_for_store
from caseworker.runtime.queue import enqueue_check
from caseworker.runtime.scheduler import advance
from caseworker.runtime.store import JobStore
from caseworker.tools.registry import default_registry

log = get_logger(__name__)


def run_check(job_id: str, check_id: str) -> str:
    """Run one check of one job; skip it if it is already done or taken by someone else.

    If the store goes away meanwhile, wait for it, then put the check back on the queue
    without counting the interrupted attempt: a store outage is not the check's failure.
    """
    rq_job = get_current_job()
    assert rq_job is not None, "run_check runs inside an RQ worker"
    conn = rq_job.connection
    try:
        return _run_check(conn, job_id, check_id)
    except STORE_ERRORS as exc:
        waited = wait_for_store(conn)
        log.warning("check interrupted by a store outage job_id=%s check_id=%s waited=%.1fs "
                    "error=%s", job_id, check_id, waited, exc)
        _requeue_interrupted(JobStore(conn), job_id, check_id)
        return "interrupted: store outage"


def _requeue_interrupted(store: JobStore, job_id: str, check_id: str) -> None:
    """Take back the check this worker was running when the store went away, attempt unspent."""
    me = identity.current().name
    if store.running(job_id).get(check_id) != me or not store.release_orphan(job_id, check_id):
        return  # not started, or the reaper has already taken it back
    store.conn.hincrby(keys.attempts(job_id), check_id, -1)
    rq_id = enqueue_check(store.conn, job_id, check_id, at_front=True)
    events.emit(store.conn, job_id, EventType.check_retrying, check_id=check_id, data={
        "reason": "store_outage", "lost_worker": None, "attempt_counted": False,
        "rq_job": rq_id,
    })


def _run_check(conn: redis.Redis, job_id: str, check_id: str) -> str:
    store = JobStore(conn)
    if store.status(job_id).finished:
        return "skipped: job finished"
    me = identity.current()
    attempt = store.claim_check(job_id, check_id, me.name)
    if attempt is None:
        state = store.states(job_id).get(check_id)
        log.info("check not runnable job_id=%s check_id=%s state=%s", job_id, check_id, state)
        return f"skipped: check is {state}"
    definition = store.definition(job_id)
    check = definition.plan.check(check_id)
    events.emit(conn, job_id, EventType.check_started, check_id=check_id,
                data={"attempt": attempt, "title": check.title})
    log.info("check started job_id=%s check_id=%s attempt=%s", job_id, check_id, attempt)
    carrier = json.loads(conn.hget(keys.job(job_id), "trace") or "{}")
    with tracing.check_span(job_id, check_id, attempt, me.name, agent=definition.spec.name,
                            parent=tracing.extract_context(carrier)) as span:
        try:
            outcome = asyncio.run(run_agent(CheckRun(
                conn=conn, job_id=job_id, spec=definition.spec, check=check,
                registry=default_registry(), attempt=attempt, worker=me.name,
            )))
        except JobCancelled:
            store.stop_cancelled(job_id, check_id)
            log.info("check stopped: job cancelled job_id=%s check_id=%s", job_id, check_id)
            return "cancelled"
        tracing.set_outcome(span, outcome.result.status.value)
        if store.status(job_id) == JobStatus.cancelled:
            store.stop_cancelled(job_id, check_id)
            return "cancelled"
        if not store.complete_check(job_id, outcome.result, outcome.memory_writes,
                                    worker=me.name):
            log.warning("result discarded: the check was taken back job_id=%s check_id=%s",
                        job_id, check_id)
            return "discarded: taken back"
        log.info("check done job_id=%s check_id=%s status=%s", job_id, check_id,
                 outcome.result.status.value)
        advance(conn, job_id)
    return outcome.result.status.value
