"""Jobs over real HTTP: submit, poll, list with cursors, single checks, cancel, retry."""

from __future__ import annotations

from tests.api.conftest import Tenant
from tests.api.helpers import case, wait_job


def test_submit_then_poll_to_a_decision(tenant: Tenant) -> None:
    with tenant.client("submitter") as client:
        response = client.post("/v1/jobs", json={"agent": "api-test", "case": case("c-1"),
                                                 "metadata": {"crm": "42"}})
        assert response.status_code == 202
        body = response.json()
        assert body["status"] == "queued"
        assert response.headers["location"] == body["links"]["self"]
        view = wait_job(client, body["job_id"])
    assert view["status"] == "complete"
    assert view["recommendation"] == "approve"
    assert view["progress"] == {"done": 3, "total": 3}
    assert view["metadata"] == {"crm": "42"}
    assert [c["check_id"] for c in view["checks"]] == ["first", "second", "third"]
    assert all(c["status"] == "pass" and c["result"]["evidence"] for c in view["checks"])
