"""Webhook triggers in, over HTTP: signed requests start jobs; bad ones get documented answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import redis
from standardwebhooks.webhooks import Webhook

from caseworker.domain.job import JobStatus
from caseworker.runtime.connection import connect
from caseworker.runtime.store import JobStore
from tests.api.conftest import Server, start_server, stop_server, with_db

SECRET = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ=="
HMAC_SECRET = "shared-hmac-secret"
TRIGGER_DB = 2
FORM = """
name: onboarding-form
tenant: t-forms
agent: api-test
verification: {scheme: standard-webhooks, secret_env: FORM_SECRET, tolerance_seconds: 300}
mapping:
  id: /application/id
  subject.legal_name: /company/name
  subject.registration_number: /company/number
  subject.jurisdiction: {const: GB}
  subject.addresses: {each: /company/addresses, map: {line1: /street, city: /city,
                      country: /country}}
"""
CRM = """
name: crm
tenant: t-crm
agent: api-test
verification:
  scheme: hmac
  secret_env: CRM_SECRET
  signature_header: X-CRM-Signature
  signature_prefix: "sha256="
  timestamp_header: X-CRM-Timestamp
  id_header: X-CRM-Delivery
mapping:
  id: /ref
  subject.legal_name: /name
  subject.jurisdiction: /country
"""


@pytest.fixture(scope="module")
def trigger_server(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("triggers")
    (folder / "form.yaml").write_text(FORM)
    (folder / "crm.yaml").write_text(CRM)
    running = start_server(with_db(redis_url, TRIGGER_DB), folder / "serve.log", workers=1,
                           CASEWORKER_TRIGGERS_DIR=str(folder), FORM_SECRET=SECRET,
                           CRM_SECRET=HMAC_SECRET)
    yield running
    stop_server(running)


def _application(case_id: str, **company: Any) -> bytes:
    return json.dumps({"application": {"id": case_id}, "company": {
        "name": "Acme Widgets Ltd", "number": "12345678",
        "addresses": [{"street": "1 High St", "city": "London", "country": "GB"}],
        **company}}).encode()


def _signed(body: bytes, message_id: str, at: float | None = None) -> dict[str, str]:
    stamp = dt.datetime.fromtimestamp(at if at is not None else time.time(), dt.UTC)
    return {"content-type": "application/json", "webhook-id": message_id,
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": Webhook(SECRET).sign(message_id, stamp, body)}


def _post(server: Server, name: str, body: bytes, headers: dict[str, str]) -> httpx2.Response:
    return httpx2.post(f"{server.url}/v1/triggers/{name}", content=body, headers=headers,
                       timeout=30)


def _finished(conn: redis.Redis, job_id: str) -> JobStatus:
    deadline = time.monotonic() + 30
    while not (status := JobStore(conn).status(job_id)).finished:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return status


def test_a_signed_request_starts_a_job_and_a_replay_returns_it(trigger_server: Server) -> None:
    body = _application("form-1")
    first = _post(trigger_server, "onboarding-form", body, _signed(body, "msg_form_1"))
    assert first.status_code == 202, first.text
    job_id = first.json()["job_id"]
    conn = connect(trigger_server.redis_url)
    assert _finished(conn, job_id) == JobStatus.complete
    job = JobStore(conn).get(job_id)
    assert (job.tenant, job.case_id) == ("t-forms", "form-1")
    replay = _post(trigger_server, "onboarding-form", body, _signed(body, "msg_form_1"))
    assert replay.status_code == 200
    assert replay.json()["job_id"] == job_id and replay.json()["replayed"] is True


def test_a_bad_signature_or_a_stale_timestamp_is_401(trigger_server: Server) -> None:
    body = _application("form-2")
    tampered = _post(trigger_server, "onboarding-form", body.replace(b"Acme", b"Evil"),
                     _signed(body, "msg_form_2"))
    assert tampered.status_code == 401 and tampered.json()["code"] == "signature_invalid"
    stale = _post(trigger_server, "onboarding-form", body,
                  _signed(body, "msg_form_3", at=time.time() - 3600))
    assert stale.status_code == 401
    assert stale.json()["code"] == "timestamp_outside_tolerance"
    unsigned = _post(trigger_server, "onboarding-form", body, {"content-type": "application/json"})
    assert unsigned.status_code == 401
    # a refused request did not take its delivery id: signed properly, it is accepted
    assert _post(trigger_server, "onboarding-form", body,
                 _signed(body, "msg_form_2")).status_code == 202


def test_a_payload_that_does_not_map_is_422_naming_the_field(trigger_server: Server) -> None:
    body = json.dumps({"application": {"id": "form-4"}, "company": {"number": "1"}}).encode()
    answer = _post(trigger_server, "onboarding-form", body, _signed(body, "msg_form_4"))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "payload_unmapped", problem
    assert {"field": "subject.legal_name",
            "message": "Field required (mapped from /company/name)"} in problem["errors"]
    fixed = _application("form-4")
    retried = _post(trigger_server, "onboarding-form", fixed, _signed(fixed, "msg_form_4"))
    assert retried.status_code == 202  # the id was not spent on the payload that failed


def test_an_hmac_trigger_with_its_own_headers(trigger_server: Server) -> None:
    body = json.dumps({"ref": "crm-1", "name": "Beta Trading Ltd", "country": "GB"}).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(HMAC_SECRET.encode(), f"{stamp}.".encode() + body,
                         hashlib.sha256).hexdigest()
    headers = {"content-type": "application/json", "X-CRM-Timestamp": stamp,
               "X-CRM-Signature": f"sha256={signature}", "X-CRM-Delivery": "d-1"}
    accepted = _post(trigger_server, "crm", body, headers)
    assert accepted.status_code == 202, accepted.text
    assert _finished(connect(trigger_server.redis_url), accepted.json()["job_id"]).finished
    wrong = _post(trigger_server, "crm", body, {**headers, "X-CRM-Signature": "sha256=00"})
    assert wrong.status_code == 401
    assert _post(trigger_server, "nope", body, headers).status_code == 404
