"""Jobs: one run of an agent's plan over one case, and the state of each of its checks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from caseworker.domain.plan import Recommendation
from caseworker.domain.results import CheckResult


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    complete = "complete"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.complete, JobStatus.failed, JobStatus.cancelled)


class CheckState(StrEnum):
    pending = "pending"
    queued = "queued"
    running = "running"
    done = "done"
    cancelled = "cancelled"  # the job was cancelled before the check finished


class Job(BaseModel):
    """A job as stored: identity, status, per-check state and, once finished, its outcome."""

    id: str
    tenant: str = "default"
    agent: str
    case_id: str
    status: JobStatus = JobStatus.queued
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    checks: dict[str, CheckState] = Field(default_factory=dict)
    results: dict[str, CheckResult] = Field(default_factory=dict)
    recommendation: Recommendation | None = None
    decision_reason: str | None = None
    summary: str | None = Field(default=None, description="Narrative citing evidence as [E3]")
    summary_by: str | None = Field(default=None, description="The model that wrote it")
    error: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict, description="The caller's tags")
