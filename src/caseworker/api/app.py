"""The FastAPI application: `create_app()` wires Redis, the agents and every route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

import caseworker
from caseworker.api import (
    batches,
    clearances,
    health,
    jobs,
    problems,
    reports,
    reviews,
    stream,
    triggers,
    webhooks,
)
from caseworker.api import slack as slack_routes
from caseworker.api.catalog import Catalog
from caseworker.api.context import Service
from caseworker.api.hub import EventHub
from caseworker.exceptions import PayloadTooLarge
from caseworker.integrations import slack
from caseworker.integrations.triggers import load_triggers
from caseworker.runtime.connection import connect
from caseworker.settings import Settings, get_settings
from caseworker.web import app as dashboard

DESCRIPTION = """Submit onboarding cases, follow their checks live, fetch decisions and reports.

Every route under `/v1` takes an API key (`Authorization: Bearer cwk_…`, made with
`caseworker keys create`), scoped to one tenant: another tenant's resources do not exist.
Errors are RFC 9457 `application/problem+json`."""


class BodyLimit:
    """Refuse bodies over the limit from their Content-Length, before reading them (ASGI)."""

    def __init__(self, app: ASGIApp, json_limit: int, upload_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            length = request.headers.get("content-length", "")
            upload = request.headers.get("content-type", "").startswith("multipart/")
            limit = self.upload_limit if upload else self.json_limit
            if length.isdigit() and int(length) > limit:
                response = problems.problem(
                    request, 413, PayloadTooLarge.code,
                    f"the request body is {length} bytes; the limit is {limit}")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(redis_url: str, *, settings: Settings | None = None,
               catalog: Catalog | None = None) -> FastAPI:
    """Build the API over the Redis at `redis_url`, serving `catalog` (default: the settings')."""
    settings = settings or get_settings()
    catalog = catalog or Catalog.load(settings.agent_paths)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests wait for a free connection rather than fail when every one is in use.
        pool = aioredis.BlockingConnectionPool.from_url(redis_url, max_connections=64,
                                                        timeout=30)
        aconn = aioredis.Redis(connection_pool=pool)
        hub = EventHub(aconn)
        hub.start()
        conn = connect(redis_url)
        app.state.service = Service(
            settings=settings, redis_url=redis_url, conn=conn, aconn=aconn, catalog=catalog,
            hub=hub, triggers=load_triggers(settings.triggers_dir),
            slack=slack.build_app(conn, catalog, settings) if settings.slack_enabled else None)
        try:
            yield
        finally:
            await hub.stop()
            await aconn.aclose()
            app.state.service.conn.close()

    app = FastAPI(title="caseworker", version=caseworker.__version__, description=DESCRIPTION,
                  lifespan=lifespan)
    app.add_middleware(BodyLimit, json_limit=settings.max_request_bytes,
                       upload_limit=settings.max_upload_bytes)
    problems.install(app)
    dashboard.install(app)
    for module in (health, jobs, stream, batches, reports, reviews, clearances, webhooks,
                   triggers, slack_routes):
        app.include_router(module.router)
    app.include_router(jobs.agents_router)
    return app
