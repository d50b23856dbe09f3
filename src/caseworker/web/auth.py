"""Who is looking at a dashboard page: the session's key, its role checks, CSRF on forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from caseworker.api.context import Service, service
from caseworker.api.credentials import Role
from caseworker.api.ratelimit import check_rate
from caseworker.exceptions import Forbidden, ServiceError
from caseworker.web.sessions import COOKIE, Session, resolve

CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(ServiceError):
    """No live dashboard session: the browser is sent to the login page."""

    code = "login_required"
    status = 401


def viewer(request: Request, svc: Annotated[Service, Depends(service)]) -> Session:
    """Return the logged-in session (read role or better), counted against its rate limit."""
    session = resolve(svc.conn, request.cookies.get(COOKIE), svc.settings.dashboard_session_ttl)
    if session is None:
        raise LoginRequired("log in to see this page")
    if not session.key.allows(Role.read):
        raise Forbidden(f"the API key {session.key.id} lacks the 'read' role")
    check_rate(svc.conn, session.key.id, limit=svc.settings.api_rate_limit,
               window=svc.settings.api_rate_window)
    return session


async def form_viewer(request: Request, session: Annotated[Session, Depends(viewer)]) -> Session:
    """Return the session behind a form post, which must echo the session's CSRF token."""
    form = await request.form()
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not session.csrf_ok(sent if isinstance(sent, str) else None):
        raise Forbidden("the form has expired or did not come from this dashboard; reload "
                        "the page and try again")
    return session


def reviewer(session: Annotated[Session, Depends(form_viewer)]) -> Session:
    """Return the session of a form post whose key may act as a reviewer."""
    if not session.key.allows(Role.review):
        raise Forbidden(f"the API key {session.key.id} lacks the 'review' role")
    return session


Viewer = Annotated[Session, Depends(viewer)]
FormViewer = Annotated[Session, Depends(form_viewer)]
ReviewerSession = Annotated[Session, Depends(reviewer)]
