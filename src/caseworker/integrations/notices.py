"""Move the runtime's news to the integrations, on every liveness tick of every worker.

The outbox feeds webhooks (group `webhooks`, from the stream's start), Slack decision messages
(group `slack`, when Slack is configured) and alerts (group `alerts`); the operations log feeds
alerts too. Then deliveries that are due are handed to RQ.
"""

from __future__ import annotations

import redis

from caseworker.integrations import alerts
from caseworker.integrations.webhooks.dispatch import enqueue_due, fan_out, webhook_queue
from caseworker.runtime import keys
from caseworker.runtime.connection import as_text
from caseworker.runtime.consumers import consume
from caseworker.settings import get_settings

SLACK_TASK = "caseworker.integrations.slack.post_decision"


def slack_notice(conn: redis.Redis, notice: dict[str, str]) -> None:
    """Have the decision of a finished job of the Slack tenant posted to the channel."""
    if notice["type"] not in ("job.completed", "job.failed"):
        return
    tenant = conn.hget(keys.job(notice["job_id"]), "tenant")
    if tenant is None or as_text(tenant) != get_settings().slack_tenant:
        return
    webhook_queue(conn).enqueue(SLACK_TASK, notice["job_id"], result_ttl=600,
                                failure_ttl=86_400)


def tick(conn: redis.Redis, consumer: str) -> None:
    """Read every group's new entries, then enqueue the webhook deliveries that are due."""
    consume(conn, keys.OUTBOX, "webhooks", consumer, fan_out, start="0")
    settings = get_settings()
    if settings.slack_enabled and settings.slack_channel:
        consume(conn, keys.OUTBOX, "slack", consumer, slack_notice)
    consume(conn, keys.OUTBOX, "alerts", consumer, alerts.from_notice)
    consume(conn, keys.OPERATIONS, "alerts", consumer, alerts.from_operation)
    enqueue_due(conn)
