"""Job events: the append-only, ordered record of everything that happened to a job."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class EventType(StrEnum):
    job_queued = "job.queued"
    plan_ready = "plan.ready"
    check_queued = "check.queued"
    check_started = "check.started"
    tool_called = "tool.called"
    tool_result = "tool.result"
    model_request = "model.request"
    model_response = "model.response"
    model_retry = "model.retry"
    model_failover = "model.failover"
    check_retrying = "check.retrying"
    check_completed = "check.completed"
    check_failed = "check.failed"
    job_completed = "job.completed"
    job_failed = "job.failed"
    job_cancelled = "job.cancelled"
    job_retried = "job.retried"  # errored checks put back; a terminal event follows again

    @property
    def terminal(self) -> bool:
        return self in (EventType.job_completed, EventType.job_failed, EventType.job_cancelled)


class JobEvent(BaseModel):
    """One event; `id` is the Redis Stream id, monotonic within the job."""

    id: str
    job_id: str
    type: EventType
    ts: dt.datetime
    check_id: str | None = None
    worker: str | None = None
    pid: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)
