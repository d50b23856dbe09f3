"""Cleared screening hits: one record per case and listed entity, audited, honoured later."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import redis

from caseworker.domain.case import Case, parse_case
from caseworker.domain.job import Job
from caseworker.domain.results import CheckStatus
from caseworker.exceptions import Conflict, NotFound, ServiceError
from caseworker.runtime import audit, clearances, keys
from caseworker.runtime.clearances import ClearanceStore, clearance_id
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import load_agent
from caseworker.tools.registry import default_registry
from tests.fixtures import jobs
from tests.fixtures.cases import KHAN, common_name_director

ROOT = Path(__file__).resolve().parents[2]
KYB = ROOT / "agents" / "kyb"


def _case(case_id: str) -> Case:
    return parse_case(common_name_director(case_id))


SCREENING = {
    "parties": [
        {"role": "subject", "name": "Thameside Software Limited", "status": "clear", "hits": []},
        {"role": "individual", "name": "Mohammed Khan", "status": "possible", "hits": [
            {"entity_id": KHAN, "source": "ofac_sdn", "matched_name": "KHAN, Haji Mohammad",
             "caption": "KHAN, Haji Mohammad", "score": 0.78, "status": "possible",
             "strength": "weak", "topics": ["sanction"], "explanation": {}},
        ]},
    ],
    "hit_count": 1,
}


def _job(conn: redis.Redis, case_id: str = "clr-1", *, tenant: str = "default",
         status: str = "complete") -> Job:
    """A stored KYB job whose audit trail holds one sanctions screening with the Khan hit."""
    definition = load_agent(KYB, default_registry()).definition
    job_id = JobStore(conn).create(definition, _case(case_id), tenant=tenant)
    conn.hset(keys.job(job_id), "status", status)
    audit.append(conn, job_id, "tool.call", {
        "tool": "screening.sanctions", "step": 1, "input": {}, "output": SCREENING,
        "cached": False, "evidence_ids": [], "duration_ms": 1.0,
    }, check_id="sanctions_screening")
    return JobStore(conn).get(job_id)


def _clear(conn: redis.Redis, job: Job, reviewer: str = "alice", *, party: str = "Mohammed Khan",
           entity_id: str = KHAN, reason: str = "other DOB and nationality") -> Any:
    return clearances.clear_hit(conn, job, reviewer, party=party, source="ofac_sdn",
                                entity_id=entity_id, reason=reason)


def _kinds(conn: redis.Redis, job_id: str) -> list[str]:
    return [r.kind for r in audit.records(conn, job_id) if r.kind.startswith("screening.")]


def test_clearing_twice_updates_the_one_clearance_of_the_party_and_entity(
    conn: redis.Redis,
) -> None:
    job = _job(conn)
    first = _clear(conn, job, party="  mohammed   KHAN ")
    assert first.id == clearance_id("Mohammed Khan", "ofac_sdn", KHAN)
    assert (first.party, first.role, first.matched_name) == (
        "Mohammed Khan", "individual", "KHAN, Haji Mohammad")
    assert (first.cleared_by, first.job_id, first.active) == ("alice", job.id, True)
    second = _clear(conn, job, "bob", reason="passport seen: born in London")
    assert second.id == first.id
    (stored,) = clearances.for_case(conn, "default", "clr-1")
    assert stored == second
    assert (stored.cleared_by, stored.reason) == ("bob", "passport seen: born in London")
    assert [(h.action, h.by) for h in stored.history] == [("cleared", "alice"), ("cleared", "bob")]
    assert _kinds(conn, job.id) == ["screening.hit_cleared"] * 2
    cleared = [r for r in audit.records(conn, job.id) if r.kind == "screening.hit_cleared"]
    assert cleared[-1].payload["id"] == first.id and cleared[-1].payload["cleared_by"] == "bob"
    assert audit.verify(conn, job.id).ok
    assert conn.xlen(keys.OUTBOX) == 0  # audited, published nowhere


def test_a_revoked_clearance_keeps_its_record_and_can_be_cleared_again(
    conn: redis.Redis,
) -> None:
    job = _job(conn)
    cleared = _clear(conn, job)
    revoked = clearances.revoke(conn, job, "bob", cleared.id, "new adverse media")
    assert (revoked.revoked_by, revoked.revoke_reason) == ("bob", "new adverse media")
    store = ClearanceStore(conn)
    assert store.active("default", "clr-1") == []
    assert store.list("default", "clr-1") == [revoked]
    with pytest.raises(Conflict, match="already revoked by bob"):
        clearances.revoke(conn, job, "carol", cleared.id, "again")
    with pytest.raises(NotFound, match="no clearance 'clr_nope'"):
        clearances.revoke(conn, job, "carol", "clr_nope", "unknown")
    again = _clear(conn, job, "carol", reason="checked with the customer")
    assert again.id == cleared.id and again.active and again.revoke_reason is None
    assert [h.action for h in again.history] == ["cleared", "revoked", "cleared"]
    assert store.active("default", "clr-1") == [again]
    assert _kinds(conn, job.id) == ["screening.hit_cleared", "screening.clearance_revoked",
                                    "screening.hit_cleared"]
    assert audit.verify(conn, job.id).ok


def test_only_a_hit_a_complete_job_raised_can_be_cleared(conn: redis.Redis) -> None:
    job = _job(conn)
    with pytest.raises(NotFound, match="no hit on ofac_sdn entity 'ofac_sdn:1'"):
        _clear(conn, job, entity_id="ofac_sdn:1")
    with pytest.raises(NotFound, match="for 'Callixte Mbarushimana'"):
        _clear(conn, job, party="Callixte Mbarushimana")
    with pytest.raises(ServiceError, match="reason is required"):
        _clear(conn, job, reason="  ")
    running = _job(conn, "clr-2", status="running")
    with pytest.raises(Conflict, match="is running: only a complete job's hits"):
        _clear(conn, running)
    assert clearances.for_case(conn, "default", "clr-1") == []
    assert clearances.for_case(conn, "default", "clr-2") == []
    assert _kinds(conn, job.id) == [] and _kinds(conn, running.id) == []


def test_clearances_belong_to_one_tenant_and_case(conn: redis.Redis) -> None:
    job = _job(conn, "clr-1", tenant="acme")
    cleared = _clear(conn, job)
    later = _job(conn, "clr-1", tenant="acme", status="queued")
    other_case = _job(conn, "clr-9", tenant="acme", status="queued")
    other_tenant = _job(conn, "clr-1", tenant="globex", status="queued")
    assert clearances.active_for_job(conn, later.id) == [cleared]
    assert clearances.active_for_job(conn, other_case.id) == []
    assert clearances.active_for_job(conn, other_tenant.id) == []
    assert clearances.active_for_job(conn, "no-such-job") == []


# --- end to end: the KYB agent, real workers, the real shared lists -------------------------


@pytest.fixture
def lists() -> None:
    override = os.environ.get("CASEWORKER_SHARED_DATA")
    folder = Path(override) if override else ROOT.parent / "shared" / "data" / "sanctions"
    if not folder.is_dir():
        pytest.skip(f"shared sanctions data not found at {folder} (set CASEWORKER_SHARED_DATA)")


def _run(conn: redis.Redis, case: Case) -> tuple[Job, dict[str, Any]]:
    """Run the KYB agent on the case; the job and its sanctions screening output."""
    job_id = jobs.start(conn, KYB, case)
    jobs.wait(conn, job_id, timeout=90)
    outputs = [r.payload["output"] for r in audit.records(conn, job_id)
               if r.kind == "tool.call" and r.payload.get("tool") == "screening.sanctions"]
    return JobStore(conn).get(job_id), outputs[-1]


@pytest.mark.usefixtures("lists")
def test_a_cleared_hit_is_not_raised_again_for_the_case_until_revoked(
    conn: redis.Redis, workers: LocalWorkers,
) -> None:
    case = _case("clr-e2e")
    first, out = _run(conn, case)
    assert first.results["sanctions_screening"].status == CheckStatus.review
    assert (out["hit_count"], out["cleared_count"]) == (1, 0)
    party, hit = next(clearances.screening_hits(conn, first.id))
    assert (party["name"], hit["entity_id"]) == ("Mohammed Khan", KHAN)
    cleared = clearances.clear_hit(
        conn, first, "alice", party=party["name"], source=hit["source"],
        entity_id=hit["entity_id"], reason="born 1980 in Leeds, British; the SDN is Afghan")

    second, out = _run(conn, case)
    result = second.results["sanctions_screening"]
    assert result.status == CheckStatus.passed, result
    assert (out["hit_count"], out["cleared_count"], out["any_weak"]) == (0, 1, False)
    khan = next(p for p in out["parties"] if p["name"] == "Mohammed Khan")
    assert khan["status"] == "clear"
    assert khan["hits"][0]["cleared"]["clearance_id"] == cleared.id
    assert any("cleared as not this party by alice" in e.quote and "the SDN is Afghan" in e.quote
               for e in result.evidence)

    clearances.revoke(conn, second, "bob", cleared.id, "new information on the director")
    third, out = _run(conn, case)
    assert third.results["sanctions_screening"].status == CheckStatus.review
    assert (out["hit_count"], out["cleared_count"]) == (1, 0)

    assert _kinds(conn, first.id) == ["screening.hit_cleared"]
    assert _kinds(conn, second.id) == ["screening.clearance_revoked"]
    assert _kinds(conn, third.id) == []
    assert all(audit.verify(conn, j.id).ok for j in (first, second, third))
