"""A name-only match never rejects: potential and weak hits go to review, confirmed ones reject.

Cases run through the real runtime (embedded Redis, forked workers) with the KYB agent and the
real shared lists.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import redis

from caseworker.checks.screening.strength import MatchStrength, strength_for
from caseworker.checks.screening.tools import sanctions_screening
from caseworker.domain.case import Case, parse_case
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from caseworker.tools.base import ToolContext
from tests.fixtures import jobs
from tests.fixtures.cases import common_name_director

ROOT = Path(__file__).resolve().parents[3]
KYB = ROOT / "agents" / "kyb"


def _case(director: dict[str, Any]) -> Case:
    data = common_name_director("strength-1")
    data["associated_individuals"] = [{"roles": ["director", "beneficial_owner"],
                                       "ownership_percentage": 100,
                                       "country_of_residence": "GB", **director}]
    return parse_case(data)


def _screen(case: Case) -> Any:
    view = case.memory_view()
    args = {"subject": view["subject"], "individuals": view["associated_individuals"],
            "entities": view["associated_entities"]}
    return asyncio.run(sanctions_screening.invoke(args, ToolContext()))


# The director of the issue: a British "Mohammed Khan" against SDN "KHAN, Haji Mohammad"
# (listed DOB 1980, Afghan). A common name, another nationality: not the listed man.
COMMON_NAME = {"full_name": "Mohammed Khan", "date_of_birth": "1980-07-19",
               "nationalities": ["GB"]}
# A listed person (UN and OFAC) with the listed full date of birth: the name is corroborated.
LISTED = {"full_name": "Callixte Mbarushimana", "date_of_birth": "1963-07-24",
          "nationalities": ["RW"]}
# The same listed name with no date of birth given: name-level only.
LISTED_NAME_ONLY = {"full_name": "Callixte Mbarushimana", "nationalities": ["BE"]}
# The listed name, born 27 years later, of another nationality: a namesake, recorded not raised.
NAMESAKE = {"full_name": "Callixte Mbarushimana", "date_of_birth": "1990-02-11",
            "nationalities": ["GB"]}


def test_strength_needs_a_corroborating_fact_to_confirm() -> None:
    assert strength_for(1.0, 1.0, corroborated=False, hit=0.9, possible=0.75) == "potential"
    assert strength_for(0.98, 0.9, corroborated=True, hit=0.9, possible=0.75) == "confirmed"
    # An identifier under another name is for a person to look at, not a confirmation.
    assert strength_for(0.98, 0.4, corroborated=True, hit=0.9, possible=0.75) == "potential"
    # The name matches and the full DOB is the listed one: another nationality does not undo it.
    assert strength_for(0.89, 0.91, corroborated=True, hit=0.9, possible=0.75) == "confirmed"
    assert strength_for(0.89, 0.85, corroborated=True, hit=0.9, possible=0.75) == "potential"
    assert strength_for(0.8, 0.8, corroborated=False, hit=0.9, possible=0.75) == "weak"
    # A matching name whose facts differ is discounted; a lesser name below `possible` is weak.
    assert strength_for(0.65, 1.0, corroborated=False, hit=0.9, possible=0.75) == "discounted"
    assert strength_for(0.65, 0.85, corroborated=False, hit=0.9, possible=0.75) == "weak"


def test_tool_reports_strength_per_hit(sanctions_dir: Path) -> None:
    common = _screen(_case(COMMON_NAME))
    assert not common.any_confirmed
    assert all(h.strength != MatchStrength.confirmed for p in common.parties for h in p.hits)
    name_only = _screen(_case(LISTED_NAME_ONLY))
    director = next(p for p in name_only.parties if p.role == "individual")
    assert director.hits and {h.strength for h in director.hits} == {MatchStrength.potential}
    confirmed = _screen(_case(LISTED))
    director = next(p for p in confirmed.parties if p.role == "individual")
    assert confirmed.any_confirmed and director.hits[0].strength == MatchStrength.confirmed
    assert director.hits[0].explanation["corroborated"] is True


def test_a_namesake_set_apart_by_its_facts_is_recorded_not_raised(sanctions_dir: Path) -> None:
    out = _screen(_case(NAMESAKE))
    director = next(p for p in out.parties if p.role == "individual")
    assert director.hits == [] and out.hit_count == 0 and not out.any_weak
    assert director.discounted
    seen = director.discounted[0]
    assert seen.strength == MatchStrength.discounted and "MBARUSHIMANA" in seen.caption.upper()
    reasons = " ".join(a["reason"] for a in seen.explanation["adjustments"])
    assert "1963" in reasons and "RW" in reasons  # the facts that set it apart, for the reader
    quotes = [e.quote for e in out.evidence()]
    assert any("discounted" in q and "Mbarushimana" in q for q in quotes)


@pytest.mark.parametrize(
    ("director", "screening", "recommendation"),
    [
        pytest.param(COMMON_NAME, "review", "review", id="common-name-reviews"),
        pytest.param(LISTED_NAME_ONLY, "review", "review", id="potential-reviews"),
        pytest.param(LISTED, "fail", "reject", id="confirmed-rejects"),
        # (the case's ownership documents name the original director: other checks review it)
        pytest.param(NAMESAKE, "pass", None, id="discounted-namesake-passes"),
    ],
)
def test_only_a_confirmed_match_rejects(
    conn: redis.Redis, workers: LocalWorkers, sanctions_dir: Path, *,
    director: dict[str, Any], screening: str, recommendation: str | None,
) -> None:
    job_id = jobs.start(conn, KYB, _case(director))
    jobs.wait(conn, job_id, timeout=60)
    job = JobStore(conn).get(job_id)
    result = job.results["sanctions_screening"]
    assert result.status.value == screening, result
    if recommendation is not None:
        assert job.recommendation == recommendation
    if screening == "review":  # the analyst gets each hit's explanation as evidence
        assert any("potential" in e.quote or "weak" in e.quote for e in result.evidence)
