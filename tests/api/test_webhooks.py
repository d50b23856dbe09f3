"""Webhook endpoints over HTTP: register, secrets shown once, tenancy, test-send, redelivery."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from tests.api.conftest import Tenant
from tests.api.helpers import submit, wait_job
from tests.fixtures.webhook_receiver import Receiver, run_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with run_receiver() as running:
        yield running


def _register(tenant: Tenant, receiver: Receiver, events: list[str]) -> dict[str, object]:
    with tenant.client() as client:
        response = client.post("/v1/webhook-endpoints",
                               json={"url": receiver.url, "events": events})
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    receiver.secrets = [str(created["secret"])]
    return created


def _delivered(tenant: Tenant, endpoint_id: object, message_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 30
    with tenant.client() as client:
        while True:
            view: dict[str, object] = client.get(
                f"/v1/webhook-endpoints/{endpoint_id}/deliveries/{message_id}").json()
            if view.get("state") == "succeeded":
                return view
            assert time.monotonic() < deadline, view
            time.sleep(0.1)


def test_an_endpoint_gets_signed_job_events_and_its_secret_is_shown_once(
    tenant: Tenant, receiver: Receiver,
) -> None:
    created = _register(tenant, receiver, ["job.completed", "check.completed"])
    assert str(created["secret"]).startswith("whsec_")
    with tenant.client() as client:
        shown = client.get(f"/v1/webhook-endpoints/{created['id']}").json()
        assert "secret" not in shown and shown["secrets_active"] == 1
        assert [e["id"] for e in client.get("/v1/webhook-endpoints").json()] == [created["id"]]
        job_id = submit(client, "wh-api-1")
        job = wait_job(client, job_id)
    received = receiver.wait_for(len(job["checks"]) + 1)
    kinds = sorted(r.payload["type"] for r in received)
    assert kinds == ["check.completed"] * len(job["checks"]) + ["job.completed"]
    completed = next(r for r in received if r.payload["type"] == "job.completed")
    assert completed.payload["data"]["job_id"] == job_id
    assert completed.payload["data"]["case_id"] == "wh-api-1"
    assert completed.payload["data"]["recommendation"] == job["recommendation"]


def test_another_tenant_cannot_see_or_touch_the_endpoint(
    tenant: Tenant, other_tenant: Tenant, receiver: Receiver,
) -> None:
    created = _register(tenant, receiver, ["job.completed"])
    with other_tenant.client() as client:
        assert client.get("/v1/webhook-endpoints").json() == []
        assert client.get(f"/v1/webhook-endpoints/{created['id']}").status_code == 404
        assert client.delete(f"/v1/webhook-endpoints/{created['id']}").status_code == 404
        submit(client, "wh-other")  # its jobs are not sent to the first tenant's endpoint
    with tenant.client("reader") as client:
        assert client.get("/v1/webhook-endpoints").status_code == 403  # admin only
    time.sleep(2)
    assert receiver.received == []


def test_test_send_log_and_manual_redelivery_keep_the_webhook_id(
    tenant: Tenant, receiver: Receiver,
) -> None:
    created = _register(tenant, receiver, ["job.failed"])
    base = f"/v1/webhook-endpoints/{created['id']}"
    with tenant.client() as client:
        sent = client.post(f"{base}/test")
        assert sent.status_code == 202
        message_id = sent.json()["message_id"]
        view = _delivered(tenant, created["id"], message_id)
        assert [a["status"] for a in view["attempt_log"]] == [200]  # type: ignore[union-attr]
        again = client.post(f"{base}/deliveries/{message_id}/redeliver")
        assert again.status_code == 202
        receiver.wait_for(2)
        listed = client.get(f"{base}/deliveries").json()
        assert [d["message_id"] for d in listed] == [message_id]
        since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
        ranged = client.post(f"{base}/redeliver", json={"since": since, "only_failed": False})
        assert ranged.json() == {"message_id": None, "deliveries": 1}
        receiver.wait_for(3)
    assert {r.webhook_id for r in receiver.received} == {message_id}
    assert receiver.received[0].payload["type"] == "webhook.test"


def test_a_rotated_secret_and_the_old_one_both_verify_during_the_overlap(
    tenant: Tenant, receiver: Receiver,
) -> None:
    created = _register(tenant, receiver, ["job.completed"])
    old = receiver.secrets[0]
    base = f"/v1/webhook-endpoints/{created['id']}"
    with tenant.client() as client:
        rotated = client.post(f"{base}/rotate-secret", json={"overlap_seconds": 600}).json()
        assert rotated["secret"] != old and rotated["previous_valid_until"]
        for secrets in ([old], [rotated["secret"]]):
            receiver.secrets = secrets
            client.post(f"{base}/test")
            receiver.wait_for(len(receiver.accepted) + 1)
        assert client.get(base).json()["secrets_active"] == 2


def test_bad_endpoint_requests_name_the_problem(tenant: Tenant) -> None:
    with tenant.client() as client:
        unknown = client.post("/v1/webhook-endpoints",
                              json={"url": "https://example.com/h", "events": ["job.exploded"]})
        assert unknown.status_code == 422 and "events" in unknown.text
        assert "job.completed" in unknown.text  # the types it could have been
        scheme = client.post("/v1/webhook-endpoints",
                             json={"url": "file:///etc/passwd", "events": ["job.completed"]})
        assert scheme.status_code == 422
        assert scheme.json()["code"] == "webhook_url_refused"


def test_review_required_and_review_decided_reach_the_endpoint(
    tenant: Tenant, receiver: Receiver,
) -> None:
    _register(tenant, receiver, ["review.required", "review.decided"])
    with tenant.client() as client:
        job_id = client.post("/v1/jobs", json={"agent": "api-test", "case": {
            "id": "wh-review", "subject": {"legal_name": "Red flag Ltd", "jurisdiction": "GB",
                                           "registration_number": "12345678"}}}).json()["job_id"]
        assert wait_job(client, job_id)["recommendation"] == "reject"
        required = receiver.wait_for(1)[0].payload
        assert required["type"] == "review.required"
        assert required["data"]["recommendation"] == "reject"
    with tenant.client("reviewer") as client:
        client.post(f"/v1/jobs/{job_id}/review", json={"decision": "reject", "reason": "fraud"})
    decided = receiver.wait_for(2)[1].payload
    assert decided["type"] == "review.decided"
    assert decided["data"] | {"at": None} == decided["data"] | {
        "job_id": job_id, "decision": "reject", "reason": "fraud", "state": "rejected",
        "final": True, "at": None}
