"""Error reporting: each failure becomes a log line, a Sentry event and a Slack message.

Sentry and Slack only when configured. Failures come from two streams: the outbox (a check
that ended in `error`, including one whose attempts ran out, and a failed job) and the
operations log (a worker that exited, a webhook delivery that failed for good, an endpoint
disabled). Sentry is set up once per process from `CASEWORKER_SENTRY_DSN`; Slack alerts are
posted by an RQ job to `slack_channel`.
"""

from __future__ import annotations

import json
import os

import redis
import sentry_sdk

import caseworker
from caseworker.integrations.webhooks.dispatch import webhook_queue
from caseworker.logs import get_logger
from caseworker.settings import get_settings

log = get_logger(__name__)

ALERTING_OPERATIONS = {"worker.exited", "delivery.failed", "endpoint.disabled"}
_sentry_pid: int | None = None  # the process Sentry was set up in (a fork must set it up again)


def _sentry() -> bool:
    global _sentry_pid  # noqa: PLW0603  (one client per process, made on first use)
    settings = get_settings()
    if not settings.sentry_dsn:
        return False
    if _sentry_pid != os.getpid():
        sentry_sdk.init(dsn=settings.sentry_dsn, environment=settings.sentry_environment,
                        release=f"caseworker@{caseworker.__version__}",
                        default_integrations=False, auto_enabling_integrations=False,
                        integrations=[], traces_sample_rate=0)
        _sentry_pid = os.getpid()
    return True


def raise_alert(conn: redis.Redis, kind: str, message: str, data: dict[str, object]) -> None:
    """Report one failure everywhere it is configured to go."""
    log.error("alert kind=%s %s message=%s", kind,
              " ".join(f"{k}={v}" for k, v in data.items()), message)
    if _sentry():
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("alert", kind)
            for key in ("job_id", "check_id", "tenant", "endpoint"):
                if data.get(key) is not None:
                    scope.set_tag(key, str(data[key]))
            scope.set_context("alert", {k: str(v) for k, v in data.items()})
            sentry_sdk.capture_message(f"{kind}: {message}", level="error")
    settings = get_settings()
    if settings.slack_enabled and settings.slack_channel and settings.slack_alerts:
        webhook_queue(conn).enqueue("caseworker.integrations.slack.post_alert", kind, message,
                                    result_ttl=600, failure_ttl=86_400)


def from_notice(conn: redis.Redis, notice: dict[str, str]) -> None:
    """Alert on an outbox notice that reports a failure (a check in error, a failed job)."""
    data = json.loads(notice.get("data", "{}"))
    job_id = notice["job_id"]
    if notice["type"] == "check.completed" and data.get("status") == "error":
        raise_alert(conn, "check.failed", f"job {job_id}: check {data.get('check_id')} ended "
                    f"in error after {data.get('attempts')} attempt(s): {data.get('answer')}",
                    {"job_id": job_id, "check_id": data.get("check_id"),
                     "attempts": data.get("attempts")})
    elif notice["type"] == "job.failed":
        raise_alert(conn, "job.failed", f"job {job_id} failed: {data.get('error')}",
                    {"job_id": job_id})


def from_operation(conn: redis.Redis, record: dict[str, str]) -> None:
    """Alert on an operations record that reports a failure."""
    if record["type"] not in ALERTING_OPERATIONS:
        return
    data = json.loads(record.get("data", "{}"))
    details = ", ".join(f"{k}={v}" for k, v in data.items())
    raise_alert(conn, record["type"], f"on {record.get('host')}: {details}",
                data)
