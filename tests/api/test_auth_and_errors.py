"""Keys, roles, rate limits and RFC 9457 problems, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import redis

from caseworker.api.credentials import ApiKeyStore, Role
from tests.api.conftest import Server, Tenant, start_server, stop_server
from tests.api.helpers import case

PROBLEM = "application/problem+json"


def test_no_key_bad_key_and_revoked_key_are_401(server: Server, api_conn: redis.Redis) -> None:
    store = ApiKeyStore(api_conn)
    key, token = store.create("revokers", {Role.read})
    assert httpx2.get(f"{server.url}/v1/jobs").status_code == 401
    for bad in ("nonsense", "cwk_000000000000_" + "x" * 32, token[:-1] + "!"):
        response = httpx2.get(f"{server.url}/v1/jobs", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx2.get(f"{server.url}/v1/jobs", headers=auth).status_code == 200
    store.revoke(key.id)
    revoked = httpx2.get(f"{server.url}/v1/jobs", headers=auth)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]


def test_roles_are_enforced(tenant: Tenant) -> None:
    with tenant.client("reader") as reader:
        response = reader.post("/v1/jobs", json={"agent": "api-test", "case": case("r-1")})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and "submit" in response.json()["detail"]


def test_an_invalid_case_names_the_field(tenant: Tenant) -> None:
    body = {"agent": "api-test", "case": case("bad-1")}
    del body["case"]["subject"]["legal_name"]  # type: ignore[index]
    body["case"]["subject"]["mcc"] = "12"  # type: ignore[index]
    with tenant.client() as client:
        response = client.post("/v1/jobs", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert {"type", "title", "status", "detail", "instance", "code"} <= problem.keys()
    fields = {e["field"] for e in problem["errors"]}
    assert "body.case.subject.legal_name" in fields and "body.case.subject.mcc" in fields


def test_unknown_agent_route_and_job_are_404_problems(tenant: Tenant) -> None:
    with tenant.client() as client:
        agent = client.post("/v1/jobs", json={"agent": "nope", "case": case("n-1")})
        route = client.get("/v1/nowhere")
        job = client.get("/v1/jobs/0123456789abcdef")
    for response in (agent, route, job):
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
    assert "api-test" in agent.json()["detail"]  # says what is served


def test_malformed_json_is_a_problem(tenant: Tenant) -> None:
    with tenant.client() as client:
        response = client.post("/v1/jobs", content=b"{not json",
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


def test_a_body_over_the_limit_is_413(tenant: Tenant) -> None:
    body = {"agent": "api-test", "case": case("big-1"), "metadata": {"blob": "x" * 6_000_000}}
    with tenant.client() as client:
        response = client.post("/v1/jobs", json=body)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_agents_are_listed(tenant: Tenant) -> None:
    with tenant.client("reader") as client:
        agents = {a["name"]: a for a in client.get("/v1/agents").json()}
    assert set(agents) == {"api-test", "api-flaky", "api-slow"}
    assert agents["api-test"]["checks"] == ["first", "second", "third"]
    assert agents["api-test"]["models"] == ["rules"]


@pytest.fixture(scope="module")
def limited(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second API process on the same store, allowing 5 requests per minute per key."""
    running = start_server(server.redis_url, tmp_path_factory.mktemp("limited") / "serve.log",
                           workers=0, CASEWORKER_API_RATE_LIMIT="5")
    yield running
    stop_server(running)


def test_rate_limit_answers_429_with_retry_after(
    limited: Server, tenant: Tenant, tmp_path: Path,
) -> None:
    auth = {"Authorization": f"Bearer {tenant.tokens['reader']}"}
    if time.time() % 60 > 45:  # the window is the clock's minute: start well inside one
        time.sleep(61 - time.time() % 60)
    codes = [httpx2.get(f"{limited.url}/v1/jobs", headers=auth).status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    response = httpx2.get(f"{limited.url}/v1/jobs", headers=auth)
    assert response.headers["content-type"] == PROBLEM
    assert 1 <= int(response.headers["retry-after"]) <= 61
    other = {"Authorization": f"Bearer {tenant.tokens['admin']}"}  # another key: its own budget
    assert httpx2.get(f"{limited.url}/v1/jobs", headers=other).status_code == 200


def test_health_and_readiness(server: Server) -> None:
    assert httpx2.get(f"{server.url}/healthz").json() == {"status": "ok"}
    ready = httpx2.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ok" and ready["redis"] and ready["workers"] >= 2
    assert httpx2.get(f"{server.url}/openapi.json").json()["info"]["title"] == "caseworker"
    assert httpx2.get(f"{server.url}/docs").status_code == 200


def test_a_document_path_on_the_server_is_refused(tenant: Tenant) -> None:
    body = {"agent": "api-test", "case": {
        **case("doc-1"), "documents": [{"type": "incorporation",
                                        "path": "/etc/passwd"}]}}
    with tenant.client() as client:
        response = client.post("/v1/jobs", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.case.documents.0.path"
