"""Live events over real sockets: SSE with resume by Last-Event-ID, NDJSON, keep-alives."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import redis

from caseworker.runtime import events
from tests.api.conftest import Tenant
from tests.api.helpers import read_sse, submit, wait_job

TERMINAL = {"job.completed", "job.failed", "job.cancelled"}


def _follow(tenant: Tenant, n: int, drop: bool) -> tuple[str, list[str], bool]:
    """Submit a job and follow it; when `drop`, hang up after 3 events and resume."""
    with tenant.client("submitter") as client:
        job_id = submit(client, f"sse-{n}")
        seen: list[str] = []
        dropped_mid_job = False
        with client.stream("GET", f"/v1/jobs/{job_id}/events") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            got = read_sse(response, stop_after=3 if drop else None)
        assert got[0].retry == 3000  # the reconnection delay comes first
        seen += [e.id for e in got if e.data]
        types = [e.event for e in got if e.data]
        if drop and types[-1] not in TERMINAL:
            dropped_mid_job = True
            headers = {"Last-Event-ID": seen[-1]}
            with client.stream("GET", f"/v1/jobs/{job_id}/events", headers=headers) as again:
                rest = read_sse(again)
            seen += [e.id for e in rest if e.data]
            types += [e.event for e in rest if e.data]
        assert types[-1] in TERMINAL
        return job_id, seen, dropped_mid_job


def test_fifty_streams_half_dropped_get_every_event_once_in_order(
    tenant: Tenant, api_conn: redis.Redis,
) -> None:
    with ThreadPoolExecutor(50) as pool:
        outcomes = list(pool.map(lambda n: _follow(tenant, n, n % 2 == 0), range(50)))
    resumed = 0
    for job_id, seen, dropped in outcomes:
        stored = [e.id for e in events.replay(api_conn, job_id)]
        assert seen == stored  # every event exactly once, in order, through the terminal one
        resumed += dropped
    assert resumed >= 10  # most dropped streams were dropped before the job finished


def test_a_finished_job_replays_and_closes(tenant: Tenant, api_conn: redis.Redis) -> None:
    with tenant.client() as client:
        job_id = submit(client, "replay-1")
        wait_job(client, job_id)
        with client.stream("GET", f"/v1/jobs/{job_id}/events") as response:
            got = [e for e in read_sse(response) if e.data]
        stored = events.replay(api_conn, job_id)
        assert [e.id for e in got] == [e.id for e in stored]
        assert got[-1].event == "job.completed"
        assert got[-1].json["data"]["recommendation"] == "approve"
        # resume from the middle with the query parameter
        middle = stored[len(stored) // 2].id
        with client.stream("GET", f"/v1/jobs/{job_id}/events?after={middle}") as response:
            tail = [e.id for e in read_sse(response) if e.data]
        assert tail == [e.id for e in stored[len(stored) // 2 + 1:]]


def test_ndjson_stream_matches_the_events(tenant: Tenant, api_conn: redis.Redis) -> None:
    with tenant.client() as client:
        job_id = submit(client, "ndjson-1")
        with client.stream("GET", f"/v1/jobs/{job_id}/events.ndjson") as response:
            assert response.headers["content-type"].startswith("application/x-ndjson")
            lines = [json.loads(line) for line in response.iter_lines() if line.strip()]
    assert [e["id"] for e in lines] == [e.id for e in events.replay(api_conn, job_id)]
    assert lines[-1]["type"] == "job.completed"


def test_an_idle_stream_gets_keepalives(tenant: Tenant) -> None:
    """The test server sends keep-alives every second: a slow job's stream shows them."""
    with tenant.client() as client:
        job_id = submit(client, "idle-1", agent="api-slow")
        with client.stream("GET", f"/v1/jobs/{job_id}/events") as response:
            got = read_sse(response)
    pings = [e for e in got if not e.data and any(c.startswith("ping") for c in e.comments)]
    assert pings, [(e.event, e.comments) for e in got]


def test_a_bad_last_event_id_is_a_problem(tenant: Tenant) -> None:
    with tenant.client() as client:
        job_id = submit(client, "bad-id-1")
        response = client.get(f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": "yesterday"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "Last-Event-ID" in response.json()["detail"]


def test_a_frozen_client_blocks_nobody(tenant: Tenant, api_conn: redis.Redis) -> None:
    """Clients that open streams and never read them do not hold up another client's stream."""
    parts = urlsplit(tenant.base_url)
    with tenant.client() as client:
        busy = submit(client, "frozen-target", agent="api-slow")
        frozen = []
        for _ in range(5):
            sock = socket.create_connection((parts.hostname, parts.port))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
            sock.sendall(f"GET /v1/jobs/{busy}/events HTTP/1.1\r\nHost: x\r\n"
                         f"Authorization: Bearer {tenant.tokens['reader']}\r\n\r\n".encode())
            frozen.append(sock)  # never read from
        try:
            job_id = submit(client, "frozen-other")
            with client.stream("GET", f"/v1/jobs/{job_id}/events") as response:
                got = [e for e in read_sse(response) if e.data]
        finally:
            for sock in frozen:
                sock.close()
            client.post(f"/v1/jobs/{busy}/cancel")
    assert [e.id for e in got] == [e.id for e in events.replay(api_conn, job_id)]
