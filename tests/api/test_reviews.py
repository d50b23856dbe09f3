"""Reviewer decisions over HTTP: one reviewer, four eyes, feedback, the audit trail."""

from __future__ import annotations

import redis

from caseworker.runtime import audit
from tests.api.conftest import Tenant
from tests.api.helpers import case, wait_job


def _job(tenant: Tenant, case_id: str, name: str = "Acme Widgets Ltd") -> dict[str, object]:
    with tenant.client() as client:
        response = client.post("/v1/jobs", json={"agent": "api-test", "case": case(case_id, name)})
        return wait_job(client, response.json()["job_id"])


def test_one_reviewer_approves_a_clean_job(tenant: Tenant, api_conn: redis.Redis) -> None:
    job = _job(tenant, "rev-1")
    assert job["review"] == {"state": "awaiting_review", "four_eyes": False,
                             "four_eyes_reason": None}
    with tenant.client("reviewer") as client:
        response = client.post(f"/v1/jobs/{job['id']}/review",
                               json={"decision": "approve", "reason": "documents seen"})
    assert response.status_code == 200
    assert response.json()["state"] == "approved"
    records = [r for r in audit.records(api_conn, str(job["id"])) if r.kind == "review.decision"]
    assert len(records) == 1 and records[0].payload["reason"] == "documents seen"
    assert audit.verify(api_conn, str(job["id"])).ok


def test_a_rejected_job_needs_a_second_different_reviewer(tenant: Tenant) -> None:
    job = _job(tenant, "rev-2", name="Red flag Ltd")  # the first check fails: reject
    assert job["recommendation"] == "reject"
    url = f"/v1/jobs/{job['id']}/review"
    approve = {"decision": "approve", "reason": "false positive, cleared"}
    with tenant.client("reviewer") as one, tenant.client("reviewer2") as two:
        first = one.post(url, json=approve).json()
        assert first["state"] == "awaiting_second_approval" and first["four_eyes"]
        again = one.post(url, json=approve)
        assert again.status_code == 409 and "second, different reviewer" in again.json()["detail"]
        second = two.post(url, json=approve).json()
        assert second["state"] == "approved"
        late = two.post(url, json={"decision": "reject", "reason": "changed my mind"})
        assert late.status_code == 409
        assert len(one.get(url).json()["reviews"]) == 2


def test_review_needs_the_reviewer_role_and_a_reason(tenant: Tenant) -> None:
    job = _job(tenant, "rev-3")
    url = f"/v1/jobs/{job['id']}/review"
    with tenant.client("submitter") as client:
        assert client.post(url, json={"decision": "approve", "reason": "ok"}).status_code == 403
    with tenant.client("reviewer") as client:
        empty = client.post(url, json={"decision": "approve", "reason": ""})
        assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "body.reason"
        odd = client.post(url, json={"decision": "maybe", "reason": "x"})
        assert odd.status_code == 422


def test_feedback_is_stored_per_check(tenant: Tenant) -> None:
    job = _job(tenant, "rev-4")
    url = f"/v1/jobs/{job['id']}/feedback"
    with tenant.client("reviewer") as client:
        stored = client.post(url, json={"check_id": "second", "verdict": "incorrect",
                                        "comment": "should have reviewed"})
        assert stored.status_code == 201 and stored.json()["check_id"] == "second"
        unknown = client.post(url, json={"check_id": "nope", "verdict": "correct"})
        assert unknown.status_code == 404
