"""Request and response bodies of the REST API (what /openapi.json documents)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from caseworker.domain.case import Case
from caseworker.domain.job import CheckState, Job, JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.domain.results import CheckResult, CheckStatus

Metadata = dict[str, str]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobRequest(Body):
    """Start a job: an agent over a case, all its checks or `check_ids` and their dependencies."""

    agent: str = Field(min_length=1, examples=["kyb"])
    case: Case
    check_ids: list[str] | None = Field(default=None, min_length=1)
    metadata: Metadata = Field(default_factory=dict)


class CheckRunRequest(Body):
    """Run one check of an agent on a case (its dependencies run first)."""

    agent: str = Field(min_length=1)
    case: Case
    check_id: str = Field(min_length=1)
    metadata: Metadata = Field(default_factory=dict)


class Links(BaseModel):
    self: str
    events: str
    report: str


class JobAccepted(BaseModel):
    job_id: str
    status: JobStatus
    links: Links


class Progress(BaseModel):
    done: int
    total: int


class CheckView(BaseModel):
    check_id: str
    title: str
    state: CheckState
    status: CheckStatus | None = None
    answer: str | None = None
    result: CheckResult | None = None


class JobView(BaseModel):
    id: str
    agent: str
    case_id: str
    status: JobStatus
    progress: Progress
    recommendation: Recommendation | None
    decision_reason: str | None
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    metadata: Metadata
    review: dict[str, Any] | None = None
    checks: list[CheckView] | None = None
    links: Links


class JobPage(BaseModel):
    items: list[JobView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at "
                                    "the end")


class Retried(BaseModel):
    job_id: str
    status: JobStatus
    checks: list[str] = Field(description="The errored checks put back on the queue")


class AgentView(BaseModel):
    name: str
    title: str
    sop_version: str | None
    sop_sha256: str | None
    checks: list[str]
    models: list[str]


def links(job_id: str) -> Links:
    base = f"/v1/jobs/{job_id}"
    return Links(self=base, events=f"{base}/events", report=f"{base}/report")


def check_view(job: Job, check_id: str, titles: dict[str, str]) -> CheckView:
    """Build the API's view of one check of a stored job: its state and result, if any."""
    result = job.results.get(check_id)
    return CheckView(check_id=check_id, title=titles.get(check_id, check_id),
                     state=job.checks[check_id], status=result.status if result else None,
                     answer=result.answer if result else None, result=result)


def job_view(job: Job, titles: dict[str, str], *, with_checks: bool = False,
             review: dict[str, Any] | None = None) -> JobView:
    """Build the API's view of a stored job; check results only when asked for."""
    checks = None
    if with_checks:
        checks = [check_view(job, check_id, titles) for check_id, _ in
                  _ordered(job.checks, titles)]
    done = sum(1 for s in job.checks.values() if s == CheckState.done)
    return JobView(
        id=job.id, agent=job.agent, case_id=job.case_id, status=job.status,
        progress=Progress(done=done, total=len(job.checks)),
        recommendation=job.recommendation, decision_reason=job.decision_reason, error=job.error,
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
        metadata=job.metadata, review=review, checks=checks, links=links(job.id),
    )


def _ordered(states: dict[str, CheckState], titles: dict[str, str]) -> list[tuple[str, CheckState]]:
    order = {check_id: n for n, check_id in enumerate(titles)}
    return sorted(states.items(), key=lambda kv: order.get(kv[0], len(order)))
