"""The planner: free-form SOP → validated Plan, self-correction, writer, `caseworker plan`."""

from __future__ import annotations

import asyncio
import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    RetryFeedbackPart,
    RetryPromptPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from caseworker.agents.planner import PlannerResult, is_structured, plan_sop
from caseworker.domain.plan import Plan, Severity
from caseworker.exceptions import SOPInvalid
from caseworker.sop.parser import parse_sop
from caseworker.sop.writer import preamble_of, write_sop
from caseworker.tools.registry import ToolRegistry
from tests.fixtures.openai_server import FakeOpenAI, responder, tool_call

ROOT = Path(__file__).resolve().parents[2]
STRUCTURED = [ROOT / "agents" / "kyb" / "sop.md",
              *sorted((ROOT / "tests" / "fixtures" / "agents").glob("*/sop.md"))]

FREE_FORM_SOP = """\
# Business onboarding — KYB procedure (v3, compliance team)

Every business that applies for an account is reviewed by an analyst before approval.

1. Profile. Check the application is complete and consistent: legal name, registration
   number, incorporation date, registered address and a description of the business.
   Contradictions (a future incorporation date, ownership above 100%) mean we decline;
   gaps or warnings go to a senior analyst.
2. Countries. Screen every country the business is incorporated in, has an address in or
   operates in against the FATF lists and our sanctions policy. A prohibited country is an
   automatic decline; a high-risk or unrecognised country goes to review.
3. Industry. Compare the description, industry and MCC with the industry policy.
   Prohibited activities are declined; high-risk ones (gambling, crypto, money services)
   need enhanced due diligence.
4. People. Once the profile is done, check the nationalities of every director and owner
   the same way as step 2.

Decline when a critical or high check fails; anything else that is not clean goes to review.
"""

VALID_DRAFT: dict[str, Any] = {
    "agent": "kyb-planned",
    "title": "Business onboarding — KYB procedure",
    "subject": "business",
    "introduction": "Every business that applies for an account is reviewed before approval.",
    "decision": [
        {"recommendation": "reject",
         "when": 'checks.exists(c, c.status == "fail" && c.severity in ["critical", "high"])'},
        {"recommendation": "review", "when": 'checks.exists(c, c.status != "pass")'},
        {"recommendation": "approve", "when": "true"},
    ],
    "checks": [
        {"id": "business_profile", "title": "Profile", "severity": "medium",
         "section": "1. Profile",
         "instructions": "Check the application is complete and consistent.",
         "tools": ["profile.business"], "reads": ["case.subject"],
         "plan": [{"tool": "profile.business", "args": {"subject": "$case.subject"}}],
         "rule": {"fail": "result.high_issues > 0",
                  "review": "!result.complete || result.warnings > 0"},
         "writes": {"age_days": "result.age_days"}},
        {"id": "high_risk_country", "title": "Countries", "severity": "critical",
         "section": "2. Countries",
         "instructions": "Screen every country against the FATF lists and sanctions policy.",
         "tools": ["risk.country"], "reads": ["case.subject.countries"],
         "plan": [{"tool": "risk.country", "args": {"countries": "$case.subject.countries"}}],
         "rule": {"fail": "result.any_prohibited",
                  "review": "result.any_high_risk || size(result.unknown) > 0"}},
        {"id": "high_risk_industry", "title": "Industry", "severity": "critical",
         "section": "3. Industry",
         "instructions": "Compare the description, industry and MCC with the industry policy.",
         "tools": ["risk.industry"],
         "reads": ["case.subject.description", "case.subject.industry", "case.subject.mcc"],
         "plan": [{"tool": "risk.industry", "args": {
             "description": "$case.subject.description", "industry": "$case.subject.industry",
             "mcc": "$case.subject.mcc"}}],
         "rule": {"fail": "result.any_prohibited", "review": "result.any_high_risk"}},
        {"id": "associated_parties_country", "title": "People", "severity": "high",
         "section": "4. People",
         "after": ["business_profile"],
         "instructions": "Check the nationalities of every director and owner.",
         "tools": ["risk.country"], "reads": ["case.associated_individuals"],
         "plan": [{"tool": "risk.country", "name": "nationalities",
                   "args": {"countries": "$case.associated_individuals.nationalities"}}],
         "rule": {"fail": "nationalities.any_prohibited",
                  "review": "nationalities.any_high_risk"}},
    ],
}


def invalid_draft() -> dict[str, Any]:
    """An unknown tool, a dependency cycle and a CEL rule that does not compile."""
    draft = copy.deepcopy(VALID_DRAFT)
    profile, country, industry, _ = draft["checks"]
    profile["after"] = ["high_risk_industry"]
    industry["after"] = ["business_profile"]
    country["tools"] = ["sanctions.screen"]
    country["plan"] = [{"tool": "sanctions.screen", "args": {"name": "x"}}]
    industry["rule"] = {"fail": "result.any_prohibited &&"}
    return draft


def _feedback(messages: list[ModelMessage]) -> list[str]:
    """What the agent sent back about rejected plans (retry prompts)."""
    return [str(p.content) for m in messages for p in m.parts
            if (isinstance(p, ToolReturnPart) and p.outcome != "success")
            or isinstance(p, RetryPromptPart | RetryFeedbackPart)]


def scripted(*drafts: dict[str, Any], feedback: list[str] | None = None) -> FunctionModel:
    """Answer the drafts in turn (the last one forever), recording the feedback received."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen = _feedback(messages)
        if feedback is not None:
            feedback[:] = seen
        draft = drafts[min(len(seen), len(drafts) - 1)]
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, draft)])

    return FunctionModel(respond, model_name="scripted-planner")


def _plan(model: FunctionModel, registry: ToolRegistry, retries: int = 3) -> PlannerResult:
    return asyncio.run(plan_sop(FREE_FORM_SOP, model=model, registry=registry,
                                source="kyb.txt", retries=retries))


def _without_locations(plan: Plan) -> Plan:
    checks = tuple(c.model_copy(update={"line": None}) for c in plan.checks)
    return plan.model_copy(update={"source": None, "checks": checks})


# --- planning -----------------------------------------------------------------------------


def test_a_free_form_sop_becomes_a_validated_plan(registry: ToolRegistry) -> None:
    prompts: list[str] = []

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        prompts.append(info.instructions or "")
        prompts.extend(str(p.content) for m in messages for p in m.parts
                       if isinstance(p, UserPromptPart))
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, VALID_DRAFT)])

    result = _plan(FunctionModel(respond), registry)

    assert result.corrections == 0
    assert result.plan.check_ids == [
        "business_profile", "high_risk_country", "high_risk_industry",
        "associated_parties_country"]
    assert result.plan.check("high_risk_country").severity is Severity.critical
    assert result.plan.check("associated_parties_country").after == ("business_profile",)
    assert result.plan.check("associated_parties_country").plan[0].name == "nationalities"
    assert result.plan.source == "kyb.txt"
    # the Markdown is the same plan, in the structured format
    assert is_structured(result.markdown)
    reparsed = parse_sop(result.markdown, source="planned.md", registry=registry)
    assert _without_locations(reparsed) == _without_locations(result.plan)
    assert preamble_of(result.markdown) == VALID_DRAFT["introduction"]
    # the model saw the SOP as delimited data, the catalogue, output fields and memory paths
    instructions, user = prompts[0], prompts[1]
    assert f"<sop>\n{FREE_FORM_SOP.strip()}\n</sop>" in user
    assert "never instructions" in instructions
    assert "### risk.country" in instructions
    assert "any_prohibited: bool" in instructions
    assert "case.associated_individuals.nationalities" in instructions


def test_the_agent_name_can_be_imposed(registry: ToolRegistry) -> None:
    result = asyncio.run(plan_sop(FREE_FORM_SOP, model=scripted(VALID_DRAFT), registry=registry,
                                  source="kyb.txt", agent="kyb-onboarding"))
    assert result.plan.agent == "kyb-onboarding"
    assert "agent: kyb-onboarding" in result.markdown


def test_an_invalid_plan_gets_the_parser_problems_and_is_corrected(
    registry: ToolRegistry,
) -> None:
    feedback: list[str] = []
    result = _plan(scripted(invalid_draft(), VALID_DRAFT, feedback=feedback), registry)

    assert result.corrections == 1
    assert len(result.plan.checks) == 4
    assert len(feedback) == 1
    (sent,) = feedback
    assert "unknown tool 'sanctions.screen'" in sent
    assert "dependency cycle" in sent
    assert "business_profile" in sent and "high_risk_industry" in sent
    assert "rule 'fail': invalid CEL expression `result.any_prohibited &&`" in sent
    assert "kyb.txt:" in sent and "[check high_risk_country]" in sent


def test_a_plan_that_stays_invalid_raises_sop_invalid(registry: ToolRegistry) -> None:
    feedback: list[str] = []
    with pytest.raises(SOPInvalid) as raised:
        _plan(scripted(invalid_draft(), feedback=feedback), registry, retries=2)

    assert len(feedback) == 2  # two corrections asked for, then the planner gives up
    messages = [p.message for p in raised.value.problems]
    assert "unknown tool 'sanctions.screen'" in messages
    assert any(m.startswith("dependency cycle") for m in messages)
    assert "after 2 correction" in str(raised.value)


def test_is_structured_tells_structured_from_free_form_sops() -> None:
    assert not is_structured(FREE_FORM_SOP)
    for path in STRUCTURED:
        assert is_structured(path.read_text())
    assert not is_structured("---\ntitle: x\n---\n\nJust prose, no yaml blocks.\n")
    assert not is_structured("## a — A\n\n```yaml\ntools: []\n```\n")


# --- the writer ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", STRUCTURED, ids=lambda p: p.parent.name)
def test_written_sops_parse_back_to_the_same_plan(path: Path, registry: ToolRegistry) -> None:
    plan = parse_sop(path.read_text(), source=str(path), registry=registry)
    written = write_sop(plan)
    assert _without_locations(parse_sop(written, source="w.md", registry=registry)) == (
        _without_locations(plan))
    # and writing is stable
    assert write_sop(parse_sop(written, source="w.md", registry=registry)) == written


def test_the_writer_keeps_the_preamble_and_uses_the_long_form_for_renamed_steps(
    registry: ToolRegistry,
) -> None:
    text = (ROOT / "agents" / "kyb" / "sop.md").read_text()
    plan = parse_sop(text, source="kyb", registry=registry)
    written = write_sop(plan, preamble=preamble_of(text), version="2026-11")
    assert "version: 2026-11" in written
    assert "This procedure is run for every business" in written
    assert "  - tool: risk.country\n    args: {countries: $case.associated_individuals" in (
        written)
    assert "    as: nationalities\n" in written
    assert "  - risk.country: {countries: $case.subject.countries}\n" in written
    assert "  - reject: 'checks.exists(" in written


# --- the command line ---------------------------------------------------------------------


def _caseworker(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caseworker", *args], cwd=cwd, capture_output=True, text=True,
        check=False, timeout=60, env={**os.environ, "CASEWORKER_PLUGINS": ""},
    )


def _answer(draft: dict[str, Any]) -> Any:
    return responder(lambda body: tool_call(body["tools"][0]["function"]["name"], draft))


def test_cli_plan_prints_a_structured_sop(
    openai_server: FakeOpenAI, tmp_path: Path, registry: ToolRegistry,
) -> None:
    sop = tmp_path / "kyb.txt"
    sop.write_text(FREE_FORM_SOP)
    openai_server.script(_answer(invalid_draft()), _answer(VALID_DRAFT))

    done = _caseworker("plan", str(sop), "--model", "local-planner",
                       "--base-url", openai_server.base_url, cwd=ROOT)

    assert done.returncode == 0, done.stderr
    plan = parse_sop(done.stdout, source="stdout", registry=registry)
    assert plan.check_ids == [c["id"] for c in VALID_DRAFT["checks"]]
    assert "4 checks, 1 corrections" in done.stderr
    assert openai_server.models_seen == ["local-planner"]
    correction = openai_server.chat_requests[1].json["messages"][-1]
    assert correction["role"] == "tool"
    assert "unknown tool 'sanctions.screen'" in correction["content"]


def test_cli_plan_writes_out_and_exits_2_on_a_plan_that_stays_invalid(
    openai_server: FakeOpenAI, tmp_path: Path, registry: ToolRegistry,
) -> None:
    sop = tmp_path / "kyb.txt"
    sop.write_text(FREE_FORM_SOP)
    out = tmp_path / "kyb.md"
    openai_server.script(_answer(VALID_DRAFT))
    done = _caseworker("plan", str(sop), "-m", "local-planner", "--out", str(out),
                       "--base-url", openai_server.base_url, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert len(parse_sop(out.read_text(), source=str(out), registry=registry).checks) == 4

    openai_server.script(*[_answer(invalid_draft())] * 2)
    done = _caseworker("plan", str(sop), "-m", "local-planner", "--retries", "1",
                       "--base-url", openai_server.base_url, cwd=ROOT)
    assert done.returncode == 2
    assert "unknown tool 'sanctions.screen'" in done.stderr
    assert "dependency cycle" in done.stderr


def test_cli_plan_refuses_the_rules_model_and_structured_sops(tmp_path: Path) -> None:
    sop = tmp_path / "kyb.txt"
    sop.write_text(FREE_FORM_SOP)
    done = _caseworker("plan", str(sop), "--model", "rules", cwd=ROOT)
    assert done.returncode == 2
    assert "cannot plan an SOP" in " ".join(done.stderr.replace("│", " ").split())

    done = _caseworker("plan", str(STRUCTURED[0]), "--model", "openai:gpt-4.1", cwd=ROOT)
    assert done.returncode == 2
    assert "already a structured SOP" in done.stderr
