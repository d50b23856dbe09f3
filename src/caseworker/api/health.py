"""Liveness and readiness: the process answers; Redis is reachable and a worker is alive."""

from __future__ import annotations

import redis
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from caseworker.api.deps import ServiceDep
from caseworker.runtime import keys

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    redis: bool | None = None
    workers: int | None = None
    detail: str | None = None


@router.get("/healthz", response_model=Health, response_model_exclude_none=True)
def healthz() -> Health:
    """Answer while the API process is up."""
    return Health(status="ok")


def live_workers(conn: redis.Redis, at_most: int = 1000) -> int:
    """How many workers heartbeat now (counted up to `at_most`)."""
    count = 0
    for _ in conn.scan_iter(match=keys.worker_alive("*"), count=500):
        count += 1
        if count >= at_most:
            break
    return count


@router.get("/readyz", response_model=Health, response_model_exclude_none=True,
            responses={503: {"model": Health}})
def readyz(svc: ServiceDep) -> Health | JSONResponse:
    """Ready to take jobs: Redis answers and at least one worker is alive."""
    try:
        svc.conn.ping()
        workers = live_workers(svc.conn)
    except redis.RedisError as exc:
        body = Health(status="unavailable", redis=False, detail=f"redis: {exc}")
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
    if workers == 0:
        body = Health(status="unavailable", redis=True, workers=0,
                      detail="no worker is alive: start `caseworker worker`")
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
    return Health(status="ok", redis=True, workers=workers)
