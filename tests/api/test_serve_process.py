"""`caseworker serve` as an operator runs it: stopped or killed, it leaves no workers behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from caseworker.runtime.connection import connect
from caseworker.runtime.local import ORPHAN_GRACE
from tests.api.conftest import AGENTS, Server, make_tenant, start_server, with_db
from tests.api.helpers import submit

ORPHAN_DB = 5  # a queue of its own: no other test's check reaches these workers


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


def test_a_killed_serve_leaves_no_worker_even_mid_check(server: Server, tmp_path: Path) -> None:
    # RQ's answer to SIGTERM is to finish the check in hand; an orphan may take ORPHAN_GRACE
    # for that and no more (its check is the reaper's, like any lost worker's).
    url = with_db(server.redis_url, ORPHAN_DB)
    extra = start_server(url, tmp_path / "serve.log", workers=1, agents=[AGENTS / "orphan"])
    workers = _children(extra.process.pid)
    tenant = make_tenant(connect(url), extra.url)
    with tenant.client() as client:
        job_id = submit(client, "orphan-1", agent="orphan")
        deadline = time.monotonic() + 30
        state = None
        while state != "running" and time.monotonic() < deadline:
            view = client.get(f"/v1/jobs/{job_id}?include=checks").json()
            state = view["checks"][0]["state"] if view.get("checks") else None
            time.sleep(0.1)
    assert state == "running"
    extra.process.kill()
    extra.process.wait(20)
    killed = time.monotonic()
    while any(_alive(w) for w in workers) and time.monotonic() < killed + ORPHAN_GRACE + 5:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)
