"""`POST /v1/triggers/{name}`: a signed request from another system starts a job."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from caseworker.agents.coordinator import submit
from caseworker.api.context import Service
from caseworker.api.deps import ServiceDep
from caseworker.api.intake_guard import refuse_document_paths
from caseworker.api.schemas import JobAccepted, links
from caseworker.domain.case import Case
from caseworker.domain.job import JobStatus
from caseworker.exceptions import Problem
from caseworker.integrations import triggers
from caseworker.integrations.triggers import PayloadUnmapped

router = APIRouter(prefix="/v1", tags=["triggers"])


class TriggerAccepted(JobAccepted):
    replayed: bool = False


@router.post("/triggers/{name}", status_code=202, response_model=TriggerAccepted,
             responses={401: {"description": "Bad signature, or a timestamp out of tolerance"},
                        422: {"description": "The payload does not map to a case"}})
async def fire_trigger(name: str, request: Request, svc: ServiceDep,
                       response: Response) -> TriggerAccepted:
    """Start the trigger's job from a signed JSON body (no API key: the signature is it).

    A delivery id seen before answers 200 with the job it started the first time.
    """
    trigger = triggers.find(svc.triggers, name)
    body = await request.body()
    headers = dict(request.headers)
    accepted = await run_in_threadpool(_fire, svc, trigger, body, headers)
    if accepted.replayed:
        response.status_code = 200
    else:
        response.headers["Location"] = accepted.links.self
    return accepted


def _fire(svc: Service, trigger: triggers.Trigger, body: bytes,
          headers: dict[str, str]) -> TriggerAccepted:
    delivery_id = triggers.verify(trigger, body, headers, time.time())
    if (job_id := triggers.claim(svc.conn, trigger, delivery_id)) is not None:
        return TriggerAccepted(job_id=job_id, status=JobStatus.queued, links=links(job_id),
                               replayed=True)
    try:
        job_id = _start(svc, trigger, body)
    except BaseException:
        triggers.forget(svc.conn, trigger, delivery_id)
        raise
    triggers.remember(svc.conn, trigger, delivery_id, job_id)
    return TriggerAccepted(job_id=job_id, status=JobStatus.queued, links=links(job_id))


def _problem(trigger: triggers.Trigger, error: Any) -> Problem:
    """Name the case field that is wrong, and where the trigger's mapping takes it from."""
    field = ".".join(str(part) for part in error["loc"])
    source = next((spec for key, spec in trigger.mapping.items()
                   if field == key or field.startswith(f"{key}.")), None)
    where = f" (mapped from {source})" if isinstance(source, str) else (
        " (not in the trigger's mapping)" if source is None else "")
    return Problem(f"{error['msg']}{where}", check_id=field)


def _start(svc: Service, trigger: triggers.Trigger, body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise PayloadUnmapped(f"the body is not JSON: {exc}") from exc
    mapped = triggers.map_case(trigger, payload)
    try:
        case = Case.model_validate(mapped)
    except ValidationError as exc:
        problems = [_problem(trigger, error) for error in exc.errors()]
        raise PayloadUnmapped("the payload does not map to a valid case",
                              problems=problems) from exc
    refuse_document_paths(case, svc.settings)
    definition = svc.catalog.definition(trigger.agent)
    return submit(svc.conn, definition, case, tenant=trigger.tenant,
                  metadata={"trigger": trigger.name})
