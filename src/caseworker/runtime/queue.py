"""The RQ queue that carries one job per check attempt, and what RQ knows of each."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

from caseworker.runtime import keys
from caseworker.settings import get_settings

TASK = "caseworker.runtime.tasks.run_check"


def check_queue(conn: redis.Redis) -> Queue:
    return Queue(get_settings().queue_name, connection=conn)


def enqueue_check(conn: redis.Redis, job_id: str, check_id: str, *, at_front: bool = False) -> str:
    """Put one check on the queue; the RQ job id names the job, the check and the enqueue count.

    `at_front`: a check taken back from a lost worker or a store outage goes first, rather
    than wait behind every check queued since it first started.
    """
    count = int(conn.hincrby(keys.enqueues(job_id), check_id, 1))
    rq_id = f"{job_id}-{check_id}-{count}"
    conn.hset(keys.queued(job_id), check_id, json.dumps({"rq_id": rq_id, "at": time.time()}))
    check_queue(conn).enqueue(
        TASK, job_id, check_id,
        job_id=rq_id,
        job_timeout=get_settings().check_timeout,
        result_ttl=3600,
        failure_ttl=86400,
        at_front=at_front,
    )
    return rq_id


@dataclass(frozen=True)
class QueueEntry:
    """The latest RQ job of a check: its id, when it was enqueued, and RQ's view of it."""

    rq_id: str
    enqueued_at: float
    status: str | None  # None: RQ no longer has the job
    worker: str | None


def queue_entry(conn: redis.Redis, job_id: str, check_id: str) -> QueueEntry | None:
    raw = conn.hget(keys.queued(job_id), check_id)
    if raw is None:
        return None
    entry = json.loads(raw)
    try:
        rq_job = Job.fetch(entry["rq_id"], connection=conn)
    except NoSuchJobError:
        return QueueEntry(entry["rq_id"], entry["at"], None, None)
    status = rq_job.get_status(refresh=False)
    return QueueEntry(entry["rq_id"], entry["at"], status.value if status else None,
                      rq_job.worker_name)
