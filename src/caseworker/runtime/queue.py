"""The RQ queue that carries one job per check attempt."""

from __future__ import annotations

import redis
from rq import Queue

from caseworker.settings import get_settings

TASK = "caseworker.runtime.tasks.run_check"


def check_queue(conn: redis.Redis) -> Queue:
    return Queue(get_settings().queue_name, connection=conn)


def enqueue_check(conn: redis.Redis, job_id: str, check_id: str, attempt: int) -> str:
    """Put one check attempt on the queue; the RQ job id names job, check and attempt."""
    rq_id = f"{job_id}-{check_id}-{attempt}"
    check_queue(conn).enqueue(
        TASK, job_id, check_id,
        job_id=rq_id,
        job_timeout=get_settings().check_timeout,
        result_ttl=3600,
        failure_ttl=86400,
    )
    return rq_id
