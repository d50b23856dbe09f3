"""Webhooks out, end to end: real workers deliver to a real receiver verifying signatures."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from standardwebhooks.webhooks import Webhook

from caseworker.integrations.webhooks import delivery as sending
from caseworker.integrations.webhooks.delivery import SCHEDULE, next_delay, signed_headers
from caseworker.integrations.webhooks.models import DeliveryState, EventKind, Message
from caseworker.integrations.webhooks.store import WebhookStore, WebhookUrlRefused, check_url
from caseworker.runtime import operations
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.operations import OperationType
from caseworker.settings import get_settings
from tests.fixtures import jobs
from tests.fixtures.cases import acme
from tests.fixtures.webhook_receiver import Receiver, Reply, run_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with run_receiver() as running:
        yield running


def _endpoint(conn: redis.Redis, receiver: Receiver,
              events: tuple[EventKind, ...] = (EventKind.job_completed,)) -> str:
    endpoint, secret = WebhookStore(conn).create_endpoint("default", receiver.url, list(events))
    receiver.secrets = [secret]
    return endpoint.id


def _state(conn: redis.Redis, endpoint_id: str, message_id: str, want: DeliveryState,
           timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    store = WebhookStore(conn)
    while (found := store.delivery(endpoint_id, message_id)) is None or found.state != want:
        assert time.monotonic() < deadline, f"delivery is {found}"
        time.sleep(0.05)


def test_500_twice_then_200_is_accepted_once_per_webhook_id(
    conn: redis.Redis, workers: LocalWorkers, receiver: Receiver,
) -> None:
    endpoint_id = _endpoint(conn, receiver)
    receiver.fail_each = 2  # 500 to the first two tries of each message, then 200
    ids = [jobs.start(conn, "parallel", acme().model_copy(update={"id": f"wh-{n}"}))
           for n in range(3)]
    accepted = receiver.wait_for(3)
    time.sleep(0.5)  # nothing more arrives once each is delivered
    assert Counter(r.webhook_id for r in receiver.accepted) == {
        r.webhook_id: 1 for r in accepted}
    assert sorted(r.payload["data"]["job_id"] for r in accepted) == sorted(ids)
    assert {r.payload["type"] for r in accepted} == {"job.completed"}
    assert all(r.payload["data"]["recommendation"] == "approve" for r in accepted)
    store = WebhookStore(conn)
    for message_id in (r.webhook_id for r in accepted):
        tries = [r for r in receiver.received if r.webhook_id == message_id]
        assert [r.status for r in tries] == [500, 500, 200]
        assert all(r.verified for r in tries)  # the same id, signed afresh each time
        log = store.attempts(endpoint_id, message_id)
        assert [a.status for a in log] == [500, 500, 200]
        assert all(a.latency_ms >= 0 and a.response for a in log)
        delivery = store.delivery(endpoint_id, message_id)
        assert delivery is not None and delivery.state == DeliveryState.succeeded


def test_a_410_disables_the_endpoint(
    conn: redis.Redis, workers: LocalWorkers, receiver: Receiver,
) -> None:
    endpoint_id = _endpoint(conn, receiver)
    receiver.script(410)
    jobs.start(conn, "parallel", acme())
    deadline = time.monotonic() + 30
    store = WebhookStore(conn)
    while (endpoint := store.endpoint(endpoint_id)) and endpoint.enabled:
        assert time.monotonic() < deadline, "the endpoint was not disabled"
        time.sleep(0.05)
    assert endpoint is not None and endpoint.disabled_reason == "the endpoint answered 410 Gone"
    while not (alerts := [e for e in operations.recent(conn)
                          if e.type == OperationType.endpoint_disabled]):
        assert time.monotonic() < deadline, "no endpoint.disabled record"  # written just after
        time.sleep(0.05)
    assert alerts[-1].data["endpoint"] == endpoint_id
    jobs.wait(conn, jobs.start(conn, "parallel", acme().model_copy(update={"id": "after"})))
    time.sleep(1)
    assert [r.status for r in receiver.received] == [410]  # nothing more is sent there


def test_retry_after_is_honoured(
    conn: redis.Redis, workers: LocalWorkers, receiver: Receiver,
) -> None:
    _endpoint(conn, receiver)
    receiver.script(Reply(429, {"Retry-After": "2"}))
    jobs.start(conn, "parallel", acme())
    receiver.wait_for(1)
    first, second = receiver.received
    assert second.webhook_id == first.webhook_id
    assert second.at - first.at >= 1.9  # the schedule alone would wait 5 ms


@pytest.mark.timeout(180)
def test_killing_the_worker_mid_delivery_does_not_lose_it(
    conn: redis.Redis, redis_url: str, counters: Path, receiver: Receiver,
) -> None:
    endpoint_id = _endpoint(conn, receiver)
    receiver.script(Reply(200, delay=10))  # the first attempt hangs while its sender dies
    pool = LocalWorkers(redis_url, 1)
    pool.start()
    try:
        jobs.start(conn, "parallel", acme())
        assert receiver.arrived.wait(60), "no delivery was attempted"
        (sender,) = pool.pids
        os.kill(sender, signal.SIGKILL)  # mid-request: no answer, no attempt recorded
        accepted = receiver.wait_for(1, timeout=90)[0]  # a restarted worker, after the lease
        _state(conn, endpoint_id, accepted.webhook_id, DeliveryState.succeeded)
    finally:
        pool.stop()
    assert {r.webhook_id for r in receiver.received} == {accepted.webhook_id}
    (completed,) = WebhookStore(conn).attempts(endpoint_id, accepted.webhook_id)
    assert completed.status == 200  # the attempt cut short left no record, and cost nothing
    assert pool.restarts >= 1


# --- one attempt at a time, in this process ------------------------------------------------


def _message(conn: redis.Redis, endpoint_id: str, *, attempts: int = 0) -> Message:
    store = WebhookStore(conn)
    message = Message(id=f"msg_{time.time_ns()}", tenant="default", type="job.completed",
                      timestamp=dt.datetime.now(dt.UTC), data={"job_id": "j"})
    store.add_message(message)
    store.add_delivery(endpoint_id, message, due=time.time())
    if attempts:
        delivery = store.delivery(endpoint_id, message.id)
        assert delivery is not None
        store.save_delivery(delivery.model_copy(update={"attempts": attempts}), due=time.time())
    return message


def test_the_last_attempt_failing_ends_the_delivery_with_an_alert(
    conn: redis.Redis, receiver: Receiver,
) -> None:
    endpoint_id = _endpoint(conn, receiver)
    message = _message(conn, endpoint_id, attempts=len(SCHEDULE) - 1)
    receiver.script(503)
    assert sending.attempt(conn, endpoint_id, message.id) == f"failed: {len(SCHEDULE)} attempts"
    found = WebhookStore(conn).delivery(endpoint_id, message.id)
    assert found is not None and found.state == DeliveryState.failed
    alert = operations.recent(conn)[-1]
    assert alert.type == OperationType.delivery_failed and alert.data["last_status"] == 503


def test_an_endpoint_failing_for_five_days_is_disabled(
    conn: redis.Redis, receiver: Receiver,
) -> None:
    endpoint_id = _endpoint(conn, receiver)
    settings = get_settings()
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(
        seconds=settings.webhook_disable_after * settings.webhook_schedule_scale + 1)
    store = WebhookStore(conn)
    store.mutate(endpoint_id, lambda e: e.model_copy(update={"failing_since": long_ago}))
    message = _message(conn, endpoint_id)
    receiver.script(500)
    assert sending.attempt(conn, endpoint_id, message.id) == "failed: endpoint disabled"
    endpoint = store.endpoint(endpoint_id)
    assert endpoint is not None and not endpoint.enabled
    assert "without a success" in (endpoint.disabled_reason or "")
    assert operations.recent(conn)[-1].type == OperationType.endpoint_disabled


def test_a_success_clears_the_failing_clock(conn: redis.Redis, receiver: Receiver) -> None:
    endpoint_id = _endpoint(conn, receiver)
    store = WebhookStore(conn)
    store.mutate(endpoint_id, lambda e: e.model_copy(update={
        "failing_since": dt.datetime.now(dt.UTC)}))
    message = _message(conn, endpoint_id)
    assert sending.attempt(conn, endpoint_id, message.id) == "delivered: 200"
    endpoint = store.endpoint(endpoint_id)
    assert endpoint is not None and endpoint.failing_since is None


def test_both_secrets_sign_during_a_rotation_and_only_the_new_after(
    conn: redis.Redis, receiver: Receiver,
) -> None:
    store = WebhookStore(conn)
    endpoint, old = store.create_endpoint("default", receiver.url, [EventKind.job_completed])
    rotated, new = store.rotate_secret("default", endpoint.id, overlap=60)
    message = Message(id="msg_rot", tenant="default", type="job.completed",
                      timestamp=dt.datetime.now(dt.UTC), data={})
    now = dt.datetime.now(dt.UTC)
    headers = signed_headers(rotated, message, now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(message.body(), headers)
    later = now + dt.timedelta(seconds=61)
    assert rotated.signing_secrets(later) == [new]


def test_the_retry_schedule_has_jitter_and_an_end() -> None:
    delays = [next_delay(2, None, scale=1.0) for _ in range(50)]
    assert all(270 <= d <= 330 for d in delays if d is not None) and len(set(delays)) > 1
    assert next_delay(1, 120.0, scale=1.0) == 120.0  # Retry-After longer than the 5 s step
    assert next_delay(len(SCHEDULE), None, scale=1.0) is None


def test_private_targets_are_refused_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "webhook_allow_private_urls", False)
    for url in ("http://127.0.0.1:8080/h", "http://169.254.169.254/latest", "http://10.0.0.5/",
                "ftp://example.com/h"):
        with pytest.raises(WebhookUrlRefused):
            check_url(url)
    monkeypatch.setattr(get_settings(), "webhook_allow_private_urls", True)
    check_url("http://127.0.0.1:8080/h")
