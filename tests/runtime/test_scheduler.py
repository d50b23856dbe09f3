"""Parallel scheduling across worker processes, dependencies and memory hand-over."""

from __future__ import annotations

import redis

from caseworker.domain.events import EventType, JobEvent
from caseworker.domain.job import JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from tests.fixtures import jobs
from tests.fixtures.cases import acme
from tests.fixtures.tools import executions


def _intervals(seen: list[JobEvent]) -> dict[str, tuple[float, float, int | None]]:
    starts = {e.check_id: e for e in seen if e.type == EventType.check_started}
    ends = {e.check_id: e for e in seen if e.type == EventType.check_completed}
    return {
        c: (starts[c].ts.timestamp(), ends[c].ts.timestamp(), starts[c].pid)
        for c in starts if c in ends
    }


def test_independent_checks_overlap_on_different_workers(
    conn: redis.Redis, workers: LocalWorkers,
) -> None:
    job_id = jobs.start(conn, "parallel", acme())
    seen = jobs.wait(conn, job_id)

    spans = _intervals(seen)
    (l_start, l_end, l_pid), (r_start, r_end, r_pid) = spans["left"], spans["right"]
    assert l_pid != r_pid, "independent checks ran on the same worker process"
    assert set(workers.pids) >= {l_pid, r_pid}
    assert max(l_start, r_start) < min(l_end, r_end), "independent checks did not overlap"
    j_start = spans["join"][0]
    assert j_start >= max(l_end, r_end), "a dependent check started before its dependencies"


def test_job_completes_with_dependencies_and_memory(
    conn: redis.Redis, workers: LocalWorkers,
) -> None:
    job_id = jobs.start(conn, "parallel", acme())
    jobs.wait(conn, job_id)

    job = JobStore(conn).get(job_id)
    assert job.status == JobStatus.complete
    assert job.recommendation == Recommendation.approve
    # `join` passes only if `left` wrote the case's name to memory and `join` read it back.
    assert job.results["join"].status == "pass"
    assert job.results["join"].payload["work"]["value"] == "Acme Widgets Ltd"
    assert all(executions(label) == 1 for label in ("left", "right", "join"))


def test_rule_failure_drives_the_decision(conn: redis.Redis, workers: LocalWorkers) -> None:
    job_id = jobs.start(conn, "parallel", acme(legal_name="Red flag trading Ltd"))
    jobs.wait(conn, job_id)

    job = JobStore(conn).get(job_id)
    assert job.results["left"].status == "fail"
    assert job.results["join"].status == "review"  # the name changed, so the join rule fires
    assert job.recommendation == Recommendation.reject


def test_agent_concurrency_limits_checks_in_flight(
    conn: redis.Redis, workers: LocalWorkers,
) -> None:
    job_id = jobs.start(conn, "serial", acme())
    seen = jobs.wait(conn, job_id)

    spans = _intervals(seen)
    (l_start, l_end, _), (r_start, r_end, _) = spans["left"], spans["right"]
    assert l_end <= r_start or r_end <= l_start, "concurrency 1 ran two checks at once"
    assert JobStore(conn).get(job_id).recommendation == Recommendation.approve
