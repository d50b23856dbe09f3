"""The dashboard's pages: login, case list and export, live job, report, reviewer actions."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent

from caseworker.agents.report import build_report, format_cost, render_markdown
from caseworker.agents.report_html import check_views
from caseworker.agents.report_pdf import render_pdf
from caseworker.api.credentials import ApiKeyStore, Role
from caseworker.api.deps import ServiceDep, tenant_job
from caseworker.api.hub import stream_id
from caseworker.api.ratelimit import check_rate
from caseworker.api.reports import MEDIA
from caseworker.api.stream import LastEventHeader, LastEventQuery, job_events, resume_cursor
from caseworker.checks.documents.errors import DocumentInvalid
from caseworker.checks.documents.reader import DEFAULT_LIMITS
from caseworker.checks.documents.sandbox import preview_in_child
from caseworker.checks.documents.sources import document_bytes
from caseworker.domain.events import EventType
from caseworker.domain.job import Job
from caseworker.exceptions import AuthoringError, CaseworkerError, NotFound, Problem, Unauthorized
from caseworker.runtime import audit, clearances, events, keys, reviews
from caseworker.runtime.connection import as_text
from caseworker.runtime.reviews import ReviewDecision
from caseworker.runtime.store import JobStore
from caseworker.web import report_view
from caseworker.web.auth import FormViewer, ReviewerSession, Viewer
from caseworker.web.cases import CaseQuery, export_rows, query_cases
from caseworker.web.graph import layout
from caseworker.web.live import NodeState, advance, current_nodes, nodes_at
from caseworker.web.render import render, render_fragment
from caseworker.web.sessions import COOKIE, Session, close_session, open_session

router = APIRouter(prefix="/ui", include_in_schema=False)
REASON_MAX = 5000
# Events after which the job's header (status, progress, decision) is sent again.
JOB_MOVES = (EventType.check_completed, EventType.check_failed, EventType.job_retried)


def _safe_next(target: str | None) -> str:
    """Only a path of this dashboard: never another site (no open redirect)."""
    if target and target.startswith("/ui/") and not target.startswith("//"):
        return target
    return "/ui/cases"


@router.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/ui/cases", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None, error: str | None = None) -> Response:
    return render(request, "login.html.j2", next=_safe_next(next), error=error, session=None)


@router.post("/login")
def login(
    request: Request, svc: ServiceDep,
    api_key: Annotated[str, Form(max_length=200)], next: Annotated[str, Form()] = "",
) -> Response:
    """Exchange an API key for a session cookie; the key itself is never stored client-side."""
    client = request.client.host if request.client else "unknown"
    check_rate(svc.conn, f"login:{client}", limit=svc.settings.dashboard_login_limit, window=60)
    try:
        key = ApiKeyStore(svc.conn).authenticate(api_key.strip())
    except Unauthorized as exc:
        return render(request, "login.html.j2", next=_safe_next(next), error=exc.message,
                      session=None, status_code=401)
    token = open_session(svc.conn, key, svc.settings.dashboard_session_ttl)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token, max_age=svc.settings.dashboard_session_ttl, path="/ui",
                        httponly=True, samesite="strict",
                        secure=svc.settings.dashboard_secure_cookie)
    return response


@router.post("/logout")
def logout(request: Request, svc: ServiceDep, session: FormViewer) -> Response:
    close_session(svc.conn, request.cookies.get(COOKIE))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


# --- the case list -----------------------------------------------------------------------

def _case_query(  # noqa: PLR0917 (FastAPI reads each parameter from the query string)
    status: str | None = None, recommendation: str | None = None, agent: str | None = None,
    since: str | None = None, until: str | None = None, reviewer: str | None = None,
    mine: bool = False, q: str = "", sort: str = "created", order: str = "desc",
    page: int = 1, per_page: int = 25,
) -> CaseQuery:
    """Read the list's query string; an empty field (a form's "any") means no filter."""
    raw: dict[str, Any] = {
        "status": status or None, "recommendation": recommendation or None,
        "agent": agent or None, "since": since or None, "until": until or None,
        "reviewer": reviewer or None, "mine": mine, "q": q, "sort": sort, "order": order,
        "page": page, "per_page": per_page,
    }
    try:
        return CaseQuery.model_validate(raw)
    except ValidationError as exc:
        problems = [Problem(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}",
                            check_id=".".join(str(p) for p in e["loc"])) for e in exc.errors()]
        raise AuthoringError("the filters are invalid: " + "; ".join(p.message for p in problems),
                             problems=problems) from None


CaseQueryDep = Annotated[CaseQuery, Depends(_case_query)]


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, svc: ServiceDep, session: Viewer,
               query: CaseQueryDep) -> Response:
    """Every case of the tenant, filtered; htmx asks for the table alone as filters change."""
    found = query_cases(svc.conn, session.key.tenant, query, session.key.reviewer)
    template = "cases_table.html.j2" if request.headers.get("HX-Request") else "cases.html.j2"
    return render(request, template, session=session, query=query, found=found)


@router.get("/cases/export")
def export_cases(svc: ServiceDep, session: Viewer, query: CaseQueryDep,
                 fmt: Literal["csv", "jsonl"] = "csv") -> Response:
    """Every case the filters match, all pages, as CSV or JSON Lines."""
    body = export_rows(svc.conn, session.key.tenant, query, session.key.reviewer, fmt)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="cases-{stamp}.{fmt}"'})


# --- the live job view -------------------------------------------------------------------

def _job(svc: Any, session: Session, job_id: str) -> Job:
    return tenant_job(svc, session.key, job_id)


def _nodes(svc: Any, job: Job) -> dict[str, NodeState]:
    store = JobStore(svc.conn)
    titles = {c.id: c.title for c in store.definition(job.id).plan.checks}
    return current_nodes(job, titles, store.running(job.id))


def _nodes_at(svc: Any, job_id: str, cursor: str) -> dict[str, NodeState]:
    """Each node as the page shows it once it has every event up to `cursor`."""
    titles = {c.id: c.title for c in JobStore(svc.conn).definition(job_id).plan.checks}
    last = stream_id(cursor)
    history = [e for e in events.replay(svc.conn, job_id) if stream_id(e.id) <= last]
    return nodes_at(titles, history)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, svc: ServiceDep, session: Viewer) -> Response:
    """Show the plan as a graph whose checks light up as the job's events arrive."""
    job = _job(svc, session, job_id)
    store = JobStore(svc.conn)
    definition = store.definition(job_id)
    latest = svc.conn.xrevrange(keys.events(job_id), count=1)
    after = as_text(latest[0][0]) if latest else events.START  # type: ignore[arg-type]
    return render(request, "job.html.j2", session=session, job=job,
                  subject=store.case(job_id).subject.legal_name, sop=definition.plan.title,
                  graph=layout(definition.plan), nodes=_nodes(svc, job), after=after)


@router.get("/jobs/{job_id}/events")
async def job_stream(job_id: str, svc: ServiceDep, session: Viewer,
                     after: LastEventQuery = None, last_event_id: LastEventHeader = None,
                     ) -> EventSourceResponse:
    """Stream the job's events as HTML: `check-<id>` swaps a node, `job` the header.

    The page asks from the last event it rendered (`after`); a browser reconnecting on its
    own resumes from the last event it received (`Last-Event-ID`).
    """
    await asyncio.to_thread(_job, svc, session, job_id)
    cursor = resume_cursor(last_event_id, after)
    nodes = await asyncio.to_thread(_nodes_at, svc, job_id, cursor)

    async def fragments() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(retry=svc.settings.stream_retry_ms, comment="caseworker")
        async for delivered in job_events(svc, job_id, cursor):
            if delivered is None:
                continue
            event = delivered.event
            moved = advance(nodes[event.check_id], event) if event.check_id in nodes else None
            if event.check_id and moved is not None and moved != nodes[event.check_id]:
                nodes[event.check_id] = moved
                yield ServerSentEvent(
                    id=event.id, event=f"check-{event.check_id}",
                    data=render_fragment("node.html.j2", node=nodes[event.check_id],
                                         job_id=job_id))
            if event.type in JOB_MOVES or event.type.terminal:
                finished = await asyncio.to_thread(JobStore(svc.conn).get, job_id,
                                                   with_results=False)
                yield ServerSentEvent(id=event.id, event="job", data=render_fragment(
                    "job_status.html.j2", job=finished))
                if event.type.terminal:
                    yield ServerSentEvent(id=event.id, event="done", data="done")

    return EventSourceResponse(fragments(), ping=int(max(1, svc.settings.stream_keepalive)),
                               send_timeout=svc.settings.stream_send_timeout,
                               headers={"Cache-Control": "no-store",
                                        "X-Accel-Buffering": "no"})


# --- the report and reviewer actions -----------------------------------------------------

@router.get("/jobs/{job_id}/report", response_class=HTMLResponse)
def report_page(request: Request, job_id: str, svc: ServiceDep, session: Viewer, *,
                notice: str | None = None, error: str | None = None) -> Response:
    """Decision, every check's evidence, hits beside the case, documents, audit, review."""
    job = _job(svc, session, job_id)
    report = build_report(svc.conn, job_id)
    case = JobStore(svc.conn).case(job_id)
    calls = report_view.tool_calls(svc.conn, job_id)
    try:
        records = audit.records(svc.conn, job_id)
    except ValueError:
        records = []
    return render(
        request, "report.html.j2", session=session, job=job, report=report, case=case,
        checks=check_views(report),
        hits=report_view.screening_hits(calls, case),
        documents=report_view.documents(calls, case),
        review=reviews.summary(svc.conn, job) if job.status.value == "complete" else None,
        cleared=clearances.for_case(svc.conn, job.tenant, job.case_id),
        records=records, cost=format_cost, notice=notice, error=error,
        can_review=session.key.allows(Role.review),
    )


@router.get("/jobs/{job_id}/report.{fmt}")
def report_file(job_id: str, fmt: Literal["pdf", "json", "md"], svc: ServiceDep,
                session: Viewer) -> Response:
    """Download the report as a file, as the API serves it, for a logged-in browser."""
    job = _job(svc, session, job_id)
    report = build_report(svc.conn, job_id)
    body: bytes | str
    if fmt == "pdf":
        body = render_pdf(report)
    elif fmt == "md":
        body = render_markdown(report)
    else:
        body = json.dumps(report, indent=2, default=str)
    return Response(body, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{job.case_id}-{job.id[:8]}.{fmt}"'})


def _back(job_id: str, *, notice: str | None = None, error: str | None = None,
          anchor: str = "review") -> RedirectResponse:
    """Back to the report, saying what happened (303: the browser GETs it)."""
    query = urlencode({k: v for k, v in (("notice", notice), ("error", error)) if v})
    return RedirectResponse(f"/ui/jobs/{job_id}/report?{query}#{anchor}", status_code=303)


@router.post("/jobs/{job_id}/review")
def review_job(
    job_id: str, svc: ServiceDep, session: ReviewerSession,
    decision: Annotated[ReviewDecision, Form()],
    reason: Annotated[str, Form(max_length=REASON_MAX)] = "",
) -> Response:
    """Approve, reject or ask for information, with a reason; four eyes where required."""
    job = _job(svc, session, job_id)
    if not reason.strip():
        return _back(job_id, error="a decision needs a reason")
    try:
        after = reviews.record_review(svc.conn, job, session.key.reviewer, decision,
                                      reason.strip())
    except CaseworkerError as exc:
        return _back(job_id, error=exc.message)
    return _back(job_id, notice=f"{decision.value.replace('_', ' ')} recorded; the case is "
                                f"now {after.state.value.replace('_', ' ')}")


@router.post("/jobs/{job_id}/clearances")
def clear_hit(
    job_id: str, svc: ServiceDep, session: ReviewerSession, *,
    party: Annotated[str, Form(max_length=500)], source: Annotated[str, Form(max_length=200)],
    entity_id: Annotated[str, Form(max_length=200)],
    reason: Annotated[str, Form(max_length=REASON_MAX)] = "",
) -> Response:
    """Clear a screening hit as a false positive for this case; later jobs do not raise it."""
    job = _job(svc, session, job_id)
    if not reason.strip():
        return _back(job_id, error="clearing a hit needs a reason", anchor="screening")
    try:
        clearances.clear_hit(svc.conn, job, session.key.reviewer, party=party, source=source,
                             entity_id=entity_id, reason=reason.strip())
    except CaseworkerError as exc:
        return _back(job_id, error=exc.message, anchor="screening")
    return _back(job_id, notice=f"hit {entity_id} cleared for {party}", anchor="screening")


@router.post("/jobs/{job_id}/clearances/{clearance_id}/revoke")
def revoke_clearance(
    job_id: str, clearance_id: str, svc: ServiceDep, session: ReviewerSession,
    reason: Annotated[str, Form(max_length=REASON_MAX)] = "",
) -> Response:
    """Revoke a clearance: the next job for the case raises the hit again."""
    job = _job(svc, session, job_id)
    if not reason.strip():
        return _back(job_id, error="revoking a clearance needs a reason", anchor="clearances")
    try:
        clearances.revoke(svc.conn, job, session.key.reviewer, clearance_id, reason.strip())
    except CaseworkerError as exc:
        return _back(job_id, error=exc.message, anchor="clearances")
    return _back(job_id, notice="clearance revoked", anchor="clearances")


# --- document previews -------------------------------------------------------------------

@router.get("/jobs/{job_id}/documents/{index}/pages/{page}.png")
def document_page(job_id: str, index: int, page: int, svc: ServiceDep,
                  session: Viewer) -> Response:
    """One page of one of the case's documents as PNG, rendered in the bounded reader child."""
    _job(svc, session, job_id)
    case = JobStore(svc.conn).case(job_id)
    if not 0 <= index < len(case.documents):
        raise NotFound(f"the case has no document {index}")
    document = case.documents[index]
    if document.url or (document.path and not svc.settings.api_allow_document_paths
                        and not document.content_base64):
        raise NotFound("this document is not kept with the case (a URL or a server path); "
                       "it cannot be previewed")
    try:
        png = preview_in_child(document_bytes(document), name=f"document {index + 1}",
                               page=page, limits=DEFAULT_LIMITS)
    except DocumentInvalid as exc:
        raise NotFound(exc.message) from None
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=3600"})
