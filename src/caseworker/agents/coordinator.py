"""The coordinator: turn an agent and a case into a job and start its ready checks."""

from __future__ import annotations

import json
from collections.abc import Callable

import redis

from caseworker import tracing
from caseworker.domain.case import Case
from caseworker.runtime import keys
from caseworker.runtime.scheduler import advance
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition


def submit(
    conn: redis.Redis, definition: AgentDefinition, case: Case, *, tenant: str = "default",
    metadata: dict[str, str] | None = None, before_start: Callable[[str], None] | None = None,
) -> str:
    """Create the job (plan stored with it, so any worker can run it) and enqueue its roots.

    `before_start` is given the new job's id before any check is enqueued (a replay seeds the
    job's tool record there).
    """
    job_id = JobStore(conn).create(definition, case, tenant=tenant, metadata=metadata)
    if before_start is not None:
        before_start(job_id)
    with tracing.job_span(job_id, definition.spec.name, case.id):
        if carrier := tracing.inject():  # checks on other workers join this trace
            conn.hset(keys.job(job_id), "trace", json.dumps(carrier))
        advance(conn, job_id)
    return job_id
