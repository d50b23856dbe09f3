"""Recovery: find checks whose worker died (no heartbeat) and run them again, boundedly."""

from __future__ import annotations

import datetime as dt

import redis

from caseworker.domain.events import EventType
from caseworker.domain.job import CheckState
from caseworker.domain.results import Alert, AlertLevel, CheckResult, CheckStatus, Timings
from caseworker.logs import get_logger
from caseworker.runtime import events, keys
from caseworker.runtime.queue import enqueue_check
from caseworker.runtime.scheduler import advance
from caseworker.runtime.store import JobStore
from caseworker.settings import get_settings

log = get_logger(__name__)


def worker_alive(conn: redis.Redis, worker: str) -> bool:
    return bool(conn.exists(keys.worker_alive(worker)))


def heartbeat(conn: redis.Redis, worker: str) -> None:
    """Mark `worker` alive for the heartbeat TTL."""
    conn.set(keys.worker_alive(worker), "1", px=int(get_settings().heartbeat_ttl * 1000))


def reap(conn: redis.Redis) -> list[tuple[str, str]]:
    """Re-enqueue every check held by a dead worker; returns the (job, check) pairs recovered.

    A check that has used all its attempts is closed as an `error` result so the job completes.
    Jobs whose checks are all done but which were never finalized are finalized here too.
    """
    store = JobStore(conn)
    recovered = []
    for job_id in store.active_jobs():
        for check_id, worker in store.running(job_id).items():
            if worker_alive(conn, worker):
                continue
            if not store.release_orphan(job_id, check_id, worker):
                continue
            recovered.append((job_id, check_id))
            attempts = store.attempts(job_id, check_id)
            if attempts >= get_settings().max_check_attempts:
                _give_up(store, job_id, check_id, attempts, worker)
            else:
                rq_id = enqueue_check(conn, job_id, check_id, attempts + 1)
                log.warning("check orphaned, re-enqueued job_id=%s check_id=%s worker=%s",
                            job_id, check_id, worker)
                events.emit(conn, job_id, EventType.check_retrying, check_id=check_id, data={
                    "reason": "worker_lost", "lost_worker": worker,
                    "attempt": attempts + 1, "rq_job": rq_id,
                })
        states = store.states(job_id)
        if states and all(s == CheckState.done for s in states.values()):
            advance(conn, job_id)
    return recovered


def _give_up(store: JobStore, job_id: str, check_id: str, attempts: int, worker: str) -> None:
    check = store.definition(job_id).plan.check(check_id)
    now = dt.datetime.now(dt.UTC)
    message = f"The worker running this check died {attempts} times (last: {worker})."
    result = CheckResult(
        check_id=check_id, title=check.title, severity=check.severity, status=CheckStatus.error,
        answer=f"{check.title}: could not be completed (workers lost).", explanation=message,
        alerts=[Alert(code="attempts_exhausted", level=AlertLevel.critical, message=message)],
        timings=Timings(started_at=now, finished_at=now), attempts=attempts,
    )
    store.transition(job_id, check_id, CheckState.queued, CheckState.running)
    store.complete_check(job_id, result, memory_writes=None)
    log.error("check abandoned job_id=%s check_id=%s attempts=%s", job_id, check_id, attempts)
    advance(store.conn, job_id)
