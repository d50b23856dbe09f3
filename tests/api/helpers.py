"""Clients' side of the service tests: case bodies, job polling, an SSE reader."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2


def case(case_id: str, name: str = "Acme Widgets Ltd") -> dict[str, Any]:
    return {
        "id": case_id,
        "subject": {
            "legal_name": name,
            "registration_number": "12345678",
            "jurisdiction": "GB",
            "addresses": [{"line1": "1 High St", "city": "London", "country": "GB"}],
        },
    }


def submit(client: httpx2.Client, case_id: str, agent: str = "api-test", **extra: Any) -> str:
    response = client.post("/v1/jobs", json={"agent": agent, "case": case(case_id), **extra})
    assert response.status_code == 202, response.text
    job_id: str = response.json()["job_id"]
    return job_id


def wait_job(client: httpx2.Client, job_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """Poll until the job has finished; its view with checks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view: dict[str, Any] = client.get(f"/v1/jobs/{job_id}?include=checks").json()
        if view["status"] in ("complete", "failed", "cancelled"):
            return view
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s: {view}")


@dataclass
class Sse:
    """One server-sent event as a client sees it."""

    id: str | None = None
    event: str | None = None
    data: list[str] = field(default_factory=list)
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads("\n".join(self.data))
        return parsed


def read_sse(response: httpx2.Response, *, stop_after: int | None = None) -> list[Sse]:
    """Parse a text/event-stream response; stop after `stop_after` data events if given."""
    out: list[Sse] = []
    current = Sse()
    count = 0
    for line in response.iter_lines():
        if line == "":
            if current.data or current.retry is not None or current.comments:
                out.append(current)
                if current.data:
                    count += 1
                    if stop_after is not None and count >= stop_after:
                        return out
            current = Sse()
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            current.comments.append(value)
        elif name == "id":
            current.id = value
        elif name == "event":
            current.event = value
        elif name == "data":
            current.data.append(value)
        elif name == "retry":
            current.retry = int(value)
    if current.data:
        out.append(current)
    return out
