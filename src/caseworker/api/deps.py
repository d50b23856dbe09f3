"""Request dependencies: who is calling (API key, tenant, roles), rate limits, tenant scoping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from caseworker.api.context import Service, service
from caseworker.api.credentials import ApiKey, ApiKeyStore, Role
from caseworker.api.ratelimit import check_rate
from caseworker.domain.job import Job
from caseworker.exceptions import Forbidden, JobNotFound, NotFound, Unauthorized
from caseworker.runtime.store import JobStore

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cwk_…`")
ServiceDep = Annotated[Service, Depends(service)]


def caller(
    svc: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiKey:
    """Authenticate the request's API key and count it against the key's rate limit."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an API key is required: Authorization: Bearer cwk_…")
    key = ApiKeyStore(svc.conn).authenticate(credentials.credentials)
    check_rate(svc.conn, key.id, limit=svc.settings.api_rate_limit,
               window=svc.settings.api_rate_window)
    return key


def requires(role: Role) -> Callable[[ApiKey], ApiKey]:
    """Build a dependency that admits keys with `role` (or admin)."""

    def dependency(key: Annotated[ApiKey, Depends(caller)]) -> ApiKey:
        if not key.allows(role):
            raise Forbidden(f"this API key lacks the '{role.value}' role")
        return key

    return dependency


Submitter = Annotated[ApiKey, Depends(requires(Role.submit))]
Reader = Annotated[ApiKey, Depends(requires(Role.read))]
Reviewer = Annotated[ApiKey, Depends(requires(Role.review))]
Admin = Annotated[ApiKey, Depends(requires(Role.admin))]


def tenant_job(svc: Service, key: ApiKey, job_id: str) -> Job:
    """Return the job if it belongs to the key's tenant; another tenant's job does not exist."""
    try:
        job = JobStore(svc.conn).get(job_id)
    except JobNotFound:
        job = None
    if job is None or job.tenant != key.tenant:
        raise NotFound(f"no job '{job_id}'")
    return job
