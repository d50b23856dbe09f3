"""The hub's per-job cache: what it can serve from memory and when a client must read Redis."""

from __future__ import annotations

import datetime as dt

from caseworker.api import hub
from caseworker.api.hub import Delivered, _Followed
from caseworker.domain.events import EventType, JobEvent


def _delivered(n: int) -> Delivered:
    event = JobEvent(id=f"1000-{n}", job_id="j", type=EventType.tool_called,
                     ts=dt.datetime.now(dt.UTC))
    return Delivered(event, event.model_dump_json())


def test_the_cache_serves_what_lies_after_a_cursor() -> None:
    followed = _Followed(cursor="1000-0", start="1000-0")
    for n in range(1, 6):
        followed.add(_delivered(n))
    assert [d.event.id for d in followed.after("1000-0") or []] == [f"1000-{n}" for n in
                                                                   range(1, 6)]
    assert [d.event.id for d in followed.after("1000-3") or []] == ["1000-4", "1000-5"]
    assert followed.after("1000-5") == []  # caught up
    assert followed.after("1000-9") == []  # ahead of the hub (read it itself): wait
    assert followed.after("999-0") is None  # behind the cache: read Redis


def test_evicted_events_send_clients_back_to_redis() -> None:
    followed = _Followed(cursor="1000-0", start="1000-0")
    followed.cache = followed.cache.__class__(maxlen=3)
    for n in range(1, 6):
        followed.add(_delivered(n))
    assert followed.start == "1000-2"
    assert followed.after("1000-1") is None
    assert [d.event.id for d in followed.after("1000-2") or []] == ["1000-3", "1000-4",
                                                                   "1000-5"]
    assert hub.stream_id("1700000000000-12") > hub.stream_id("1700000000000-9")
