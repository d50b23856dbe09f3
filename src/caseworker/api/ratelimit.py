"""Per-key rate limit: a fixed window counted in Redis, so every API process shares it."""

from __future__ import annotations

import math
import time

import redis

from caseworker.exceptions import RateLimited
from caseworker.runtime.keys import PREFIX


def check_rate(conn: redis.Redis, key_id: str, *, limit: int, window: float) -> None:
    """Count one request for `key_id`; RateLimited (with Retry-After) past `limit` per window."""
    if limit <= 0:
        return
    now = time.time()
    start = math.floor(now / window) * window
    counter = f"{PREFIX}:ratelimit:{key_id}:{int(start)}"
    pipe = conn.pipeline(transaction=False)
    pipe.incr(counter)
    pipe.expire(counter, math.ceil(window) + 1)
    count = int(pipe.execute()[0])
    if count > limit:
        retry_after = max(1, math.ceil(start + window - now))
        raise RateLimited(f"more than {limit} requests in {window:g}s for this API key",
                          retry_after=retry_after)
