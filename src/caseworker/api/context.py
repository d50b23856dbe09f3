"""What every request handler shares: settings, Redis clients, the agents, the event hub."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis
import redis.asyncio as aioredis
from fastapi import Request
from slack_bolt import App

from caseworker.api.catalog import Catalog
from caseworker.api.hub import EventHub
from caseworker.integrations.triggers import Trigger
from caseworker.settings import Settings


@dataclass
class Service:
    settings: Settings
    redis_url: str
    conn: redis.Redis  # for handlers run in the thread pool
    aconn: aioredis.Redis  # for streams, on the event loop
    catalog: Catalog
    hub: EventHub
    triggers: dict[str, Trigger] = field(default_factory=dict)
    slack: App | None = None  # the bolt app, when Slack is configured


def service(request: Request) -> Service:
    """Return the running service (a FastAPI dependency)."""
    svc: Service = request.app.state.service
    return svc
