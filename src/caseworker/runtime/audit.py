"""The job audit trail: a tamper-evident, hash-chained record of model, tool and verdict steps.

Storage: one Redis **list** per job (`keys.audit(job_id)`), each element one record as
canonical JSON. A list rather than a stream because the chain already gives each record its
identity: `seq` is simply the list index, `LLEN` is the next `seq`, `LINDEX -1` is the record
to link to, and the element is the exact JSON that was hashed (a stream would add its own ids
and split the record into fields that we would have to reassemble before hashing).

Chain: every record carries `prev_hash` (the previous record's `hash`, `GENESIS` for seq 0)
and `hash` = SHA-256 of the canonical JSON (sorted keys, no whitespace, `default=str`) of all
its other fields. `verify` recomputes every hash and link, so an edited, removed, reordered or
inserted record is found. Removing records from the *end* leaves a shorter valid chain; to
detect that, keep `AuditVerification.head_hash` somewhere else (e.g. in the report). Anyone
can recompute SHA-256, so the chain proves integrity relative to an anchored head hash, not
authorship.

Atomicity: `append` reads the tail (length + last element, one MULTI) and builds the record in
Python (Redis Lua has no SHA-256), then a Lua script pushes it only if the list still has that
length and that last element (compared by SHA-1, which Lua does have). If another process
appended in between, the script refuses and `append` rebuilds on the new tail and tries again,
so concurrent appenders always form one contiguous chain. Because of that read, `append` cannot
join a caller's pipeline.

Secrets: before hashing, `append` replaces with `"[redacted]"` the value of every payload key,
at any depth in nested dicts and lists, whose lower-cased name contains `api_key`, `apikey`,
`authorization`, `password`, `secret` or `token`. Token *counts* are kept: a key naming
`tokens` or `token_count` (`input_tokens`, `total_tokens`, `tokens_per_check`) whose value is
a number or null. Redaction works on key names only; a secret inside free text is not found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict

from caseworker.exceptions import RuntimeFailure
from caseworker.runtime import keys

GENESIS = "0" * 64  # prev_hash of the first record
REDACTED = "[redacted]"
SECRET_MARKERS = ("api_key", "apikey", "authorization", "password", "secret", "token")
COUNT_MARKERS = ("tokens", "token_count")
MAX_ATTEMPTS = 1000  # compare-and-append retries before giving up (each loss = someone's win)
PAGE = 1000  # records per LRANGE when reading

# Push ARGV[3] only if the list still has ARGV[1] elements and its last one has SHA-1 ARGV[2].
_APPEND = """
local n = redis.call('LLEN', KEYS[1])
if n ~= tonumber(ARGV[1]) then return 0 end
if n > 0 and redis.sha1hex(redis.call('LINDEX', KEYS[1], -1)) ~= ARGV[2] then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[3])
return 1
"""


class AuditRecord(BaseModel):
    """One link of the chain. `ts` stays the exact UTC ISO string that was hashed."""

    model_config = ConfigDict(frozen=True)

    seq: int
    job_id: str
    check_id: str | None
    kind: str
    ts: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class AuditVerification(BaseModel):
    """The outcome of `verify`.

    `first_bad_seq` is the position where the chain breaks (records before it verify);
    `head_hash` is the hash of the last record that verified (None if none did).
    """

    model_config = ConfigDict(frozen=True)

    ok: bool
    records: int
    first_bad_seq: int | None = None
    problem: str | None = None
    head_hash: str | None = None


def canonical(fields: dict[str, Any]) -> bytes:
    """Serialise for hashing: sorted keys, no whitespace, non-JSON values as `str`."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def record_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over every field of a record except `hash` itself."""
    return hashlib.sha256(canonical({k: v for k, v in fields.items() if k != "hash"})).hexdigest()


def _is_secret(key: str, value: Any) -> bool:
    name = key.lower()
    if not any(marker in name for marker in SECRET_MARKERS):
        return False
    is_number = value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    counts = any(marker in name for marker in COUNT_MARKERS) and is_number
    only_token = not any(m in name for m in SECRET_MARKERS if m != "token")
    return not (counts and only_token)


def redact(value: Any) -> Any:
    """Copy `value`, replacing the values of secret-looking keys at any depth."""
    if isinstance(value, dict):
        return {
            k: REDACTED if _is_secret(str(k), v) else redact(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def append(
    conn: redis.Redis,
    job_id: str,
    kind: str,
    payload: dict[str, Any],
    *,
    check_id: str | None = None,
) -> AuditRecord:
    """Append one record (`model.request`, `model.response`, `tool.call`, `check.verdict`)."""
    # Normalise to what JSON stores, so the returned record equals what `records` reads back.
    clean: dict[str, Any] = json.loads(json.dumps(redact(payload), default=str))
    key = keys.audit(job_id)
    script = conn.register_script(_APPEND)
    for _ in range(MAX_ATTEMPTS):
        pipe = conn.pipeline(transaction=True)
        pipe.llen(key)
        pipe.lindex(key, -1)
        length, tail = pipe.execute()
        fields: dict[str, Any] = {
            "seq": int(length),
            "job_id": job_id,
            "check_id": check_id,
            "kind": kind,
            "ts": dt.datetime.now(dt.UTC).isoformat(),
            "payload": clean,
            "prev_hash": GENESIS if tail is None else _hash_of(tail),
        }
        fields["hash"] = record_hash(fields)
        tail_sha1 = "" if tail is None else hashlib.sha1(_bytes(tail)).hexdigest()
        if script(keys=[key], args=[length, tail_sha1, canonical(fields)]):
            return AuditRecord.model_validate(fields)
        time.sleep(0.0005)
    raise RuntimeFailure(f"job {job_id}: audit append lost {MAX_ATTEMPTS} races in a row")


def records(conn: redis.Redis, job_id: str) -> list[AuditRecord]:
    """Every stored record, in order (raises if one is not a readable record; see `verify`)."""
    return [AuditRecord.model_validate_json(raw) for raw in _raw(conn, job_id)]


def verify(conn: redis.Redis, job_id: str) -> AuditVerification:
    """Recompute every hash and link; name the first broken record. No records verifies ok."""
    stored = _raw(conn, job_id)
    prev = GENESIS
    head: str | None = None
    for position, raw in enumerate(stored):
        problem = _check(raw, job_id, position, prev)
        if problem is not None:
            return AuditVerification(
                ok=False, records=len(stored), first_bad_seq=position,
                problem=f"seq {position}: {problem}", head_hash=head,
            )
        head = prev = json.loads(raw)["hash"]
    return AuditVerification(ok=True, records=len(stored), head_hash=head)


def _check(raw: bytes | str, job_id: str, position: int, prev: str) -> str | None:
    """Say what is wrong with the record at `position` (None if nothing is)."""
    try:
        fields = json.loads(raw)
        record = AuditRecord.model_validate(fields)
    except ValueError as exc:
        return f"unreadable record ({type(exc).__name__}): content edited"
    if record_hash(fields) != record.hash:
        return "hash mismatch: the record's content was edited"
    if record.prev_hash != prev:
        return (
            f"broken link: prev_hash does not match the hash of seq {position - 1}"
            if position else "broken link: the first record does not start from genesis"
        ) + " (a record was removed, reordered or inserted)"
    if record.seq != position:
        return f"seq gap: stored seq {record.seq} at position {position}"
    if record.job_id != job_id:
        return f"record belongs to job {record.job_id!r}"
    return None


def _raw(conn: redis.Redis, job_id: str) -> list[bytes | str]:
    key = keys.audit(job_id)
    out: list[bytes | str] = []
    while True:
        page: list[bytes | str] = conn.lrange(key, len(out), len(out) + PAGE - 1)
        out.extend(page)
        if len(page) < PAGE:
            return out


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def _hash_of(raw: bytes | str) -> str:
    """Read a stored record's `hash` (hash its raw bytes if unreadable, so appends go on)."""
    try:
        value = json.loads(raw)["hash"]
        if isinstance(value, str):
            return value
    except (ValueError, TypeError, KeyError):
        pass
    return hashlib.sha256(_bytes(raw)).hexdigest()


class CheckAudit:
    """The audit records of one check attempt: appends them and remembers their seqs."""

    def __init__(self, conn: redis.Redis, job_id: str, check_id: str) -> None:
        self.conn = conn
        self.job_id = job_id
        self.check_id = check_id
        self.seqs: list[int] = []

    def record(self, kind: str, payload: dict[str, Any]) -> int:
        seq = append(self.conn, self.job_id, kind, payload, check_id=self.check_id).seq
        self.seqs.append(seq)
        return seq
