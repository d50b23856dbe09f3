"""The event stream: complete ordered replay after the fact, and resumption from any id."""

from __future__ import annotations

import redis

from caseworker.domain.events import EventType
from caseworker.runtime import events
from caseworker.runtime.local import LocalWorkers
from tests.fixtures import jobs
from tests.fixtures.cases import acme


def test_late_reader_replays_every_event_in_order(conn: redis.Redis, workers: LocalWorkers) -> None:
    job_id = jobs.start(conn, "parallel", acme())
    live = jobs.wait(conn, job_id)

    replayed = events.replay(conn, job_id)
    assert [e.id for e in replayed] == [e.id for e in live]
    assert replayed[0].type == EventType.job_queued
    assert replayed[1].type == EventType.plan_ready
    assert replayed[-1].type == EventType.job_completed
    ids = [tuple(int(p) for p in e.id.split("-")) for e in replayed]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    types = {e.type for e in replayed}
    assert {EventType.check_started, EventType.tool_called, EventType.tool_result,
            EventType.model_request, EventType.model_response,
            EventType.check_completed} <= types


def test_reader_from_an_id_gets_exactly_the_events_after_it(
    conn: redis.Redis, workers: LocalWorkers,
) -> None:
    job_id = jobs.start(conn, "parallel", acme())
    jobs.wait(conn, job_id)
    everything = events.replay(conn, job_id)

    for cut in (0, 5, len(everything) // 2, len(everything) - 1):
        after = everything[cut].id
        assert [e.id for e in events.replay(conn, job_id, after=after)] == [
            e.id for e in everything[cut + 1 :]
        ]
        followed = list(events.follow(conn, job_id, after=after, block_ms=50, timeout=5))
        assert [e.id for e in followed] == [e.id for e in everything[cut + 1 :]]


def test_replay_pages_through_long_streams(conn: redis.Redis) -> None:
    for n in range(25):
        events.emit(conn, "job-x", EventType.tool_called, check_id="c", data={"n": n})
    replayed = events.replay(conn, "job-x", count=7)
    assert [e.data["n"] for e in replayed] == list(range(25))
