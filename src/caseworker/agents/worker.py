"""The worker agent: one check, one clean context, the model ⇄ tools loop, a guarded result."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

import redis
from pydantic_ai import Agent
from pydantic_ai.exceptions import UsageLimitExceeded
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryFeedbackPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models import Model
from pydantic_ai.usage import UsageLimits

from caseworker.agents import prompts
from caseworker.agents.guardrail import apply_guardrail, evaluate_rule, rule_variables
from caseworker.agents.models import build_model
from caseworker.agents.plan_args import resolve_args
from caseworker.agents.tool_layer import CheckTools
from caseworker.agents.verdict import CheckVerdict
from caseworker.domain.events import EventType
from caseworker.domain.plan import CheckDefinition
from caseworker.domain.results import (
    Alert,
    AlertLevel,
    CheckResult,
    CheckStatus,
    RuleOutcome,
    Timings,
    Usage,
)
from caseworker.exceptions import BudgetExceeded, CaseworkerError, RuleEvaluationError
from caseworker.runtime import events, scratchpad
from caseworker.runtime.memory import JobMemory
from caseworker.sop.rules import compile_expression
from caseworker.sop.spec import AgentSpec
from caseworker.tools.registry import ToolRegistry


@dataclass
class CheckRun:
    """Everything one attempt at one check needs."""

    conn: redis.Redis
    job_id: str
    spec: AgentSpec
    check: CheckDefinition
    registry: ToolRegistry
    attempt: int = 1
    worker: str | None = None
    model: Model | None = None  # overrides the spec's chain (tests bring their own)


@dataclass
class Outcome:
    """What the worker hands back to the runtime: the result and the memory it writes."""

    result: CheckResult
    memory_writes: dict[str, Any]


async def run_check(run: CheckRun) -> Outcome:
    """Run one check to a result. Any failure becomes an `error` result; nothing is raised."""
    started = dt.datetime.now(dt.UTC)
    tools = CheckTools(run.conn, run.job_id, run.check, run.registry)
    try:
        outcome = await asyncio.wait_for(
            _run(run, tools, started), timeout=run.spec.limits.check_timeout,
        )
    except TimeoutError:
        outcome = _failed(run, tools, started, "check_timeout",
                          f"The check did not finish within {run.spec.limits.check_timeout}s.")
    except CaseworkerError as exc:
        outcome = _failed(run, tools, started, exc.code, exc.message)
    except Exception as exc:  # a crash in one check must never lose the job
        outcome = _failed(run, tools, started, "check_crashed", f"{type(exc).__name__}: {exc}")
    return outcome


async def _run(run: CheckRun, tools: CheckTools, started: dt.datetime) -> Outcome:
    check = run.check
    memory = JobMemory(run.conn, run.job_id, check.reads).view()
    model = run.model or build_model(run.spec.model, check, memory)
    agent: Agent[None, CheckVerdict] = Agent(
        model,
        output_type=CheckVerdict,
        instructions=prompts.instructions(run.spec, check),
        tools=tools.pydantic_ai_tools(),
        retries=2,
    )
    limits = UsageLimits(
        request_limit=run.spec.limits.max_steps,
        total_tokens_limit=run.spec.limits.tokens_per_check,
    )
    alerts: list[Alert] = []
    try:
        async with agent.iter(prompts.user_prompt(check, memory), usage_limits=limits) as agent_run:
            async for node in agent_run:
                _emit_node(run, node)
            assert agent_run.result is not None
            verdict = agent_run.result.output
            messages = agent_run.result.all_messages()
            usage = agent_run.usage
            model_name = agent_run.result.response.model_name or "unknown"
    except UsageLimitExceeded as exc:
        raise BudgetExceeded(f"check '{check.id}' exceeded its budget: {exc}") from exc
    _record_scratchpad(run, messages)

    outputs = await _plan_outputs(check, memory, tools)
    outcome = _rule_outcome(check, outputs, tools)
    status, guard_alerts = apply_guardrail(verdict.status.as_check_status(), outcome)
    alerts.extend(guard_alerts)
    alerts.extend(Alert(code="tool_unavailable", message=m) for m in tools.unavailable)
    writes, write_alerts = _memory_writes(check, outputs)
    alerts.extend(write_alerts)
    answer, explanation = verdict.answer, verdict.explanation
    if status != verdict.status.as_check_status():
        answer = f"{check.title}: needs review (guardrail)."
    scratchpad.append(run.conn, run.job_id, check.id, {
        "kind": "guardrail", "rule": outcome.model_dump() if outcome else None,
        "model_status": verdict.status.value, "final_status": status.value,
    })
    result = CheckResult(
        check_id=check.id, title=check.title, severity=check.severity, status=status,
        answer=answer, explanation=explanation, evidence=tools.evidence, payload=outputs,
        alerts=alerts, rule_outcome=outcome, model=model_name,
        usage=Usage(requests=usage.requests, input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens, tool_calls=usage.tool_calls),
        timings=Timings(started_at=started, finished_at=dt.datetime.now(dt.UTC)),
        attempts=run.attempt, worker=run.worker,
    )
    return Outcome(result=result, memory_writes=writes)


async def _plan_outputs(
    check: CheckDefinition, memory: dict[str, Any], tools: CheckTools,
) -> dict[str, Any]:
    """Gather the plan's outputs for the rule: reuse the model's identical calls, run the rest."""
    outputs: dict[str, Any] = {}
    for step in check.plan:
        args = resolve_args(step.args, memory, outputs)
        call = tools.find(step.tool, args) or await tools.call(step.tool, args)
        if call.output is None:
            break
        outputs[step.name] = call.output
    return outputs


def _rule_outcome(
    check: CheckDefinition, outputs: dict[str, Any], tools: CheckTools,
) -> RuleOutcome | None:
    if check.plan and len(outputs) < len(check.plan):
        reason = "; ".join(tools.unavailable) or "a plan step produced no output"
        return RuleOutcome(status=CheckStatus.review, error=f"rule not evaluated: {reason}")
    return evaluate_rule(check, outputs)


def _memory_writes(
    check: CheckDefinition, outputs: dict[str, Any],
) -> tuple[dict[str, Any], list[Alert]]:
    variables = rule_variables(check, outputs)
    writes: dict[str, Any] = {}
    alerts = []
    for key, source in check.writes.items():
        try:
            writes[key] = compile_expression(source).evaluate(variables)
        except RuleEvaluationError as exc:
            alerts.append(Alert(code="memory_write_failed", message=f"{key}: {exc.message}"))
    return writes, alerts


def _failed(
    run: CheckRun, tools: CheckTools, started: dt.datetime, code: str, message: str,
) -> Outcome:
    status = CheckStatus.review if code == BudgetExceeded.code else CheckStatus.error
    level = AlertLevel.warning if status == CheckStatus.review else AlertLevel.critical
    result = CheckResult(
        check_id=run.check.id, title=run.check.title, severity=run.check.severity,
        status=status, answer=f"{run.check.title}: could not be completed ({code}).",
        explanation=message, evidence=tools.evidence,
        alerts=[Alert(code=code, level=level, message=message)],
        timings=Timings(started_at=started, finished_at=dt.datetime.now(dt.UTC)),
        attempts=run.attempt, worker=run.worker,
    )
    scratchpad.append(run.conn, run.job_id, run.check.id, {"kind": "error", "code": code,
                                                           "message": message})
    return Outcome(result=result, memory_writes={})


def _emit_node(run: CheckRun, node: Any) -> None:
    if Agent.is_model_request_node(node):
        events.emit(run.conn, run.job_id, EventType.model_request, check_id=run.check.id,
                    data={"parts": [type(p).__name__ for p in node.request.parts]})
    elif Agent.is_call_tools_node(node):
        response = node.model_response
        events.emit(run.conn, run.job_id, EventType.model_response, check_id=run.check.id, data={
            "model": response.model_name,
            "tool_calls": [p.tool_name for p in response.parts if isinstance(p, ToolCallPart)],
            "input_tokens": response.usage.input_tokens,
            "output_tokens": response.usage.output_tokens,
        })


def _record_scratchpad(run: CheckRun, messages: list[ModelMessage]) -> None:
    pipe = run.conn.pipeline()
    for message in messages:
        for part in message.parts:
            entry: dict[str, Any] | None = None
            if isinstance(message, ModelResponse) and isinstance(part, TextPart):
                entry = {"kind": "thought", "text": part.content}
            elif isinstance(part, ToolCallPart):
                entry = {"kind": "tool_call", "tool": part.tool_name, "args": part.args_as_dict()}
            elif isinstance(message, ModelRequest) and isinstance(part, ToolReturnPart):
                kind = "observation" if part.outcome == "success" else "correction"
                entry = {"kind": kind, "tool": part.tool_name, "content": part.content}
            elif isinstance(part, RetryFeedbackPart):
                entry = {"kind": "correction", "message": str(part.content)}
            if entry:
                scratchpad.append(pipe, run.job_id, run.check.id, entry)
    pipe.execute()
