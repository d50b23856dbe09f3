"""`caseworker serve` as an operator runs it: stopped or killed, it leaves no workers behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.api.conftest import Server, start_server


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(p) for p in text]
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_serve_stops_its_workers(server: Server, tmp_path: Path,
                                          how: signal.Signals) -> None:
    extra = start_server(server.redis_url, tmp_path / "serve.log", workers=2)
    workers = _children(extra.process.pid)
    assert len(workers) >= 2
    extra.process.send_signal(how)
    extra.process.wait(20)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)
    if how == signal.SIGTERM:
        assert extra.process.returncode == 0
        assert "Finished server process" in extra.log.read_text()
