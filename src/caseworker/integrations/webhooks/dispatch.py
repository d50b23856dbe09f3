"""Turn outbox notices into webhook deliveries, and hand due deliveries to RQ.

Called on every liveness tick of every worker (`tick`): notices are read through the outbox's
consumer group (a notice left unacknowledged by a dead worker is claimed after
`CLAIM_IDLE_MS`), fanned out to the tenant's endpoints subscribed to the notice's type, and
acknowledged. Deliveries due now are leased (`webhook_lease` seconds, after which a delivery
whose worker died is due again) and enqueued on the webhooks queue, by one process at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from typing import Any

import redis
from rq import Queue

from caseworker.integrations.webhooks.models import Message
from caseworker.integrations.webhooks.store import WebhookStore
from caseworker.logs import get_logger
from caseworker.runtime import keys
from caseworker.runtime.connection import as_text
from caseworker.settings import get_settings

log = get_logger(__name__)

GROUP = "webhooks"
CLAIM_IDLE_MS = 30_000
BATCH = 100
DISPATCH_LOCK_MS = 5_000
TASK = "caseworker.integrations.webhooks.delivery.deliver"


def webhook_queue(conn: redis.Redis) -> Queue:
    return Queue(f"{get_settings().queue_name}-webhooks", connection=conn)


def tick(conn: redis.Redis, consumer: str) -> None:
    """Fan out new notices, then enqueue the deliveries that are due."""
    fan_out_notices(conn, consumer)
    enqueue_due(conn)


def _read(conn: redis.Redis, consumer: str) -> tuple[Any, Any]:
    claimed = conn.xautoclaim(keys.OUTBOX, GROUP, consumer, CLAIM_IDLE_MS, "0-0", count=BATCH)
    fresh = conn.xreadgroup(GROUP, consumer, {keys.OUTBOX: ">"}, count=BATCH)
    return claimed, fresh


def fan_out_notices(conn: redis.Redis, consumer: str) -> int:
    """Read, fan out and acknowledge the notices waiting for this consumer; how many."""
    try:
        claimed, fresh = _read(conn, consumer)
    except redis.ResponseError as exc:
        if "NOGROUP" not in str(exc):
            raise
        with contextlib.suppress(redis.ResponseError):  # BUSYGROUP: another made it first
            conn.xgroup_create(keys.OUTBOX, GROUP, id="0", mkstream=True)
        claimed, fresh = _read(conn, consumer)
    entries: list[Any] = list(claimed[1]) if claimed else []
    for _stream, items in fresh or []:
        entries.extend(items)
    store = WebhookStore(conn)
    for entry_id, fields in entries:
        try:
            if fields:
                fan_out(store, {as_text(k): as_text(v) for k, v in fields.items()})
        except redis.RedisError:
            raise  # left unacknowledged: claimed again once the store is back
        except Exception:  # a malformed notice is dropped, not retried forever
            log.exception("outbox notice dropped id=%s", as_text(entry_id))
        conn.xack(keys.OUTBOX, GROUP, entry_id)
    return len(entries)


def fan_out(store: WebhookStore, notice: dict[str, str]) -> int:
    """Create one delivery per subscribed endpoint of the job's tenant; how many were new."""
    job = {as_text(k): as_text(v) for k, v in store.conn.hgetall(
        keys.job(notice["job_id"])).items()}
    tenant = job.get("tenant", "default")
    endpoints = store.subscribed(tenant, notice["type"])
    if not endpoints:
        return 0
    data = {"job_id": notice["job_id"], "case_id": job.get("case_id"),
            "agent": job.get("agent"), **json.loads(notice.get("data", "{}"))}
    message = Message(id=notice["id"], tenant=tenant, type=notice["type"],
                      timestamp=dt.datetime.fromisoformat(notice["ts"]), data=data)
    store.add_message(message)
    now = time.time()
    return sum(store.add_delivery(e.id, message, due=now) for e in endpoints)


def enqueue_due(conn: redis.Redis) -> int:
    """Lease and enqueue every delivery due now (one process at a time); how many."""
    if not conn.set(keys.WEBHOOK_DISPATCH_LOCK, "1", nx=True, px=DISPATCH_LOCK_MS):
        return 0
    try:
        store = WebhookStore(conn)
        now = time.time()
        due = store.due(now)
        queue = webhook_queue(conn)
        for endpoint_id, message_id in due:
            store.lease(endpoint_id, message_id, now + get_settings().webhook_lease)
            queue.enqueue(TASK, endpoint_id, message_id, result_ttl=600, failure_ttl=86_400,
                          job_timeout=int(get_settings().webhook_timeout) + 30)
        return len(due)
    finally:
        conn.delete(keys.WEBHOOK_DISPATCH_LOCK)
