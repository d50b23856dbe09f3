"""Job routes: submit (idempotent), read, list with cursors, cancel, retry, single checks."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from caseworker.agents.coordinator import submit
from caseworker.api import idempotency
from caseworker.api.context import Service
from caseworker.api.credentials import ApiKey
from caseworker.api.deps import Reader, ServiceDep, Submitter, tenant_job
from caseworker.api.intake_guard import refuse_document_paths
from caseworker.api.reviews import review_state
from caseworker.api.schemas import (
    AgentView,
    CheckRunRequest,
    CheckView,
    JobAccepted,
    JobPage,
    JobRequest,
    JobView,
    Retried,
    check_view,
    job_view,
    links,
)
from caseworker.domain.job import JobStatus
from caseworker.exceptions import AuthoringError, NotFound, Problem
from caseworker.runtime import control, keys
from caseworker.runtime.connection import as_text
from caseworker.runtime.store import JobStore

router = APIRouter(prefix="/v1", tags=["jobs"])
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200,
           description="Repeat a request safely: the same key and body return the same job"),
]
SCAN_CHUNK = 200
MAX_SCAN = 5_000  # job ids one list request looks at; past it, the page ends with a cursor


def _start(svc: Service, key: ApiKey, body: JobRequest | CheckRunRequest) -> dict[str, Any]:
    check_ids = [body.check_id] if isinstance(body, CheckRunRequest) else body.check_ids
    refuse_document_paths(body.case, svc.settings)
    definition = svc.catalog.definition(body.agent)
    if check_ids:
        try:
            plan = control.restrict_plan(definition.plan, check_ids)
        except KeyError as exc:
            raise AuthoringError(
                f"agent {body.agent!r} has no check(s) {exc.args[0]}",
                problems=[Problem(f"unknown check {exc.args[0]}", check_id="check_ids")],
            ) from None
        definition = definition.model_copy(update={"plan": plan})
    job_id = submit(svc.conn, definition, body.case, tenant=key.tenant, metadata=body.metadata)
    accepted = JobAccepted(job_id=job_id, status=JobStatus.queued, links=links(job_id))
    return accepted.model_dump(mode="json")


def _accepted(
    svc: Service, key: ApiKey, body: JobRequest | CheckRunRequest, idem: str | None,
    response: Response,
) -> JobAccepted:
    """Start the job once per Idempotency-Key (if given); 202 with its links."""
    if idem is None:
        answer = _start(svc, key, body)
    else:
        route = type(body).__name__
        answer = idempotency.once(
            svc.conn, tenant=key.tenant, key=idem, ttl=svc.settings.idempotency_ttl,
            print_=idempotency.fingerprint(route, body.model_dump(mode="json")),
            create=lambda: _start(svc, key, body),
        )
    accepted = JobAccepted.model_validate(answer)
    response.headers["Location"] = accepted.links.self
    return accepted


@router.post("/jobs", status_code=202, response_model=JobAccepted)
def create_job(
    body: JobRequest, svc: ServiceDep, key: Submitter, response: Response,
    idem: IdempotencyKey = None,
) -> JobAccepted:
    """Start a job; answers at once with its id. Follow it at `links.events` or poll it."""
    return _accepted(svc, key, body, idem, response)


@router.post("/checks/run", status_code=202, response_model=JobAccepted)
def run_check(
    body: CheckRunRequest, svc: ServiceDep, key: Submitter, response: Response,
    idem: IdempotencyKey = None,
) -> JobAccepted:
    """Run one check on a case, as a job of that check and the checks it depends on."""
    return _accepted(svc, key, body, idem, response)


def _titles(svc: Service, job_id: str) -> dict[str, str]:
    return {c.id: c.title for c in JobStore(svc.conn).definition(job_id).plan.checks}


@router.get("/jobs/{job_id}", response_model=JobView)
def get_job(
    job_id: str, svc: ServiceDep, key: Reader,
    include: Annotated[str | None, Query(pattern=r"^checks$",
                                         description="`checks`: each check's result")] = None,
) -> JobView:
    """Get a job's status, progress n/m and decision; `?include=checks` adds each result."""
    job = tenant_job(svc, key, job_id)
    return job_view(job, _titles(svc, job_id), with_checks=include == "checks",
                    review=review_state(svc.conn, job))


@router.get("/jobs/{job_id}/checks/{check_id}", response_model=CheckView)
def get_check(job_id: str, check_id: str, svc: ServiceDep, key: Reader) -> CheckView:
    """Get one check of a job: its state and, once done, its full result."""
    job = tenant_job(svc, key, job_id)
    if check_id not in job.checks:
        raise NotFound(f"job '{job_id}' has no check '{check_id}'")
    return check_view(job, check_id, _titles(svc, job_id))


def _encode_cursor(score: float, job_id: str) -> str:
    return base64.urlsafe_b64encode(f"{score!r}:{job_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[float, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score, _, job_id = text.partition(":")
        return float(score), job_id
    except (ValueError, UnicodeDecodeError):
        raise AuthoringError("the cursor is not one this API returned",
                             problems=[Problem("invalid cursor", check_id="cursor")]) from None


@router.get("/jobs", response_model=JobPage)
def list_jobs(
    *, svc: ServiceDep, key: Reader,
    case_id: str | None = None, status: JobStatus | None = None, agent: str | None = None,
    cursor: str | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> JobPage:
    """List the tenant's jobs, newest first, filtered; page on with `next_cursor`."""
    index = keys.tenant_jobs(key.tenant)
    top: float | str = "+inf"
    after: tuple[float, str] | None = None
    if cursor:
        after = _decode_cursor(cursor)
        top = after[0]
    store = JobStore(svc.conn)
    items: list[JobView] = []
    scanned = 0
    last: tuple[float, str] | None = None
    offset = 0
    while len(items) < limit and scanned < MAX_SCAN:
        chunk: list[tuple[bytes, float]] = svc.conn.zrevrangebyscore(  # type: ignore[assignment]
            index, top, "-inf", start=offset, num=SCAN_CHUNK, withscores=True)
        if not chunk:
            last = None
            break
        offset += len(chunk)
        pipe = svc.conn.pipeline(transaction=False)
        ids = [as_text(member) for member, _ in chunk]
        for job_id in ids:
            pipe.hmget(keys.job(job_id), ["status", "agent", "case_id"])
        fields = pipe.execute()
        for (_, score), job_id, (st, ag, cid) in zip(chunk, ids, fields, strict=True):
            if after is not None and score == after[0] and job_id >= after[1]:
                continue  # on or before the cursor (same timestamp, ordered by id)
            scanned += 1
            last = (score, job_id)
            if (status and as_text(st or b"") != status.value) or (
                    agent and as_text(ag or b"") != agent) or (
                    case_id and as_text(cid or b"") != case_id):
                continue
            job = store.get(job_id, with_results=False)
            items.append(job_view(job, {}))
            if len(items) == limit:
                break
        if len(chunk) < SCAN_CHUNK:
            if len(items) < limit:
                last = None  # the index is exhausted
            break
    return JobPage(items=items, next_cursor=_encode_cursor(*last) if last else None)


@router.post("/jobs/{job_id}/cancel", response_model=JobView)
def cancel_job(job_id: str, svc: ServiceDep, key: Submitter) -> JobView:
    """Cancel a job: checks not started never run, running ones stop at their next step."""
    tenant_job(svc, key, job_id)
    control.cancel(svc.conn, job_id)
    return job_view(JobStore(svc.conn).get(job_id), _titles(svc, job_id))


@router.post("/jobs/{job_id}/retry", status_code=202, response_model=Retried)
def retry_job(job_id: str, svc: ServiceDep, key: Submitter) -> Retried:
    """Run a finished job's errored checks again (only those), then decide again."""
    tenant_job(svc, key, job_id)
    checks = control.retry(svc.conn, job_id)
    return Retried(job_id=job_id, status=JobStore(svc.conn).status(job_id), checks=checks)


agents_router = APIRouter(prefix="/v1", tags=["agents"])


@agents_router.get("/agents", response_model=list[AgentView])
def list_agents(svc: ServiceDep, key: Reader) -> list[AgentView]:
    """List the agents this service runs, with their SOP version and checks."""
    del key
    out = []
    for name, loaded in sorted(svc.catalog.agents.items()):
        spec, plan = loaded.definition.spec, loaded.definition.plan
        out.append(AgentView(
            name=name, title=spec.title or plan.title,
            sop_version=plan.version, sop_sha256=plan.sop_sha256 or None,
            checks=plan.check_ids, models=[m.label for m in spec.model],
        ))
    return out
