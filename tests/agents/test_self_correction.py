"""Self-correction: each kind of invalid output is sent back and corrected; exhaustion degrades."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart, ToolReturnPart
from pydantic_ai.models import Model
from pydantic_ai.models.function import AgentInfo, FunctionModel

from caseworker.agents.worker import CheckRun, Outcome, run_check
from caseworker.domain.events import EventType
from caseworker.domain.results import CheckStatus
from caseworker.runtime import events
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition, load_agent
from caseworker.sop.spec import Limits
from caseworker.tools.registry import ToolRegistry
from tests.fixtures.cases import acme

KYB = Path(__file__).resolve().parents[2] / "agents" / "kyb"
Answer = Callable[[list[ModelMessage], AgentInfo, list[str]], ModelResponse]


def _returns(messages: list[ModelMessage], outcome: str) -> list[ToolReturnPart]:
    return [p for m in messages for p in m.parts
            if isinstance(p, ToolReturnPart) and p.outcome == outcome]


def _evidence(messages: list[ModelMessage]) -> list[str]:
    return [eid for r in _returns(messages, "success") if isinstance(r.content, dict)
            for eid in r.content.get("evidence_ids", [])]


def scripted(first_final: Callable[[AgentInfo, list[str]], ToolCallPart],
             feedback: list[str]) -> FunctionModel:
    """Call the country tool, answer wrongly once with `first_final`, then correctly."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        evidence = _evidence(messages)
        if not evidence:
            return ModelResponse(parts=[ToolCallPart("risk_country", {"countries": ["GB"]})])
        corrections = [p for m in messages for p in m.parts
                       if type(p).__name__ in ("RetryFeedbackPart", "ToolReturnPart")
                       and getattr(p, "outcome", "retried") != "success"]
        if not corrections:
            return ModelResponse(parts=[first_final(info, evidence)])
        feedback[:] = [str(getattr(p, "content", "")) for p in corrections]
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "The United Kingdom is standard risk.",
            "evidence_ids": evidence,
        })])

    return FunctionModel(respond, model_name="scripted")


def _definition(registry: ToolRegistry, **limits: Any) -> AgentDefinition:
    definition = load_agent(KYB, registry).definition
    if limits:
        spec = definition.spec.model_copy(update={"limits": Limits(**limits)})
        definition = definition.model_copy(update={"spec": spec})
    return definition


def _run(conn: redis.Redis, registry: ToolRegistry, models: list[Model],
         definition: AgentDefinition | None = None) -> tuple[str, Outcome]:
    definition = definition or _definition(registry)
    job_id = JobStore(conn).create(definition, acme())
    outcome = asyncio.run(run_check(CheckRun(
        conn=conn, job_id=job_id, spec=definition.spec,
        check=definition.plan.check("high_risk_country"), registry=registry, models=models,
    )))
    return job_id, outcome


CASES: dict[str, tuple[Callable[[AgentInfo, list[str]], ToolCallPart], str]] = {
    "invalid JSON": (
        lambda info, ev: ToolCallPart(info.output_tools[0].name, '{"status": "pass", "answ'),
        "Invalid JSON",
    ),
    "wrong schema": (
        lambda info, ev: ToolCallPart(info.output_tools[0].name,
                                      {"status": "probably fine", "answer": "ok"}),
        "status",
    ),
    "hallucinated evidence id": (
        lambda info, ev: ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "ok", "evidence_ids": ["high_risk_country.E99"]}),
        "do not exist",
    ),
    "misquoted evidence": (
        lambda info, ev: ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "ok", "evidence_ids": ev,
            "quotes": [{"evidence_id": ev[0], "text": "Ruritania is sanctioned"}]}),
        "does not appear in evidence",
    ),
    "disallowed tool": (
        lambda info, ev: ToolCallPart("risk_industry", {"description": "casino"}),
        "risk_industry",
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_invalid_output_is_corrected_on_retry(
    kind: str, conn: redis.Redis, registry: ToolRegistry,
) -> None:
    wrong, expected_feedback = CASES[kind]
    feedback: list[str] = []
    _, outcome = _run(conn, registry, [scripted(wrong, feedback)])
    result = outcome.result
    assert result.status == CheckStatus.passed, result.alerts
    assert result.model == "scripted"
    assert any(expected_feedback in text for text in feedback), feedback


def test_exhausted_self_correction_gives_review_and_the_job_goes_on(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    def stubborn(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if not _evidence(messages):
            return ModelResponse(parts=[ToolCallPart("risk_country", {"countries": ["GB"]})])
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "ok", "evidence_ids": ["made-up"]})])

    job_id, outcome = _run(conn, registry, [FunctionModel(stubborn, model_name="stubborn")])
    result = outcome.result
    assert result.status == CheckStatus.review
    assert [a.code for a in result.alerts] == ["model_output_invalid"]
    assert result.rule_outcome is not None and result.rule_outcome.status == CheckStatus.passed
    assert result.usage.requests >= 3
    failover = [e for e in events.replay(conn, job_id) if e.type == EventType.model_failover]
    assert [e.data["model"] for e in failover] == ["stubborn"]


def test_invalid_output_fails_over_to_the_next_model(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    def broken(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, "not json")])

    from caseworker.agents.rules_model import rules_model

    definition = _definition(registry)
    check = definition.plan.check("high_risk_country")
    memory = {"case.subject.countries": ["GB"]}
    job_id, outcome = _run(conn, registry,
                           [FunctionModel(broken, model_name="broken"), rules_model(check, memory)],
                           definition)
    result = outcome.result
    assert result.status == CheckStatus.passed
    assert result.model == "rules"
    assert [a.code for a in result.alerts] == ["model_failover"]
    types = [e.type for e in events.replay(conn, job_id)]
    assert EventType.model_failover in types


def test_token_budget_overrun_gives_budget_exceeded_and_review(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    def chatty(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[ToolCallPart("risk_country", {"countries": ["GB"] * 200})])

    definition = _definition(registry, tokens_per_check=300)
    _, outcome = _run(conn, registry, [FunctionModel(chatty, model_name="chatty")], definition)
    result = outcome.result
    assert result.status == CheckStatus.review
    assert [a.code for a in result.alerts] == ["budget_exceeded"]
    assert "token" in result.alerts[0].message


def test_job_token_budget_is_shared_by_its_checks(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    from caseworker.domain.results import CheckResult, Usage

    definition = _definition(registry, tokens_per_job=1000)
    store = JobStore(conn)
    job_id = store.create(definition, acme())
    spent = CheckResult(check_id="business_profile", title="t", severity="medium",
                        status=CheckStatus.passed, answer=".",
                        usage=Usage(input_tokens=900, output_tokens=150))
    store.complete_check(job_id, spent, memory_writes=None)
    assert store.usage(job_id).total_tokens == 1050
    outcome = asyncio.run(run_check(CheckRun(
        conn=conn, job_id=job_id, spec=definition.spec,
        check=definition.plan.check("high_risk_country"), registry=registry,
    )))
    assert outcome.result.status == CheckStatus.review
    assert outcome.result.alerts[0].code == "budget_exceeded"


@pytest.mark.parametrize(("model_name", "expected"), [
    ("gpt-4.1", "over its cost budget"), ("unpriced-model", "has no price")])
def test_cost_budget_stops_a_check(
    model_name: str, expected: str, conn: redis.Redis, registry: ToolRegistry,
) -> None:
    def spender(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[ToolCallPart("risk_country", {"countries": ["GB"]})])

    definition = _definition(registry, cost_per_check=0.0001)
    _, outcome = _run(conn, registry, [FunctionModel(spender, model_name=model_name)],
                      definition)
    result = outcome.result
    assert result.status == CheckStatus.review
    assert [a.code for a in result.alerts] == ["budget_exceeded"]
    assert expected in result.alerts[0].message
    assert result.rule_outcome is not None  # the rule still ran for the reviewer
