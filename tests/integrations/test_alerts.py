"""Error reporting: failures from the outbox and the operations log reach Sentry (a local
server accepting envelopes) and the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import redis
import sentry_sdk

from caseworker.integrations import alerts, notices
from caseworker.runtime import operations, outbox
from caseworker.runtime.operations import OperationType
from caseworker.settings import get_settings
from tests.fixtures.sentry_server import FakeSentry, run_fake_sentry


@pytest.fixture
def sentry(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSentry]:
    with run_fake_sentry() as fake:
        monkeypatch.setattr(get_settings(), "sentry_dsn", fake.dsn)
        monkeypatch.setattr(alerts, "_sentry_pid", None)  # set the SDK up for this server
        yield fake
        sentry_sdk.flush(5)
        sentry_sdk.init(dsn=None)  # and tear it down: other tests report nowhere


def test_a_check_in_error_and_a_worker_exit_become_sentry_events_and_log_lines(
    conn: redis.Redis, sentry: FakeSentry, caplog: pytest.LogCaptureFixture,
) -> None:
    notices.tick(conn, "test-consumer")  # the groups start here: only what follows counts
    outbox.publish(conn, "check.completed", "job-1", {
        "check_id": "screening", "status": "error", "attempts": 3,
        "answer": "Sanctions screening: could not be completed (attempts_exhausted)."})
    outbox.publish(conn, "check.completed", "job-1", {"check_id": "other", "status": "pass"})
    operations.record(conn, OperationType.worker_exited, slot=0, pid=4242, exit_code=-9)
    with caplog.at_level(logging.ERROR, logger="caseworker.integrations.alerts"):
        notices.tick(conn, "test-consumer")
    sentry_sdk.flush(5)
    events = sentry.wait_for_events(2)
    messages = sorted(e["message"] for e in events)
    assert messages[0].startswith("check.failed: job job-1: check screening ended in error")
    assert messages[1].startswith("worker.exited: on ")
    failed = next(e for e in events if e["message"].startswith("check.failed"))
    assert failed["tags"]["job_id"] == "job-1" and failed["tags"]["check_id"] == "screening"
    assert failed["level"] == "error"
    logged = [r.getMessage() for r in caplog.records]
    assert any("alert kind=check.failed job_id=job-1 check_id=screening" in m for m in logged)
    assert not any("check_id=other" in m for m in logged)  # a passing check is no alert


def test_a_disabled_endpoint_and_a_failed_delivery_are_alerts(
    conn: redis.Redis, sentry: FakeSentry,
) -> None:
    notices.tick(conn, "test-consumer")
    operations.record(conn, OperationType.delivery_failed, endpoint="ep_1", tenant="acme",
                      message="msg_1", attempts=10, last_status=503)
    operations.record(conn, OperationType.endpoint_disabled, endpoint="ep_1", tenant="acme",
                      reason="the endpoint answered 410 Gone")
    operations.record(conn, OperationType.worker_rejoined, worker="w", away_s=2.0)  # no alert
    notices.tick(conn, "test-consumer")
    sentry_sdk.flush(5)
    events = sentry.wait_for_events(2)
    assert sorted(e["tags"]["alert"] for e in events) == ["delivery.failed",
                                                           "endpoint.disabled"]
    assert all(e["tags"]["tenant"] == "acme" for e in events)


def test_alerts_go_to_slack_through_an_rq_job(
    conn: redis.Redis, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rq import Queue

    from caseworker.integrations import slack
    from tests.fixtures.slack_server import run_fake_slack

    settings = get_settings()
    with run_fake_slack() as fake:
        for name, value in {"slack_bot_token": "xoxb-t", "slack_signing_secret": "s",
                            "slack_channel": "C1", "slack_api_url": fake.api_url}.items():
            monkeypatch.setattr(settings, name, value)
        alerts.raise_alert(conn, "delivery.failed", "ep_1: 10 attempts", {"endpoint": "ep_1"})
        queue = Queue(f"{settings.queue_name}-webhooks", connection=conn)
        (job,) = queue.get_jobs()
        assert job.func_name == "caseworker.integrations.slack.post_alert"
        slack.post_alert(*job.args)
        (posted,) = fake.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C1"
    assert "delivery.failed: ep_1: 10 attempts" in posted.args["text"]
