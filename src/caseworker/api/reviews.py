"""Reviewer routes: decisions (four eyes where required) and per-check feedback."""

from __future__ import annotations

from typing import Any

import redis
from fastapi import APIRouter
from pydantic import Field

from caseworker.api.deps import Reader, Reviewer, ServiceDep, tenant_job
from caseworker.api.schemas import Body
from caseworker.domain.job import Job, JobStatus
from caseworker.runtime import reviews
from caseworker.runtime.reviews import Feedback, ReviewDecision, ReviewSummary

router = APIRouter(prefix="/v1", tags=["reviews"])


class ReviewRequest(Body):
    decision: ReviewDecision
    reason: str = Field(min_length=1, max_length=5000)


class FeedbackRequest(Body):
    check_id: str = Field(min_length=1)
    verdict: str = Field(pattern=r"^(correct|incorrect)$")
    comment: str = Field(default="", max_length=5000)


def review_state(conn: redis.Redis, job: Job) -> dict[str, Any] | None:
    """Return the review summary a job view shows (None until the job is complete)."""
    if job.status != JobStatus.complete:
        return None
    return reviews.summary(conn, job).model_dump(mode="json", exclude={"reviews"})


@router.post("/jobs/{job_id}/review", response_model=ReviewSummary)
def review_job(job_id: str, body: ReviewRequest, svc: ServiceDep, key: Reviewer) -> ReviewSummary:
    """Record a reviewer's decision; approving a rejected or critical job needs two reviewers."""
    job = tenant_job(svc, key, job_id)
    return reviews.record_review(svc.conn, job, key.reviewer, body.decision, body.reason)


@router.get("/jobs/{job_id}/review", response_model=ReviewSummary)
def get_review(job_id: str, svc: ServiceDep, key: Reader) -> ReviewSummary:
    """Get the job's review state and every decision recorded."""
    return reviews.summary(svc.conn, tenant_job(svc, key, job_id))


@router.post("/jobs/{job_id}/feedback", status_code=201, response_model=Feedback)
def give_feedback(
    job_id: str, body: FeedbackRequest, svc: ServiceDep, key: Reviewer,
) -> Feedback:
    """Say whether one check's answer was right, for evaluation."""
    job = tenant_job(svc, key, job_id)
    return reviews.record_feedback(svc.conn, job, check_id=body.check_id, verdict=body.verdict,
                                   comment=body.comment, reviewer=key.reviewer)
