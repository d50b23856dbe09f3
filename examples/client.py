"""An example client of the caseworker service, standard library only.

Submits a case, follows its checks live over SSE (reconnecting with Last-Event-ID if the
connection drops), then prints the decision and saves the report.

    python examples/client.py --url http://127.0.0.1:8000 --key cwk_… \
        --agent kyb examples/cases/uk-saas-clean.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TERMINAL = {"job.completed", "job.failed", "job.cancelled"}


class Client:
    """The few calls an onboarding flow makes."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {key}"}

    def _request(self, method: str, path: str, body: Any = None,
                 headers: dict[str, str] | None = None) -> urllib.request.Request:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={**self.headers, **(headers or {})})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        return request

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        try:
            with urllib.request.urlopen(self._request(method, path, body, headers)) as reply:
                return json.load(reply)
        except urllib.error.HTTPError as error:  # an RFC 9457 problem: say what it says
            problem = json.load(error)
            raise SystemExit(f"{method} {path}: {error.code} {problem.get('detail')} "
                             f"{problem.get('errors', '')}") from None

    def submit(self, agent: str, case: dict[str, Any]) -> str:
        """Start a job; the Idempotency-Key makes a retried submission safe."""
        accepted = self.call("POST", "/v1/jobs", {"agent": agent, "case": case},
                             **{"Idempotency-Key": str(uuid.uuid4())})
        job_id: str = accepted["job_id"]
        return job_id

    def events(self, job_id: str) -> Iterator[dict[str, Any]]:
        """Every event of the job, once each, through reconnections, until the last one."""
        last_id: str | None = None
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            request = self._request("GET", f"/v1/jobs/{job_id}/events", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as stream:
                    for event in _parse_sse(stream):
                        last_id = event["id"]
                        yield event
                        if event["type"] in TERMINAL:
                            return
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                print(f"stream dropped ({error}); resuming after {last_id}", file=sys.stderr)
                time.sleep(1)

    def report(self, job_id: str, fmt: str) -> bytes:
        request = self._request("GET", f"/v1/jobs/{job_id}/report?format={fmt}")
        with urllib.request.urlopen(request) as reply:
            data: bytes = reply.read()
            return data


def _parse_sse(stream: Any) -> Iterator[dict[str, Any]]:
    data: list[str] = []
    for raw in stream:
        line = raw.decode().rstrip("\r\n")
        if line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif line == "" and data:
            yield json.loads("\n".join(data))
            data = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", type=Path, help="a case JSON file")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", required=True, help="an API key with submit and read roles")
    parser.add_argument("--agent", default="kyb")
    parser.add_argument("--report", default="md", choices=["json", "md", "html", "pdf"])
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args()

    client = Client(args.url, args.key)
    job_id = client.submit(args.agent, json.loads(args.case.read_text(encoding="utf-8")))
    print(f"job {job_id}")
    for event in client.events(job_id):
        status = event["data"].get("status", "")
        print(f"  {event['type']:<16} {event.get('check_id') or '':<24} {status}")
    job = client.call("GET", f"/v1/jobs/{job_id}")
    print(f"decision: {job['recommendation']} ({job['decision_reason']})")
    path = args.out / f"{job_id}.{args.report}"
    path.write_bytes(client.report(job_id, args.report))
    print(f"report: {path}")


if __name__ == "__main__":
    main()
