"""The model loop of one check: each model of the chain in turn, self-correcting, within budget."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic_ai import Agent, ModelRetry, RunContext
from pydantic_ai.capabilities import ProcessHistory
from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior, UsageLimitExceeded
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models import Model
from pydantic_ai.usage import UsageLimits

from caseworker import tracing
from caseworker.agents import prompts
from caseworker.agents.models import ModelAttempt, build_one, close_model, model_settings
from caseworker.agents.pricing import cost_usd
from caseworker.agents.rules_model import RULES_MODEL_NAME
from caseworker.agents.tool_layer import CheckTools
from caseworker.agents.verdict import CheckVerdict
from caseworker.domain.events import EventType
from caseworker.domain.results import Alert, AlertLevel, Usage
from caseworker.exceptions import (
    BudgetExceeded,
    ConfigurationError,
    ModelOutputInvalid,
    ModelUnavailable,
)
from caseworker.runtime import events
from caseworker.sop.spec import ModelEntry

if TYPE_CHECKING:  # the worker imports this module
    from caseworker.agents.worker import CheckRun

SELF_CORRECTION_RETRIES = 2
# The conversation is compacted once its message contents pass this many characters
# (about 3,000 tokens), keeping the latest tool outputs whole.
COMPACT_AT_CHARS = 12_000
KEEP_LATEST_OUTPUTS = 2


@dataclass(frozen=True)
class Budget:
    """What one check may still spend: tokens and US dollars (None: no limit)."""

    tokens: int | None = None
    cost_usd: float | None = None

    def less(self, used: Usage) -> Budget:
        tokens = None if self.tokens is None else self.tokens - used.total_tokens
        cost = (None if self.cost_usd is None or used.cost_usd is None
                else self.cost_usd - used.cost_usd)
        return Budget(tokens, cost)

    def check_cost(self, used: Usage, check_id: str) -> None:
        """Stop the check once its spending passes the cost budget (or cannot be priced)."""
        if self.cost_usd is None:
            return
        if used.cost_usd is None:
            raise BudgetExceeded(f"check '{check_id}': a model has no price, so the cost "
                                 "budget cannot be enforced")
        if used.cost_usd > self.cost_usd:
            raise BudgetExceeded(f"check '{check_id}' spent ${used.cost_usd:.4f}, over its "
                                 f"cost budget of ${self.cost_usd:.4f}")


@dataclass
class ModelRun:
    """What the chain produced: the verdict, its conversation, usage and the model that gave it.

    `verdict` is None when every model failed; `failure` then says why (a typed error the
    runtime degrades to review).
    """

    verdict: CheckVerdict | None
    messages: list[ModelMessage]
    usage: Usage
    model: str | None
    alerts: list[Alert] = field(default_factory=list)
    failure: ModelOutputInvalid | ModelUnavailable | None = None


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def verdict_validator(tools: CheckTools) -> Callable[[RunContext[Any], CheckVerdict], CheckVerdict]:
    """Check a verdict against this check's evidence; every mismatch is sent back to the model."""

    def validate(ctx: RunContext[Any], verdict: CheckVerdict) -> CheckVerdict:
        known = {e.id: e for e in tools.evidence}
        unknown = [i for i in verdict.evidence_ids if i not in known]
        if unknown:
            raise ModelRetry(
                f"evidence ids {unknown} do not exist. Cite only ids your tools returned: "
                f"{sorted(known) or 'none yet; call your tools first'}."
            )
        if known and not verdict.evidence_ids:
            raise ModelRetry("cite the evidence ids your verdict rests on in `evidence_ids`.")
        for quote in verdict.quotes:
            item = known.get(quote.evidence_id)
            if item is None:
                raise ModelRetry(f"the quote cites evidence '{quote.evidence_id}', which does not "
                                 f"exist; known ids: {sorted(known)}.")
            if _normalise(quote.text) not in _normalise(item.quote):
                raise ModelRetry(f"the quoted text {quote.text!r} does not appear in evidence "
                                 f"{item.id}; quote its words exactly.")
        return verdict

    return validate


class _Chain:
    """The models to try for one check, built lazily, each with its label and settings."""

    def __init__(self, run: CheckRun, memory: dict[str, Any]) -> None:
        self.run = run
        self.memory = memory

    def links(self) -> list[tuple[str, ModelEntry | Model]]:
        if self.run.models is not None:
            return [(model.model_name, model) for model in self.run.models]
        return [(entry.label, entry) for entry in self.run.spec.model]

    def build(self, link: ModelEntry | Model) -> Model:
        if isinstance(link, Model):
            return link
        return build_one(link, self.run.check, self.memory, self._record)

    def _record(self, attempt: ModelAttempt) -> None:
        if attempt.failed:
            events.emit(self.run.conn, self.run.job_id, EventType.model_retry,
                        check_id=self.run.check.id, data={
                            "model": attempt.model, "status": attempt.status,
                            "error": attempt.error, "retry_after": attempt.retry_after,
                            "duration_ms": round(attempt.duration_ms, 2),
                        })


async def run_models(
    run: CheckRun, tools: CheckTools, memory: dict[str, Any], budget: Budget,
) -> ModelRun:
    """Try each model of the chain until one gives a verdict that survives validation.

    A provider failure (after the SDK's retries) or output still invalid after
    self-correction moves on to the next model; a budget overrun stops the check. When no
    model is left, the run carries no verdict and the typed failure.
    """
    chain = _Chain(run, memory)
    total = Usage()
    failures: list[tuple[str, Exception]] = []
    for label, link in chain.links():
        try:
            model = chain.build(link)
        except ConfigurationError as exc:  # e.g. no key for this provider: the next model answers
            failures.append((label, exc))
            _emit_failover(run, label, exc)
            continue
        entry = link if isinstance(link, ModelEntry) else None
        spent: list[Usage] = []
        tools.model = None if model.model_name == RULES_MODEL_NAME else model
        try:
            model_run = await _attempt(run, tools, memory, model, entry=entry,
                                       budget=budget, spent=spent)
        except UsageLimitExceeded as exc:
            message = f"check '{run.check.id}' exceeded its token budget: {exc}"
            raise BudgetExceeded(message) from exc
        except (ModelAPIError, UnexpectedModelBehavior) as exc:
            used = sum(spent, Usage())
            total += used
            failures.append((label, exc))
            _emit_failover(run, label, exc)
            budget = budget.less(used)
            continue
        finally:
            tools.model = None
            if entry is not None:
                await close_model(model)
        model_run.usage = total + model_run.usage
        model_run.alerts.extend(
            Alert(code="model_failover", level=AlertLevel.warning,
                  message=f"{name} failed ({type(exc).__name__}); the next model answered.")
            for name, exc in failures
        )
        return model_run
    summary = "; ".join(f"{name}: {type(exc).__name__}: {str(exc)[:200]}" for name, exc in failures)
    failure: ModelOutputInvalid | ModelUnavailable
    if all(isinstance(exc, UnexpectedModelBehavior) for _, exc in failures):
        failure = ModelOutputInvalid(f"no model gave a valid verdict: {summary}")
    else:
        failure = ModelUnavailable(f"every model in the chain failed: {summary}")
    alert = Alert(code=failure.code, level=AlertLevel.critical, message=failure.message)
    return ModelRun(verdict=None, messages=[], usage=total, model=None, alerts=[alert],
                    failure=failure)


def _emit_failover(run: CheckRun, label: str, exc: Exception) -> None:
    events.emit(run.conn, run.job_id, EventType.model_failover, check_id=run.check.id,
                data={"model": label, "error": type(exc).__name__, "message": str(exc)[:500]})


async def _attempt(
    run: CheckRun,
    tools: CheckTools,
    memory: dict[str, Any],
    model: Model,
    *,
    entry: ModelEntry | None,
    budget: Budget,
    spent: list[Usage],
) -> ModelRun:
    agent: Agent[None, CheckVerdict] = Agent(
        model,
        output_type=CheckVerdict,
        instructions=prompts.instructions(run.spec, run.check),
        tools=tools.pydantic_ai_tools(memory),
        capabilities=[ProcessHistory(compact_history)],
        retries=SELF_CORRECTION_RETRIES,
        name=run.check.id,
    )
    agent.output_validator(verdict_validator(tools))
    agent.instrument = tracing.agent_instrumentation()
    limits = UsageLimits(request_limit=run.spec.limits.max_steps,
                         total_tokens_limit=budget.tokens)
    local = entry is not None and entry.base_url is not None
    settings = model_settings(entry) if entry is not None else None
    requested_at = time.perf_counter()
    async with agent.iter(prompts.user_prompt(run.check, memory), usage_limits=limits,
                          model_settings=settings) as agent_run:
        try:
            async for node in agent_run:
                if Agent.is_model_request_node(node):
                    requested_at = time.perf_counter()
                    events.emit(run.conn, run.job_id, EventType.model_request,
                                check_id=run.check.id,
                                data={"parts": [type(p).__name__ for p in node.request.parts]})
                    tools.audit.record("model.request", {
                        "model": model.model_name, "messages": _dump(node.request)})
                elif Agent.is_call_tools_node(node):
                    usage = _response_usage(run, node.model_response, requested_at, local)
                    spent.append(usage)
                    budget.check_cost(sum(spent, Usage()), run.check.id)
                    tools.audit.record("model.response", {
                        "model": node.model_response.model_name or model.model_name,
                        "response": _dump(node.model_response), "usage": usage.model_dump(),
                    })
        finally:
            spent.append(Usage(tool_calls=agent_run.usage.tool_calls))
        assert agent_run.result is not None
        return ModelRun(
            verdict=agent_run.result.output,
            messages=agent_run.result.all_messages(),
            usage=sum(spent, Usage()),
            model=agent_run.result.response.model_name or model.model_name,
        )


def compact_history(messages: list[ModelMessage]) -> list[ModelMessage]:
    """Keep the scratchpad small: past the budget, elide all but the latest tool outputs.

    An elided output keeps its evidence ids, which is all a verdict needs to cite it.
    """
    returns = [p for m in messages for p in m.parts
               if isinstance(p, ToolReturnPart) and p.outcome == "success"]
    size = sum(len(str(getattr(p, "content", ""))) for m in messages for p in m.parts)
    if size <= COMPACT_AT_CHARS or len(returns) <= KEEP_LATEST_OUTPUTS:
        return messages
    old = {id(p) for p in returns[:-KEEP_LATEST_OUTPUTS]}
    compacted: list[ModelMessage] = []
    for message in messages:
        if isinstance(message, ModelRequest) and any(id(p) in old for p in message.parts):
            parts = [_elide(p) if id(p) in old else p for p in message.parts]
            compacted.append(dataclasses.replace(message, parts=parts))
        else:
            compacted.append(message)
    return compacted


def _elide(part: Any) -> Any:
    content = part.content if isinstance(part.content, dict) else {}
    return dataclasses.replace(part, content={
        "elided": "output removed to save context; cite it by its evidence ids",
        "evidence_ids": content.get("evidence_ids", []),
    })


def _dump(message: ModelMessage) -> Any:
    """Serialise a model message as JSON for the audit trail."""
    return ModelMessagesTypeAdapter.dump_python([message], mode="json")[0]


def _response_usage(run: CheckRun, response: Any, requested_at: float, local: bool) -> Usage:
    """Usage of one model response, emitted as a `model.response` event."""
    latency = (time.perf_counter() - requested_at) * 1000
    name = response.model_name or "unknown"
    tokens_in, tokens_out = response.usage.input_tokens, response.usage.output_tokens
    cost = cost_usd(name, tokens_in, tokens_out, local=local)
    events.emit(run.conn, run.job_id, EventType.model_response, check_id=run.check.id, data={
        "model": name,
        "tool_calls": [p.tool_name for p in response.parts if isinstance(p, ToolCallPart)],
        "input_tokens": tokens_in, "output_tokens": tokens_out,
        "cost_usd": cost, "latency_ms": round(latency, 2),
    })
    return Usage(requests=1, input_tokens=tokens_in, output_tokens=tokens_out, cost_usd=cost,
                 model_latency_ms=round(latency, 2))
