"""Turn outbox notices into webhook deliveries, and hand due deliveries to RQ.

Each notice (read through the outbox's `webhooks` group, see `integrations.notices`) becomes
one delivery per endpoint of the job's tenant subscribed to its type. Deliveries due now are
leased (`webhook_lease` seconds, after which a delivery whose worker died is due again) and
enqueued on the webhooks queue, by one process at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import redis
from rq import Queue

from caseworker.integrations.webhooks.models import Message
from caseworker.integrations.webhooks.store import WebhookStore
from caseworker.logs import get_logger
from caseworker.runtime import keys
from caseworker.runtime.connection import as_text
from caseworker.settings import get_settings

log = get_logger(__name__)

DISPATCH_LOCK_MS = 5_000
TASK = "caseworker.integrations.webhooks.delivery.deliver"


def webhook_queue(conn: redis.Redis) -> Queue:
    return Queue(f"{get_settings().queue_name}-webhooks", connection=conn)


def fan_out(conn: redis.Redis, notice: dict[str, str]) -> int:
    """Create one delivery per subscribed endpoint of the job's tenant; how many were new."""
    store = WebhookStore(conn)
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
