"""The tool layer a worker uses: allowlist, idempotency cache, evidence ids, events."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import redis
from pydantic import BaseModel
from pydantic_ai import ModelRetry, RunContext, Tool

from caseworker import tracing
from caseworker.agents.prompts import MEMORY_TOOL, handles
from caseworker.domain.events import EventType
from caseworker.domain.plan import CheckDefinition
from caseworker.domain.results import Evidence
from caseworker.exceptions import ToolInputInvalid, ToolNotAllowed, ToolUnavailable
from caseworker.runtime import clearances, events, keys
from caseworker.runtime.audit import CheckAudit
from caseworker.runtime.clearances import Clearance
from caseworker.runtime.store import JobStore
from caseworker.settings import get_settings
from caseworker.tools.base import EvidenceDraft, ToolContext, ToolSpec
from caseworker.tools.registry import ToolRegistry


@dataclass
class ToolCall:
    """One executed tool call, as the check's result and rule will see it."""

    tool: str
    args: dict[str, Any]
    output: dict[str, Any] | None
    evidence_ids: list[str]
    error: str | None = None
    cached: bool = False


def canonical(args: Any) -> str:
    return json.dumps(args, sort_keys=True, separators=(",", ":"), default=str)


def _drill_fails(job_id: str, check_id: str, tool: str, args_key: str) -> bool:
    """Tell whether a fault drill fails this tool call (`caseworker eval --faults tools=R`).

    Drawn from (seed, job, check, tool, arguments), so a drill run again fails the same calls;
    never outside a drill (CASEWORKER_FAULT_TOOL_RATE 0).
    """
    settings = get_settings()
    if settings.fault_tool_rate <= 0.0:
        return False
    digest = hashlib.sha256(
        f"{settings.fault_seed}|{job_id}|{check_id}|{tool}|{args_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < settings.fault_tool_rate


@dataclass
class CheckTools:
    """A check's allowed tools, bound to its job: every call is recorded, cached and evidenced."""

    conn: redis.Redis
    job_id: str
    check: CheckDefinition
    registry: ToolRegistry
    audit: CheckAudit
    calls: list[ToolCall] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    model: Any = None  # the model answering now, for tools that can use one (None: rules)
    _clearances: list[Clearance] | None = field(default=None, init=False, repr=False)

    def spec(self, name: str) -> ToolSpec:
        if name not in self.check.tools:
            raise ToolNotAllowed(f"tool '{name}' is not allowed in check '{self.check.id}'")
        return self.registry.get(name)

    def find(self, tool: str, args: dict[str, Any]) -> ToolCall | None:
        key = canonical(args)
        for call in self.calls:
            if call.tool == tool and call.error is None and canonical(call.args) == key:
                return call
        return None

    async def call(self, name: str, args: dict[str, Any]) -> ToolCall:
        """Run a tool (or replay its cached output), record evidence and emit events."""
        JobStore(self.conn).raise_if_cancelled(self.job_id)
        spec = self.spec(name)
        existing = self.find(name, args)
        if existing is not None:  # the same question twice (or again after a failover)
            return existing
        step = len(self.calls) + 1
        events.emit(self.conn, self.job_id, EventType.tool_called, check_id=self.check.id,
                    data={"tool": name, "step": step, "args": args})
        started = time.perf_counter()
        with tracing.tool_span(name, step, self.job_id, self.check.id) as span:
            try:
                output, cached = await self._output(spec, args)
            except ToolUnavailable as exc:
                span.set_attribute("error.type", exc.code)
                call = ToolCall(name, args, None, [], error=exc.message)
                return self._record(call, step, started)
        ids = self._evidence(output, name, step)
        call = ToolCall(name, args, output.model_dump(mode="json"), ids, cached=cached)
        return self._record(call, step, started)

    async def _output(self, spec: ToolSpec, args: dict[str, Any]) -> tuple[BaseModel, bool]:
        """Run the tool, or read its cached output; say which."""
        cache = keys.tool_cache(self.job_id, self.check.id)
        idem = hashlib.sha256(f"{spec.name}|{canonical(args)}".encode()).hexdigest()
        cached_raw = self.conn.hget(cache, idem) if spec.idempotent else None
        if cached_raw is not None:
            return spec.output_model.model_validate_json(cached_raw), True
        if _drill_fails(self.job_id, self.check.id, spec.name, canonical(args)):
            raise ToolUnavailable(f"{spec.name} is unavailable (fault drill)")
        output = await spec.invoke(args, ToolContext(
            job_id=self.job_id, check_id=self.check.id, registry=self.registry,
            extra=self._extra(),
        ))
        if spec.idempotent:
            self.conn.hset(cache, idem, output.model_dump_json())
        return output, False

    def _extra(self) -> dict[str, Any]:
        """Give tools the model answering now and the active clearances of the job's case.

        The clearances are read once per check attempt, on its first tool run.
        """
        if self._clearances is None:
            self._clearances = clearances.active_for_job(self.conn, self.job_id)
        extra: dict[str, Any] = {"clearances": self._clearances}
        if self.model is not None:
            extra["model"] = self.model
        return extra

    def _evidence(self, output: BaseModel, name: str, step: int) -> list[str]:
        """Give the output's evidence stable ids (`<check>.E<n>`) and keep it."""
        drafts: list[EvidenceDraft] = getattr(output, "evidence", lambda: [])()
        if not drafts:
            drafts = [EvidenceDraft(source=f"tool:{name}", quote=output.model_dump_json())]
        ids = []
        for draft in drafts:
            evidence_id = f"{self.check.id}.E{len(self.evidence) + 1}"
            self.evidence.append(Evidence(id=evidence_id, source=draft.source, quote=draft.quote,
                                          tool=name, step=step))
            ids.append(evidence_id)
        return ids

    def _record(self, call: ToolCall, step: int, started: float) -> ToolCall:
        """Keep the call, and put it in the audit trail and the event stream."""
        self.calls.append(call)
        if call.error is not None:
            self.unavailable.append(f"{call.tool}: {call.error}")
        duration = round((time.perf_counter() - started) * 1000, 2)
        outcome = ({"error": call.error} if call.error is not None
                   else {"output": call.output, "cached": call.cached})
        self.audit.record("tool.call", {
            "tool": call.tool, "step": step, "input": call.args, **outcome,
            "evidence_ids": call.evidence_ids, "duration_ms": duration,
        })
        events.emit(self.conn, self.job_id, EventType.tool_result, check_id=self.check.id, data={
            "tool": call.tool, "step": step, "evidence_ids": call.evidence_ids,
            "duration_ms": duration,
            **({"error": call.error} if call.error is not None else {"cached": call.cached}),
        })
        return call

    def pydantic_ai_tools(self, memory: dict[str, Any] | None = None) -> list[Tool[Any]]:
        """Wrap the allowed tools as pydantic-ai tools; bad arguments become `ModelRetry`.

        When some declared memory is too large for the prompt, `memory_get` reads it.
        """
        tools = [self._as_tool(self.registry.get(name)) for name in self.check.tools]
        if memory and handles(memory):
            tools.append(self._memory_tool(memory))
        return tools

    def _memory_tool(self, memory: dict[str, Any]) -> Tool[Any]:
        async def memory_get(key: str) -> Any:
            """Read one of this check's declared memory keys that the prompt shows as a handle.

            Args:
                key: The memory key exactly as shown, e.g. `case.associated_individuals`.

            """
            if key not in memory:
                raise ModelRetry(f"'{key}' is not one of this check's memory keys: "
                                 f"{sorted(memory)}")
            self.audit.record("memory.get", {"key": key})
            return memory[key]

        return Tool(memory_get, name=MEMORY_TOOL, takes_ctx=False)

    def _as_tool(self, spec: ToolSpec) -> Tool[Any]:
        async def run(ctx: RunContext[Any], **kwargs: Any) -> dict[str, Any]:
            try:
                call = await self.call(spec.name, kwargs)
            except ToolInputInvalid as exc:
                raise ModelRetry(exc.message) from exc
            if call.error is not None:
                return {"error": f"tool unavailable: {call.error}"}
            cited = [e for e in self.evidence if e.id in call.evidence_ids]
            return {
                "output": call.output,
                "evidence_ids": call.evidence_ids,
                "evidence": [{"id": e.id, "source": e.source, "quote": e.quote} for e in cited],
            }

        return Tool.from_schema(
            run, name=spec.model_name, description=spec.description,
            json_schema=spec.input_schema(), takes_ctx=True,
        )
