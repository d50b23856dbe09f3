"""A hit a reviewer cleared for the case is shown with who, when and why, and counted nowhere."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from caseworker.checks.screening.tools import ScreeningOutput, sanctions_screening
from caseworker.runtime.clearances import Clearance, clearance_id
from caseworker.tools.base import ToolContext
from tests.checks.screening.test_strength_decisions import COMMON_NAME, LISTED_NAME_ONLY, _case

KHAN = "ofac_sdn:12588"


def _screen(director: dict[str, Any], clearances: list[Clearance] | None = None) -> ScreeningOutput:
    view = _case(director).memory_view()
    args = {"subject": view["subject"], "individuals": view["associated_individuals"],
            "entities": view["associated_entities"]}
    extra = {} if clearances is None else {"clearances": clearances}
    out = asyncio.run(sanctions_screening.invoke(args, ToolContext(extra=extra)))
    assert isinstance(out, ScreeningOutput)
    return out


def _clearance(party: str, source: str, entity_id: str) -> Clearance:
    return Clearance(
        id=clearance_id(party, source, entity_id), tenant="default", case_id="strength-1",
        party=party, role="individual", source=source, entity_id=entity_id, matched_name="x",
        caption="x", reason="born in Leeds; the SDN is Afghan", cleared_by="alice",
        cleared_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC), job_id="job-1")


def test_a_cleared_hit_is_shown_but_not_counted(sanctions_dir: Path) -> None:
    before = _screen(COMMON_NAME)
    assert (before.hit_count, before.cleared_count, before.any_weak) == (1, 0, True)
    assert _screen(COMMON_NAME, []) == before  # no clearances: the output is unchanged

    after = _screen(COMMON_NAME, [_clearance("MOHAMMED  khan", "ofac_sdn", KHAN)])
    assert (after.hit_count, after.cleared_count, after.confirmed_count) == (0, 1, 0)
    assert not (after.any_hit or after.any_possible or after.any_weak or after.any_potential
                or after.any_confirmed)
    khan = next(p for p in after.parties if p.name == "Mohammed Khan")
    assert khan.status == "clear"
    (hit,) = khan.hits
    assert hit.cleared is not None and hit.cleared.cleared_by == "alice"
    assert hit.model_dump(exclude={"cleared"}) == before.parties[1].hits[0].model_dump(
        exclude={"cleared"})
    (evidence,) = [e for e in after.evidence() if "discounted" not in e.quote]
    assert evidence.source == f"list:ofac_sdn#{KHAN}"
    assert "cleared as not this party by alice on 2026-03-02: born in Leeds" in evidence.quote


def test_a_clearance_is_of_one_party_and_one_listed_entity(sanctions_dir: Path) -> None:
    before = _screen(LISTED_NAME_ONLY)
    assert before.hit_count == 2
    one = _clearance("Callixte Mbarushimana", "un", "un:6908001")
    elsewhere = [_clearance("Someone Else", "ofac_sdn", "ofac_sdn:11388"),
                 _clearance("Callixte Mbarushimana", "ofac_sdn", "ofac_sdn:1")]
    after = _screen(LISTED_NAME_ONLY, [one, *elsewhere])
    assert (after.hit_count, after.cleared_count, after.any_potential) == (1, 1, True)
    director = next(p for p in after.parties if p.role == "individual")
    assert director.status == "hit"
    assert [h.source for h in director.hits if h.cleared is None] == ["ofac_sdn"]
    assert _screen(LISTED_NAME_ONLY, elsewhere) == before
