"""The audit trail: a hash chain that shows edits and removals, even under concurrency."""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

import redis

from caseworker.runtime import audit, keys

JOB = "job-audit"


def _fill(conn: redis.Redis, n: int) -> list[audit.AuditRecord]:
    kinds = ["model.request", "model.response", "tool.call", "check.verdict"]
    return [
        audit.append(conn, JOB, kinds[i % 4], {"n": i, "text": f"step {i}"}, check_id="kyc")
        for i in range(n)
    ]


def _at(conn: redis.Redis, position: int) -> str:
    """The raw stored JSON of one record."""
    raw = conn.lindex(keys.audit(JOB), position)
    assert isinstance(raw, bytes)
    return raw.decode()


def test_a_chain_of_records_verifies(conn: redis.Redis) -> None:
    appended = _fill(conn, 12)

    stored = audit.records(conn, JOB)
    assert stored == appended
    assert [r.seq for r in stored] == list(range(12))
    assert stored[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(stored))
    assert all(r.hash == audit.record_hash(r.model_dump()) for r in stored)
    assert stored[3].kind == "check.verdict" and stored[3].check_id == "kyc"

    result = audit.verify(conn, JOB)
    assert result.ok and result.records == 12
    assert result.first_bad_seq is None and result.problem is None
    assert result.head_hash == stored[-1].hash


def test_an_empty_trail_verifies_with_no_records(conn: redis.Redis) -> None:
    result = audit.verify(conn, "no-such-job")
    assert result == audit.AuditVerification(ok=True, records=0)
    assert audit.records(conn, "no-such-job") == []


def test_editing_a_stored_record_fails_at_that_seq(conn: redis.Redis) -> None:
    _fill(conn, 10)
    key = keys.audit(JOB)
    raw = json.loads(conn.lindex(key, 6) or b"")
    raw["payload"]["text"] = "something else"
    conn.lset(key, 6, json.dumps(raw))

    result = audit.verify(conn, JOB)
    assert not result.ok and result.records == 10
    assert result.first_bad_seq == 6
    assert result.problem is not None and "hash mismatch" in result.problem
    assert result.head_hash == audit.records(conn, JOB)[5].hash


def test_editing_a_record_and_its_hash_breaks_the_next_link(conn: redis.Redis) -> None:
    _fill(conn, 5)
    key = keys.audit(JOB)
    raw = json.loads(conn.lindex(key, 2) or b"")
    raw["payload"]["text"] = "forged"
    raw["hash"] = audit.record_hash(raw)
    conn.lset(key, 2, json.dumps(raw))

    result = audit.verify(conn, JOB)
    assert result.first_bad_seq == 3
    assert result.problem is not None and "broken link" in result.problem


def test_deleting_a_record_in_the_middle_breaks_the_link(conn: redis.Redis) -> None:
    _fill(conn, 10)
    key = keys.audit(JOB)
    conn.lrem(key, 1, _at(conn, 4))

    result = audit.verify(conn, JOB)
    assert not result.ok and result.records == 9
    assert result.first_bad_seq == 4
    assert result.problem is not None and "broken link" in result.problem


def test_swapping_two_records_breaks_the_link(conn: redis.Redis) -> None:
    _fill(conn, 6)
    key = keys.audit(JOB)
    a, b = _at(conn, 1), _at(conn, 2)
    conn.lset(key, 1, b)
    conn.lset(key, 2, a)

    result = audit.verify(conn, JOB)
    assert result.first_bad_seq == 1
    assert result.problem is not None and "broken link" in result.problem


def test_deleting_the_first_record_is_found(conn: redis.Redis) -> None:
    _fill(conn, 3)
    conn.lpop(keys.audit(JOB))

    result = audit.verify(conn, JOB)
    assert result.first_bad_seq == 0
    assert result.problem is not None and "genesis" in result.problem


def test_concurrent_appenders_form_one_contiguous_chain(
    conn: redis.Redis, redis_url: str,
) -> None:
    threads, each = 4, 50
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def appender(worker: int) -> None:
        client = redis.Redis.from_url(redis_url)
        try:
            start.wait()
            for i in range(each):
                audit.append(client, JOB, "tool.call", {"worker": worker, "i": i})
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            client.close()

    pool = [threading.Thread(target=appender, args=(w,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)

    assert not errors
    result = audit.verify(conn, JOB)
    assert result.ok, result.problem
    assert result.records == threads * each
    stored = audit.records(conn, JOB)
    assert [r.seq for r in stored] == list(range(threads * each))
    for worker in range(threads):  # every append landed once, each appender's in its order
        mine = [r.payload["i"] for r in stored if r.payload["worker"] == worker]
        assert mine == list(range(each))


def test_secrets_are_redacted_and_token_counts_survive(conn: redis.Redis) -> None:
    payload: dict[str, Any] = {
        "api_key": "sk-1",
        "headers": {"Authorization": "Bearer x", "X-ApiKey": "k", "Accept": "json"},
        "calls": [{"input": {"password": "hunter2", "user": "ann"}}, {"client_secret": "s"}],
        "access_token": "tok",
        "refresh_tokens": ["r1", "r2"],
        "usage": {"input_tokens": 120, "output_tokens": 30, "total_tokens": 150},
        "max_tokens": None,
        "tokens_per_check": 4000,
        "text": "a sentence about tokens",
    }
    record = audit.append(conn, JOB, "model.request", payload, check_id="kyc")

    p = audit.records(conn, JOB)[0].payload
    assert p == record.payload
    assert p["api_key"] == audit.REDACTED
    assert p["headers"] == {
        "Authorization": audit.REDACTED, "X-ApiKey": audit.REDACTED, "Accept": "json",
    }
    assert p["calls"] == [
        {"input": {"password": audit.REDACTED, "user": "ann"}}, {"client_secret": audit.REDACTED},
    ]
    assert p["access_token"] == audit.REDACTED
    assert p["refresh_tokens"] == audit.REDACTED
    assert p["usage"] == {"input_tokens": 120, "output_tokens": 30, "total_tokens": 150}
    assert p["max_tokens"] is None and p["tokens_per_check"] == 4000
    assert p["text"] == "a sentence about tokens"
    raw = conn.lindex(keys.audit(JOB), 0) or b""
    assert b"sk-1" not in raw and b"hunter2" not in raw and b"Bearer" not in raw
    assert payload["api_key"] == "sk-1"  # the caller's dict is left alone
    assert audit.verify(conn, JOB).ok


def test_non_json_payload_values_are_stored_as_text(conn: redis.Redis) -> None:
    import datetime as dt

    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    record = audit.append(conn, JOB, "tool.call", {"at": when, "args": ("a", 1)})
    assert record.payload == {"at": str(when), "args": ["a", 1]}
    assert audit.records(conn, JOB) == [record]
    assert audit.verify(conn, JOB).ok


def test_audit_key_is_deleted_with_the_job() -> None:
    assert keys.audit(JOB) in keys.job_keys(JOB, [])
