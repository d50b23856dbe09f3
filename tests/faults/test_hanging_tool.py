"""A tool that never returns costs its check (reviewed), never the worker or the job."""

from __future__ import annotations

import time

import pytest
import redis

from caseworker.domain.job import JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from tests.fixtures import jobs
from tests.fixtures.cases import acme

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def test_a_hanging_tool_times_out_and_the_worker_goes_on(
    conn: redis.Redis, workers: LocalWorkers,
) -> None:
    started = time.monotonic()
    job_id = jobs.start(conn, "hang", acme())
    jobs.wait(conn, job_id, timeout=60)
    job = JobStore(conn).get(job_id)
    assert job.status == JobStatus.complete
    stuck = job.results["stuck"]
    assert stuck.status in ("review", "error")
    assert any("timed out" in (a.message or "") or a.code in ("check_timeout", "tool_timeout")
               for a in stuck.alerts), stuck.alerts
    assert job.results["fine"].status == "pass"
    assert job.recommendation == Recommendation.review
    # the worker that ran it is free again: a second job completes on the same pool
    again = jobs.start(conn, "parallel", acme())
    jobs.wait(conn, again, timeout=60)
    assert JobStore(conn).status(again) == JobStatus.complete
    assert time.monotonic() - started < 60
