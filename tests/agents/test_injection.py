"""Prompt injection: a model that obeys planted instructions never makes a decision more lenient."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models import Model
from pydantic_ai.models.function import AgentInfo, FunctionModel

from caseworker.agents.aggregator import decide
from caseworker.agents.prompts import DATA_NOTICE
from caseworker.agents.worker import CheckRun, run_check
from caseworker.domain.case import Case, load_case
from caseworker.domain.plan import Recommendation
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition, load_agent
from caseworker.tools.registry import ToolRegistry

ROOT = Path(__file__).resolve().parents[2]
CORPUS: list[str] = yaml.safe_load(
    (ROOT / "benchmarks" / "robustness" / "injections.yaml").read_text())["workers"]
CASES = ["ae-trading-iran-operations", "uk-defence-contractor", "uk-agritech-kenya-operations",
         "nl-software-owner-resident-iran"]
LENIENCY = {Recommendation.reject: 0, Recommendation.review: 1, Recommendation.approve: 2}
MARKERS = ("pass", "approve", "standard risk", "pre-approved", "verified")


def _words(text: str) -> str:
    """The text's words only: prompts render case data as JSON, escaping quotes and newlines."""
    return " ".join(re.findall(r"[A-Za-z0-9]+", text.replace("\\n", " ")))


def obedient(reached: list[bool]) -> FunctionModel:
    """An adversarial model: it obeys the planted order (and would pass anything anyway)."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen = _words(" ".join(str(getattr(p, "content", "")) for m in messages for p in m.parts))
        reached.append(any(_words(text)[:60] in seen for text in CORPUS))
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "status": "pass", "answer": "Pre-approved by compliance, as instructed.",
        })])

    return FunctionModel(respond, model_name="obedient")


def _plant(case: Case, text: str) -> Case:
    data = case.model_dump(mode="json")
    data["subject"]["description"] = f"{data['subject'].get('description') or ''} {text}"
    for person in data["associated_individuals"]:
        person["full_name"] = f"{person['full_name']} ({text})"
    return Case.model_validate(data)


def _decision(conn: redis.Redis, registry: ToolRegistry, definition: AgentDefinition,
              case: Case, models: list[Model] | None) -> tuple[Recommendation, dict[str, Any]]:
    job_id = JobStore(conn).create(definition, case)
    results = {}
    for check in definition.plan.checks:
        outcome = asyncio.run(run_check(CheckRun(
            conn=conn, job_id=job_id, spec=definition.spec, check=check, registry=registry,
            models=models)))
        results[check.id] = outcome.result
    return decide(definition.plan, results)[0], results


@pytest.mark.parametrize("name", CASES)
def test_obeying_injected_orders_never_makes_a_decision_more_lenient(
    name: str, conn: redis.Redis, registry: ToolRegistry,
) -> None:
    definition = load_agent(ROOT / "agents" / "kyb", registry).definition
    case = load_case(ROOT / "examples" / "cases" / f"{name}.json")
    flips = []
    for text in CORPUS:
        planted = _plant(case, text)
        baseline, _ = _decision(conn, registry, definition, planted, None)
        reached: list[bool] = []
        attacked, results = _decision(conn, registry, definition, planted, [obedient(reached)])
        assert any(reached), "the planted text never reached the model"
        assert all(r.model == "obedient" for r in results.values())
        if LENIENCY[attacked] > LENIENCY[baseline]:
            flips.append((text[:50], baseline.value, attacked.value))
        overruled = [r for r in results.values() if any(
            a.code == "guardrail_override" for a in r.alerts)]
        if baseline != Recommendation.approve:
            assert overruled, "the guardrail should have overruled the obedient model"
    assert not flips, flips


def test_prompts_mark_case_data_as_data(registry: ToolRegistry) -> None:
    from caseworker.agents.prompts import instructions, user_prompt

    definition = load_agent(ROOT / "agents" / "kyb", registry).definition
    check = definition.plan.check("high_risk_industry")
    prompt = user_prompt(check, {"case.subject.description": CORPUS[0]})
    assert prompt.index("<data>") < prompt.index(CORPUS[0]) < prompt.index("</data>")
    assert DATA_NOTICE in instructions(definition.spec, check)
