"""Every tenant-scoped route, enumerated from the OpenAPI document, hides other tenants."""

from __future__ import annotations

import re
from typing import Any

import httpx2

from tests.api.conftest import Tenant
from tests.api.helpers import submit, wait_job

# Routes a signature authenticates instead of an API key, each with its own tests.
SIGNED_ROUTES = {"/v1/triggers/{name}"}
# A valid body for each route that takes one: the route's tenant check must be what answers,
# not body validation. A new route with a body fails this test until it is listed here.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/v1/jobs/{job_id}/review"): {"decision": "approve", "reason": "ok"},
    ("post", "/v1/jobs/{job_id}/feedback"): {"check_id": "first", "verdict": "correct"},
    ("patch", "/v1/webhook-endpoints/{endpoint_id}"): {"description": "mine now"},
    ("post", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"): {"overlap_seconds": 0},
    ("post", "/v1/webhook-endpoints/{endpoint_id}/redeliver"): {
        "since": "2026-01-01T00:00:00Z"},
    ("post", "/v1/jobs/{job_id}/clearances"): {
        "party": "B Ltd", "source": "un", "entity_id": "un:1", "reason": "not them"},
    ("post", "/v1/jobs/{job_id}/clearances/{clearance_id}/revoke"): {"reason": "mine now"},
}


def _resources(tenant: Tenant) -> dict[str, str]:
    with tenant.client() as client:
        job_id = submit(client, "tenant-a-case")
        wait_job(client, job_id)
        batch = client.post("/v1/batches", data={"agent": "api-test"},
                            files={"file": ("a.csv", b"case_id,legal_name,address_line1,"
                                            b"address_city,address_country\nb-1,B Ltd,1 St,"
                                            b"Leeds,GB\n", "text/csv")}).json()
        endpoint = client.post("/v1/webhook-endpoints", json={
            "url": "http://127.0.0.1:9/hooks", "events": ["job.completed"]}).json()
        test = client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test").json()
    return {"job_id": job_id, "check_id": "first", "batch_id": batch["batch_id"],
            "endpoint_id": endpoint["id"], "message_id": test["message_id"],
            "clearance_id": "clr_0000000000000000"}  # the job's tenant check answers first


def test_another_tenants_resources_do_not_exist(tenant: Tenant, other_tenant: Tenant) -> None:
    ids = _resources(tenant)
    with other_tenant.client() as intruder:
        spec = intruder.get("/openapi.json").json()
        checked = 0
        for path, methods in spec["paths"].items():
            params = re.findall(r"{(\w+)}", path)
            if not params or path in SIGNED_ROUTES:
                continue
            unknown = [p for p in params if p not in ids]
            assert not unknown, f"{path}: no test resource for {unknown}; add one to _resources"
            url = path.format(**ids)
            for method, operation in methods.items():
                body = BODIES.get((method, path))
                if "requestBody" in operation:
                    assert body is not None, f"{method.upper()} {path}: add a body to BODIES"
                response = intruder.request(method, url, json=body)
                assert response.status_code == 404, (method, path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                checked += 1
        for listing_route in ("/v1/jobs", "/v1/batches"):
            listing = intruder.get(listing_route).json()
            assert ids["job_id"] not in str(listing) and ids["batch_id"] not in str(listing)
        assert intruder.get("/v1/jobs", params={"case_id": "tenant-a-case"}).json()["items"] == []
    assert checked >= 9


def test_the_owner_reaches_the_same_routes(tenant: Tenant) -> None:
    ids = _resources(tenant)
    with tenant.client() as owner:
        response = owner.get(f"/v1/jobs/{ids['job_id']}")
        assert response.status_code == 200


def test_unauthenticated_requests_never_reach_a_resource(tenant: Tenant) -> None:
    ids = _resources(tenant)
    spec = httpx2.get(f"{tenant.base_url}/openapi.json").json()
    for path, methods in spec["paths"].items():
        if not path.startswith("/v1/") or path in SIGNED_ROUTES:
            continue
        url = tenant.base_url + path.format(**{p: ids.get(p, "x") for p in
                                              re.findall(r"{(\w+)}", path)})
        for method in methods:
            response = httpx2.request(method, url, json=BODIES.get((method, path)))
            assert response.status_code == 401, (method, path, response.status_code)
