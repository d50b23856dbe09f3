"""Test set-up: a real embedded Redis per session, a clean database per test, fast liveness."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_session_dir = Path(tempfile.mkdtemp(prefix="cw-tests-"))
os.environ.update({
    "CASEWORKER_DATA_DIR": str(_session_dir / "data"),
    "CASEWORKER_PLUGINS": "tests.fixtures.tools",
    "CASEWORKER_HEARTBEAT_TTL": "1.5",
    "CASEWORKER_HEARTBEAT_INTERVAL": "0.3",
    "CASEWORKER_REAPER_INTERVAL": "0.3",
    "CASEWORKER_REQUEUE_GRACE": "0.5",
    "CASEWORKER_TEST_COUNTER_DIR": str(_session_dir / "counters"),
    # Webhooks to local receivers, on a schedule compressed 1000x (5 s → 5 ms, 5 min → 0.3 s),
    # with a delivery in flight leased for 3 s.
    "CASEWORKER_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
    "CASEWORKER_WEBHOOK_SCHEDULE_SCALE": "0.001",
    "CASEWORKER_WEBHOOK_LEASE": "3",
})
os.environ.pop("REDIS_URL", None)
os.environ.pop("CASEWORKER_REDIS_URL", None)

import pytest  # noqa: E402
import redis  # noqa: E402

from caseworker.runtime.connection import EmbeddedRedis, connect  # noqa: E402
from caseworker.runtime.local import LocalWorkers  # noqa: E402
from caseworker.tools.registry import ToolRegistry, default_registry  # noqa: E402
from tests.fixtures.openai_server import openai_server  # noqa: E402

__all__ = ["openai_server"]  # a fixture shared by every test module

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for the whole session (external if TEST_REDIS_URL is set)."""
    external = os.environ.get("TEST_REDIS_URL")
    if external:
        yield external
        return
    server = EmbeddedRedis(_session_dir / "redis")
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def conn(redis_url: str) -> Iterator[redis.Redis]:
    """A client on a freshly flushed database."""
    client = connect(redis_url)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def registry() -> ToolRegistry:
    return default_registry()


@pytest.fixture
def counters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory for the test tools' execution counters (inherited by forked workers)."""
    directory = tmp_path / "counters"
    monkeypatch.setenv("CASEWORKER_TEST_COUNTER_DIR", str(directory))
    return directory


@pytest.fixture
def workers(conn: redis.Redis, redis_url: str, counters: Path) -> Iterator[LocalWorkers]:
    """Two real worker processes serving the test database."""
    pool = LocalWorkers(redis_url, 2)
    pool.start()
    yield pool
    pool.stop()
