"""Mount the dashboard on the API: its pages, static files, security headers and error pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseworker.api import problems
from caseworker.exceptions import CaseworkerError
from caseworker.web import pages
from caseworker.web.auth import LoginRequired
from caseworker.web.render import render

PREFIX = "/ui"
# Pages load scripts, styles, images and streams from this origin only: no CDN, no inline code.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """Add the dashboard's security headers to every response under /ui (ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _error(request: Request, exc: Exception) -> Response:
    """Dashboard errors as pages (a login redirect when the session is gone); API ones as JSON."""
    assert isinstance(exc, CaseworkerError)
    if not request.url.path.startswith(PREFIX):
        return await problems.caseworker_error(request, exc)
    if isinstance(exc, LoginRequired):
        target = f"{PREFIX}/login?next={request.url.path}"
        if request.headers.get("HX-Request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    return render(request, "error.html.j2", status_code=exc.status, session=None,
                  message=exc.message, code=exc.code)


def install(app: FastAPI) -> None:
    """Serve the dashboard under /ui from `app` (after `problems.install`)."""
    app.include_router(pages.router)
    app.mount(f"{PREFIX}/static", StaticFiles(packages=[("caseworker.web", "static")]),
              name="dashboard-static")
    app.add_exception_handler(CaseworkerError, _error)
    app.add_middleware(SecurityHeaders)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=307)
