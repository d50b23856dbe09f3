"""Job control from outside the workers: cancel a job, retry its errored checks, run a subset."""

from __future__ import annotations

import datetime as dt

import redis
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob

from caseworker.domain.events import EventType
from caseworker.domain.job import CheckState, JobStatus
from caseworker.domain.plan import Plan
from caseworker.domain.results import CheckStatus
from caseworker.exceptions import Conflict
from caseworker.runtime import events, keys
from caseworker.runtime.connection import as_text
from caseworker.runtime.scheduler import advance
from caseworker.runtime.store import JobStore

# Job fields a finished job has that a job running again must not show.
_OUTCOME_FIELDS = ("finished_at", "recommendation", "decision_reason", "summary", "summary_by",
                   "error")


def restrict_plan(plan: Plan, check_ids: list[str]) -> Plan:
    """Cut the plan down to `check_ids` and every check they depend on, in plan order.

    The decision policy then sees only those checks: a subset job's decision is the policy
    over the checks it ran.
    """
    unknown = sorted(set(check_ids) - set(plan.check_ids))
    if unknown:
        raise KeyError(", ".join(unknown))
    wanted: set[str] = set()
    stack = list(check_ids)
    while stack:
        check_id = stack.pop()
        if check_id not in wanted:
            wanted.add(check_id)
            stack.extend(plan.check(check_id).after)
    return plan.model_copy(update={"checks": tuple(c for c in plan.checks if c.id in wanted)})


def cancel(conn: redis.Redis, job_id: str) -> None:
    """Cancel an unfinished job: waiting checks never start, running ones stop at their next step.

    A check that stops writes no result (its state becomes `cancelled`); the job's stream ends
    with `job.cancelled`. Raises Conflict if the job has already finished.
    """
    job_key = keys.job(job_id)
    with conn.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch(job_key)  # type: ignore[no-untyped-call]
                status = JobStatus(as_text(pipe.hget(job_key, "status") or b"queued"))
                if status.finished:
                    raise Conflict(f"job {job_id} has already finished ({status.value})")
                raw = pipe.hgetall(keys.checks(job_id))
                states = {as_text(k): as_text(v) for k, v in raw.items()}
                pipe.multi()
                pipe.hset(job_key, mapping={
                    "status": JobStatus.cancelled.value,
                    "finished_at": dt.datetime.now(dt.UTC).isoformat(),
                })
                for check_id, state in states.items():
                    if state in (CheckState.pending, CheckState.queued):
                        pipe.hset(keys.checks(job_id), check_id, CheckState.cancelled.value)
                pipe.srem(keys.ACTIVE_JOBS, job_id)
                events.emit(pipe, job_id, EventType.job_cancelled, data={
                    "running": sorted(c for c, s in states.items() if s == CheckState.running),
                })
                pipe.execute()
                return
            except redis.WatchError:
                continue


def retry(conn: redis.Redis, job_id: str) -> list[str]:
    """Run a finished job's errored checks again (and only those); return their ids.

    The job goes back to running, its outcome is cleared, and it finishes again with a new
    terminal event after `job.retried`. Raises Conflict if the job is unfinished, cancelled
    or has no errored check.
    """
    store = JobStore(conn)
    status = store.status(job_id)
    if not status.finished or status == JobStatus.cancelled:
        raise Conflict(f"job {job_id} is {status.value}: only a complete or failed job "
                       "can be retried")
    errored = sorted(c for c, r in store.results(job_id).items() if r.status == CheckStatus.error)
    if not errored:
        raise Conflict(f"job {job_id} has no errored check to retry")
    _forget_queue_entries(conn, job_id, errored)
    pipe = conn.pipeline(transaction=True)
    pipe.hdel(keys.results(job_id), *errored)
    pipe.hdel(keys.attempts(job_id), *errored)
    pipe.hdel(keys.enqueues(job_id), *errored)
    pipe.hdel(keys.queued(job_id), *errored)
    pipe.hset(keys.checks(job_id), mapping={c: CheckState.pending.value for c in errored})
    pipe.hdel(keys.job(job_id), *_OUTCOME_FIELDS)
    pipe.hset(keys.job(job_id), "status", JobStatus.running.value)
    pipe.delete(keys.finalize_lock(job_id))
    pipe.sadd(keys.ACTIVE_JOBS, job_id)
    events.emit(pipe, job_id, EventType.job_retried, data={"checks": errored})
    pipe.execute()
    advance(conn, job_id)
    return errored


def _forget_queue_entries(conn: redis.Redis, job_id: str, check_ids: list[str]) -> None:
    """Delete the RQ jobs of earlier attempts, so the retried checks' queue ids start afresh."""
    for check_id in check_ids:
        count = int(conn.hget(keys.enqueues(job_id), check_id) or 0)
        for n in range(1, count + 1):
            try:
                RQJob.fetch(f"{job_id}-{check_id}-{n}", connection=conn).delete()
            except NoSuchJobError:
                continue
