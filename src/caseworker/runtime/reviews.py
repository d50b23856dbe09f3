"""Reviewer decisions on finished jobs, with four eyes where the outcome is severe; feedback."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum

import redis
from pydantic import BaseModel, Field

from caseworker.domain.job import Job, JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.domain.results import AlertLevel
from caseworker.exceptions import Conflict, NotFound
from caseworker.runtime import audit, keys, outbox


class ReviewDecision(StrEnum):
    approve = "approve"
    reject = "reject"
    request_info = "request_info"


class ReviewState(StrEnum):
    awaiting_review = "awaiting_review"
    awaiting_second_approval = "awaiting_second_approval"  # four eyes: one approval so far
    info_requested = "info_requested"
    approved = "approved"
    rejected = "rejected"

    @property
    def final(self) -> bool:
        return self in (ReviewState.approved, ReviewState.rejected)


class Review(BaseModel):
    reviewer: str = Field(description="Who decided (the reviewer's key name and id)")
    decision: ReviewDecision
    reason: str
    at: dt.datetime


class ReviewSummary(BaseModel):
    state: ReviewState
    four_eyes: bool = Field(description="Approval needs two different reviewers")
    four_eyes_reason: str | None
    reviews: list[Review]


class Feedback(BaseModel):
    job_id: str
    check_id: str
    verdict: str = Field(pattern=r"^(correct|incorrect)$")
    comment: str = ""
    reviewer: str
    at: dt.datetime


def four_eyes_reason(job: Job) -> str | None:
    """Why approving this job needs a second reviewer, or None if one suffices."""
    if job.recommendation == Recommendation.reject:
        return "the rules recommended reject"
    critical = sorted(check_id for check_id, result in job.results.items()
                      if any(a.level == AlertLevel.critical for a in result.alerts))
    if critical:
        return f"critical alert(s) on {', '.join(critical)}"
    return None


def reviews(conn: redis.Redis, job_id: str) -> list[Review]:
    return [Review.model_validate_json(raw) for raw in conn.lrange(keys.reviews(job_id), 0, -1)]


def _state(records: list[Review], four_eyes: bool) -> ReviewState:
    approvers: set[str] = set()
    state = ReviewState.awaiting_review
    for review in records:
        if review.decision == ReviewDecision.reject:
            return ReviewState.rejected
        if review.decision == ReviewDecision.request_info:
            state = ReviewState.info_requested
            continue
        approvers.add(review.reviewer)
        if len(approvers) >= (2 if four_eyes else 1):
            return ReviewState.approved
        state = ReviewState.awaiting_second_approval
    return state


def summary(conn: redis.Redis, job: Job) -> ReviewSummary:
    reason = four_eyes_reason(job)
    records = reviews(conn, job.id)
    return ReviewSummary(state=_state(records, reason is not None), four_eyes=reason is not None,
                         four_eyes_reason=reason, reviews=records)


def record_review(
    conn: redis.Redis, job: Job, reviewer: str, decision: ReviewDecision, reason: str,
) -> ReviewSummary:
    """Record one decision on a finished job, in its reviews and its audit trail.

    Not in the job's event stream: that stream ends with the job's terminal event.

    Refused (Conflict) before the job is complete, after a final decision, or when the same
    reviewer approves twice where four eyes are required.
    """
    if job.status != JobStatus.complete:
        raise Conflict(f"job {job.id} is {job.status.value}: only a complete job is reviewed")
    current = summary(conn, job)
    if current.state.final:
        raise Conflict(f"job {job.id} is already {current.state.value}")
    if decision == ReviewDecision.approve and any(
            r.reviewer == reviewer and r.decision == ReviewDecision.approve
            for r in current.reviews):
        raise Conflict(f"{reviewer} has already approved job {job.id}; four eyes need a "
                       "second, different reviewer")
    review = Review(reviewer=reviewer, decision=decision, reason=reason,
                    at=dt.datetime.now(dt.UTC))
    conn.rpush(keys.reviews(job.id), review.model_dump_json())
    after = summary(conn, job)
    # Lists (the dashboard's "needs my review") read the state from the job, not every review.
    conn.hset(keys.job(job.id), mapping={
        "review_state": after.state.value,
        "reviewers": json.dumps(sorted({r.reviewer for r in after.reviews})),
        "approvers": json.dumps(sorted({r.reviewer for r in after.reviews
                                        if r.decision == ReviewDecision.approve})),
    })
    outbox.publish(conn, "review.decided", job.id, {
        **review.model_dump(mode="json"), "state": after.state.value,
        "final": after.state.final})
    audit.append(conn, job.id, "review.decision", {
        **review.model_dump(mode="json"), "state": after.state.value,
        "four_eyes": after.four_eyes,
    })
    return after


def record_feedback(
    conn: redis.Redis, job: Job, *, check_id: str, verdict: str, comment: str, reviewer: str,
) -> Feedback:
    """Store a reviewer's verdict on one check's answer, for evaluation."""
    if check_id not in job.checks:
        raise NotFound(f"job '{job.id}' has no check '{check_id}'")
    item = Feedback(job_id=job.id, check_id=check_id, verdict=verdict, comment=comment,
                    reviewer=reviewer, at=dt.datetime.now(dt.UTC))
    pipe = conn.pipeline(transaction=True)
    pipe.rpush(keys.feedback(job.id), item.model_dump_json())
    pipe.rpush(keys.tenant_feedback(job.tenant), item.model_dump_json())
    pipe.execute()
    return item


def feedback(conn: redis.Redis, job_id: str) -> list[Feedback]:
    return [Feedback.model_validate(json.loads(raw))
            for raw in conn.lrange(keys.feedback(job_id), 0, -1)]
