"""Cleared screening hits: a reviewer's false positive, remembered for later jobs of the case."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from caseworker.api.deps import Reader, Reviewer, ServiceDep, tenant_job
from caseworker.api.schemas import Body
from caseworker.runtime import clearances
from caseworker.runtime.clearances import Clearance

router = APIRouter(prefix="/v1", tags=["reviews"])


class ClearRequest(Body):
    """Clear one hit of the job's screening: this party is not that listed entity."""

    party: str = Field(min_length=1, description="The screened name, as the report gives it",
                       examples=["Mohammed Khan"])
    source: str = Field(min_length=1, description="The hit's list", examples=["ofac"])
    entity_id: str = Field(min_length=1, description="The listed entity's id")
    reason: str = Field(min_length=1, max_length=5000,
                        description="Why it is not the listed entity")


class RevokeRequest(Body):
    reason: str = Field(min_length=1, max_length=5000)


@router.get("/jobs/{job_id}/clearances", response_model=list[Clearance])
def list_clearances(job_id: str, svc: ServiceDep, key: Reader) -> list[Clearance]:
    """List the cleared screening hits of the job's case, active and revoked."""
    job = tenant_job(svc, key, job_id)
    return clearances.for_case(svc.conn, job.tenant, job.case_id)


@router.post("/jobs/{job_id}/clearances", status_code=201, response_model=Clearance)
def clear_hit(job_id: str, body: ClearRequest, svc: ServiceDep, key: Reviewer) -> Clearance:
    """Clear a hit of this complete job's screening; later jobs of the case do not count it."""
    job = tenant_job(svc, key, job_id)
    return clearances.clear_hit(svc.conn, job, key.reviewer, party=body.party,
                                source=body.source, entity_id=body.entity_id, reason=body.reason)


@router.post("/jobs/{job_id}/clearances/{clearance_id}/revoke", response_model=Clearance)
def revoke_clearance(
    job_id: str, clearance_id: str, body: RevokeRequest, svc: ServiceDep, key: Reviewer,
) -> Clearance:
    """Revoke a clearance of the job's case: later jobs raise the hit again."""
    job = tenant_job(svc, key, job_id)
    return clearances.revoke(svc.conn, job, key.reviewer, clearance_id, body.reason)
