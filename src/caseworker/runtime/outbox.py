"""The outbox: job and review events other systems are told about, written with the change.

A notice is appended in the same Redis transaction as the state change it announces (a
check's result, a job's end, a reviewer's decision), so no change is announced that did not
happen and none that happened goes unannounced. Dispatchers read the stream through a
consumer group and acknowledge a notice only once it is fanned out, so a dispatcher that dies
midway leaves its notices to another (at least once). Each notice carries the message id
every delivery of it keeps (`webhook-id`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

import redis

from caseworker.runtime import keys

KEEP = 100_000  # notices kept (approximately), acknowledged or not


def publish(conn: redis.Redis | redis.client.Pipeline, kind: str, job_id: str,
            data: dict[str, Any]) -> Any:
    """Append one notice (on a pipeline, it joins that pipeline's transaction)."""
    fields = {"id": f"msg_{secrets.token_hex(12)}", "type": kind, "job_id": job_id,
              "ts": dt.datetime.now(dt.UTC).isoformat(), "data": json.dumps(data, default=str)}
    return conn.xadd(keys.OUTBOX, fields, maxlen=KEEP, approximate=True)  # type: ignore[arg-type]
