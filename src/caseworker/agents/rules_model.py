"""The `rules` model: deterministic, offline; runs the check's plan through the agent loop."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from caseworker.agents.guardrail import evaluate_rule
from caseworker.agents.plan_args import resolve_args
from caseworker.domain.plan import CheckDefinition
from caseworker.domain.results import CheckStatus, RuleOutcome

RULES_MODEL_NAME = "rules"
PLAN_CALL_PREFIX = "plan-"


def _answer(
    check: CheckDefinition, outcome: RuleOutcome | None, findings: list[str],
) -> tuple[str, str, str]:
    """Give (status, answer, explanation) for a rule outcome; a finding names what was found."""
    if outcome is None:
        return ("review", f"{check.title}: no deterministic rule; a person must review.",
                "The SOP gives this check no rule, so the rules model cannot conclude.")
    if outcome.status == CheckStatus.error:
        return ("review", f"{check.title}: the rule could not be evaluated.", outcome.error or "")
    status = outcome.status.value
    if outcome.matched:
        explanation = (
            f"The rule's {status} condition `{outcome.matched}` holds on the tool outputs."
        )
    elif outcome.status == CheckStatus.review:
        explanation = "The rule's pass condition does not hold, so the check needs review."
    else:
        explanation = "None of the rule's fail or review conditions holds on the tool outputs."
    answer = {"pass": "passed", "review": "needs review", "fail": "failed"}[status]
    if status != "pass" and findings:
        return status, f"{check.title}: {answer}: {'; '.join(findings[:3])}.", explanation
    return status, f"{check.title}: {answer}.", explanation


def _step_outputs(messages: list[ModelMessage]) -> tuple[dict[str, Any], list[str]]:
    """Collect the outputs of plan steps returned so far (by call id), and any tool failures."""
    returned: dict[str, Any] = {}
    failures: list[str] = []
    for message in messages:
        for part in message.parts:
            if not (isinstance(part, ToolReturnPart)
                    and part.tool_call_id.startswith(PLAN_CALL_PREFIX)):
                continue
            if part.outcome != "success":
                failures.append(str(part.content))
                continue
            content: object = part.content
            if isinstance(content, str):
                content = json.loads(content)
            if isinstance(content, dict) and "error" in content:
                failures.append(str(content["error"]))
            else:
                returned[part.tool_call_id] = content
    return returned, failures


def rules_model(check: CheckDefinition, memory: Mapping[str, Any]) -> FunctionModel:
    """Build a model that calls the plan's tools in order, then answers with the rule's outcome."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        returned, failures = _step_outputs(messages)
        outputs: dict[str, Any] = {}
        for index, step in enumerate(check.plan):
            content = returned.get(f"{PLAN_CALL_PREFIX}{index}")
            if content is not None:
                outputs[step.name] = content.get("output") if isinstance(content, dict) else content
        output_tool = info.output_tools[0].name
        verdict: dict[str, Any]
        if failures:
            verdict = {
                "status": "review",
                "answer": f"{check.title}: a tool failed, so the rule could not run.",
                "explanation": "; ".join(failures),
            }
            return ModelResponse(parts=[ToolCallPart(output_tool, verdict)], model_name="rules")
        next_index = len(outputs)
        if next_index < len(check.plan):
            step = check.plan[next_index]
            args = resolve_args(step.args, memory, outputs)
            call = ToolCallPart(
                step.tool.replace(".", "_"), args, tool_call_id=f"{PLAN_CALL_PREFIX}{next_index}",
            )
            return ModelResponse(parts=[call], model_name="rules")
        items = [item for content in returned.values() if isinstance(content, dict)
                 for item in content.get("evidence", [])]
        findings = [item["quote"] for item in items if not item["source"].startswith("tool:")]
        status, answer, explanation = _answer(check, evaluate_rule(check, outputs), findings)
        evidence = [
            eid for content in returned.values() if isinstance(content, dict)
            for eid in content.get("evidence_ids", [])
        ]
        verdict = {"status": status, "answer": answer, "explanation": explanation,
                   "evidence_ids": evidence}
        return ModelResponse(parts=[ToolCallPart(output_tool, verdict)], model_name="rules")

    return FunctionModel(respond, model_name=RULES_MODEL_NAME)
