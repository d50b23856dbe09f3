"""Deliver one message to one endpoint: sign, send, log the attempt, schedule or end it.

Runs as an RQ job (`deliver`), never inline. Each attempt is signed afresh per Standard
Webhooks (`webhook-id` stays the message's, `webhook-timestamp` is the attempt's, every active
secret signs during a rotation's overlap). What the endpoint answers decides what follows:

- 2xx: delivered; the endpoint is healthy again;
- 410 Gone: the endpoint is disabled (`endpoint.disabled`) and the delivery ends;
- anything else, or no answer: tried again on the Standard Webhooks schedule (immediately,
  5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h) with ±10% jitter, later if the answer
  carried `Retry-After`; after the last attempt the delivery fails (`delivery.failed`), and an
  endpoint that has failed without a success for `webhook_disable_after` is disabled.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import time
from dataclasses import dataclass

import httpx2
import redis
from rq import get_current_job
from standardwebhooks.webhooks import Webhook

import caseworker
from caseworker.integrations.webhooks.models import (
    Attempt,
    Delivery,
    DeliveryState,
    Endpoint,
    Message,
)
from caseworker.integrations.webhooks.store import RESPONSE_EXCERPT, WebhookStore
from caseworker.logs import get_logger
from caseworker.netguard import url_problem
from caseworker.runtime import identity, keys, operations
from caseworker.runtime.operations import OperationType
from caseworker.settings import get_settings

log = get_logger(__name__)

SCHEDULE = (0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400)
"""Seconds before attempt n + 1, after n attempts (Standard Webhooks' retry schedule)."""
JITTER = 0.1
MAX_RETRY_AFTER = 86_400.0
USER_AGENT = f"caseworker-webhooks/{caseworker.__version__}"


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Read a `Retry-After` header: seconds, or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def next_delay(attempts: int, retry_after: float | None, *, scale: float) -> float | None:
    """Seconds until the next attempt after `attempts` tries, or None when they are used up."""
    if attempts >= len(SCHEDULE):
        return None
    delay = SCHEDULE[attempts] * scale * random.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def signed_headers(endpoint: Endpoint, message: Message, now: dt.datetime) -> dict[str, str]:
    body = message.body()
    signatures = [Webhook(secret).sign(message.id, now, body)
                  for secret in endpoint.signing_secrets(now)]
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message.id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def deliver(endpoint_id: str, message_id: str) -> str:
    """Make one attempt at a delivery (the RQ task); say what came of it."""
    rq_job = get_current_job()
    assert rq_job is not None, "deliver runs inside an RQ worker"
    return attempt(rq_job.connection, endpoint_id, message_id)


def attempt(conn: redis.Redis, endpoint_id: str, message_id: str) -> str:
    """Make one attempt at delivering `message_id` to `endpoint_id`, unless it is over."""
    store = WebhookStore(conn)
    delivery = store.delivery(endpoint_id, message_id)
    message = store.message(message_id)
    endpoint = store.endpoint(endpoint_id)
    if delivery is None or message is None:
        store.save_delivery(Delivery(endpoint_id=endpoint_id, message_id=message_id,
                                     type="unknown", created_at=dt.datetime.now(dt.UTC),
                                     state=DeliveryState.failed), due=None)
        return "dropped: the message expired"
    if delivery.state != DeliveryState.pending:
        store.save_delivery(delivery, due=None)
        return f"skipped: {delivery.state.value}"
    if endpoint is None or not endpoint.enabled:
        reason = "the endpoint was deleted" if endpoint is None else "the endpoint is disabled"
        store.save_delivery(delivery.model_copy(update={
            "state": DeliveryState.failed, "last_error": reason}), due=None)
        return f"failed: {reason}"

    lock = f"{keys.webhook_delivery(endpoint_id, message_id)}:lock"
    lease_ms = int(get_settings().webhook_lease * 1000)
    if not conn.set(lock, identity.current().name, nx=True, px=lease_ms):
        return "skipped: another attempt is in flight"
    try:
        return _attempt(store, endpoint, delivery, message)
    finally:
        conn.delete(lock)


def _attempt(store: WebhookStore, endpoint: Endpoint, delivery: Delivery,
             message: Message) -> str:
    number = delivery.attempts + 1
    now = dt.datetime.now(dt.UTC)
    answer = _send(endpoint, message, now)
    status = answer.status
    store.record_attempt(delivery, Attempt(
        number=number, at=now, status=status, latency_ms=answer.latency_ms, error=answer.error,
        response=answer.excerpt, worker=identity.current().name))
    delivery = delivery.model_copy(update={"attempts": number, "last_status": status,
                                           "last_error": answer.error})

    if status is not None and 200 <= status < 300:
        store.save_delivery(delivery.model_copy(update={
            "state": DeliveryState.succeeded, "next_attempt_at": None}), due=None)
        if endpoint.failing_since is not None:
            store.mutate(endpoint.id, lambda e: e.model_copy(update={"failing_since": None}))
        return f"delivered: {status}"
    if status == 410:
        disable(store.conn, endpoint.id, "the endpoint answered 410 Gone")
        store.save_delivery(delivery.model_copy(update={"state": DeliveryState.failed}),
                            due=None)
        return "failed: 410, endpoint disabled"

    return _after_failure(store, endpoint, delivery, answer, now)


@dataclass(frozen=True)
class _Answer:
    status: int | None  # None: no answer (refused, timed out, connection failed)
    error: str | None
    excerpt: str
    retry_after: float | None
    latency_ms: float


def _send(endpoint: Endpoint, message: Message, now: dt.datetime) -> _Answer:
    settings = get_settings()
    started = time.perf_counter()
    problem = url_problem(endpoint.url, allow_private=settings.webhook_allow_private_urls)
    if problem:
        return _Answer(None, f"refused: {problem}", "", None, 0.0)
    try:
        response = httpx2.post(endpoint.url, content=message.body().encode(),
                               headers=signed_headers(endpoint, message, now),
                               timeout=settings.webhook_timeout, follow_redirects=False)
    except httpx2.HTTPError as exc:
        return _Answer(None, f"{type(exc).__name__}: {exc}", "", None,
                       round((time.perf_counter() - started) * 1000, 1))
    return _Answer(response.status_code, None, response.text[:RESPONSE_EXCERPT],
                   retry_after_seconds(response.headers.get("retry-after"), time.time()),
                   round((time.perf_counter() - started) * 1000, 1))


def _after_failure(store: WebhookStore, endpoint: Endpoint, delivery: Delivery,
                   answer: _Answer, now: dt.datetime) -> str:
    """Schedule the next attempt, or end the delivery (and maybe the endpoint)."""
    settings = get_settings()
    failing = store.mutate(endpoint.id, lambda e: e if e.failing_since else e.model_copy(
        update={"failing_since": now}))
    assert failing.failing_since is not None
    failed_for = (now - failing.failing_since).total_seconds()
    if failed_for >= settings.webhook_disable_after * settings.webhook_schedule_scale:
        disable(store.conn, endpoint.id, f"failing for {failed_for:.0f} s without a success")
        store.save_delivery(delivery.model_copy(update={"state": DeliveryState.failed}),
                            due=None)
        return "failed: endpoint disabled"
    delay = next_delay(delivery.attempts, answer.retry_after,
                       scale=settings.webhook_schedule_scale)
    if delay is None:
        store.save_delivery(delivery.model_copy(update={"state": DeliveryState.failed,
                                                        "next_attempt_at": None}), due=None)
        operations.record(store.conn, OperationType.delivery_failed, endpoint=endpoint.id,
                          tenant=endpoint.tenant, message=delivery.message_id,
                          attempts=delivery.attempts, last_status=answer.status,
                          last_error=answer.error)
        return f"failed: {delivery.attempts} attempts"
    due = time.time() + delay
    store.save_delivery(delivery.model_copy(update={
        "next_attempt_at": dt.datetime.fromtimestamp(due, dt.UTC)}), due=due)
    return f"retrying in {delay:.1f} s: {answer.status or answer.error}"


def disable(conn: redis.Redis, endpoint_id: str, reason: str) -> None:
    """Disable an endpoint and raise `endpoint.disabled`."""
    endpoint = WebhookStore(conn).mutate(endpoint_id, lambda e: e.model_copy(update={
        "enabled": False, "disabled_reason": reason}))
    operations.record(conn, OperationType.endpoint_disabled, endpoint=endpoint_id,
                      tenant=endpoint.tenant, url=endpoint.url, reason=reason)
