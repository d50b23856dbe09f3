"""Clean contexts: large memory behind handles, and a scratchpad compacted near its budget."""

from __future__ import annotations

import asyncio
from pathlib import Path

import redis
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from caseworker.agents.model_loop import COMPACT_AT_CHARS, compact_history
from caseworker.agents.prompts import HANDLE_THRESHOLD, MEMORY_TOOL, render_memory
from caseworker.agents.worker import CheckRun, run_check
from caseworker.domain.results import CheckStatus
from caseworker.runtime import audit
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import load_agent
from caseworker.tools.registry import ToolRegistry
from tests.fixtures.cases import acme

KYB = Path(__file__).resolve().parents[2] / "agents" / "kyb"


def test_large_values_are_rendered_as_handles() -> None:
    people = [{"full_name": f"Person {n}", "roles": ["director"]} for n in range(30)]
    text = render_memory({"case.subject.legal_name": "Acme", "case.associated_individuals": people})
    assert 'case.subject.legal_name = "Acme"' in text
    assert "case.associated_individuals = <handle: 30 items" in text
    assert f'call {MEMORY_TOOL} with key "case.associated_individuals"' in text
    assert "Person 7" not in text and len(text) < HANDLE_THRESHOLD


def test_the_worker_fetches_a_handle_with_memory_get(
    conn: redis.Redis, registry: ToolRegistry,
) -> None:
    definition = load_agent(KYB, registry).definition
    individuals = [{"full_name": f"Director {n}", "roles": ["director"], "nationalities": ["GB"]}
                   for n in range(12)]
    case = acme().model_copy(update={"associated_individuals": []})
    case = case.model_validate({**case.model_dump(mode="json"),
                                "associated_individuals": individuals})
    job_id = JobStore(conn).create(definition, case)
    seen: dict[str, object] = {}

    def reader(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen["tools"] = [t.name for t in info.function_tools]
        returns = [p for m in messages for p in m.parts
                   if isinstance(p, ToolReturnPart) and p.outcome == "success"]
        prompt = next(p.content for m in messages for p in m.parts if isinstance(p, UserPromptPart))
        seen.setdefault("prompt", prompt)
        if not returns:
            return ModelResponse(parts=[ToolCallPart(MEMORY_TOOL, {
                "key": "case.associated_individuals"})])
        if len(returns) == 1:
            seen["fetched"] = returns[0].content
            return ModelResponse(parts=[ToolCallPart("risk_country", {"countries": ["GB"]}),
                                        ToolCallPart("risk_country", {"countries": ["GB"]})])
        evidence = [e for r in returns[1:] for e in r.content["evidence_ids"]]
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "All directors are British.", "evidence_ids": evidence})])

    outcome = asyncio.run(run_check(CheckRun(
        conn=conn, job_id=job_id, spec=definition.spec,
        check=definition.plan.check("associated_parties_country"), registry=registry,
        models=[FunctionModel(reader)],
    )))
    assert outcome.result.status == CheckStatus.passed
    assert MEMORY_TOOL in seen["tools"]  # type: ignore[operator]
    assert "<handle: 12 items" in str(seen["prompt"]) and "Director 5" not in str(seen["prompt"])
    assert isinstance(seen["fetched"], list) and len(seen["fetched"]) == 12
    kinds = [r.kind for r in audit.records(conn, job_id)]
    assert "memory.get" in kinds


def _tool_round(n: int, size: int) -> list[ModelMessage]:
    call = ToolCallPart("risk_country", {"countries": ["GB"]}, tool_call_id=f"c{n}")
    result = ToolReturnPart("risk_country", {"output": "x" * size, "evidence_ids": [f"c.E{n}"]},
                            tool_call_id=f"c{n}")
    return [ModelResponse(parts=[call]), ModelRequest(parts=[result])]


def test_scratchpad_is_compacted_near_the_budget_keeping_evidence_ids() -> None:
    small = [ModelRequest(parts=[UserPromptPart("go")]), *_tool_round(1, 100), *_tool_round(2, 100)]
    assert compact_history(small) == small

    size = COMPACT_AT_CHARS // 3
    messages = [ModelRequest(parts=[UserPromptPart("go")])]
    for n in range(1, 5):
        messages += _tool_round(n, size)
    compacted = compact_history(messages)
    contents = [p.content for m in compacted for p in m.parts if isinstance(p, ToolReturnPart)]
    assert [c.get("elided") is not None for c in contents] == [True, True, False, False]
    assert [c["evidence_ids"] for c in contents] == [["c.E1"], ["c.E2"], ["c.E3"], ["c.E4"]]
    assert sum(len(str(c)) for c in contents) < 3 * size
