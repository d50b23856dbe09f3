"""The plan guard: a planned SOP that skips a section, approves a failure or has a dead rule."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from caseworker.agents.plan_guard import (
    coverage_problems,
    policy_problems,
    rule_problems,
    sections,
)
from caseworker.agents.planner import DraftPlan, plan_sop, render_draft
from caseworker.domain.plan import Plan
from caseworker.exceptions import SOPInvalid
from caseworker.sop.parser import parse_sop
from caseworker.tools.registry import ToolRegistry
from tests.agents.test_planner import FREE_FORM_SOP, VALID_DRAFT, scripted

HEADED_SOP = """\
# KYB

Intro prose.

## Sanctions screening

Screen everyone.

```yaml
## not a heading: inside a fence
```

### Nature of business — industry policy

Compare the industry.
"""


def test_sections_are_headings_else_numbered_steps() -> None:
    assert [(s.label, s.number) for s in sections(FREE_FORM_SOP)] == [
        ("Profile", "1"), ("Countries", "2"), ("Industry", "3"), ("People", "4")]
    assert [s.label for s in sections(HEADED_SOP)] == [
        "Sanctions screening", "Nature of business — industry policy"]
    assert sections("Just prose, one paragraph.\n") == []


def test_every_section_must_be_planned_and_every_check_must_cite_one() -> None:
    citations = [("profile", "1. Profile"), ("countries", "Step 2"),
                 ("people", "People"), ("exfiltrate", "Data export")]
    messages = [p.message for p in coverage_problems(FREE_FORM_SOP, citations, "kyb.txt")]
    assert len(messages) == 2
    assert messages[0].startswith("the SOP's section 'Industry' (line 12) has no check")
    assert messages[1].startswith("check 'exfiltrate' cites section 'Data export', which is "
                                  "not a section of the SOP")
    complete = [*citations[:3], ("industry", "3. Industry")]
    assert coverage_problems(FREE_FORM_SOP, complete, "kyb.txt") == []
    # an SOP without sections cannot be checked this way
    assert coverage_problems("Check the sanctions lists.", [("x", "")], "kyb.txt") == []


def _plan(draft: dict[str, Any], registry: ToolRegistry) -> Plan:
    return parse_sop(render_draft(DraftPlan.model_validate(draft)), source="kyb.txt",
                     registry=registry)


def test_a_policy_under_which_a_failed_check_approves_is_a_problem(
    registry: ToolRegistry,
) -> None:
    assert policy_problems(_plan(VALID_DRAFT, registry)) == []
    lenient = copy.deepcopy(VALID_DRAFT)
    lenient["decision"] = [
        {"recommendation": "reject", "when": 'check.high_risk_country.status == "fail"'},
        {"recommendation": "approve", "when": "true"}]
    problems = policy_problems(_plan(lenient, registry))
    flagged = {(p.check_id, p.message.split(" is ")[1].split()[0]) for p in problems}
    # the country check fails -> reject, but errors -> approve; every other check approves
    assert ("high_risk_country", "fail") not in flagged
    assert ("high_risk_country", "error") in flagged
    assert ("high_risk_industry", "fail") in flagged
    assert len(flagged) == 7


def test_a_rule_that_can_never_fire_is_a_problem(registry: ToolRegistry) -> None:
    assert rule_problems(_plan(VALID_DRAFT, registry)) == []
    dead = copy.deepcopy(VALID_DRAFT)
    dead["checks"][2]["rule"] = {"fail": "false", "review": "1 == 2"}
    messages = [p.message for p in rule_problems(_plan(dead, registry))]
    assert messages == [
        "check 'high_risk_industry': rule 'fail' is always false (`false` reads no tool "
        "output), so the check can never fail",
        "check 'high_risk_industry': rule 'review' is always false (`1 == 2` reads no tool "
        "output), so the check can never review"]


def test_the_planner_is_told_what_it_skipped_and_gives_up_if_it_keeps_skipping(
    registry: ToolRegistry,
) -> None:
    skipping = copy.deepcopy(VALID_DRAFT)
    del skipping["checks"][2]
    feedback: list[str] = []
    result = asyncio.run(plan_sop(FREE_FORM_SOP, model=scripted(skipping, VALID_DRAFT,
                                                                  feedback=feedback),
                                  registry=registry, source="kyb.txt"))
    assert result.corrections == 1
    assert len(result.plan.checks) == 4
    assert "the SOP's section 'Industry' (line 12) has no check" in feedback[0]

    with pytest.raises(SOPInvalid) as raised:
        asyncio.run(plan_sop(FREE_FORM_SOP, model=scripted(skipping), registry=registry,
                             source="kyb.txt", retries=2))
    assert any("'Industry'" in p.message for p in raised.value.problems)
