"""The worker agent: one check, one clean context, the model ⇄ tools loop, a guarded result."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

import redis
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

from caseworker.agents.guardrail import (
    apply_guardrail,
    evaluate_rule,
    rule_variables,
    stricter,
)
from caseworker.agents.model_loop import Budget, ModelRun, run_models
from caseworker.agents.plan_args import resolve_args
from caseworker.agents.tool_layer import CheckTools
from caseworker.agents.verdict import CheckVerdict, VerdictStatus
from caseworker.domain.plan import CheckDefinition
from caseworker.domain.results import (
    Alert,
    AlertLevel,
    CheckResult,
    CheckStatus,
    RuleOutcome,
    Timings,
)
from caseworker.exceptions import (
    BudgetExceeded,
    CaseworkerError,
    JobCancelled,
    ModelOutputInvalid,
    ModelUnavailable,
    RuleEvaluationError,
)
from caseworker.runtime import scratchpad
from caseworker.runtime.audit import CheckAudit
from caseworker.runtime.connection import STORE_ERRORS
from caseworker.runtime.memory import JobMemory
from caseworker.runtime.store import JobStore
from caseworker.sop.rules import compile_expression
from caseworker.sop.spec import AgentSpec
from caseworker.tools.registry import ToolRegistry

# Failures after which a person must look, rather than a fault in the check itself.
DEGRADE_TO_REVIEW = {BudgetExceeded.code, ModelOutputInvalid.code, ModelUnavailable.code}


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
    models: list[Model] | None = None  # replaces the spec's chain (tests bring their own)


@dataclass
class Outcome:
    """What the worker hands back to the runtime: the result and the memory it writes."""

    result: CheckResult
    memory_writes: dict[str, Any]


async def run_check(run: CheckRun) -> Outcome:
    """Run one check to a result. Any failure becomes an `error` result.

    Only JobCancelled (a cancelled job's check stops and leaves no result) and a lost store
    connection are raised.
    """
    started = dt.datetime.now(dt.UTC)
    audit = CheckAudit(run.conn, run.job_id, run.check.id)
    tools = CheckTools(run.conn, run.job_id, run.check, run.registry, audit)
    try:
        outcome = await asyncio.wait_for(
            _run(run, tools, started), timeout=run.spec.limits.check_timeout,
        )
    except TimeoutError:
        outcome = await _failed(
            run, tools, started, "check_timeout",
            f"The check did not finish within {run.spec.limits.check_timeout}s.")
    except JobCancelled:
        raise
    except STORE_ERRORS:
        raise  # the store went away: not the check's failure (the runtime takes it back)
    except CaseworkerError as exc:
        outcome = await _failed(run, tools, started, exc.code, exc.message)
    except Exception as exc:  # a crash in one check must never lose the job
        outcome = await _failed(run, tools, started, "check_crashed",
                                f"{type(exc).__name__}: {exc}")
    return outcome


async def _run(run: CheckRun, tools: CheckTools, started: dt.datetime) -> Outcome:
    check = run.check
    memory = JobMemory(run.conn, run.job_id, check.reads).view()
    model_run = await run_models(run, tools, memory, _budget(run))
    verdict = model_run.verdict or _no_verdict(check, model_run)
    alerts: list[Alert] = list(model_run.alerts)
    _record_scratchpad(run, model_run.messages)

    outputs = await _plan_outputs(check, memory, tools)
    outcome = _rule_outcome(check, outputs, tools)
    if model_run.verdict is None:  # no model concluded: a person reviews, unless the rule fails
        status = stricter(CheckStatus.review, outcome)
    else:
        status, guard_alerts = apply_guardrail(verdict.status.as_check_status(), outcome)
        alerts.extend(guard_alerts)
    alerts.extend(Alert(code="tool_unavailable", message=m) for m in tools.unavailable)
    writes, write_alerts = _memory_writes(check, outputs)
    alerts.extend(write_alerts)
    answer, explanation = verdict.answer, verdict.explanation
    if status != verdict.status.as_check_status():
        answer = f"{check.title}: needs review (guardrail)."
    guard = {
        "kind": "guardrail", "rule": outcome.model_dump() if outcome else None,
        "model_status": verdict.status.value if model_run.verdict else None,
        "final_status": status.value,
    }
    scratchpad.append(run.conn, run.job_id, check.id, guard)
    tools.audit.record("check.verdict", {
        **guard, "model": model_run.model, "answer": answer,
        "evidence_ids": verdict.evidence_ids, "alerts": [a.code for a in alerts],
    })
    result = CheckResult(
        check_id=check.id, title=check.title, severity=check.severity, status=status,
        answer=answer, explanation=explanation, evidence=tools.evidence, payload=outputs,
        alerts=alerts, rule_outcome=outcome, model=model_run.model, usage=model_run.usage,
        timings=Timings(started_at=started, finished_at=dt.datetime.now(dt.UTC)),
        attempts=run.attempt, worker=run.worker, audit_records=tools.audit.seqs,
    )
    return Outcome(result=result, memory_writes=writes)


def _no_verdict(check: CheckDefinition, model_run: ModelRun) -> CheckVerdict:
    """Stand in for a verdict no model could give: review, which the rule may make stricter."""
    assert model_run.failure is not None
    return CheckVerdict(
        status=VerdictStatus.review,
        answer=f"{check.title}: no model gave a usable verdict; a person must review.",
        explanation=model_run.failure.message,
    )


def _budget(run: CheckRun) -> Budget:
    """Work out what this check may spend: its own limits, capped by what is left of the job's."""
    limits = run.spec.limits
    tokens, cost = limits.tokens_per_check, limits.cost_per_check
    if limits.tokens_per_job is not None or limits.cost_per_job is not None:
        used = JobStore(run.conn).usage(run.job_id)
        if limits.tokens_per_job is not None:
            left = limits.tokens_per_job - used.total_tokens
            if left <= 0:
                raise BudgetExceeded(f"the job has used its budget of "
                                     f"{limits.tokens_per_job} tokens")
            tokens = left if tokens is None else min(tokens, left)
        if limits.cost_per_job is not None:
            if used.cost_usd is None:
                raise BudgetExceeded("the job's cost is unknown (a model has no price), so its "
                                     "cost budget cannot be enforced")
            money = limits.cost_per_job - used.cost_usd
            if money <= 0:
                raise BudgetExceeded(f"the job has used its budget of ${limits.cost_per_job}")
            cost = money if cost is None else min(cost, money)
    return Budget(tokens=tokens, cost_usd=cost)


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


async def _failed(
    run: CheckRun, tools: CheckTools, started: dt.datetime, code: str, message: str,
) -> Outcome:
    """Close a check that could not run to the end; the rule still has its say if it can run.

    A model that exhausts its budget or a check that times out must not soften a rule that
    fails: the deterministic plan is tried once more, within a bounded time.
    """
    status = CheckStatus.review if code in DEGRADE_TO_REVIEW else CheckStatus.error
    level = AlertLevel.warning if status == CheckStatus.review else AlertLevel.critical
    outcome = None
    if code != "check_crashed":
        try:
            memory = JobMemory(run.conn, run.job_id, run.check.reads).view()
            outputs = await asyncio.wait_for(_plan_outputs(run.check, memory, tools),
                                             timeout=run.spec.limits.check_timeout)
            outcome = _rule_outcome(run.check, outputs, tools)
            status = stricter(status, outcome)
        except Exception:  # the rule is a second chance, not a second failure
            outcome = None
    result = CheckResult(
        check_id=run.check.id, title=run.check.title, severity=run.check.severity,
        status=status, answer=f"{run.check.title}: could not be completed ({code}).",
        explanation=message, evidence=tools.evidence, rule_outcome=outcome,
        alerts=[Alert(code=code, level=level, message=message)],
        timings=Timings(started_at=started, finished_at=dt.datetime.now(dt.UTC)),
        attempts=run.attempt, worker=run.worker,
    )
    scratchpad.append(run.conn, run.job_id, run.check.id, {"kind": "error", "code": code,
                                                           "message": message})
    return Outcome(result=result, memory_writes={})


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
