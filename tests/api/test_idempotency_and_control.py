"""Idempotent submission, single checks, listing with cursors, cancel and retry."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import redis

from caseworker.runtime import keys
from tests.api.conftest import Tenant
from tests.api.helpers import case, submit, wait_job
from tests.fixtures.tools import executions


def test_twenty_concurrent_identical_posts_make_one_job(
    tenant: Tenant, api_conn: redis.Redis,
) -> None:
    body = {"agent": "api-test", "case": case("idem-1")}

    def post(_: int) -> tuple[int, dict[str, object]]:
        with tenant.client("submitter") as client:
            response = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "k-1"})
            return response.status_code, response.json()

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(post, range(20)))
    assert {status for status, _ in answers} == {202}
    assert len({str(a) for _, a in answers}) == 1  # the same response, byte for byte
    assert api_conn.zcard(keys.tenant_jobs(tenant.name)) == 1


def test_an_idempotency_key_reused_with_another_body_is_refused(tenant: Tenant) -> None:
    with tenant.client() as client:
        first = client.post("/v1/jobs", json={"agent": "api-test", "case": case("idem-2")},
                            headers={"Idempotency-Key": "k-2"})
        other = client.post("/v1/jobs", json={"agent": "api-test", "case": case("idem-3")},
                            headers={"Idempotency-Key": "k-2"})
    assert first.status_code == 202
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_keys_are_per_tenant(tenant: Tenant, other_tenant: Tenant) -> None:
    body = {"agent": "api-test", "case": case("idem-4")}
    with tenant.client() as a, other_tenant.client() as b:
        one = a.post("/v1/jobs", json=body, headers={"Idempotency-Key": "shared"}).json()
        two = b.post("/v1/jobs", json=body, headers={"Idempotency-Key": "shared"}).json()
    assert one["job_id"] != two["job_id"]


def test_run_one_check_runs_it_and_its_dependencies(tenant: Tenant) -> None:
    with tenant.client() as client:
        response = client.post("/v1/checks/run", json={
            "agent": "api-test", "case": case("one-1"), "check_id": "second"})
        assert response.status_code == 202
        view = wait_job(client, response.json()["job_id"])
        assert [c["check_id"] for c in view["checks"]] == ["first", "second"]
        assert view["recommendation"] == "approve"
        check = client.get(f"/v1/jobs/{view['id']}/checks/second").json()
        assert check["state"] == "done" and check["result"]["check_id"] == "second"
        missing = client.post("/v1/checks/run", json={
            "agent": "api-test", "case": case("one-2"), "check_id": "nope"})
        assert missing.status_code == 422 and "nope" in missing.json()["detail"]


def test_list_jobs_pages_with_cursors_and_filters(tenant: Tenant) -> None:
    with tenant.client() as client:
        ids = [submit(client, f"list-{n % 2}") for n in range(7)]
        pages: list[str] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"limit": 3}
            if cursor:
                params["cursor"] = cursor
            page = client.get("/v1/jobs", params=params).json()
            pages += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == list(reversed(ids))  # newest first, each once
        odd = client.get("/v1/jobs", params={"case_id": "list-1"}).json()["items"]
        assert {item["id"] for item in odd} == set(ids[1::2])
        for job_id in ids:
            wait_job(client, job_id)
        done = client.get("/v1/jobs", params={"status": "complete", "agent": "api-test"}).json()
        assert {item["id"] for item in done["items"]} == set(ids)
        assert client.get("/v1/jobs", params={"cursor": "!!"}).status_code == 422


def test_cancel_stops_a_running_check_at_its_next_step(tenant: Tenant) -> None:
    labels = ["slow-1", "slow-6", "slow-after"]
    before = {label: executions(label) for label in labels}  # the server counts per session
    with tenant.client() as client:
        job_id = submit(client, "cancel-1", agent="api-slow")
        deadline = time.monotonic() + 20
        while executions("slow-1") == before["slow-1"] and time.monotonic() < deadline:
            time.sleep(0.05)
        response = client.post(f"/v1/jobs/{job_id}/cancel")
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        time.sleep(1.5)  # the worker sees the cancellation at its next step
        view = client.get(f"/v1/jobs/{job_id}?include=checks").json()
        again = client.post(f"/v1/jobs/{job_id}/cancel")
    assert view["status"] == "cancelled"
    states = {c["check_id"]: (c["state"], c["result"]) for c in view["checks"]}
    assert states["slow"] == ("cancelled", None)  # stopped, nothing half-written
    assert states["after_slow"] == ("cancelled", None)  # never started
    assert executions("slow-6") == before["slow-6"]
    assert executions("slow-after") == before["slow-after"]
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_retry_reruns_only_the_errored_checks(tenant: Tenant) -> None:
    with tenant.client() as client:
        job_id = submit(client, "retry-case-1", agent="api-flaky")
        first = wait_job(client, job_id)
        statuses = {c["check_id"]: c["status"] for c in first["checks"]}
        assert statuses == {"steady": "pass", "flaky": "error"}
        steady_runs = executions("flaky-steady")
        response = client.post(f"/v1/jobs/{job_id}/retry")
        assert response.status_code == 202 and response.json()["checks"] == ["flaky"]
        second = wait_job(client, job_id)
        assert {c["check_id"]: c["status"] for c in second["checks"]} == {
            "steady": "pass", "flaky": "pass"}
        assert second["recommendation"] == "approve"
        assert executions("flaky-steady") == steady_runs  # the passed check was not re-run
        nothing = client.post(f"/v1/jobs/{job_id}/retry")
        assert nothing.status_code == 409
