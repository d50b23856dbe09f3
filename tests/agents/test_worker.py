"""The worker loop with a brought model (FunctionModel), the guardrail, and crash containment."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models import Model
from pydantic_ai.models.function import AgentInfo, FunctionModel

from caseworker.agents.worker import CheckRun, Outcome, run_check
from caseworker.domain.results import CheckStatus
from caseworker.exceptions import MemoryAccessDenied
from caseworker.runtime import scratchpad
from caseworker.runtime.memory import JobMemory
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition, load_agent
from caseworker.sop.parser import parse_sop
from caseworker.tools.registry import ToolRegistry
from tests.fixtures.cases import acme
from tests.fixtures.tools import executions

AGENTS = Path(__file__).resolve().parents[1] / "fixtures" / "agents"
KYB = Path(__file__).resolve().parents[2] / "agents" / "kyb"


def _job(
    conn: redis.Redis, registry: ToolRegistry, agent: Path, **subject: Any,
) -> tuple[str, AgentDefinition]:
    definition = load_agent(agent, registry).definition
    return JobStore(conn).create(definition, acme(**subject)), definition


def _run(conn: redis.Redis, registry: ToolRegistry, job_id: str, definition: AgentDefinition,
         check_id: str, *, model: Model | None = None) -> Outcome:
    return asyncio.run(run_check(CheckRun(
        conn=conn, job_id=job_id, spec=definition.spec, check=definition.plan.check(check_id),
        registry=registry, models=None if model is None else [model],
    )))


def _returns(messages: list[ModelMessage], outcome: str = "success") -> list[ToolReturnPart]:
    return [p for m in messages for p in m.parts
            if isinstance(p, ToolReturnPart) and p.outcome == outcome]


def test_function_model_calls_tools_and_returns_a_verdict(
    conn: redis.Redis, registry: ToolRegistry, counters: Path,
) -> None:
    job_id, definition = _job(conn, registry, KYB, countries_of_operation=["GB", "KE"])
    seen_prompts: list[str] = []

    def llm(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen_prompts.append(info.instructions or "")
        assert [t.name for t in info.function_tools] == ["risk_country"]
        returns = _returns(messages)
        if not returns:
            return ModelResponse(parts=[
                TextPart("I will check the subject's countries."),
                ToolCallPart("risk_country", {"countries": ["GB", "KE"]}),
            ])
        evidence = returns[0].content["evidence_ids"]
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "status": "review", "answer": "Kenya is under FATF increased monitoring.",
            "explanation": f"See {evidence[0]}.", "evidence_ids": evidence,
        })])

    outcome = _run(conn, registry, job_id, definition, "high_risk_country",
                   model=FunctionModel(llm, model_name="test-llm"))
    result = outcome.result
    assert result.status == CheckStatus.review
    assert result.answer == "Kenya is under FATF increased monitoring."
    assert result.model == "test-llm"
    assert result.rule_outcome is not None and result.rule_outcome.status == CheckStatus.review
    assert result.alerts == []
    assert result.usage.requests == 2 and result.usage.tool_calls == 1
    assert result.evidence and result.evidence[0].id == "high_risk_country.E1"
    assert "Check instructions" in seen_prompts[0] and "FATF" in seen_prompts[0]
    assert outcome.memory_writes["high_risk"] == ["KE"]
    kinds = [e["kind"] for e in scratchpad.read(conn, job_id, "high_risk_country")]
    assert kinds[:3] == ["thought", "tool_call", "observation"] and kinds[-1] == "guardrail"


def test_lenient_llm_verdict_is_overruled_by_the_rule(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    job_id, definition = _job(conn, registry, KYB, countries_of_operation=["IR"])

    def lenient(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        returns = _returns(messages)
        if not returns:
            return ModelResponse(parts=[ToolCallPart("risk_country", {"countries": ["GB", "IR"]})])
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "All countries look fine.",
            "evidence_ids": returns[0].content["evidence_ids"],
        })])

    result = _run(conn, registry, job_id, definition, "high_risk_country",
                  model=FunctionModel(lenient)).result
    assert result.rule_outcome is not None and result.rule_outcome.status == CheckStatus.fail
    assert result.status == CheckStatus.fail  # the rule's fail stands
    assert [a.code for a in result.alerts] == ["guardrail_override"]
    assert "more lenient than the rule" in result.alerts[0].message


def test_guardrail_runs_the_plan_when_the_model_skips_its_tools(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    job_id, definition = _job(conn, registry, KYB, countries_of_operation=["IR"])

    def lazy(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "Nothing to see.",
        })])

    result = _run(conn, registry, job_id, definition, "high_risk_country",
                  model=FunctionModel(lazy)).result
    assert result.rule_outcome is not None and result.rule_outcome.status == CheckStatus.fail
    assert result.status == CheckStatus.fail
    assert result.payload["country"]["prohibited"] == ["IR"]


def test_invalid_tool_arguments_are_sent_back_for_self_correction(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    job_id, definition = _job(conn, registry, KYB)
    corrections: list[str] = []

    def sloppy(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        retries = _returns(messages, "retried")
        corrections[:] = [str(r.content) for r in retries]
        if not retries:
            return ModelResponse(parts=[ToolCallPart("risk_country", {"countries": "GB"})])
        if not _returns(messages):
            return ModelResponse(parts=[ToolCallPart("risk_country", {"countries": ["GB"]})])
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "The United Kingdom is standard risk.",
            "evidence_ids": _returns(messages)[0].content["evidence_ids"],
        })])

    result = _run(conn, registry, job_id, definition, "high_risk_country",
                  model=FunctionModel(sloppy)).result
    assert result.status == CheckStatus.passed
    assert corrections and "invalid arguments for tool 'risk.country'" in corrections[0]


def test_rules_model_runs_the_plan_through_the_same_loop(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    job_id, definition = _job(conn, registry, KYB, countries_of_operation=["KP"])
    result = _run(conn, registry, job_id, definition, "high_risk_country").result
    assert result.model == "rules"
    assert result.status == CheckStatus.fail
    assert result.rule_outcome is not None
    assert result.rule_outcome.matched == "result.any_prohibited"
    assert result.usage.requests == 2 and result.usage.tool_calls == 1
    # one tool call; North Korea is on two lists, so two evidence items cite it
    assert [e.id for e in result.evidence] == ["high_risk_country.E1", "high_risk_country.E2"]
    assert {e.step for e in result.evidence} == {1}
    assert all("#KP" in e.source for e in result.evidence)


def test_a_crashing_tool_becomes_an_error_result(
    conn: redis.Redis, registry: ToolRegistry, counters: Path,
) -> None:
    text = """---
agent: t
title: T
decision:
  - approve: 'true'
---

## a — Crashes

```yaml
tools: [test.boom]
plan:
  - test.boom: {label: boom}
rule:
  fail: "false"
```

Crash.
"""
    plan = parse_sop(text, source="sop.md", registry=registry)
    definition = load_agent(AGENTS / "parallel", registry).definition
    definition = definition.model_copy(update={"plan": plan})
    job_id = JobStore(conn).create(definition, acme())
    result = _run(conn, registry, job_id, definition, "a").result
    assert result.status == CheckStatus.error
    assert result.alerts[0].code == "check_crashed"
    assert "ZeroDivisionError" in result.explanation
    assert executions("boom") == 1


def test_undeclared_memory_read_is_refused_at_run_time(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    job_id, _ = _job(conn, registry, KYB)
    memory = JobMemory(conn, job_id, ["case.subject.legal_name"])
    assert memory.read("case.subject.legal_name") == "Acme Widgets Ltd"
    assert memory.view() == {"case.subject.legal_name": "Acme Widgets Ltd"}
    with pytest.raises(MemoryAccessDenied, match="not declared"):
        memory.read("case.subject.registration_number")
    with pytest.raises(MemoryAccessDenied):
        memory.read("case")
