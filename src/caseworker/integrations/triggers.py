"""Webhook triggers in: an external system's signed POST starts a job, as a trigger file says.

A trigger is a YAML file (one per trigger, in `CASEWORKER_TRIGGERS_DIR`, default ./triggers):

    name: onboarding-form          # POST /v1/triggers/onboarding-form
    tenant: acme                   # whose job it starts
    agent: kyb-standard            # which served agent runs it
    verification:
      scheme: standard-webhooks    # or `hmac`
      secret_env: ONBOARDING_SECRET  # environment variable (or secrets-file key) with it
      tolerance_seconds: 300
    mapping:                       # case field <- JSON pointer into the incoming body
      id: /application/id
      subject.legal_name: /company/name
      subject.jurisdiction: /company/country
      subject.addresses: {each: /company/addresses, map: {line1: /street, city: /city,
                          country: /country}}
      people: {each: /directors, map: {full_name: /name, roles: {const: [director]}}}

A mapping value is a JSON pointer (the value is copied), `{const: value}`, or
`{each: pointer, map: {...}}` for a list of objects. `hmac` verification reads the signature
from `signature_header` (hex or base64 HMAC-SHA256 of `<timestamp>.<body>` when
`timestamp_header` is set, else of the body; an optional `signature_prefix` such as
`sha256=`), and the delivery id from `id_header`. A replayed id answers with the job it
started the first time.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any, Literal

import redis
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from standardwebhooks.webhooks import Webhook

from caseworker.agents.models import resolve_key
from caseworker.exceptions import (
    AuthoringError,
    ConfigurationError,
    NotFound,
    Problem,
    ServiceError,
    Unauthorized,
)
from caseworker.runtime.keys import PREFIX

REPLAY_TTL = 7 * 86_400  # a delivery id is remembered this long


class SignatureInvalid(Unauthorized):
    code = "signature_invalid"


class TimestampOutsideTolerance(Unauthorized):
    code = "timestamp_outside_tolerance"


class PayloadUnmapped(AuthoringError):
    """The incoming body does not give what the case needs."""

    code = "payload_unmapped"


class Verification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: Literal["standard-webhooks", "hmac"]
    secret_env: str = Field(min_length=1)
    tolerance_seconds: int = Field(default=300, ge=1)
    signature_header: str = "x-signature"
    signature_prefix: str = ""
    signature_encoding: Literal["hex", "base64"] = "hex"
    timestamp_header: str | None = None
    id_header: str | None = None


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    tenant: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    agent: str = Field(min_length=1)
    verification: Verification
    mapping: dict[str, Any] = Field(min_length=1)


def load_triggers(directory: Path | None) -> dict[str, Trigger]:
    """Read every `*.yaml` trigger in `directory` (none if it does not exist)."""
    if directory is None or not directory.is_dir():
        return {}
    triggers: dict[str, Trigger] = {}
    for path in sorted(directory.glob("*.y*ml")):
        try:
            trigger = Trigger.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError, OSError) as exc:
            raise ConfigurationError(f"trigger file {path} is invalid: {exc}") from exc
        if trigger.name in triggers:
            raise ConfigurationError(f"two triggers are named {trigger.name!r}")
        triggers[trigger.name] = trigger
    return triggers


def find(triggers: dict[str, Trigger], name: str) -> Trigger:
    try:
        return triggers[name]
    except KeyError:
        raise NotFound(f"no trigger {name!r}") from None


# --- verification ----------------------------------------------------------------------------


def _secret(trigger: Trigger) -> str:
    secret = resolve_key(trigger.verification.secret_env)
    if not secret:
        raise ServiceError(f"trigger {trigger.name!r}: its secret "
                           f"{trigger.verification.secret_env} is not set")
    return secret


def verify(trigger: Trigger, body: bytes, headers: dict[str, str], now: float) -> str:
    """Check the request's signature and timestamp; return its delivery id."""
    headers = {k.lower(): v for k, v in headers.items()}
    rule = trigger.verification
    secret = _secret(trigger)
    if rule.scheme == "standard-webhooks":
        return _verify_standard(secret, rule, body, headers, now)
    return _verify_hmac(secret, rule, body, headers, now)


def _check_time(raw: str | None, tolerance: int, now: float) -> None:
    try:
        stamp = int(raw or "")
    except ValueError:
        raise TimestampOutsideTolerance(
            "the request's timestamp is missing or not a number") from None
    if abs(now - stamp) > tolerance:
        raise TimestampOutsideTolerance(
            f"the request's timestamp is {now - stamp:+.0f} s from now; the tolerance is "
            f"{tolerance} s")


def _verify_standard(secret: str, rule: Verification, body: bytes, headers: dict[str, str],
                     now: float) -> str:
    message_id = headers.get("webhook-id")
    if not message_id or not headers.get("webhook-signature"):
        raise SignatureInvalid("webhook-id and webhook-signature headers are required")
    _check_time(headers.get("webhook-timestamp"), rule.tolerance_seconds, now)
    stamp = dt.datetime.fromtimestamp(int(headers["webhook-timestamp"]), dt.UTC)
    expected = Webhook(secret).sign(message_id, stamp, body)
    offered = headers["webhook-signature"].split(" ")
    if not any(hmac.compare_digest(expected, sig) for sig in offered):
        raise SignatureInvalid("no webhook-signature matches the body")
    return message_id


def _verify_hmac(secret: str, rule: Verification, body: bytes, headers: dict[str, str],
                 now: float) -> str:
    signed = body
    if rule.timestamp_header:
        stamp = headers.get(rule.timestamp_header.lower())
        _check_time(stamp, rule.tolerance_seconds, now)
        signed = f"{stamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    expected = digest.hex() if rule.signature_encoding == "hex" else (
        base64.b64encode(digest).decode())
    offered = headers.get(rule.signature_header.lower(), "")
    if rule.signature_prefix and offered.startswith(rule.signature_prefix):
        offered = offered[len(rule.signature_prefix):]
    if not offered or not hmac.compare_digest(expected, offered):
        raise SignatureInvalid(f"the {rule.signature_header} signature does not match the body")
    if rule.id_header and headers.get(rule.id_header.lower()):
        return headers[rule.id_header.lower()]
    return hashlib.sha256(signed).hexdigest()  # the same signed request is the same delivery


# --- mapping ---------------------------------------------------------------------------------

_MISSING = object()


def _pointer(document: Any, pointer: str) -> Any:
    """Resolve an RFC 6901 JSON pointer; `_MISSING` when the body has nothing there."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise ConfigurationError(f"mapping source {pointer!r} is not a JSON pointer (/a/b)")
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict) and token in document:
            document = document[token]
        elif isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        else:
            return _MISSING
    return document


def _value(spec: Any, body: Any, field: str, problems: list[Problem]) -> Any:
    if isinstance(spec, str):
        return _pointer(body, spec)
    if isinstance(spec, dict) and "const" in spec:
        return spec["const"]
    if isinstance(spec, dict) and "each" in spec:
        items = _pointer(body, spec["each"])
        if items is _MISSING:
            return _MISSING
        if not isinstance(items, list):
            problems.append(Problem(f"{spec['each']} is not a list", check_id=field))
            return _MISSING
        return [_object(spec.get("map", {}), item, f"{field}[{n}]", problems)
                for n, item in enumerate(items)]
    raise ConfigurationError(f"mapping of {field!r} is not a pointer, const or each")


def _object(mapping: dict[str, Any], body: Any, prefix: str, problems: list[Problem],
            ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, spec in mapping.items():
        value = _value(spec, body, f"{prefix}{field}", problems)
        if value is _MISSING:
            continue  # the case schema says whether the field was needed
        target = out
        *parents, leaf = field.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return out


def map_case(trigger: Trigger, body: Any) -> dict[str, Any]:
    """Build the case JSON from the incoming body; PayloadUnmapped names what is wrong."""
    problems: list[Problem] = []
    case = _object(trigger.mapping, body, "", problems)
    if problems:
        raise PayloadUnmapped("the payload does not map to a case", problems=problems)
    return case


# --- replay ------------------------------------------------------------------------------------


def _seen(name: str, delivery_id: str) -> str:
    return f"{PREFIX}:trigger:{name}:seen:{delivery_id}"


def claim(conn: redis.Redis, trigger: Trigger, delivery_id: str) -> str | None:
    """Take a delivery id: None if it is new, else the job it started the first time."""
    key = _seen(trigger.name, delivery_id)
    if conn.set(key, "", nx=True, ex=REPLAY_TTL):
        return None
    deadline = time.monotonic() + 10
    while not (job_id := conn.get(key)) and time.monotonic() < deadline:
        time.sleep(0.05)  # the first request is still starting its job
    return job_id.decode() if isinstance(job_id, bytes) else job_id


def remember(conn: redis.Redis, trigger: Trigger, delivery_id: str, job_id: str) -> None:
    conn.set(_seen(trigger.name, delivery_id), job_id, ex=REPLAY_TTL)


def forget(conn: redis.Redis, trigger: Trigger, delivery_id: str) -> None:
    """Release a delivery id whose job was never started (the sender may try again)."""
    conn.delete(_seen(trigger.name, delivery_id))
