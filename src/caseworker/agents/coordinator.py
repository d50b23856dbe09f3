"""The coordinator: turn an agent and a case into a job and start its ready checks."""

from __future__ import annotations

import redis

from caseworker.domain.case import Case
from caseworker.runtime.scheduler import advance
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition


def submit(
    conn: redis.Redis, definition: AgentDefinition, case: Case, *, tenant: str = "default",
) -> str:
    """Create the job (plan stored with it, so any worker can run it) and enqueue its roots."""
    job_id = JobStore(conn).create(definition, case, tenant=tenant)
    advance(conn, job_id)
    return job_id
