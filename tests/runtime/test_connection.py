"""The embedded Redis: a real server that persists with AOF across restarts."""

from __future__ import annotations

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
