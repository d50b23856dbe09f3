"""The scheduler: enqueue each check once its dependencies are done; finalize when all are."""

from __future__ import annotations

import asyncio

import redis
from pydantic_ai.models import Model

from caseworker.agents.aggregator import decide
from caseworker.agents.models import build_one, close_model
from caseworker.agents.narrative import write_narrative
from caseworker.agents.rules_model import RULES_MODEL_NAME
from caseworker.domain.events import EventType
from caseworker.domain.job import CheckState, JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.domain.results import CheckResult
from caseworker.exceptions import ConfigurationError
from caseworker.logs import get_logger
from caseworker.runtime import events, keys
from caseworker.runtime.queue import enqueue_check
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition

log = get_logger(__name__)
FINALIZE_LOCK_MS = 30_000


def advance(conn: redis.Redis, job_id: str) -> None:
    """Enqueue every newly ready check; finalize the job once every check is done.

    Safe to call from any process at any time: the pending → queued transition is atomic,
    so a check is enqueued once however many callers race. At most the agent's
    `concurrency` checks of one job are queued or running at once.
    """
    store = JobStore(conn)
    if store.status(job_id).finished:
        return
    definition = store.definition(job_id)
    plan = definition.plan
    states = store.states(job_id)
    done = {c for c, s in states.items() if s == CheckState.done}
    started = {c for c, s in states.items() if s != CheckState.pending}
    capacity = definition.spec.concurrency - len(started - done)
    for check_id in plan.ready(done, started)[: max(capacity, 0)]:
        if store.transition(job_id, check_id, CheckState.pending, CheckState.queued):
            rq_id = enqueue_check(conn, job_id, check_id)
            events.emit(conn, job_id, EventType.check_queued, check_id=check_id,
                        data={"attempt": store.attempts(job_id, check_id) + 1, "rq_job": rq_id})
    if len(done) == len(plan.checks):
        finalize(conn, job_id)


async def summarise(
    definition: AgentDefinition,
    results: dict[str, CheckResult],
    recommendation: Recommendation,
    reason: str,
) -> tuple[str, str]:
    """Write the narrative with the agent's model chain (`rules`: the template); name its author."""
    plan = definition.plan
    models: list[Model | None] = []
    for entry in definition.spec.model:
        if entry.model == RULES_MODEL_NAME:
            models.append(None)
            continue
        try:
            models.append(build_one(entry, plan.checks[0], {}))
        except ConfigurationError as exc:
            log.warning("narrative model unavailable model=%s error=%s", entry.label, exc)
    try:
        return await write_narrative(models, plan, results, recommendation, reason)
    finally:
        for model in models:
            if model is not None:
                await close_model(model)


def finalize(conn: redis.Redis, job_id: str) -> None:
    """Apply the decision policy and complete the job (once, under a lock that expires)."""
    if not conn.set(keys.finalize_lock(job_id), "1", nx=True, px=FINALIZE_LOCK_MS):
        return
    store = JobStore(conn)
    if store.status(job_id).finished:
        return
    definition = store.definition(job_id)
    results = store.results(job_id)
    try:
        recommendation, reason = decide(definition.plan, results)
    except Exception as exc:  # never leave a job hanging on an aggregation crash
        log.exception("aggregation failed job_id=%s", job_id)
        store.finish(job_id, JobStatus.failed, error=f"aggregation failed: {exc}")
        return
    summary = asyncio.run(summarise(definition, results, recommendation, reason))
    store.finish(job_id, JobStatus.complete, recommendation=recommendation, reason=reason,
                 summary=summary)
    log.info("job complete job_id=%s recommendation=%s", job_id, recommendation.value)
