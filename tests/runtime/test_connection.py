"""The embedded Redis: a real server that persists with AOF across restarts."""

from __future__ import annotations

import time
from pathlib import Path

from caseworker.runtime.connection import EmbeddedRedis, connect


def test_embedded_redis_persists_across_restarts(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    try:
        client = connect(url)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        client.set("cw:test:persisted", "yes")
    finally:
        server.stop()
    assert not (tmp_path / "redis" / "redis.sock").exists()

    again = EmbeddedRedis(tmp_path / "redis")
    try:
        assert connect(again.start()).get("cw:test:persisted") == b"yes"
    finally:
        again.stop()


def test_a_running_server_is_joined_not_restarted(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path / "redis")
    url = first.start()
    try:
        second = EmbeddedRedis(tmp_path / "redis")
        assert second.start() == url
        assert second.process is None  # joined, so stopping it leaves the server up
        second.stop()
        assert connect(url).ping()
    finally:
        first.stop()


def test_long_data_dirs_get_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 4)
    server = EmbeddedRedis(deep)
    assert len(str(server.socket_path)) < 100
    url = server.start()
    try:
        assert connect(url).ping()
    finally:
        server.stop()


def test_a_server_still_loading_its_data_is_waited_for(tmp_path: Path) -> None:
    # A large append-only file takes the server longer to read than the start timeout; it
    # answers LOADING meanwhile, so it is alive and is given the time (key-load-delay: 1 ms a
    # key makes 2,000 keys load in about two seconds).
    server = EmbeddedRedis(tmp_path / "redis")
    client = connect(server.start())
    client.mset({f"cw:test:{n}": n for n in range(2000)})
    client.bgrewriteaof()  # the keys go to the file's RDB preamble, which loads key by key
    while client.info("persistence")["aof_rewrite_in_progress"] or client.info(
            "persistence")["aof_rewrite_scheduled"]:
        time.sleep(0.05)
    client.close()
    server.stop()

    slow = EmbeddedRedis(tmp_path / "redis", options=("--key-load-delay", "1000"))
    try:
        started = time.monotonic()
        url = slow.start(timeout=0.5)
        assert time.monotonic() - started > 0.5  # loading outlasted the start timeout
        assert connect(url).dbsize() == 2000
        # a second process joins the loaded server instead of starting its own
        assert EmbeddedRedis(tmp_path / "redis").start(timeout=0.5) == url
    finally:
        slow.stop()
