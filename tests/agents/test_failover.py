"""Hosted-model code paths against a real local OpenAI-compatible server that injects faults."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import redis

from caseworker.agents.worker import CheckRun, Outcome, run_check
from caseworker.domain.events import EventType, JobEvent
from caseworker.domain.results import CheckStatus
from caseworker.runtime import events
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import load_agent
from caseworker.sop.spec import ModelEntry
from caseworker.tools.registry import ToolRegistry
from tests.fixtures.cases import acme
from tests.fixtures.openai_server import (
    FakeOpenAI,
    Planned,
    delay,
    malformed,
    rate_limited,
    responder,
    server_error,
    tool_call,
)

KYB = Path(__file__).resolve().parents[2] / "agents" / "kyb"


def analyst(request: dict[str, Any]) -> Planned:
    """A well-behaved model: call the country tool, then conclude citing its evidence."""
    tool_messages = [m for m in request["messages"] if m["role"] == "tool"]
    if not tool_messages:
        return tool_call("risk_country", {"countries": ["GB", "KE"]},
                         prompt_tokens=120, completion_tokens=20)
    evidence = json.loads(tool_messages[-1]["content"])["evidence_ids"]
    output_tool = next(t["function"]["name"] for t in request["tools"]
                       if t["function"]["name"] not in ("risk_country",))
    return tool_call(output_tool, {
        "status": "review", "answer": "Kenya is under FATF increased monitoring.",
        "evidence_ids": evidence,
    }, prompt_tokens=300, completion_tokens=40)


def _run(conn: redis.Redis, registry: ToolRegistry, chain: list[ModelEntry]
         ) -> tuple[Outcome, list[JobEvent]]:
    definition = load_agent(KYB, registry).definition
    spec = definition.spec.model_copy(update={"model": chain})
    definition = definition.model_copy(update={"spec": spec})
    job_id = JobStore(conn).create(definition, acme(countries_of_operation=["KE"]))
    outcome = asyncio.run(run_check(CheckRun(
        conn=conn, job_id=job_id, spec=spec, check=definition.plan.check("high_risk_country"),
        registry=registry,
    )))
    return outcome, events.replay(conn, job_id)


def test_429_and_500_are_retried_with_retry_after_and_recorded(
    conn: redis.Redis, registry: ToolRegistry, openai_server: FakeOpenAI,
) -> None:
    openai_server.script(rate_limited(0.3), server_error(500), responder(analyst),
                         responder(analyst))
    entry = ModelEntry(model="gpt-4.1", base_url=openai_server.base_url, max_retries=3)
    outcome, seen = _run(conn, registry, [entry])

    result = outcome.result
    assert result.status == CheckStatus.review and result.model == "gpt-4.1"
    assert result.alerts == []
    assert result.usage.requests == 2
    assert (result.usage.input_tokens, result.usage.output_tokens) == (420, 60)
    assert result.usage.cost_usd == 0.0  # served from a local endpoint
    retries = [e.data for e in seen if e.type == EventType.model_retry]
    assert [(r["status"], r["retry_after"]) for r in retries] == [(429, "0.3"), (500, None)]
    arrivals = [r.received_at for r in openai_server.chat_requests]
    assert arrivals[1] - arrivals[0] >= 0.29, "Retry-After was not honoured"
    responses = [e.data for e in seen if e.type == EventType.model_response]
    assert [r["input_tokens"] for r in responses] == [120, 300]
    assert all("authorization" not in json.dumps(e.data).lower() for e in seen)


def test_timeout_and_malformed_json_fail_over_down_the_chain(
    conn: redis.Redis, registry: ToolRegistry, openai_server: FakeOpenAI,
) -> None:
    openai_server.script(delay(1.0), malformed())
    chain = [
        ModelEntry(model="slow-model", base_url=openai_server.base_url, timeout=0.3,
                   max_retries=0),
        ModelEntry(model="broken-model", base_url=openai_server.base_url, max_retries=0),
        ModelEntry(model="rules"),
    ]
    outcome, seen = _run(conn, registry, chain)

    result = outcome.result
    assert result.model == "rules"
    assert result.status == CheckStatus.review  # Kenya: the rule's own outcome
    assert [a.code for a in result.alerts] == ["model_failover", "model_failover"]
    failovers = [e.data for e in seen if e.type == EventType.model_failover]
    assert [(f["model"].split("@")[0], f["error"]) for f in failovers] == [
        ("slow-model", "ModelTimeoutError"), ("broken-model", "ModelAPIError")]
    retries = [e.data for e in seen if e.type == EventType.model_retry]
    assert [r["error"] for r in retries] == ["ReadTimeout"]
    assert EventType.check_completed not in {e.type for e in seen}  # the runtime emits that


def test_every_model_failing_gives_review_with_an_alert(
    conn: redis.Redis, registry: ToolRegistry, openai_server: FakeOpenAI,
) -> None:
    openai_server.script(server_error(503), server_error(503))
    entry = ModelEntry(model="gpt-4.1", base_url=openai_server.base_url, max_retries=1)
    outcome, _ = _run(conn, registry, [entry])

    result = outcome.result
    assert result.status == CheckStatus.review
    assert [a.code for a in result.alerts] == ["model_unavailable"]
    assert result.rule_outcome is not None  # the rule still ran for the reviewer
    assert result.payload["country"]["high_risk"] == ["KE"]


def test_a_model_without_a_key_hands_over_to_the_next(
    conn: redis.Redis, registry: ToolRegistry, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    outcome, seen = _run(conn, registry, [ModelEntry(model="openai:gpt-4.1"),
                                          ModelEntry(model="rules")])
    result = outcome.result
    assert result.model == "rules" and result.status == CheckStatus.review
    assert [a.code for a in result.alerts] == ["model_failover"]
    failover = next(e.data for e in seen if e.type == EventType.model_failover)
    assert failover["error"] == "ConfigurationError" and "OPENAI_API_KEY" in failover["message"]
