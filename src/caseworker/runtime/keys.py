"""Every Redis key caseworker uses, built in one place."""

from __future__ import annotations

PREFIX = "cw"

JOBS = f"{PREFIX}:jobs"  # sorted set: job id by creation time
ACTIVE_JOBS = f"{PREFIX}:jobs:active"  # set: jobs not yet finished


def job(job_id: str) -> str:
    """Hash: the job's scalar fields (status, agent, timestamps, recommendation)."""
    return f"{PREFIX}:job:{job_id}"


def definition(job_id: str) -> str:
    """String: the agent definition (spec + plan) the job runs, as JSON."""
    return f"{PREFIX}:job:{job_id}:definition"


def case(job_id: str) -> str:
    """String: the validated case JSON."""
    return f"{PREFIX}:job:{job_id}:case"


def checks(job_id: str) -> str:
    """Hash: check id -> CheckState."""
    return f"{PREFIX}:job:{job_id}:checks"


def results(job_id: str) -> str:
    """Hash: check id -> CheckResult JSON."""
    return f"{PREFIX}:job:{job_id}:results"


def attempts(job_id: str) -> str:
    """Hash: check id -> attempts started."""
    return f"{PREFIX}:job:{job_id}:attempts"


def enqueues(job_id: str) -> str:
    """Hash: check id -> times the check was put on the queue."""
    return f"{PREFIX}:job:{job_id}:enqueues"


def queued(job_id: str) -> str:
    """Hash: check id -> JSON {rq_id, at} of its latest queue entry."""
    return f"{PREFIX}:job:{job_id}:queued"


def unqueued(job_id: str) -> str:
    """Hash: check id -> when the reaper first saw it queued with no queue entry recorded."""
    return f"{PREFIX}:job:{job_id}:unqueued"


def running(job_id: str) -> str:
    """Hash: check id -> name of the worker running it."""
    return f"{PREFIX}:job:{job_id}:running"


def memory(job_id: str) -> str:
    """Hash: memory namespace (`case` or a check id) -> JSON value."""
    return f"{PREFIX}:job:{job_id}:memory"


def scratchpad(job_id: str, check_id: str) -> str:
    """List: the worker's ordered steps for one check."""
    return f"{PREFIX}:job:{job_id}:scratch:{check_id}"


def tool_cache(job_id: str, check_id: str) -> str:
    """Hash: idempotency key -> cached tool output JSON."""
    return f"{PREFIX}:job:{job_id}:toolcache:{check_id}"


def events(job_id: str) -> str:
    """Stream: the job's events."""
    return f"{PREFIX}:job:{job_id}:events"


def finalize_lock(job_id: str) -> str:
    return f"{PREFIX}:job:{job_id}:finalize"


def case_jobs(case_id: str) -> str:
    """List: job ids run for one case id."""
    return f"{PREFIX}:case:{case_id}:jobs"


def tenant_jobs(tenant: str) -> str:
    """Sorted set: one tenant's job ids by creation time."""
    return f"{PREFIX}:tenant:{tenant}:jobs"


def reviews(job_id: str) -> str:
    """List: the job's reviewer decisions, as JSON, in order."""
    return f"{PREFIX}:job:{job_id}:reviews"


def feedback(job_id: str) -> str:
    """List: per-check feedback on the job, as JSON, in order."""
    return f"{PREFIX}:job:{job_id}:feedback"


def tenant_feedback(tenant: str) -> str:
    """List: every feedback record of one tenant (job id and check), for evaluation."""
    return f"{PREFIX}:tenant:{tenant}:feedback"


def clearances(tenant: str, case_id: str) -> str:
    """Hash: clearance id -> Clearance JSON: the screening hits cleared for one case."""
    return f"{PREFIX}:clearances:{tenant}:{case_id}"


def idempotency(tenant: str, key: str) -> str:
    """String with a TTL: the request fingerprint and response of one Idempotency-Key."""
    return f"{PREFIX}:tenant:{tenant}:idempotency:{key}"


def batch(batch_id: str) -> str:
    """Hash: a batch's fields (tenant, agent, counts, created_at)."""
    return f"{PREFIX}:batch:{batch_id}"


def batch_rows(batch_id: str) -> str:
    """List: one JSON entry per input row, in order: its job id or its row error."""
    return f"{PREFIX}:batch:{batch_id}:rows"


def tenant_batches(tenant: str) -> str:
    """Sorted set: one tenant's batch ids by creation time."""
    return f"{PREFIX}:tenant:{tenant}:batches"


def worker_alive(name: str) -> str:
    """String with a TTL: present while the worker heartbeats."""
    return f"{PREFIX}:worker:{name}:alive"


REAPER_LOCK = f"{PREFIX}:reaper:lock"
OPERATIONS = f"{PREFIX}:operations"  # stream: the runtime's own events (workers restarted, …)
OUTBOX = f"{PREFIX}:outbox"  # stream: job and review events other systems are told about
WEBHOOK_DUE = f"{PREFIX}:webhooks:due"  # sorted set: "endpoint|message" by next attempt time
WEBHOOK_DISPATCH_LOCK = f"{PREFIX}:webhooks:dispatch:lock"


def webhook_endpoint(endpoint_id: str) -> str:
    """String: one webhook endpoint, as JSON (its secrets included)."""
    return f"{PREFIX}:webhook:endpoint:{endpoint_id}"


def tenant_webhook_endpoints(tenant: str) -> str:
    """Set: one tenant's webhook endpoint ids."""
    return f"{PREFIX}:tenant:{tenant}:webhook-endpoints"


def webhook_message(message_id: str) -> str:
    """String: one webhook message (type, timestamp, payload), as JSON."""
    return f"{PREFIX}:webhook:message:{message_id}"


def webhook_delivery(endpoint_id: str, message_id: str) -> str:
    """String: one message's delivery to one endpoint (state, attempts), as JSON."""
    return f"{PREFIX}:webhook:delivery:{endpoint_id}:{message_id}"


def webhook_attempts(endpoint_id: str, message_id: str) -> str:
    """List: every attempt of one delivery, as JSON, oldest first."""
    return f"{PREFIX}:webhook:attempts:{endpoint_id}:{message_id}"


def endpoint_messages(endpoint_id: str) -> str:
    """Sorted set: the message ids sent to one endpoint, by creation time."""
    return f"{PREFIX}:webhook:endpoint:{endpoint_id}:messages"


def job_keys(job_id: str, check_ids: list[str]) -> list[str]:
    """Every key of one job (for deletion)."""
    per_check = [k for c in check_ids for k in (scratchpad(job_id, c), tool_cache(job_id, c))]
    return [
        job(job_id), definition(job_id), case(job_id), checks(job_id), results(job_id),
        attempts(job_id), enqueues(job_id), queued(job_id), unqueued(job_id), running(job_id),
        memory(job_id),
        events(job_id), finalize_lock(job_id), audit(job_id), reviews(job_id), feedback(job_id),
        *per_check,
    ]


def audit(job_id: str) -> str:
    """List: the job's hash-chained audit records, as JSON, in seq order."""
    return f"{PREFIX}:job:{job_id}:audit"
