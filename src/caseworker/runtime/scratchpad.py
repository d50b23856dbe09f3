"""The scratchpad: an ordered record of a worker's steps on a check (thought, call, observation)."""

from __future__ import annotations

import json
from typing import Any

import redis

from caseworker.runtime import keys


def append(
    conn: redis.Redis | redis.client.Pipeline, job_id: str, check_id: str, entry: dict[str, Any],
) -> None:
    conn.rpush(keys.scratchpad(job_id, check_id), json.dumps(entry, default=str))


def read(conn: redis.Redis, job_id: str, check_id: str) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in conn.lrange(keys.scratchpad(job_id, check_id), 0, -1)]
