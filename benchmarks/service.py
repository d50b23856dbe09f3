"""The REST service under load: submit-to-complete latency; 1,000 SSE subscribers on one process.

Part 1 starts `caseworker serve --workers 2` over the KYB agent, warms it with two jobs, then
C clients submit M jobs (example cases, documents sent as base64) and follow each over SSE: the
latency of a job is from its POST to its terminal event as the client sees it. Part 2 starts a
server with no workers, submits J jobs that stay queued, opens S subscribers on them (S/J per
job), waits until every one has read the replayed events, then starts two `caseworker worker`
processes: each live event's delivery latency is its receive time minus its `ts`. Both parts
share one embedded Redis in a temporary directory that this script starts and stops.

A job that does not end `complete`, a subscriber that does not end with the terminal event (or
misses, repeats or reorders an event), or any client error stops the benchmark with a non-zero
exit.

Usage: python benchmarks/service.py [--jobs M] [--clients C] [--sse-jobs J] [--subscribers S]
                                    [--quick] [--out FILE]
Prints the figures and writes them to benchmarks/results/service.json (`--quick`: 8 jobs, 50
subscribers on 10 jobs, written only with `--out`).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import datetime as dt
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from caseworker.api.credentials import ApiKeyStore, Role
from caseworker.domain.case import load_case
from caseworker.domain.job import JobStatus
from caseworker.runtime import keys
from caseworker.runtime.connection import EmbeddedRedis, connect
from caseworker.runtime.store import JobStore

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "service.json"
AGENT = ROOT / "agents" / "kyb"
CASES = ["uk-saas-clean", "de-gmbh-wholesale-clean", "be-minerals-sanctioned-director",
         "nl-software-owner-resident-iran", "nl-bv-holding-owned-clean"]
TERMINAL = {"job.completed", "job.failed", "job.cancelled"}
READY_TIMEOUT = 60.0


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Stack:
    """An embedded Redis and the service and worker processes started over it; all stopped."""

    tmp: Path
    redis: EmbeddedRedis
    url: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "REDIS_URL": self.url, "CASEWORKER_DATA_DIR": str(self.tmp),
                "CASEWORKER_API_RATE_LIMIT": "0", **extra}

    def spawn(self, args: list[str], log: str) -> subprocess.Popen[bytes]:
        with (self.tmp / log).open("wb") as handle:
            # Its own process group, so that forked workers it leaves behind can be found.
            process = subprocess.Popen([sys.executable, "-m", "caseworker", *args], cwd=ROOT,
                                       env=self.env(), stdout=handle, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.processes.append(process)
        return process

    def serve(self, workers: int) -> tuple[str, subprocess.Popen[bytes]]:
        """Start `caseworker serve` and wait until it answers; its base URL and process.

        With workers it must be ready (/readyz); without, /readyz stays 503 until a worker
        heartbeats, so it need only be up (/healthz).
        """
        probe = "/readyz" if workers else "/healthz"
        port = free_port()
        log = f"serve-{port}.log"
        process = self.spawn(["serve", "--port", str(port), "--workers", str(workers),
                              "--agent", str(AGENT)], log)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"caseworker serve exited {process.returncode}: "
                                   f"{(self.tmp / log).read_text()[-3000:]}")
            with contextlib.suppress(httpx2.TransportError):
                if httpx2.get(f"{base}{probe}", timeout=2).status_code == 200:
                    return base, process
            time.sleep(0.1)
        raise RuntimeError(f"caseworker serve: no 200 from {probe} in {READY_TIMEOUT:.0f} s: "
                           f"{(self.tmp / log).read_text()[-3000:]}")

    def worker(self, n: int) -> subprocess.Popen[bytes]:
        return self.spawn(["worker", "--url", self.url], f"worker-{n}.log")

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """Stop one process and anything left in its group: ask, then terminate, then kill.

        SIGINT first, the shutdown `caseworker serve` has always handled by stopping its
        forked workers (before 2621fbe, SIGTERM ended it without stopping them).
        """
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)  # the group this script created for it
            except ProcessLookupError:
                break
            time.sleep(1)
        with contextlib.suppress(ValueError):
            self.processes.remove(process)

    def close(self) -> None:
        for process in reversed(self.processes[:]):
            self.stop(process)
        self.redis.stop()


@contextlib.contextmanager
def stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        redis = EmbeddedRedis(Path(tmp) / "redis")
        url = redis.start()
        running = Stack(Path(tmp), redis, url)
        try:
            yield running
        finally:
            running.close()


def rss_kib(pid: int) -> tuple[int, int]:
    """A process's (VmRSS, VmHWM) in KiB: resident now, and its peak."""
    fields = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0])
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


# --- clients --------------------------------------------------------------------------------


def example_cases() -> list[dict[str, Any]]:
    """The example cases as API bodies: documents inline (the API refuses server paths)."""
    out = []
    for name in CASES:
        case = load_case(ROOT / "examples" / "cases" / f"{name}.json")
        for document in case.documents:
            if document.path:
                path = Path(document.path)
                document.content_base64 = base64.b64encode(path.read_bytes()).decode()
                document.filename = document.filename or path.name
                document.path = None
        out.append(case.model_dump(mode="json", exclude_none=True))
    return out


def body(cases: list[dict[str, Any]], agent: str, n: int, tag: str) -> dict[str, Any]:
    case = cases[n % len(cases)]
    return {"agent": agent, "case": {**case, "id": f"{case['id']}-{tag}-{n}"}}


def api_client(base: str, token: str, connections: int = 20) -> httpx2.AsyncClient:
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx2.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"},
                              timeout=httpx2.Timeout(120, connect=60, pool=120), limits=limits)


async def submit(client: httpx2.AsyncClient, payload: dict[str, Any]) -> str:
    response = await client.post("/v1/jobs", json=payload)
    if response.status_code != 202:
        raise RuntimeError(f"POST /v1/jobs: {response.status_code} {response.text[:500]}")
    job_id: str = response.json()["job_id"]
    return job_id


async def sse_events(response: httpx2.Response) -> AsyncIterator[tuple[str, str, str]]:
    """(id, event, data) of each data event of a text/event-stream response."""
    event_id = event = ""
    data: list[str] = []
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield event_id, event, "\n".join(data)
            event_id, event, data = "", "", []
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            event_id = value
        elif name == "event":
            event = value
        elif name == "data":
            data.append(value)


def served_agent(base: str, token: str) -> str:
    agents = httpx2.get(f"{base}/v1/agents", headers={"Authorization": f"Bearer {token}"},
                        timeout=30).json()
    names = [a["name"] for a in agents]
    if len(names) != 1:
        raise RuntimeError(f"expected one agent served from {AGENT}, got {names}")
    return str(names[0])


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


# --- part 1: submit to complete -------------------------------------------------------------


async def follow(client: httpx2.AsyncClient, payload: dict[str, Any]) -> tuple[str, float, str]:
    """Submit a job and read its events to the terminal one: (job id, seconds, terminal type)."""
    started = time.perf_counter()
    job_id = await submit(client, payload)
    last = ""
    async with client.stream("GET", f"/v1/jobs/{job_id}/events") as response:
        if response.status_code != 200:
            raise RuntimeError(f"GET events: {response.status_code}")
        async for _, event, _ in sse_events(response):
            last = event
            if event in TERMINAL:
                break
    return job_id, time.perf_counter() - started, last


async def latency_run(base: str, token: str, agent: str, jobs: int,
                      clients: int) -> dict[str, Any]:
    cases = example_cases()
    async with api_client(base, token, connections=2 * clients + 4) as client:
        for n in range(2):  # warm-up, not counted
            await follow(client, body(cases, agent, n, "warm"))
        todo: asyncio.Queue[int] = asyncio.Queue()
        for n in range(jobs):
            todo.put_nowait(n)
        done: list[tuple[str, float, str]] = []

        async def one_client() -> None:
            while not todo.empty():
                n = todo.get_nowait()
                done.append(await follow(client, body(cases, agent, n, "run")))

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall = time.perf_counter() - started
        views = [(await client.get(f"/v1/jobs/{job_id}")).json() for job_id, _, _ in done]
    failed = [f"{v['id']}: {v['status']} {v.get('error') or ''}".strip()
              for v in views if v["status"] != "complete"]
    failed += [f"{job_id}: stream ended with {last or 'nothing'}"
               for job_id, _, last in done if last != "job.completed"]
    seconds = [s for _, s, _ in done]
    checks = sorted({v["progress"]["total"] for v in views})
    return {
        "jobs": jobs, "clients": clients, "workers": 2, "cases": CASES,
        "p50_ms": ms(statistics.median(seconds)), "p95_ms": ms(percentile(seconds, 95)),
        "max_ms": ms(max(seconds)), "min_ms": ms(min(seconds)),
        "wall_s": round(wall, 2), "jobs_per_s": round(jobs / wall, 2),
        "checks_per_job": checks[0] if len(checks) == 1 else checks,
        "failed": failed,
    }


# --- part 2: many subscribers ---------------------------------------------------------------


@dataclass
class Subscriber:
    job_id: str
    replayed: int  # events already in the job's stream when the subscriber opened it
    received: int = 0
    connected: bool = False
    terminal: bool = False
    ordered: bool = True
    last_id: tuple[int, int] = (0, 0)
    delays: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def caught_up(self) -> bool:
        return self.connected and self.received >= self.replayed


def stream_id(value: str) -> tuple[int, int]:
    left, _, right = value.partition("-")
    return int(left), int(right or 0)


async def subscribe(client: httpx2.AsyncClient, sub: Subscriber) -> None:
    try:
        async with client.stream("GET", f"/v1/jobs/{sub.job_id}/events") as response:
            if response.status_code != 200:
                raise RuntimeError(f"status {response.status_code}")
            sub.connected = True
            async for event_id, event, data in sse_events(response):
                now = time.time()
                sub.received += 1
                position = stream_id(event_id)
                if position <= sub.last_id:
                    sub.ordered = False
                sub.last_id = position
                if sub.received > sub.replayed:
                    ts = dt.datetime.fromisoformat(json.loads(data)["ts"])
                    sub.delays.append(now - ts.timestamp())
                if event in TERMINAL:
                    sub.terminal = True
                    break
    except Exception as exc:  # counted and reported; the run goes on
        sub.error = f"{type(exc).__name__}: {exc}"[:200]


async def watch_rss(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_kib(pid)[0])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)


async def subscribers_run(run: Stack, base: str, token: str, agent: str, *, pid: int, jobs: int,
                          subscribers: int, timeout: float) -> dict[str, Any]:
    cases = example_cases()
    conn = connect(run.url)
    rss_idle = rss_kib(pid)[0]
    async with api_client(base, token, connections=subscribers + 20) as client:
        sem = asyncio.Semaphore(16)

        async def submit_one(n: int) -> str:
            async with sem:
                return await submit(client, body(cases, agent, n, "sse"))

        job_ids = await asyncio.gather(*(submit_one(n) for n in range(jobs)))
        replay = {j: int(conn.xlen(keys.events(j))) for j in job_ids}
        subs = [Subscriber(job_ids[n % jobs], replay[job_ids[n % jobs]])
                for n in range(subscribers)]
        peak, stop = [rss_idle], asyncio.Event()
        watcher = asyncio.create_task(watch_rss(pid, peak, stop))
        opened = time.perf_counter()
        tasks = [asyncio.create_task(subscribe(client, s)) for s in subs]
        deadline = time.monotonic() + timeout
        while not all(s.caught_up or s.error for s in subs):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{sum(not s.caught_up for s in subs)} subscribers not "
                                   f"caught up after {timeout:.0f} s")
            await asyncio.sleep(0.05)
        connect_s = time.perf_counter() - opened
        rss_connected = rss_kib(pid)[0]
        live = time.perf_counter()
        for n in range(2):
            run.worker(n)
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        run_s = time.perf_counter() - live
        stop.set()
        await watcher
        hwm = rss_kib(pid)[1]
    final = {j: int(conn.xlen(keys.events(j))) for j in job_ids}
    store = JobStore(conn)
    statuses = [store.status(j) for j in job_ids]
    delays = [d for s in subs for d in s.delays]
    errors = [s.error for s in subs if s.error]
    return {
        "jobs": jobs, "subscribers": subscribers, "per_job": subscribers // jobs, "workers": 2,
        "connect_and_replay_s": round(connect_s, 2), "run_s": round(run_s, 2),
        "events_delivered": len(delays),
        "events_replayed": sum(s.replayed for s in subs),
        "p50_ms": ms(statistics.median(delays)) if delays else None,
        "p95_ms": ms(percentile(delays, 95)) if delays else None,
        "p99_ms": ms(percentile(delays, 99)) if delays else None,
        "max_ms": ms(max(delays)) if delays else None,
        "completed_subscribers": sum(s.terminal for s in subs),
        "incomplete_streams": sum(s.received != final[s.job_id] for s in subs),
        "out_of_order": sum(not s.ordered for s in subs),
        "jobs_not_complete": sum(st != JobStatus.complete for st in statuses),
        "errors": len(errors), "error_samples": sorted(set(errors))[:5],
        "server_rss_mb": {"idle": round(rss_idle / 1024, 1),
                          "connected": round(rss_connected / 1024, 1),
                          "peak_sampled": round(peak[0] / 1024, 1),
                          "peak_vmhwm": round(hwm / 1024, 1)},
    }


# --- main -----------------------------------------------------------------------------------


def token_for(url: str) -> str:
    _, token = ApiKeyStore(connect(url)).create("bench", {Role.admin}, "benchmarks/service.py")
    return token


def problems(latency: dict[str, Any], sse: dict[str, Any]) -> list[str]:
    out = [f"latency: job {f}" for f in latency["failed"]]
    if sse["completed_subscribers"] != sse["subscribers"]:
        out.append(f"sse: {sse['subscribers'] - sse['completed_subscribers']} subscribers did "
                   "not end with the terminal event")
    for name in ("incomplete_streams", "out_of_order", "jobs_not_complete", "errors"):
        if sse[name]:
            samples = sse["error_samples"] if name == "errors" else ""
            out.append(f"sse: {name} = {sse[name]} {samples}".rstrip())
    return out


def show(latency: dict[str, Any], sse: dict[str, Any]) -> None:
    rss = sse["server_rss_mb"]
    rows = [
        ("submit → complete", f"{latency['jobs']} jobs, {latency['clients']} clients, "
                              f"{latency['workers']} workers, "
                              f"{latency['checks_per_job']} checks/job"),
        ("  latency p50 / p95 / max", f"{latency['p50_ms']:.0f} / {latency['p95_ms']:.0f} / "
                                      f"{latency['max_ms']:.0f} ms"),
        ("  throughput", f"{latency['jobs_per_s']:.2f} jobs/s ({latency['wall_s']} s)"),
        ("SSE subscribers", f"{sse['subscribers']} on {sse['jobs']} jobs, one server process"),
        ("  connect + replay", f"{sse['connect_and_replay_s']} s "
                               f"({sse['events_replayed']} replayed events)"),
        ("  delivery p50 / p95 / p99 / max",
         f"{sse['p50_ms']} / {sse['p95_ms']} / {sse['p99_ms']} / {sse['max_ms']} ms"),
        ("  live events delivered", f"{sse['events_delivered']} in {sse['run_s']} s"),
        ("  ended with terminal event", f"{sse['completed_subscribers']} of {sse['subscribers']}"),
        ("  errors / missed / out of order",
         f"{sse['errors']} / {sse['incomplete_streams']} / {sse['out_of_order']}"),
        ("  server RSS idle / connected / peak",
         f"{rss['idle']} / {rss['connected']} / {rss['peak_vmhwm']} MB"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=60, help="latency part: jobs (default 60)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--sse-jobs", type=int, default=100, help="SSE part: jobs (default 100)")
    parser.add_argument("--subscribers", type=int, default=1000,
                        help="SSE part: subscribers, spread over the jobs (default 1000)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="longest wait for subscribers, in s (default 600)")
    parser.add_argument("--quick", action="store_true",
                        help="8 jobs, 50 subscribers on 10 jobs; writes nothing unless --out")
    parser.add_argument("--out", type=Path, help=f"results file (default {RESULTS.name})")
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.sse_jobs, args.subscribers = 8, 10, 50
    results: Path | None = args.out or (None if args.quick else RESULTS)
    with stack() as run:
        token = token_for(run.url)
        base, server = run.serve(workers=2)
        agent = served_agent(base, token)
        print(f"part 1: {args.jobs} jobs, {args.clients} clients ...", flush=True)
        latency = asyncio.run(latency_run(base, token, agent, args.jobs, args.clients))
        run.stop(server)
        base, server = run.serve(workers=0)
        print(f"part 2: {args.subscribers} subscribers on {args.sse_jobs} jobs ...", flush=True)
        sse = asyncio.run(subscribers_run(run, base, token, agent, pid=server.pid,
                                          jobs=args.sse_jobs, subscribers=args.subscribers,
                                          timeout=args.timeout))
    figures = {
        "benchmark": "caseworker serve: submit-to-complete latency over SSE with warm workers; "
                     "SSE delivery latency with many subscribers on one server process",
        "agent": str(AGENT.relative_to(ROOT)),
        "quick": args.quick,
        "latency": latency,
        "sse": sse,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    show(latency, sse)
    broken = problems(latency, sse)
    for problem in broken:
        print(f"FAIL {problem}", file=sys.stderr)
    if results is not None:
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"wrote {results.relative_to(ROOT) if results.is_relative_to(ROOT) else results}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
