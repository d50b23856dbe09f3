"""Screening hits a reviewer cleared as false positives, remembered per case and listed entity."""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from typing import Any, Literal

import redis
from pydantic import BaseModel, Field

from caseworker.domain.job import Job, JobStatus
from caseworker.exceptions import Conflict, NotFound, ServiceError
from caseworker.runtime import audit, keys
from caseworker.runtime.connection import as_text

CLEARED = "screening.hit_cleared"  # audit kinds
REVOKED = "screening.clearance_revoked"


class ClearanceAction(BaseModel):
    """One step of a clearance's history: cleared or revoked, by whom, when, why, from which job."""

    action: Literal["cleared", "revoked"]
    by: str
    at: dt.datetime
    reason: str
    job_id: str


class Clearance(BaseModel):
    """A reviewer's finding that one listed entity is not one party of one case."""

    id: str = Field(description="Stable per (party, source, entity_id) within the case")
    tenant: str
    case_id: str
    party: str = Field(description="The screened name, as the screening output gives it")
    role: str = Field(description="The party's role: subject, trading_name, individual, entity")
    source: str = Field(description="The list the hit came from (un, ofac, …)")
    entity_id: str = Field(description="The listed entity's id")
    matched_name: str
    caption: str
    reason: str = Field(description="Why the reviewer decided it is not the listed entity")
    cleared_by: str
    cleared_at: dt.datetime
    job_id: str = Field(description="The job whose report it was cleared from")
    revoked_by: str | None = None
    revoked_at: dt.datetime | None = None
    revoke_reason: str | None = None
    history: list[ClearanceAction] = Field(
        default_factory=list, description="Every clearance and revocation, oldest first")

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def matches(self, party: str, source: str, entity_id: str) -> bool:
        """Say whether this clearance is of that party's hit on that listed entity."""
        return self.id == clearance_id(party, source, entity_id)


def party_key(name: str) -> str:
    """Return the name as clearances compare it: casefolded, whitespace collapsed."""
    return " ".join(name.split()).casefold()


def clearance_id(party: str, source: str, entity_id: str) -> str:
    """Return the stable id of a clearance of `party`'s hit on `source`'s `entity_id`."""
    raw = "\x1f".join((party_key(party), source, entity_id))
    return "clr_" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise ServiceError("a reason is required")
    return reason.strip()


class ClearanceStore:
    """Reads and writes a case's clearances; every write is audited on the job it came from."""

    def __init__(self, conn: redis.Redis) -> None:
        self.conn = conn

    def get(self, tenant: str, case_id: str, clearance_id: str) -> Clearance | None:
        raw = self.conn.hget(keys.clearances(tenant, case_id), clearance_id)
        return Clearance.model_validate_json(raw) if raw else None

    def list(self, tenant: str, case_id: str, include_revoked: bool = True
             ) -> builtins.list[Clearance]:
        """List the case's clearances, oldest first (revoked ones too, unless told not to)."""
        stored = [Clearance.model_validate_json(raw)
                  for raw in self.conn.hvals(keys.clearances(tenant, case_id))]
        return sorted((c for c in stored if include_revoked or c.active),
                      key=lambda c: (c.cleared_at, c.id))

    def active(self, tenant: str, case_id: str) -> builtins.list[Clearance]:
        return self.list(tenant, case_id, include_revoked=False)

    def clear(
        self, tenant: str, case_id: str, *, party: str, role: str, source: str, entity_id: str,
        matched_name: str, caption: str, reason: str, reviewer: str, job_id: str,
    ) -> Clearance:
        """Clear one hit for the case: a new clearance, or an update of the one it already has."""
        reason = _require_reason(reason)
        now = _now()
        cid = clearance_id(party, source, entity_id)
        step = ClearanceAction(action="cleared", by=reviewer, at=now, reason=reason,
                               job_id=job_id)

        def change(before: Clearance | None) -> Clearance:
            return Clearance(
                id=cid, tenant=tenant, case_id=case_id, party=party, role=role, source=source,
                entity_id=entity_id, matched_name=matched_name, caption=caption, reason=reason,
                cleared_by=reviewer, cleared_at=now, job_id=job_id,
                history=[*(before.history if before else []), step])

        clearance = self._update(tenant, case_id, cid, change)
        audit.append(self.conn, job_id, CLEARED, _payload(clearance))
        return clearance

    def revoke(self, tenant: str, case_id: str, clearance_id: str, *, reviewer: str,
               reason: str, job_id: str) -> Clearance:
        """Revoke an active clearance: later screenings raise the hit again; the record stays."""
        reason = _require_reason(reason)
        now = _now()

        def change(before: Clearance | None) -> Clearance:
            if before is None:
                raise NotFound(f"case '{case_id}' has no clearance '{clearance_id}'")
            if not before.active:
                raise Conflict(f"clearance '{clearance_id}' was already revoked by "
                               f"{before.revoked_by} at {before.revoked_at}")
            step = ClearanceAction(action="revoked", by=reviewer, at=now, reason=reason,
                                   job_id=job_id)
            return before.model_copy(update={
                "revoked_by": reviewer, "revoked_at": now, "revoke_reason": reason,
                "history": [*before.history, step]})

        clearance = self._update(tenant, case_id, clearance_id, change)
        audit.append(self.conn, job_id, REVOKED, _payload(clearance))
        return clearance

    def _update(self, tenant: str, case_id: str, cid: str,
                change: Callable[[Clearance | None], Clearance]) -> Clearance:
        """Apply `change` to the stored clearance atomically (WATCH, retried on a race)."""
        key = keys.clearances(tenant, case_id)
        with self.conn.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    raw = pipe.hget(key, cid)
                    after = change(Clearance.model_validate_json(raw) if raw else None)
                    pipe.multi()
                    pipe.hset(key, cid, after.model_dump_json())
                    pipe.execute()
                    return after
                except redis.WatchError:
                    continue


def _payload(clearance: Clearance) -> dict[str, Any]:
    return clearance.model_dump(mode="json", exclude={"history"})


# --- what the API and the dashboard call ------------------------------------------------


def for_case(conn: redis.Redis, tenant: str, case_id: str) -> list[Clearance]:
    """Every clearance of the case, active and revoked."""
    return ClearanceStore(conn).list(tenant, case_id)


def active_for_job(conn: redis.Redis, job_id: str) -> list[Clearance]:
    """List the active clearances of the job's case (none if the job is unknown)."""
    tenant, case_id = conn.hmget(keys.job(job_id), ["tenant", "case_id"])
    if tenant is None or case_id is None:
        return []
    return ClearanceStore(conn).active(as_text(tenant), as_text(case_id))


def screening_hits(
    conn: redis.Redis, job_id: str,
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each (party, hit) of the job's screening tool outputs, as its audit trail records them."""
    for record in audit.records(conn, job_id):
        payload = record.payload
        if record.kind != "tool.call" or not str(payload.get("tool", "")).startswith("screening."):
            continue
        for party in (payload.get("output") or {}).get("parties") or []:
            for hit in party.get("hits") or []:
                yield party, hit


def clear_hit(
    conn: redis.Redis, job: Job, reviewer: str, *, party: str, source: str, entity_id: str,
    reason: str,
) -> Clearance:
    """Clear a hit the complete job's screening raised; later jobs of the case do not count it.

    Refused (Conflict) before the job is complete, and (NotFound) when its screening output
    holds no such hit.
    """
    if job.status != JobStatus.complete:
        raise Conflict(f"job {job.id} is {job.status.value}: only a complete job's hits can be "
                       "cleared")
    wanted = party_key(party)
    for screened, hit in screening_hits(conn, job.id):
        if (party_key(str(screened.get("name", ""))) == wanted and hit.get("source") == source
                and hit.get("entity_id") == entity_id):
            return ClearanceStore(conn).clear(
                job.tenant, job.case_id, party=str(screened["name"]), role=str(screened["role"]),
                source=source, entity_id=entity_id, matched_name=str(hit["matched_name"]),
                caption=str(hit["caption"]), reason=reason, reviewer=reviewer, job_id=job.id)
    raise NotFound(f"job {job.id}'s screening raised no hit on {source} entity '{entity_id}' "
                   f"for '{party}'")


def revoke(conn: redis.Redis, job: Job, reviewer: str, clearance_id: str,
           reason: str) -> Clearance:
    """Revoke one of the job's case's clearances, audited on that job."""
    return ClearanceStore(conn).revoke(job.tenant, job.case_id, clearance_id,
                                       reviewer=reviewer, reason=reason, job_id=job.id)
