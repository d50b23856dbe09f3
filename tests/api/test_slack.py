"""Slack over real sockets: decisions posted to a local Slack Web API, signed commands and
button clicks sent to the service, reviews recorded in the audit trail."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import pytest
import redis

from caseworker.api.credentials import ApiKeyStore, Role
from caseworker.runtime import audit
from caseworker.runtime.connection import connect
from tests.api.conftest import Server, start_server, stop_server, with_db
from tests.api.helpers import case, wait_job
from tests.fixtures.slack_server import FakeSlack, run_fake_slack, signed_headers

SIGNING_SECRET = "slack-signing-secret-for-tests"
CHANNEL = "C0CASEWORK"
SLACK_DB = 3
TENANT = "t-slack"


@dataclass
class Slacked:
    server: Server
    slack: FakeSlack
    conn: redis.Redis
    token: str

    def client(self) -> httpx2.Client:
        return httpx2.Client(base_url=self.server.url, timeout=30,
                             headers={"Authorization": f"Bearer {self.token}"})

    def send(self, body: bytes, *, secret: str = SIGNING_SECRET) -> httpx2.Response:
        return httpx2.post(f"{self.server.url}/slack/events", content=body,
                           headers=signed_headers(secret, body), timeout=30)

    def command(self, text: str, user: str = "U0ALICE") -> httpx2.Response:
        return self.send(urllib.parse.urlencode({
            "command": "/caseworker", "text": text, "user_id": user, "channel_id": CHANNEL,
            "team_id": "T1", "response_url": f"{self.slack.url}/respond",
            "trigger_id": "1.2"}).encode())

    def click(self, action: str, job_id: str, user: str = "U0ALICE") -> httpx2.Response:
        payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T1"},
                   "channel": {"id": CHANNEL}, "message": {"ts": "1700000000.000001"},
                   "response_url": f"{self.slack.url}/respond", "trigger_id": "1.2",
                   "actions": [{"action_id": action, "block_id": "review", "value": job_id,
                                "type": "button"}]}
        return self.send(urllib.parse.urlencode({"payload": json.dumps(payload)}).encode())


@pytest.fixture(scope="module")
def slacked(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slacked]:
    with run_fake_slack() as slack:
        url = with_db(redis_url, SLACK_DB)
        conn = connect(url)
        conn.flushdb()
        _, token = ApiKeyStore(conn).create(TENANT, {Role.admin}, "admin")
        server = start_server(url, tmp_path_factory.mktemp("slack") / "serve.log", workers=1,
                              CASEWORKER_SLACK_BOT_TOKEN="xoxb-test-token",
                              CASEWORKER_SLACK_SIGNING_SECRET=SIGNING_SECRET,
                              CASEWORKER_SLACK_CHANNEL=CHANNEL,
                              CASEWORKER_SLACK_API_URL=slack.api_url,
                              CASEWORKER_SLACK_TENANT=TENANT,
                              CASEWORKER_SLACK_REVIEWERS="U0ALICE=alice,U0BOB=bob",
                              CASEWORKER_PUBLIC_URL="https://caseworker.example",
                              CASEWORKER_DOCUMENTS_ALLOW_PRIVATE_URLS="true")
        yield Slacked(server, slack, conn, token)
        stop_server(server)


def _job(slacked: Slacked, case_id: str, name: str) -> dict[str, object]:
    with slacked.client() as client:
        answer = client.post("/v1/jobs", json={"agent": "api-test", "case": case(case_id, name)})
        assert answer.status_code == 202, answer.text
        return wait_job(client, answer.json()["job_id"])


def _posted_for(slacked: Slacked, job_id: object) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for call in slacked.slack.called("chat.postMessage"):
            if str(job_id) in json.dumps(call.args.get("blocks", [])):
                return call.args
        time.sleep(0.05)
    raise AssertionError(f"no message about {job_id}: {slacked.slack.calls}")


def test_a_decision_is_posted_with_review_buttons_when_a_person_must_decide(
    slacked: Slacked,
) -> None:
    clean = _job(slacked, "slack-clean", "Acme Widgets Ltd")
    flagged = _job(slacked, "slack-flagged", "Red flag Ltd")
    assert (clean["recommendation"], flagged["recommendation"]) == ("approve", "reject")
    posted = _posted_for(slacked, flagged["id"])
    assert posted["channel"] == CHANNEL
    blocks = posted["blocks"]
    assert isinstance(blocks, list)
    assert blocks[0]["text"]["text"] == "REJECT: slack-flagged"
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "review_approve", "review_reject", "review_request_info"]
    report = f"https://caseworker.example/v1/jobs/{flagged['id']}/report"
    assert report in json.dumps(blocks)
    calm = _posted_for(slacked, clean["id"])
    assert not any(b["type"] == "actions" for b in calm["blocks"])  # type: ignore[union-attr]
    assert all(c.token == "xoxb-test-token" for c in slacked.slack.calls)


def test_slash_commands_status_and_run_round_trip(slacked: Slacked) -> None:
    job = _job(slacked, "slack-status", "Acme Widgets Ltd")
    status = slacked.command(f"status {job['id']}")
    assert status.status_code == 200, status.text
    assert "APPROVE: slack-status" in status.text
    by_case = slacked.command("status slack-status")
    assert "APPROVE: slack-status" in by_case.text
    slacked.slack.files["case.json"] = json.dumps(case("slack-run", "Run Ltd")).encode()
    started = slacked.command(f"run api-test {slacked.slack.url}/files/case.json")
    assert started.status_code == 200 and "Started job" in started.text, started.text
    found = re.search(r"Started job (\S+)", started.text)
    assert found, started.text
    job_id = found.group(1)
    with slacked.client() as client:
        assert wait_job(client, job_id)["status"] == "complete"
    usage = slacked.command("explode")
    assert "Usage" in usage.text


def test_an_approval_from_slack_is_recorded_in_the_audit_trail(slacked: Slacked) -> None:
    job = _job(slacked, "slack-review", "Acme Widgets Ltd")
    answer = slacked.click("review_approve", str(job["id"]))
    assert answer.status_code == 200, answer.text
    records = [r for r in audit.records(slacked.conn, str(job["id"]))
               if r.kind == "review.decision"]
    assert [r.payload["reviewer"] for r in records] == ["alice (slack:U0ALICE)"]
    assert records[0].payload["state"] == "approved"
    assert audit.verify(slacked.conn, str(job["id"])).ok
    thread = slacked.slack.wait_for("chat.postMessage")
    assert any("alice chose *approve*" in c.args.get("text", "") for c in thread)


def test_four_eyes_and_unmapped_users_from_slack(slacked: Slacked) -> None:
    job = _job(slacked, "slack-four-eyes", "Red flag Ltd")
    job_id = str(job["id"])
    slacked.click("review_approve", job_id, user="U0MALLORY")
    refused = slacked.slack.wait_for("chat.postEphemeral")
    assert "not a caseworker reviewer" in refused[-1].args["text"]
    slacked.click("review_approve", job_id)
    slacked.click("review_approve", job_id)  # alice again: four eyes need someone else
    again = slacked.slack.wait_for("chat.postEphemeral", 2)
    assert "second, different reviewer" in again[-1].args["text"]
    slacked.click("review_approve", job_id, user="U0BOB")
    reviewers = [r.payload["reviewer"] for r in audit.records(slacked.conn, job_id)
                 if r.kind == "review.decision"]
    assert reviewers == ["alice (slack:U0ALICE)", "bob (slack:U0BOB)"]


def test_a_request_with_a_bad_signature_is_rejected(slacked: Slacked) -> None:
    body = urllib.parse.urlencode({"command": "/caseworker", "text": "status x"}).encode()
    assert slacked.send(body, secret="not-the-secret").status_code == 401
    stale = httpx2.post(f"{slacked.server.url}/slack/events", content=body, timeout=30,
                        headers=signed_headers(SIGNING_SECRET, body, at=time.time() - 3600))
    assert stale.status_code == 401
