"""Webhook endpoints, messages and deliveries in Redis, scoped per tenant."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

import redis

from caseworker.exceptions import NotFound, ServiceError
from caseworker.integrations.webhooks.models import (
    Attempt,
    Delivery,
    DeliveryState,
    Endpoint,
    EventKind,
    Message,
    Secret,
    new_secret,
)
from caseworker.netguard import url_problem
from caseworker.runtime import keys
from caseworker.runtime.connection import as_text
from caseworker.settings import get_settings

MESSAGE_TTL = 90 * 86_400  # messages, deliveries and attempts are kept 90 days
RESPONSE_EXCERPT = 500  # characters of a response body kept per attempt


class WebhookUrlRefused(ServiceError):
    """A webhook URL that is not http(s), does not resolve, or points inside the network."""

    code = "webhook_url_refused"
    status = 422


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_url(url: str) -> None:
    """Refuse a target the SSRF guard does not allow (see `netguard.url_problem`)."""
    problem = url_problem(url, allow_private=get_settings().webhook_allow_private_urls)
    if problem:
        if "private or local" in problem:
            problem += " (CASEWORKER_WEBHOOK_ALLOW_PRIVATE_URLS allows it)"
        raise WebhookUrlRefused(f"webhook URL refused: {problem}")


class WebhookStore:
    def __init__(self, conn: redis.Redis) -> None:
        self.conn = conn

    # --- endpoints ---------------------------------------------------------------------------

    def create_endpoint(self, tenant: str, url: str, events: list[EventKind],
                        description: str = "") -> tuple[Endpoint, str]:
        """Register an endpoint; returns it and its secret (shown this once)."""
        check_url(url)
        secret = new_secret()
        endpoint = Endpoint(id=f"ep_{secrets.token_hex(8)}", tenant=tenant, url=url,
                            events=sorted(set(events)), description=description,
                            secrets=[Secret(value=secret, created_at=_now())],
                            created_at=_now())
        pipe = self.conn.pipeline(transaction=True)
        pipe.set(keys.webhook_endpoint(endpoint.id), endpoint.model_dump_json())
        pipe.sadd(keys.tenant_webhook_endpoints(tenant), endpoint.id)
        pipe.execute()
        return endpoint, secret

    def endpoint(self, endpoint_id: str) -> Endpoint | None:
        raw = self.conn.get(keys.webhook_endpoint(endpoint_id))
        return Endpoint.model_validate_json(raw) if raw else None

    def tenant_endpoint(self, tenant: str, endpoint_id: str) -> Endpoint:
        """Return the endpoint if it is the tenant's; another tenant's does not exist."""
        endpoint = self.endpoint(endpoint_id)
        if endpoint is None or endpoint.tenant != tenant:
            raise NotFound(f"no webhook endpoint '{endpoint_id}'")
        return endpoint

    def endpoints(self, tenant: str) -> list[Endpoint]:
        ids = sorted(as_text(i) for i in self.conn.smembers(
            keys.tenant_webhook_endpoints(tenant)))
        found = [self.endpoint(i) for i in ids]
        return sorted((e for e in found if e is not None), key=lambda e: e.created_at)

    def subscribed(self, tenant: str, kind: str) -> list[Endpoint]:
        return [e for e in self.endpoints(tenant) if e.wants(kind)]

    def mutate(self, endpoint_id: str, change: Callable[[Endpoint], Endpoint]) -> Endpoint:
        """Apply `change` to the stored endpoint atomically (retried if it changed meanwhile)."""
        key = keys.webhook_endpoint(endpoint_id)
        with self.conn.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    raw = pipe.get(key)
                    if raw is None:
                        raise NotFound(f"no webhook endpoint '{endpoint_id}'")
                    changed = change(Endpoint.model_validate_json(raw))
                    pipe.multi()
                    pipe.set(key, changed.model_dump_json())
                    pipe.execute()
                    return changed
                except redis.WatchError:
                    continue

    def delete_endpoint(self, tenant: str, endpoint_id: str) -> None:
        self.tenant_endpoint(tenant, endpoint_id)
        pipe = self.conn.pipeline(transaction=True)
        pipe.delete(keys.webhook_endpoint(endpoint_id))
        pipe.srem(keys.tenant_webhook_endpoints(tenant), endpoint_id)
        pipe.execute()

    def rotate_secret(self, tenant: str, endpoint_id: str, overlap: float,
                      ) -> tuple[Endpoint, str]:
        """Start signing with a new secret; the current ones keep signing for `overlap` s."""
        self.tenant_endpoint(tenant, endpoint_id)
        secret = new_secret()
        now = _now()
        until = now + dt.timedelta(seconds=overlap)

        def rotate(endpoint: Endpoint) -> Endpoint:
            kept = [s.model_copy(update={"expires_at": min(s.expires_at or until, until)})
                    for s in endpoint.secrets if s.active(now)]
            return endpoint.model_copy(update={
                "secrets": [Secret(value=secret, created_at=now), *kept]})

        return self.mutate(endpoint_id, rotate), secret

    # --- messages and deliveries -------------------------------------------------------------

    def add_message(self, message: Message) -> None:
        """Store a message once (a message fanned out again keeps its first copy)."""
        self.conn.set(keys.webhook_message(message.id), message.model_dump_json(), nx=True,
                      ex=MESSAGE_TTL)

    def message(self, message_id: str) -> Message | None:
        raw = self.conn.get(keys.webhook_message(message_id))
        return Message.model_validate_json(raw) if raw else None

    def add_delivery(self, endpoint_id: str, message: Message, due: float) -> bool:
        """Create the delivery of `message` to an endpoint, due at `due` (epoch s), once."""
        delivery = Delivery(endpoint_id=endpoint_id, message_id=message.id, type=message.type,
                            created_at=_now())
        if not self.conn.set(keys.webhook_delivery(endpoint_id, message.id),
                             delivery.model_dump_json(), nx=True, ex=MESSAGE_TTL):
            return False
        pipe = self.conn.pipeline(transaction=True)
        pipe.zadd(keys.endpoint_messages(endpoint_id),
                  {message.id: message.timestamp.timestamp()})
        pipe.zadd(keys.WEBHOOK_DUE, {_member(endpoint_id, message.id): due}, nx=True)
        pipe.execute()
        return True

    def delivery(self, endpoint_id: str, message_id: str) -> Delivery | None:
        raw = self.conn.get(keys.webhook_delivery(endpoint_id, message_id))
        return Delivery.model_validate_json(raw) if raw else None

    def save_delivery(self, delivery: Delivery, *, due: float | None) -> None:
        """Store a delivery's new state; `due` schedules its next attempt, None ends it."""
        member = _member(delivery.endpoint_id, delivery.message_id)
        pipe = self.conn.pipeline(transaction=True)
        pipe.set(keys.webhook_delivery(delivery.endpoint_id, delivery.message_id),
                 delivery.model_dump_json(), ex=MESSAGE_TTL)
        if due is None:
            pipe.zrem(keys.WEBHOOK_DUE, member)
        else:
            pipe.zadd(keys.WEBHOOK_DUE, {member: due})
        pipe.execute()

    def record_attempt(self, delivery: Delivery, attempt: Attempt) -> None:
        key = keys.webhook_attempts(delivery.endpoint_id, delivery.message_id)
        pipe = self.conn.pipeline(transaction=True)
        pipe.rpush(key, attempt.model_dump_json())
        pipe.expire(key, MESSAGE_TTL)
        pipe.execute()

    def attempts(self, endpoint_id: str, message_id: str) -> list[Attempt]:
        raw = self.conn.lrange(keys.webhook_attempts(endpoint_id, message_id), 0, -1)
        return [Attempt.model_validate_json(r) for r in raw]

    def message_ids(self, endpoint_id: str, since: dt.datetime | None = None,
                    until: dt.datetime | None = None, limit: int = 1000) -> list[str]:
        """List the endpoint's message ids in a time range, oldest first."""
        low = since.timestamp() if since else "-inf"
        high = until.timestamp() if until else "+inf"
        ids = self.conn.zrangebyscore(keys.endpoint_messages(endpoint_id), low, high,
                                      start=0, num=limit)
        return [as_text(i) for i in ids if isinstance(i, bytes | str)]

    def deliveries(self, endpoint_id: str, since: dt.datetime | None = None,
                   until: dt.datetime | None = None, limit: int = 1000) -> list[Delivery]:
        found = [self.delivery(endpoint_id, m)
                 for m in self.message_ids(endpoint_id, since, until, limit)]
        return [d for d in found if d is not None]

    def redeliver(self, delivery: Delivery) -> None:
        """Send a delivery again now, whatever its state (its attempts so far are kept)."""
        again = delivery.model_copy(update={"state": DeliveryState.pending,
                                            "next_attempt_at": _now()})
        self.save_delivery(again, due=_now().timestamp())

    def due(self, now: float, limit: int = 200) -> list[tuple[str, str]]:
        members = self.conn.zrangebyscore(keys.WEBHOOK_DUE, "-inf", now, start=0, num=limit)
        pairs = []
        for member in members:
            if not isinstance(member, bytes | str):
                continue
            endpoint_id, _, message_id = as_text(member).partition("|")
            pairs.append((endpoint_id, message_id))
        return pairs

    def lease(self, endpoint_id: str, message_id: str, until: float) -> None:
        """Hold a due delivery for its worker until `until`; after that it is due again."""
        self.conn.zadd(keys.WEBHOOK_DUE, {_member(endpoint_id, message_id): until}, xx=True)


def _member(endpoint_id: str, message_id: str) -> str:
    return f"{endpoint_id}|{message_id}"
