"""Recovery: take back checks whose worker died or whose queue entry was lost, boundedly."""

from __future__ import annotations

import datetime as dt
import time

import redis

from caseworker.domain.events import EventType
from caseworker.domain.job import CheckState
from caseworker.domain.results import Alert, AlertLevel, CheckResult, CheckStatus, Timings
from caseworker.logs import get_logger
from caseworker.runtime import events, keys
from caseworker.runtime.connection import as_text
from caseworker.runtime.queue import check_queue, enqueue_check, queue_entry
from caseworker.runtime.scheduler import advance
from caseworker.runtime.store import JobStore
from caseworker.settings import get_settings

log = get_logger(__name__)
# RQ statuses of a check's latest queue entry that mean nobody will run it any more.
DEAD_ENTRY_STATUSES = {None, "failed", "stopped", "canceled", "finished"}


def worker_alive(conn: redis.Redis, worker: str) -> bool:
    return bool(conn.exists(keys.worker_alive(worker)))


def heartbeat(conn: redis.Redis, worker: str) -> None:
    """Mark `worker` alive for the heartbeat TTL."""
    conn.set(keys.worker_alive(worker), "1", px=int(get_settings().heartbeat_ttl * 1000))


def reap(conn: redis.Redis) -> list[tuple[str, str]]:
    """Re-enqueue every check nobody is working on any more; return the (job, check) pairs.

    A running check is taken back when its worker stopped heartbeating (SIGKILL, OOM, a lost
    machine) or its RQ job failed outside the agent; a queued check when its RQ job was lost.
    A check past its attempts is closed as an `error` result so the job still completes. Every
    active job is then advanced, which also finishes work a dead process left half done
    (dependents not enqueued, a job not finalized).
    """
    store = JobStore(conn)
    recovered = []
    waiting = QueueView(conn)
    for job_id in store.active_jobs():
        states, running = store.holders(job_id)
        for check_id, state in states.items():
            if state == CheckState.running:
                reason = _running_orphaned(conn, job_id, check_id, running.get(check_id))
                if reason and store.release_orphan(job_id, check_id):
                    _retry(store, job_id, check_id, reason, running.get(check_id))
                    recovered.append((job_id, check_id))
            elif state == CheckState.queued:
                reason = _queue_entry_lost(conn, job_id, check_id, waiting)
                if reason:
                    _retry(store, job_id, check_id, reason, None)
                    recovered.append((job_id, check_id))
        advance(conn, job_id)
    return recovered


def _running_orphaned(
    conn: redis.Redis, job_id: str, check_id: str, worker: str | None,
) -> str | None:
    if worker is None or not worker_alive(conn, worker):
        return "worker_lost"
    entry = queue_entry(conn, job_id, check_id)
    if entry is not None and entry.status == "failed":
        return "task_failed"
    return None


class QueueView:
    """What the check queue holds, read once per reaper pass and only if needed."""

    def __init__(self, conn: redis.Redis) -> None:
        self.conn = conn
        self._held: set[str] | None = None

    def holds(self, rq_id: str) -> bool:
        """Whether the RQ job waits in the queue or is being taken from it.

        Read in the order a job moves (the queue, then RQ's intermediate list), so a job
        moving meanwhile is still seen. A job in RQ's started registry whose status never
        became `started` is not held: its worker died between the two (RQ itself would only
        notice when the job's timeout ran out).
        """
        if self._held is None:
            queue = check_queue(self.conn)
            held = {as_text(i) for i in self.conn.lrange(queue.key, 0, -1)}
            held |= {as_text(i) for i in self.conn.lrange(queue.intermediate_queue_key, 0, -1)}
            self._held = held
        return rq_id in self._held


def _lost_for(conn: redis.Redis, job_id: str, check_id: str) -> float:
    """Mark a check's queue entry as missing (once) and say for how long it has been."""
    conn.hsetnx(keys.unqueued(job_id), check_id, time.time())
    noticed = float(conn.hget(keys.unqueued(job_id), check_id) or time.time())
    return time.time() - noticed


def _queue_entry_lost(conn: redis.Redis, job_id: str, check_id: str,
                      waiting: QueueView) -> str | None:
    entry = queue_entry(conn, job_id, check_id)
    grace = get_settings().requeue_grace
    if entry is None:
        # Queued with no entry recorded: the enqueue is under way, or its writes were lost
        # (a store that restarted and lost its last second). Lost once it stays so a while.
        return "queue_entry_lost" if _lost_for(conn, job_id, check_id) >= grace else None
    if time.time() - entry.enqueued_at < grace:
        return None
    if entry.status in DEAD_ENTRY_STATUSES:
        return "queue_entry_lost"
    if entry.status == "started" and entry.worker and not worker_alive(conn, entry.worker):
        return "worker_lost"
    if entry.status == "queued" and not waiting.holds(entry.rq_id):
        # RQ says queued, yet no queue holds it: a worker took it and died before it said
        # so (SIGKILLed between dequeue and start). Lost once it stays missing a while.
        return "queue_entry_lost" if _lost_for(conn, job_id, check_id) >= grace else None
    if entry.status in ("queued", "started"):
        conn.hdel(keys.unqueued(job_id), check_id)  # held or started after all: a race
    return None


def _retry(store: JobStore, job_id: str, check_id: str, reason: str, worker: str | None) -> None:
    settings = get_settings()
    attempts = store.attempts(job_id, check_id)
    enqueues = int(store.conn.hget(keys.enqueues(job_id), check_id) or 0)
    if attempts >= settings.max_check_attempts or enqueues >= 2 * settings.max_check_attempts:
        _give_up(store, job_id, check_id, attempts, reason)
        return
    store.conn.hdel(keys.unqueued(job_id), check_id)
    rq_id = enqueue_check(store.conn, job_id, check_id, at_front=True)
    log.warning("check re-enqueued job_id=%s check_id=%s reason=%s worker=%s",
                job_id, check_id, reason, worker)
    events.emit(store.conn, job_id, EventType.check_retrying, check_id=check_id, data={
        "reason": reason, "lost_worker": worker, "attempt": attempts + 1, "rq_job": rq_id,
    })


def _give_up(store: JobStore, job_id: str, check_id: str, attempts: int, reason: str) -> None:
    check = store.definition(job_id).plan.check(check_id)
    now = dt.datetime.now(dt.UTC)
    message = (f"The check could not be run to the end after {attempts} attempt(s); "
               f"last failure: {reason}.")
    result = CheckResult(
        check_id=check_id, title=check.title, severity=check.severity, status=CheckStatus.error,
        answer=f"{check.title}: could not be completed ({reason}).", explanation=message,
        alerts=[Alert(code="attempts_exhausted", level=AlertLevel.critical, message=message)],
        timings=Timings(started_at=now, finished_at=now), attempts=attempts,
    )
    store.complete_check(job_id, result, memory_writes=None)
    log.error("check abandoned job_id=%s check_id=%s attempts=%s", job_id, check_id, attempts)
