"""`POST /slack/events`: Slack's slash commands and button clicks, handed to the bolt app."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from caseworker.api.deps import ServiceDep
from caseworker.exceptions import NotFound
from caseworker.integrations import slack

router = APIRouter(tags=["slack"])


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request, svc: ServiceDep) -> Response:
    """Slack's Request URL for commands and interactivity (bolt checks the signature)."""
    if svc.slack is None:
        raise NotFound("Slack is not configured on this service")
    body = await request.body()
    answer = await run_in_threadpool(slack.dispatch, svc.slack, body, dict(request.headers))
    return Response(status_code=answer.status, content=answer.body,
                    headers=answer.first_headers_without_set_cookie())
