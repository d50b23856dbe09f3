"""Replay stored jobs under another SOP or model, and say what the change would change.

A replay is a new job made from a stored job's case, under the new agent definition. Before
its first check runs, each check's recorded tool outputs (the stored job's idempotency cache,
keyed by tool and arguments) are copied to it, so a tool asked the same question answers from
the record: no registry, list or website is asked again. A check whose new plan asks something
the record does not hold runs that tool afresh, and the replay counts it. With
`reuse_tools=False` every tool runs again (a shadow run against today's world).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import cast

import redis
from pydantic import BaseModel, Field

from caseworker.agents.coordinator import submit
from caseworker.domain.events import EventType
from caseworker.domain.job import Job, JobStatus
from caseworker.domain.results import CheckResult
from caseworker.exceptions import JobNotFound
from caseworker.runtime import events, keys
from caseworker.runtime.connection import as_text
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition

REPLAY_OF = "replay_of"  # metadata key naming the stored job a replay was made from


class CheckChange(BaseModel):
    """One check whose outcome the new definition changes."""

    check_id: str
    before: str | None = Field(description="Status in the stored job (None: not in its plan)")
    after: str | None = Field(description="Status in the replay (None: not in the new plan)")
    why: str = Field(description="The replay's answer and the rule condition that decided it")


class ReplayDiff(BaseModel):
    """What replaying one stored job changed."""

    source_job: str
    replay_job: str
    case_id: str
    status: JobStatus
    decision_before: str | None
    decision_after: str | None
    changed: list[CheckChange]
    tools_rerun: int = Field(description="Tool calls the record could not answer")

    @property
    def decision_changed(self) -> bool:
        return self.decision_before != self.decision_after

    @property
    def any_change(self) -> bool:
        return self.decision_changed or bool(self.changed)


def start_replay(conn: redis.Redis, job_id: str, definition: AgentDefinition | None = None,
                 *, reuse_tools: bool = True) -> str:
    """Start a replay of stored job `job_id` under `definition` (its own when None)."""
    store = JobStore(conn)
    if not store.exists(job_id):
        raise JobNotFound(f"job {job_id} is not in the store")
    stored = store.definition(job_id)
    tenant = store.get(job_id, with_results=False).tenant

    def seed_tool_record(new_id: str) -> None:
        if not reuse_tools:
            return
        pipe = conn.pipeline()
        for check_id in (definition or stored).plan.check_ids:
            recorded = conn.hgetall(keys.tool_cache(job_id, check_id))
            for question, answer in recorded.items():
                pipe.hset(keys.tool_cache(new_id, check_id), question, answer)
        pipe.execute()

    return submit(conn, definition or stored, store.case(job_id), tenant=tenant,
                  metadata={REPLAY_OF: job_id}, before_start=seed_tool_record)


def wait(conn: redis.Redis, job_id: str, timeout: float) -> None:
    """Block until the job has ended, or `timeout` seconds have passed."""
    for _ in events.follow(conn, job_id, block_ms=500, timeout=timeout):
        pass


def diff(conn: redis.Redis, source_job: str, replay_job: str) -> ReplayDiff:
    """Compare a replay with the job it was made from, check by check."""
    store = JobStore(conn)
    before, after = store.get(source_job), store.get(replay_job)
    changed = [
        CheckChange(check_id=check_id, before=_status(before, check_id),
                    after=_status(after, check_id), why=_why(after.results.get(check_id)))
        for check_id in _ordered(after, before)
        if _status(before, check_id) != _status(after, check_id)
    ]
    rerun = sum(
        1 for e in events.replay(conn, replay_job)
        if e.type == EventType.tool_result and not e.data.get("cached")
        and "error" not in e.data
    )
    return ReplayDiff(
        source_job=source_job, replay_job=replay_job, case_id=before.case_id,
        status=after.status, decision_before=_decision(before), decision_after=_decision(after),
        changed=changed, tools_rerun=rerun,
    )


def stored_jobs(conn: redis.Redis, *, since: dt.datetime | None = None,
                until: dt.datetime | None = None, agent: str | None = None) -> list[str]:
    """Completed jobs created in [since, until] (of `agent`, if given), oldest first.

    Replays themselves are left out.
    """
    low = since.timestamp() if since else "-inf"
    high = until.timestamp() if until else "+inf"
    ids = [as_text(i) for i in cast("list[bytes]", conn.zrangebyscore(keys.JOBS, low, high))]
    pipe = conn.pipeline()
    for job_id in ids:
        pipe.hmget(keys.job(job_id), "status", "agent", "metadata")
    found = []
    for job_id, fields in zip(ids, pipe.execute(), strict=True):
        status, name, metadata = (as_text(f) if f is not None else "" for f in fields)
        if status != JobStatus.complete.value or (agent and name != agent):
            continue
        if REPLAY_OF in json.loads(metadata or "{}"):
            continue
        found.append(job_id)
    return found


def replay_all(conn: redis.Redis, job_ids: Iterable[str], definition: AgentDefinition | None,
               *, reuse_tools: bool = True, timeout: float = 600.0) -> list[ReplayDiff]:
    """Replay each job (all started at once, so the workers share them) and diff each."""
    started = [(job_id, start_replay(conn, job_id, definition, reuse_tools=reuse_tools))
               for job_id in job_ids]
    for _, replay_job in started:
        wait(conn, replay_job, timeout)
    return [diff(conn, job_id, replay_job) for job_id, replay_job in started]


def _ordered(*jobs: Job) -> list[str]:
    seen: dict[str, None] = {}
    for job in jobs:
        seen.update(dict.fromkeys(job.results))
    return list(seen)


def _status(job: Job, check_id: str) -> str | None:
    result = job.results.get(check_id)
    return result.status.value if result is not None else None


def _decision(job: Job) -> str | None:
    return job.recommendation.value if job.recommendation is not None else None


def _why(result: CheckResult | None) -> str:
    if result is None:
        return "not in the new plan"
    rule = result.rule_outcome
    matched = f" (rule: {rule.status.value} when {rule.matched})" if rule and rule.matched else ""
    return f"{result.answer}{matched}"
