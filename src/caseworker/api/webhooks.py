"""Webhook endpoint routes: register, list, change, rotate secrets, test, inspect, redeliver."""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from caseworker.api.deps import Admin, ServiceDep
from caseworker.api.schemas import Body
from caseworker.exceptions import NotFound
from caseworker.integrations.webhooks.models import (
    TEST_EVENT,
    Attempt,
    Delivery,
    DeliveryState,
    Endpoint,
    EventKind,
    Message,
)
from caseworker.integrations.webhooks.store import WebhookStore, check_url

router = APIRouter(prefix="/v1", tags=["webhooks"])
DEFAULT_OVERLAP = 86_400  # seconds the previous secret keeps signing after a rotation


class EndpointRequest(Body):
    url: str = Field(min_length=1, max_length=2000, examples=["https://example.com/hooks"])
    events: list[EventKind] = Field(min_length=1)
    description: str = Field(default="", max_length=500)


class EndpointChange(Body):
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    events: list[EventKind] | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = Field(default=None, description="true re-enables a disabled endpoint")


class RotateRequest(Body):
    overlap_seconds: int = Field(default=DEFAULT_OVERLAP, ge=0, le=7 * 86_400,
                                 description="How long the current secret keeps signing too")


class RedeliverRequest(Body):
    since: dt.datetime
    until: dt.datetime | None = None
    only_failed: bool = Field(default=True, description="Leave delivered messages alone")


class EndpointView(BaseModel):
    """An endpoint as shown: never its secrets."""

    id: str
    url: str
    events: list[EventKind]
    description: str
    enabled: bool
    disabled_reason: str | None
    created_at: dt.datetime
    failing_since: dt.datetime | None
    secrets_active: int

    @classmethod
    def of(cls, endpoint: Endpoint) -> EndpointView:
        now = dt.datetime.now(dt.UTC)
        return cls(**endpoint.model_dump(include=set(cls.model_fields) - {"secrets_active"}),
                   secrets_active=len(endpoint.signing_secrets(now)))


class EndpointCreated(EndpointView):
    secret: str = Field(description="The signing secret (whsec_…): shown this once only")


class SecretRotated(BaseModel):
    secret: str = Field(description="The new signing secret: shown this once only")
    previous_valid_until: dt.datetime | None


class DeliveryView(Delivery):
    attempt_log: list[Attempt] = Field(default_factory=list)


class Queued(BaseModel):
    message_id: str | None = None
    deliveries: int


def _store(svc: ServiceDep) -> WebhookStore:
    return WebhookStore(svc.conn)


@router.post("/webhook-endpoints", status_code=201, response_model=EndpointCreated)
def create_endpoint(body: EndpointRequest, svc: ServiceDep, key: Admin) -> EndpointCreated:
    """Register an endpoint for some event types; its secret is in this answer only."""
    endpoint, secret = _store(svc).create_endpoint(key.tenant, body.url, body.events,
                                                   body.description)
    return EndpointCreated(**EndpointView.of(endpoint).model_dump(), secret=secret)


@router.get("/webhook-endpoints", response_model=list[EndpointView])
def list_endpoints(svc: ServiceDep, key: Admin) -> list[EndpointView]:
    """List the tenant's endpoints."""
    return [EndpointView.of(e) for e in _store(svc).endpoints(key.tenant)]


@router.get("/webhook-endpoints/{endpoint_id}", response_model=EndpointView)
def get_endpoint(endpoint_id: str, svc: ServiceDep, key: Admin) -> EndpointView:
    """Get one endpoint (without its secrets)."""
    return EndpointView.of(_store(svc).tenant_endpoint(key.tenant, endpoint_id))


@router.patch("/webhook-endpoints/{endpoint_id}", response_model=EndpointView)
def change_endpoint(endpoint_id: str, body: EndpointChange, svc: ServiceDep,
                    key: Admin) -> EndpointView:
    """Change an endpoint's URL, events or description, or enable or disable it."""
    store = _store(svc)
    store.tenant_endpoint(key.tenant, endpoint_id)
    if body.url is not None:
        check_url(body.url)
    changes = body.model_dump(exclude_none=True)
    if body.events is not None:
        changes["events"] = sorted(set(body.events))
    if body.enabled is not None:
        changes["disabled_reason"] = None if body.enabled else "disabled by the tenant"
        if body.enabled:
            changes["failing_since"] = None
    return EndpointView.of(store.mutate(endpoint_id, lambda e: e.model_copy(update=changes)))


@router.delete("/webhook-endpoints/{endpoint_id}", status_code=204, response_class=Response)
def delete_endpoint(endpoint_id: str, svc: ServiceDep, key: Admin) -> Response:
    """Remove an endpoint; its pending deliveries end."""
    _store(svc).delete_endpoint(key.tenant, endpoint_id)
    return Response(status_code=204)


@router.post("/webhook-endpoints/{endpoint_id}/rotate-secret", response_model=SecretRotated)
def rotate_secret(endpoint_id: str, body: RotateRequest, svc: ServiceDep,
                  key: Admin) -> SecretRotated:
    """Sign with a new secret from now on; the current one also signs during the overlap."""
    endpoint, secret = _store(svc).rotate_secret(key.tenant, endpoint_id, body.overlap_seconds)
    until = [s.expires_at for s in endpoint.secrets[1:] if s.expires_at]
    return SecretRotated(secret=secret, previous_valid_until=max(until) if until else None)


@router.post("/webhook-endpoints/{endpoint_id}/test", status_code=202, response_model=Queued)
def send_test(endpoint_id: str, svc: ServiceDep, key: Admin) -> Queued:
    """Send a `webhook.test` message to the endpoint (delivered like any other)."""
    store = _store(svc)
    endpoint = store.tenant_endpoint(key.tenant, endpoint_id)
    message = Message(id=f"msg_{secrets.token_hex(12)}", tenant=key.tenant, type=TEST_EVENT,
                      timestamp=dt.datetime.now(dt.UTC),
                      data={"endpoint_id": endpoint.id, "note": "a test message from caseworker"})
    store.add_message(message)
    store.add_delivery(endpoint.id, message, due=message.timestamp.timestamp())
    return Queued(message_id=message.id, deliveries=1)


@router.get("/webhook-endpoints/{endpoint_id}/deliveries", response_model=list[Delivery])
def list_deliveries(endpoint_id: str, svc: ServiceDep, key: Admin, *,
                    since: dt.datetime | None = None, until: dt.datetime | None = None,
                    state: DeliveryState | None = None, limit: int = 100) -> list[Delivery]:
    """List the endpoint's deliveries by message time, oldest first, optionally of one state."""
    store = _store(svc)
    store.tenant_endpoint(key.tenant, endpoint_id)
    found = store.deliveries(endpoint_id, since, until, limit=max(1, min(limit, 1000)))
    return [d for d in found if state is None or d.state == state]


@router.get("/webhook-endpoints/{endpoint_id}/deliveries/{message_id}",
            response_model=DeliveryView)
def get_delivery(endpoint_id: str, message_id: str, svc: ServiceDep, key: Admin,
                 ) -> DeliveryView:
    """One delivery with every attempt: status, latency, the start of the response."""
    store = _store(svc)
    store.tenant_endpoint(key.tenant, endpoint_id)
    delivery = store.delivery(endpoint_id, message_id)
    if delivery is None:
        raise NotFound(f"no delivery of '{message_id}' to '{endpoint_id}'")
    return DeliveryView(**delivery.model_dump(),
                        attempt_log=store.attempts(endpoint_id, message_id))


@router.post("/webhook-endpoints/{endpoint_id}/deliveries/{message_id}/redeliver",
             status_code=202, response_model=Queued)
def redeliver_one(endpoint_id: str, message_id: str, svc: ServiceDep, key: Admin) -> Queued:
    """Send one message again now, with the same `webhook-id`."""
    store = _store(svc)
    store.tenant_endpoint(key.tenant, endpoint_id)
    delivery = store.delivery(endpoint_id, message_id)
    if delivery is None:
        raise NotFound(f"no delivery of '{message_id}' to '{endpoint_id}'")
    store.redeliver(delivery)
    return Queued(message_id=message_id, deliveries=1)


@router.post("/webhook-endpoints/{endpoint_id}/redeliver", status_code=202,
             response_model=Queued)
def redeliver_range(endpoint_id: str, body: RedeliverRequest, svc: ServiceDep,
                    key: Admin) -> Queued:
    """Send again every message of a time range (by default only those that failed)."""
    store = _store(svc)
    store.tenant_endpoint(key.tenant, endpoint_id)
    again = [d for d in store.deliveries(endpoint_id, body.since, body.until, limit=10_000)
             if not body.only_failed or d.state == DeliveryState.failed]
    for delivery in again:
        store.redeliver(delivery)
    return Queued(deliveries=len(again))



