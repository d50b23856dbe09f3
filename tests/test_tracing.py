"""Tracing: off costs nothing; on, job → check → model/tool spans carry GenAI attributes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic_ai import Agent, RunContext
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.instrumented import InstrumentationSettings

from caseworker import tracing

# Stands in for case data: it must never reach a span.
PERSONAL = "Jane-Q-Public-1970-01-01"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    """Route every span to a real in-memory exporter for one test."""
    memory = InMemorySpanExporter()
    tracing.use_exporter(memory)
    yield memory
    tracing.shutdown()


@pytest.fixture
def off() -> Iterator[None]:
    """Tracing as configured by default (CASEWORKER_TRACING unset)."""
    assert "CASEWORKER_TRACING" not in os.environ
    tracing.shutdown()
    yield
    tracing.shutdown()


def _by_name(spans: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    matches = [s for s in spans if s.name == name]
    assert len(matches) == 1, [s.name for s in spans]
    return matches[0]


def _parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def _span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.span_id)


def _trace_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.trace_id)


def test_off_by_default_records_nothing_and_spans_still_work(off: None) -> None:
    tracing.configure()
    assert not tracing.enabled()
    assert tracing.agent_instrumentation() is False
    with tracing.job_span("j1", "kyc", "case-1") as job:
        assert not job.is_recording()
        assert tracing.inject() == {}
        with tracing.check_span("j1", "c1", 1, "w1") as check:
            tracing.set_outcome(check, "error")
            with tracing.tool_span("lookup", 1, "j1", "c1", call_id="t1") as tool:
                assert not tool.is_recording()
    with pytest.raises(ValueError, match="boom"), tracing.check_span("j1", "c1", 1, None):
        raise ValueError("boom")


def test_off_imports_no_sdk() -> None:
    code = (
        "import sys\n"
        "from caseworker import tracing\n"
        "tracing.configure()\n"
        "with tracing.job_span('j', 'a', 'c'), tracing.check_span('j', 'c1', 1, 'w'):\n"
        "    carrier = tracing.inject()\n"
        "print(carrier, tracing.agent_instrumentation(),\n"
        "      any(m.startswith('opentelemetry.sdk') for m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CASEWORKER_TRACING"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["{}", "False", "False"]


def test_unknown_mode_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from caseworker.exceptions import ConfigurationError
    from caseworker.settings import Settings

    monkeypatch.setattr(tracing, "get_settings", lambda: Settings(tracing="jaeger"))
    tracing.shutdown()
    with pytest.raises(ConfigurationError, match="CASEWORKER_TRACING"):
        tracing.configure()


def test_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from caseworker.exceptions import ConfigurationError
    from caseworker.settings import Settings

    monkeypatch.setattr(tracing, "get_settings", lambda: Settings(tracing="otlp"))
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)
    tracing.shutdown()
    with pytest.raises(ConfigurationError, match=re.escape("pip install 'caseworker[tracing]'")):
        tracing.configure()


def test_nested_spans_have_parents_names_and_genai_attributes(
    exporter: InMemorySpanExporter,
) -> None:
    assert tracing.enabled()
    with tracing.job_span("j1", "kyc", "case-1"), \
            tracing.check_span("j1", "sanctions", 2, "w-7", agent="kyc") as check:
        with tracing.tool_span("screening.sanctions", 1, "j1", "sanctions", call_id="call-1"):
            pass
        tracing.set_outcome(check, "pass")
    spans = exporter.get_finished_spans()
    job = _by_name(spans, "job kyc")
    check_s = _by_name(spans, "invoke_agent sanctions")
    tool = _by_name(spans, "execute_tool screening.sanctions")

    assert _parent_id(job) is None
    assert _parent_id(check_s) == _span_id(job)
    assert _parent_id(tool) == _span_id(check_s)
    assert len({_trace_id(s) for s in spans}) == 1

    assert dict(job.attributes or {}) == {
        "caseworker.job_id": "j1", "caseworker.agent": "kyc", "caseworker.case_id": "case-1",
    }
    assert dict(check_s.attributes or {}) == {
        "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "sanctions",
        "caseworker.job_id": "j1", "caseworker.check_id": "sanctions",
        "caseworker.check.attempt": 2, "caseworker.worker": "w-7", "caseworker.agent": "kyc",
        "caseworker.check.status": "pass",
    }
    assert dict(tool.attributes or {}) == {
        "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "screening.sanctions",
        "gen_ai.tool.type": "function", "gen_ai.tool.call.id": "call-1",
        "caseworker.job_id": "j1", "caseworker.check_id": "sanctions",
        "caseworker.tool.step": 1,
    }
    assert all(s.status.status_code is StatusCode.UNSET for s in spans)
    assert {s.resource.attributes["service.name"] for s in spans} == {"caseworker"}


def test_exception_marks_the_span_failed_and_is_reraised(exporter: InMemorySpanExporter) -> None:
    with pytest.raises(RuntimeError, match="worker lost"), \
            tracing.check_span("j1", "c1", 1, "w1"):
        raise RuntimeError("worker lost")
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "RuntimeError"
    (event,) = span.events
    assert event.name == "exception"
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "RuntimeError"


def test_error_outcome_marks_the_span_failed_without_a_message(
    exporter: InMemorySpanExporter,
) -> None:
    with tracing.check_span("j1", "c1", 1, "w1") as span:
        tracing.set_outcome(span, "error", error_type="model_unavailable")
    (finished,) = exporter.get_finished_spans()
    assert finished.status.status_code is StatusCode.ERROR
    assert finished.status.description is None
    assert finished.attributes is not None
    assert finished.attributes["error.type"] == "model_unavailable"


def test_inject_and_extract_parent_a_check_in_another_process(
    exporter: InMemorySpanExporter,
) -> None:
    with tracing.job_span("j1", "kyc", "case-1"):
        carrier = tracing.inject()
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", carrier["traceparent"])
    stored = json.loads(json.dumps(carrier))  # as it would be kept with the job in Redis

    # A worker: no span of its own is current; the stored carrier is all it has.
    with tracing.check_span("j1", "c1", 1, "w1", parent=tracing.extract_context(stored)), \
            tracing.tool_span("lookup", 1, "j1", "c1"):
        pass
    spans = exporter.get_finished_spans()
    job = _by_name(spans, "job kyc")
    check = _by_name(spans, "invoke_agent c1")
    assert _parent_id(check) == _span_id(job)
    assert _trace_id(check) == _trace_id(job)
    assert check.parent is not None and check.parent.is_remote
    assert _parent_id(_by_name(spans, "execute_tool lookup")) == _span_id(check)


def test_extract_of_an_empty_carrier_starts_a_new_trace(exporter: InMemorySpanExporter) -> None:
    with tracing.check_span("j1", "c1", 1, "w1", parent=tracing.extract_context({})):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.parent is None


def _scripted(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    if len(messages) == 1:
        return ModelResponse(parts=[ToolCallPart("lookup", {"name": PERSONAL}, "call-1")])
    return ModelResponse(parts=[TextPart(f"{PERSONAL} is not listed")])


def _attribute_text(span: ReadableSpan) -> str:
    values: list[Any] = list((span.attributes or {}).values())
    for event in span.events:
        values.extend((event.attributes or {}).values())
    return " ".join(str(v) for v in values)


def test_instrumented_agent_emits_model_spans_under_the_check(
    exporter: InMemorySpanExporter,
) -> None:
    settings = tracing.agent_instrumentation()
    assert isinstance(settings, InstrumentationSettings)
    assert settings.include_content is False
    assert tracing.agent_instrumentation() is settings  # built once per configuration

    agent: Agent[None, str] = Agent(
        FunctionModel(_scripted, model_name="scripted"), name="sanctions",
        instructions=f"Screen {PERSONAL}.",
    )
    agent.instrument = settings

    @agent.tool
    def lookup(ctx: RunContext[None], name: str) -> str:
        """Look a name up on the sanctions list."""
        with tracing.tool_span("lookup", 1, "j1", "sanctions", call_id=ctx.tool_call_id):
            return f"no match for {name}"

    with tracing.job_span("j1", "kyc", "case-1"), \
            tracing.check_span("j1", "sanctions", 1, "w1"):
        result = agent.run_sync(f"Is {PERSONAL} sanctioned?")
    assert PERSONAL in result.output

    spans = exporter.get_finished_spans()
    by_id = {_span_id(s): s for s in spans}
    # Named after the check, as is pydantic-ai's run of that check's agent (one per model).
    agent_spans = [s for s in spans if s.name == "invoke_agent sanctions"]
    (check,) = [s for s in agent_spans if "caseworker.check_id" in (s.attributes or {})]
    (run,) = [s for s in agent_spans if s is not check]
    assert _parent_id(run) == _span_id(check)
    chats = [s for s in spans if s.name == "chat scripted"]
    assert len(chats) == 2
    for chat in chats:
        attrs = chat.attributes or {}
        assert attrs["gen_ai.operation.name"] == "chat"
        assert attrs["gen_ai.request.model"] == "scripted"
        assert isinstance(attrs["gen_ai.usage.input_tokens"], int)
        assert isinstance(attrs["gen_ai.usage.output_tokens"], int)
        ancestors = []
        parent = _parent_id(chat)
        while parent is not None:
            ancestors.append(by_id[parent])
            parent = _parent_id(by_id[parent])
        assert check in ancestors
        assert _trace_id(chat) == _trace_id(check)

    tool_spans = [s for s in spans if s.name == "execute_tool lookup"]
    assert len(tool_spans) == 2  # pydantic-ai's, and ours inside it
    outer, inner = sorted(tool_spans, key=lambda s: s.start_time or 0)
    assert _parent_id(inner) == _span_id(outer)
    assert (inner.attributes or {})["gen_ai.tool.call.id"] == "call-1"

    leaked = [s.name for s in spans if PERSONAL in _attribute_text(s)]
    assert leaked == []
