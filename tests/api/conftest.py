"""A real `caseworker serve` process (its own Redis database, two local workers) per session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx2
import pytest
import redis

from caseworker.api.credentials import ApiKeyStore, Role
from caseworker.runtime.connection import connect

ROOT = Path(__file__).resolve().parents[2]
AGENTS = ROOT / "tests" / "fixtures" / "agents"
SERVED = ["api", "api-flaky", "api-slow"]
API_DB = 1  # the other tests flush database 0 between tests


def with_db(url: str, db: int) -> str:
    """The same Redis URL on another logical database."""
    if url.startswith("unix://"):
        return f"{url.partition('?')[0]}?db={db}"
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    redis_url: str
    process: subprocess.Popen[bytes]
    log: Path


def start_server(redis_url: str, log: Path, *, workers: int = 2,
                 agents: list[Path] | None = None, **env: str) -> Server:
    """Start `caseworker serve` (the test agents unless `agents` given) and wait until ready."""
    port = free_port()
    environment = {**os.environ, "REDIS_URL": redis_url, "CASEWORKER_STREAM_KEEPALIVE": "1",
                   "CASEWORKER_API_RATE_LIMIT": "100000", **env}
    served = agents or [AGENTS / a for a in SERVED]
    command = [sys.executable, "-m", "caseworker", "serve", "--port", str(port),
               "--workers", str(workers), *(arg for a in served for arg in ("--agent", str(a)))]
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=handle,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"caseworker serve exited: {log.read_text()[-3000:]}")
        try:
            if httpx2.get(f"{url}/readyz", timeout=2).status_code == 200:
                return Server(url, redis_url, process, log)
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"caseworker serve did not become ready: {log.read_text()[-3000:]}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def server(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(with_db(redis_url, API_DB),
                            tmp_path_factory.mktemp("serve") / "serve.log")
    yield running
    stop_server(running)


@pytest.fixture
def api_conn(server: Server) -> redis.Redis:
    return connect(server.redis_url)


@dataclass
class Tenant:
    """A fresh tenant with one key per role set, and clients for them."""

    name: str
    tokens: dict[str, str]
    base_url: str

    def client(self, who: str = "admin", **kwargs: object) -> httpx2.Client:
        return httpx2.Client(base_url=self.base_url, timeout=30,
                             headers={"Authorization": f"Bearer {self.tokens[who]}"},
                             **kwargs)  # type: ignore[arg-type]


def make_tenant(conn: redis.Redis, base_url: str) -> Tenant:
    name = f"t-{uuid.uuid4().hex[:10]}"
    store = ApiKeyStore(conn)
    roles = {
        "admin": {Role.admin},
        "submitter": {Role.submit, Role.read},
        "reader": {Role.read},
        "reviewer": {Role.review, Role.read},
        "reviewer2": {Role.review, Role.read},
    }
    tokens = {who: store.create(name, r, who)[1] for who, r in roles.items()}
    return Tenant(name, tokens, base_url)


@pytest.fixture
def tenant(api_conn: redis.Redis, server: Server) -> Tenant:
    return make_tenant(api_conn, server.url)


@pytest.fixture
def other_tenant(api_conn: redis.Redis, server: Server) -> Tenant:
    return make_tenant(api_conn, server.url)
