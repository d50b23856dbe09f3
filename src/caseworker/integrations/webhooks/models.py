"""What webhooks are made of: endpoints and their secrets, messages, deliveries and attempts."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class EventKind(StrEnum):
    """The event types an endpoint may subscribe to."""

    job_completed = "job.completed"
    job_failed = "job.failed"
    check_completed = "check.completed"
    review_required = "review.required"
    review_decided = "review.decided"


TEST_EVENT = "webhook.test"  # sent by the test-send route, whatever the subscription
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """Make a Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class Secret(BaseModel):
    """A signing secret; a rotated-out one signs until `expires_at` (the overlap)."""

    value: str
    created_at: dt.datetime
    expires_at: dt.datetime | None = None

    def active(self, now: dt.datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


class Endpoint(BaseModel):
    """A receiver registered by a tenant; stored with its secrets, shown without them."""

    id: str
    tenant: str
    url: str
    events: list[EventKind]
    description: str = ""
    enabled: bool = True
    disabled_reason: str | None = None
    secrets: list[Secret]
    created_at: dt.datetime
    failing_since: dt.datetime | None = None  # first failure since the last success

    def signing_secrets(self, now: dt.datetime) -> list[str]:
        return [s.value for s in self.secrets if s.active(now)]

    def wants(self, kind: str) -> bool:
        return self.enabled and (kind == TEST_EVENT or kind in self.events)


class Message(BaseModel):
    """One event as sent: Standard Webhooks' `{type, timestamp, data}` and its stable id."""

    id: str
    tenant: str
    type: str
    timestamp: dt.datetime
    data: dict[str, Any]

    def body(self) -> str:
        """Serialise the request body (the same bytes on every attempt)."""
        return self.model_dump_json(include={"type", "timestamp", "data"})


class DeliveryState(StrEnum):
    pending = "pending"  # waiting for its next attempt (or in flight)
    succeeded = "succeeded"
    failed = "failed"  # attempts exhausted, or the endpoint answered 410 / was disabled


class Attempt(BaseModel):
    """One try at delivering a message to an endpoint."""

    number: int
    at: dt.datetime
    status: int | None = Field(description="HTTP status; None when no answer came")
    latency_ms: float
    error: str | None = None
    response: str = Field(default="", description="The start of the response body")
    worker: str | None = None


class Delivery(BaseModel):
    """One message's way to one endpoint."""

    endpoint_id: str
    message_id: str
    type: str
    state: DeliveryState = DeliveryState.pending
    attempts: int = 0
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
