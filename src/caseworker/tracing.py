"""OpenTelemetry spans for jobs, checks and tool calls, model-call instrumentation, propagation."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Final

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from caseworker.exceptions import ConfigurationError
from caseworker.settings import get_settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from pydantic_ai.models.instrumented import InstrumentationSettings

MODES: Final = ("off", "console", "otlp")
SCOPE: Final = "caseworker"
# pydantic-ai's span format: 6 is the newest it knows (tool results carry the `tool` role).
INSTRUMENTATION_VERSION: Final = 6
INSTALL_HINT: Final = "tracing needs: pip install 'caseworker[tracing]'"

# W3C trace context only (no baggage): a fixed format both sides of the queue agree on.
_propagator = TraceContextTextMapPropagator()


class _State:
    """Tracing in this process: configured yet, our provider (None when off), agent settings."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.configured = False
        self.provider: TracerProvider | None = None
        self.instrumentation: InstrumentationSettings | None = None


_state = _State()


def configure() -> None:
    """Set up tracing from settings, once per process; `off` imports and installs nothing.

    `console` prints each span to stderr as it ends; `otlp` batches spans to the collector named by
    `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) over HTTP. The
    provider also becomes OpenTelemetry's global one, so other instrumented libraries join in.
    """
    with _state.lock:
        if _state.configured:
            return
        settings = get_settings()
        mode = settings.tracing.strip().lower()
        if mode not in MODES:
            raise ConfigurationError(
                f"CASEWORKER_TRACING must be one of {', '.join(MODES)}, not {settings.tracing!r}"
            )
        if mode != "off":
            try:
                from opentelemetry.sdk.trace.export import (
                    BatchSpanProcessor,
                    ConsoleSpanExporter,
                    SimpleSpanProcessor,
                )
            except ImportError as exc:
                raise ConfigurationError(INSTALL_HINT) from exc
            provider = _new_provider()
            if mode == "console":
                provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
            else:
                try:
                    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                        OTLPSpanExporter,
                    )
                except ImportError as exc:
                    raise ConfigurationError(INSTALL_HINT) from exc
                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
            trace.set_tracer_provider(provider)
            _state.provider = provider
        _state.configured = True


def use_exporter(exporter: SpanExporter) -> TracerProvider:
    """Send every span to `exporter` as it ends, whatever the settings say (tests, embedding).

    The provider is not made global; `shutdown()` flushes it and forgets it.
    """
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    shutdown()
    provider = _new_provider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with _state.lock:
        _state.provider, _state.configured = provider, True
    return provider


def shutdown() -> None:
    """Flush and close the exporter; workers call it before they exit. Safe when tracing is off."""
    with _state.lock:
        provider = _state.provider
        _state.provider, _state.configured, _state.instrumentation = None, False, None
    if provider is not None:
        provider.shutdown()


def enabled() -> bool:
    """Whether spans are being recorded and exported (configuring from settings if not yet)."""
    configure()
    return _state.provider is not None


def _new_provider() -> TracerProvider:
    try:
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError as exc:
        raise ConfigurationError(INSTALL_HINT) from exc
    resource = Resource.create({SERVICE_NAME: get_settings().service_name})
    # Flushed at exit; forked workers leave through os._exit, past atexit, so they call shutdown().
    return TracerProvider(resource=resource)


def _tracer() -> Tracer:
    configure()
    provider = _state.provider
    return provider.get_tracer(SCOPE) if provider is not None else trace.NoOpTracer()


def agent_instrumentation() -> InstrumentationSettings | bool:
    """Return what to set as a pydantic-ai agent's `instrument`: False when off, else ours.

    Instrumented agents emit GenAI-convention spans (`invoke_agent`, `chat <model>` with
    `gen_ai.request.model` and `gen_ai.usage.*`, `execute_tool <name>`) on our provider,
    without prompts, outputs or tool arguments: case data is personal data.
    """
    if not enabled():
        return False
    if _state.instrumentation is None:
        from pydantic_ai.models.instrumented import InstrumentationSettings

        _state.instrumentation = InstrumentationSettings(
            tracer_provider=_state.provider, include_content=False, include_binary_content=False,
            version=INSTRUMENTATION_VERSION,
        )
    return _state.instrumentation


def inject() -> dict[str, str]:
    """Return the current span's W3C trace context (`traceparent`) to store; {} when off."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier


def extract_context(carrier: Mapping[str, str]) -> Context:
    """Return a fresh context whose parent is the span `inject()` described (another process)."""
    return _propagator.extract(dict(carrier), context=Context())


@contextmanager
def _span(
    name: str, attributes: dict[str, AttributeValue | None], parent: Context | None = None,
) -> Iterator[Span]:
    """Open a current span that records an escaping exception, marks itself failed, re-raises."""
    attrs = {k: v for k, v in attributes.items() if v is not None}
    with _tracer().start_as_current_span(
        name, context=parent, attributes=attrs,
        record_exception=False, set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except Exception as exc:
            span.record_exception(exc)
            span.set_attribute("error.type", type(exc).__qualname__)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def job_span(
    job_id: str, agent: str, case_id: str, *, parent: Context | None = None,
) -> AbstractContextManager[Span]:
    """Span one job's submission; `inject()` inside it gives the carrier its checks join."""
    return _span(f"job {agent}", {
        "caseworker.job_id": job_id, "caseworker.agent": agent, "caseworker.case_id": case_id,
    }, parent)


def check_span(
    job_id: str, check_id: str, attempt: int, worker: str | None, *,
    agent: str | None = None, parent: Context | None = None,
) -> AbstractContextManager[Span]:
    """Span one attempt at one check: a GenAI `invoke_agent` span named after the check.

    Pass `parent=extract_context(carrier)` in a worker to join the job's trace.
    """
    return _span(f"invoke_agent {check_id}", {
        "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": check_id,
        "caseworker.job_id": job_id, "caseworker.check_id": check_id,
        "caseworker.check.attempt": attempt, "caseworker.worker": worker,
        "caseworker.agent": agent,
    }, parent)


def tool_span(
    tool_name: str, step: int, job_id: str, check_id: str, *, call_id: str | None = None,
) -> AbstractContextManager[Span]:
    """Span one tool call: a GenAI `execute_tool` span (arguments and output never recorded)."""
    return _span(f"execute_tool {tool_name}", {
        "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool_name,
        "gen_ai.tool.type": "function", "gen_ai.tool.call.id": call_id,
        "caseworker.job_id": job_id, "caseworker.check_id": check_id,
        "caseworker.tool.step": step,
    })


def set_outcome(span: Span, status: str, *, error_type: str | None = None) -> None:
    """Note how a check ended on its span; status `error` marks the span failed without raising.

    `error_type` (say the failure's code) goes to `error.type`; no message is recorded, as
    messages may quote case data.
    """
    span.set_attribute("caseworker.check.status", status)
    if status == "error" or error_type is not None:
        span.set_attribute("error.type", error_type or "check_error")
        span.set_status(Status(StatusCode.ERROR))
