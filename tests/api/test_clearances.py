"""Cleared screening hits over HTTP: list, clear (reviewers only), revoke, tenant scoping."""

from __future__ import annotations

from pathlib import Path

import redis

from caseworker.agents.coordinator import submit
from caseworker.domain.case import parse_case
from caseworker.runtime import audit
from caseworker.sop.agent import load_agent
from caseworker.tools.registry import default_registry
from tests.api.conftest import Tenant
from tests.api.helpers import wait_job
from tests.fixtures.cases import KHAN, common_name_director

ROOT = Path(__file__).resolve().parents[2]


def _kyb_job(conn: redis.Redis, tenant: Tenant, case_id: str) -> str:
    """Run the KYB agent (not one the service lists) for the tenant on a common-name director."""
    case = parse_case(common_name_director(case_id))
    definition = load_agent(ROOT / "agents" / "kyb", default_registry()).definition
    job_id = submit(conn, definition, case, tenant=tenant.name)
    with tenant.client("reader") as client:
        assert wait_job(client, job_id, timeout=90)["status"] == "complete"
    return job_id


def test_a_reviewer_clears_and_revokes_a_hit(
    tenant: Tenant, other_tenant: Tenant, api_conn: redis.Redis,
) -> None:
    job_id = _kyb_job(api_conn, tenant, "clr-api-1")
    url = f"/v1/jobs/{job_id}/clearances"
    body = {"party": "Mohammed Khan", "source": "ofac_sdn", "entity_id": KHAN,
            "reason": "born in Leeds, British; the SDN is Afghan"}
    with tenant.client("reader") as reader, tenant.client("reviewer") as reviewer:
        assert reader.get(url).json() == []
        assert reader.post(url, json=body).status_code == 403
        unknown = reviewer.post(url, json={**body, "entity_id": "ofac_sdn:1"})
        assert unknown.status_code == 404 and "raised no hit" in unknown.json()["detail"]
        assert reviewer.post(url, json={**body, "reason": ""}).status_code == 422

        created = reviewer.post(url, json=body)
        assert created.status_code == 201, created.text
        clearance = created.json()
        assert (clearance["party"], clearance["job_id"]) == ("Mohammed Khan", job_id)
        assert clearance["cleared_by"].startswith("reviewer (")
        assert [c["id"] for c in reader.get(url).json()] == [clearance["id"]]

        revoke = f"{url}/{clearance['id']}/revoke"
        assert reader.post(revoke, json={"reason": "x"}).status_code == 403
        revoked = reviewer.post(revoke, json={"reason": "new information"})
        assert revoked.status_code == 200 and revoked.json()["revoked_by"].startswith("reviewer (")
        assert reviewer.post(revoke, json={"reason": "again"}).status_code == 409
        (listed,) = reader.get(url).json()
        assert listed["revoke_reason"] == "new information"
    with other_tenant.client("reviewer") as stranger:
        assert stranger.get(url).status_code == 404
        assert stranger.post(url, json=body).status_code == 404

    kinds = [r.kind for r in audit.records(api_conn, job_id) if r.kind.startswith("screening.")]
    assert kinds == ["screening.hit_cleared", "screening.clearance_revoked"]
    assert audit.verify(api_conn, job_id).ok
