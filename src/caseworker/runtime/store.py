"""The job store: jobs, per-check state transitions and results, kept in Redis."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import redis
from redis.typing import EncodableT, FieldT

from caseworker.domain.case import Case
from caseworker.domain.events import EventType
from caseworker.domain.job import CheckState, Job, JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.domain.results import CheckResult, Usage
from caseworker.exceptions import JobCancelled, JobNotFound
from caseworker.runtime import events, keys, outbox
from caseworker.runtime.connection import as_text
from caseworker.sop.agent import AgentDefinition

# Atomically move a hash field from one value to another; returns 1 if it moved.
_TRANSITION = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0
"""

# Claim a queued check for a worker: its state, its worker and its attempt count change in one
# step, so a reaper never sees it running with no worker (and takes it back as lost).
_CLAIM = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
return redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
"""


def _states(raw: dict[Any, Any]) -> dict[str, CheckState]:
    """Decode a job's checks hash: check id -> state."""
    return {as_text(k): CheckState(as_text(v)) for k, v in raw.items()}


def _workers(raw: dict[Any, Any]) -> dict[str, str]:
    """Decode a job's running hash: check id -> the worker that holds it."""
    return {as_text(k): as_text(v) for k, v in raw.items()}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JobStore:
    """Reads and writes jobs. Write methods take an optional pipeline to batch round trips."""

    def __init__(self, conn: redis.Redis) -> None:
        self.conn = conn
        self._transition = conn.register_script(_TRANSITION)
        self._claim = conn.register_script(_CLAIM)

    # --- creation ------------------------------------------------------------------------

    def create(
        self, definition: AgentDefinition, case: Case, *, tenant: str = "default",
        metadata: dict[str, str] | None = None,
    ) -> str:
        """Store a new job with its definition, case and memory; emit `job.queued`, `plan.ready`."""
        job_id = uuid.uuid4().hex
        created = _now()
        plan = definition.plan
        pipe = self.conn.pipeline()
        pipe.hset(keys.job(job_id), mapping={
            "id": job_id,
            "tenant": tenant,
            "agent": definition.spec.name,
            "case_id": case.id,
            "subject": case.subject.legal_name,  # for lists that show who a case is about
            "status": JobStatus.queued.value,
            "created_at": created.isoformat(),
            "metadata": json.dumps(metadata or {}),
        })
        pipe.set(keys.definition(job_id), definition.model_dump_json(by_alias=True))
        pipe.set(keys.case(job_id), case.model_dump_json())
        pipe.hset(keys.memory(job_id), "case", json.dumps(case.memory_view()))
        pipe.hset(keys.checks(job_id), mapping={
            c: CheckState.pending.value for c in plan.check_ids
        })
        pipe.zadd(keys.JOBS, {job_id: created.timestamp()})
        pipe.zadd(keys.tenant_jobs(tenant), {job_id: created.timestamp()})
        pipe.sadd(keys.ACTIVE_JOBS, job_id)
        pipe.rpush(keys.case_jobs(case.id), job_id)
        events.emit(pipe, job_id, EventType.job_queued, data={
            "agent": definition.spec.name, "case_id": case.id, "tenant": tenant,
        })
        events.emit(pipe, job_id, EventType.plan_ready, data={
            "checks": [{"id": c.id, "title": c.title, "after": list(c.after)} for c in plan.checks],
        })
        pipe.execute()
        return job_id

    # --- reads ---------------------------------------------------------------------------

    def exists(self, job_id: str) -> bool:
        return bool(self.conn.exists(keys.job(job_id)))

    def definition(self, job_id: str) -> AgentDefinition:
        raw = self.conn.get(keys.definition(job_id))
        if raw is None:
            raise JobNotFound(f"no job '{job_id}'")
        return AgentDefinition.model_validate_json(raw)

    def case(self, job_id: str) -> Case:
        raw = self.conn.get(keys.case(job_id))
        if raw is None:
            raise JobNotFound(f"no job '{job_id}'")
        return Case.model_validate_json(raw)

    def states(self, job_id: str) -> dict[str, CheckState]:
        return _states(self.conn.hgetall(keys.checks(job_id)))

    def result(self, job_id: str, check_id: str) -> CheckResult | None:
        raw = self.conn.hget(keys.results(job_id), check_id)
        return CheckResult.model_validate_json(raw) if raw else None

    def results(self, job_id: str) -> dict[str, CheckResult]:
        raw = self.conn.hgetall(keys.results(job_id))
        return {as_text(k): CheckResult.model_validate_json(v) for k, v in raw.items()}

    def status(self, job_id: str) -> JobStatus:
        raw = self.conn.hget(keys.job(job_id), "status")
        if raw is None:
            raise JobNotFound(f"no job '{job_id}'")
        return JobStatus(as_text(raw))

    def get(self, job_id: str, *, with_results: bool = True) -> Job:
        """Load the whole job: fields, check states and (unless told not to) results."""
        fields = {as_text(k): as_text(v) for k, v in self.conn.hgetall(keys.job(job_id)).items()}
        if not fields:
            raise JobNotFound(f"no job '{job_id}'")
        return Job(
            id=fields["id"],
            tenant=fields["tenant"],
            agent=fields["agent"],
            case_id=fields["case_id"],
            status=JobStatus(fields["status"]),
            created_at=dt.datetime.fromisoformat(fields["created_at"]),
            started_at=_parse_time(fields.get("started_at")),
            finished_at=_parse_time(fields.get("finished_at")),
            checks=self.states(job_id),
            results=self.results(job_id) if with_results else {},
            recommendation=Recommendation(fields["recommendation"])
            if fields.get("recommendation") else None,
            decision_reason=fields.get("decision_reason"),
            summary=fields.get("summary"),
            summary_by=fields.get("summary_by"),
            error=fields.get("error"),
            metadata=json.loads(fields.get("metadata") or "{}"),
        )

    def usage(self, job_id: str) -> Usage:
        """Sum the model usage of the job's completed checks."""
        total = Usage()
        for result in self.results(job_id).values():
            total += result.usage
        return total

    def running(self, job_id: str) -> dict[str, str]:
        return _workers(self.conn.hgetall(keys.running(job_id)))

    def holders(self, job_id: str) -> tuple[dict[str, CheckState], dict[str, str]]:
        """Each check's state and the worker of each running check, read at one instant.

        Two separate reads could see a check claimed between them as running with no worker.
        """
        pipe = self.conn.pipeline(transaction=True)
        pipe.hgetall(keys.checks(job_id))
        pipe.hgetall(keys.running(job_id))
        states, running = pipe.execute()
        return _states(states), _workers(running)

    def attempts(self, job_id: str, check_id: str) -> int:
        return int(self.conn.hget(keys.attempts(job_id), check_id) or 0)

    def raise_if_cancelled(self, job_id: str) -> None:
        """Raise JobCancelled if the job was cancelled (checks ask before each step)."""
        if self.conn.hget(keys.job(job_id), "status") in (b"cancelled", "cancelled"):
            raise JobCancelled(f"job {job_id} was cancelled")

    def active_jobs(self) -> list[str]:
        return sorted(as_text(m) for m in self.conn.smembers(keys.ACTIVE_JOBS))

    # --- check lifecycle -----------------------------------------------------------------

    def transition(self, job_id: str, check_id: str, old: CheckState, new: CheckState) -> bool:
        """Move a check from `old` to `new` if (and only if) it is in `old`."""
        return bool(self._transition(keys=[keys.checks(job_id)], args=[check_id, old, new]))

    def claim_check(self, job_id: str, check_id: str, worker: str) -> int | None:
        """Move a queued check to running under `worker`; its attempt number, None if not queued.

        State, worker and attempt count change atomically; then the job's start is recorded.
        """
        attempt = int(self._claim(
            keys=[keys.checks(job_id), keys.running(job_id), keys.attempts(job_id)],
            args=[check_id, CheckState.queued.value, CheckState.running.value, worker]))
        if not attempt:
            return None
        pipe = self.conn.pipeline()
        pipe.hsetnx(keys.job(job_id), "started_at", _now().isoformat())
        pipe.hset(keys.job(job_id), "status", JobStatus.running.value)
        pipe.delete(keys.scratchpad(job_id, check_id))
        pipe.execute()
        return attempt

    def complete_check(
        self, job_id: str, result: CheckResult, memory_writes: dict[str, Any] | None, *,
        worker: str | None = None,
    ) -> bool:
        """Persist the result and memory writes, then mark the check done: one transaction.

        With `worker`, only while that worker still holds the check (running, in its name):
        a check taken back meanwhile (its worker thought dead) gets no second result. Returns
        whether the result was written.
        """
        check_id = result.check_id
        watched = (keys.checks(job_id), keys.running(job_id))
        with self.conn.pipeline(transaction=True) as pipe:
            while True:
                try:
                    if worker is not None:
                        pipe.watch(*watched)  # type: ignore[no-untyped-call]
                        state = pipe.hget(keys.checks(job_id), check_id)
                        holder = pipe.hget(keys.running(job_id), check_id)
                        if state is None or as_text(state) != CheckState.running or (
                                holder is None or as_text(holder) != worker):
                            pipe.reset()
                            return False
                        pipe.multi()
                    self._write_result(pipe, job_id, result, memory_writes)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue

    @staticmethod
    def _write_result(
        pipe: redis.client.Pipeline, job_id: str, result: CheckResult,
        memory_writes: dict[str, Any] | None,
    ) -> None:
        check_id = result.check_id
        pipe.hset(keys.results(job_id), check_id, result.model_dump_json())
        if memory_writes is not None:
            pipe.hset(keys.memory(job_id), check_id, json.dumps(memory_writes, default=str))
        pipe.hset(keys.checks(job_id), check_id, CheckState.done.value)
        pipe.hdel(keys.running(job_id), check_id)
        event = EventType.check_failed if result.status == "error" else EventType.check_completed
        announced = {
            "status": result.status.value,
            "answer": result.answer,
            "attempts": result.attempts,
            "duration_ms": result.timings.duration_ms if result.timings else None,
        }
        events.emit(pipe, job_id, event, check_id=check_id, data=announced)
        outbox.publish(pipe, "check.completed", job_id, {"check_id": check_id, **announced})

    def stop_cancelled(self, job_id: str, check_id: str) -> None:
        """Record that a running check of a cancelled job stopped: no result, state `cancelled`."""
        pipe = self.conn.pipeline(transaction=True)
        pipe.hset(keys.checks(job_id), check_id, CheckState.cancelled.value)
        pipe.hdel(keys.running(job_id), check_id)
        pipe.execute()

    def release_orphan(self, job_id: str, check_id: str) -> bool:
        """Take a check back from a dead worker (running → queued); False if someone else did."""
        moved = self.transition(job_id, check_id, CheckState.running, CheckState.queued)
        if moved:
            self.conn.hdel(keys.running(job_id), check_id)
        return moved

    # --- job completion ------------------------------------------------------------------

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        *,
        recommendation: Recommendation | None = None,
        reason: str | None = None,
        summary: tuple[str, str] | None = None,
        error: str | None = None,
    ) -> bool:
        """Close the job: its status, decision and narrative (text, author), one transaction.

        Returns False (and writes nothing) if the job had already finished, e.g. was cancelled.
        """
        fields: dict[FieldT, EncodableT] = {
            "status": status.value, "finished_at": _now().isoformat(),
        }
        if summary:
            fields["summary"], fields["summary_by"] = summary
        if recommendation:
            fields["recommendation"] = recommendation.value
        if reason:
            fields["decision_reason"] = reason
        if error:
            fields["error"] = error
        with self.conn.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(keys.job(job_id))  # type: ignore[no-untyped-call]
                    current = pipe.hget(keys.job(job_id), "status")
                    if current is not None and JobStatus(as_text(current)).finished:
                        return False  # cancelled meanwhile, or finished by another process
                    pipe.multi()
                    pipe.hset(keys.job(job_id), mapping=fields)
                    pipe.srem(keys.ACTIVE_JOBS, job_id)
                    if status == JobStatus.complete:
                        decided = {
                            "recommendation": recommendation.value if recommendation else None,
                            "reason": reason,
                        }
                        events.emit(pipe, job_id, EventType.job_completed, data=decided)
                        outbox.publish(pipe, "job.completed", job_id,
                                       {"status": status.value, **decided})
                        if recommendation in (Recommendation.review, Recommendation.reject):
                            outbox.publish(pipe, "review.required", job_id, decided)
                    else:
                        events.emit(pipe, job_id, EventType.job_failed, data={"error": error})
                        outbox.publish(pipe, "job.failed", job_id,
                                       {"status": status.value, "error": error})
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue


def _parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
