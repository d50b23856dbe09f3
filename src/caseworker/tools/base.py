"""The tool interface: a typed function with a name, a description and run-time metadata."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

from pydantic import BaseModel, ValidationError

from caseworker.exceptions import CheckTimeout, ToolInputInvalid

if TYPE_CHECKING:
    from caseworker.tools.registry import ToolRegistry


@dataclass(frozen=True)
class EvidenceDraft:
    """Evidence a tool offers for its output; the runtime gives it a stable id."""

    source: str
    quote: str


class ToolOutput(BaseModel):
    """Base for tool outputs; override `evidence()` to cite what the output rests on."""

    def evidence(self) -> list[EvidenceDraft]:
        return []


@dataclass
class ToolContext:
    """What a running tool may know about where it runs; `registry` lets tools compose."""

    job_id: str | None = None
    check_id: str | None = None
    registry: ToolRegistry | None = None
    extra: dict[str, Any] = field(default_factory=dict)


In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)
ToolFunction = Callable[[Any, ToolContext], Any]


@dataclass(frozen=True)
class ToolSpec:
    """A registered tool. `name` is dotted (`risk.country`); models see `model_name`."""

    name: str
    description: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    function: ToolFunction
    idempotent: bool = True
    side_effects: bool = False
    timeout: float = 30.0
    prepare: Callable[[], object] | None = None

    @property
    def model_name(self) -> str:
        """The name a model calls the tool by (providers allow only `[A-Za-z0-9_-]`)."""
        return self.name.replace(".", "_")

    def input_schema(self) -> dict[str, Any]:
        return self.input_model.model_json_schema()

    def validate_input(self, args: dict[str, Any]) -> BaseModel:
        try:
            return self.input_model.model_validate(args)
        except ValidationError as exc:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(args)'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ToolInputInvalid(f"invalid arguments for tool '{self.name}': {details}") from exc

    async def invoke(self, args: dict[str, Any], context: ToolContext) -> BaseModel:
        """Validate `args`, run the tool within its timeout and validate what it returns."""
        validated = self.validate_input(args)
        try:
            if inspect.iscoroutinefunction(self.function):
                coro: Awaitable[Any] = self.function(validated, context)
            else:
                coro = in_daemon_thread(self.function, validated, context)
            output = await asyncio.wait_for(coro, timeout=self.timeout)
        except TimeoutError as exc:
            raise CheckTimeout(f"tool '{self.name}' timed out after {self.timeout}s") from exc
        return self.output_model.model_validate(output)


def in_daemon_thread(function: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """Run a blocking function in a daemon thread of its own; await its result.

    Unlike `asyncio.to_thread`, a call that never returns (a tool stuck on a dead connection)
    holds nothing up once its timeout has passed: neither the end of the check's event loop,
    which would wait for the default executor's threads, nor the worker's exit.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()  # spans and other context vars, as to_thread does

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def target() -> None:
        try:
            result = context.run(function, *args)
        except BaseException as exc:  # handed to the awaiting coroutine, raised there
            error = exc
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
                loop.call_soon_threadsafe(settle, lambda: future.set_exception(error))
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, lambda: future.set_result(result))

    threading.Thread(target=target, name=f"tool-{getattr(function, '__name__', 'call')}",
                     daemon=True).start()
    return future


def _describe(function: Callable[..., Any]) -> str:
    doc = inspect.getdoc(function)
    if not doc:
        raise TypeError(f"tool function {function.__qualname__} needs a docstring: models read it")
    return doc


def tool(
    name: str,
    *,
    idempotent: bool = True,
    side_effects: bool = False,
    timeout: float = 30.0,
    prepare: Callable[[], object] | None = None,
) -> Callable[[Callable[[In, ToolContext], Out | Awaitable[Out]]], ToolSpec]:
    """Declare a tool from a function `(input: InModel, context: ToolContext) -> OutModel`.

    The docstring becomes the description a model reads; the input model's field
    descriptions document the arguments. `prepare`, if given, loads the tool's data; workers
    call it at start-up so a broken data file fails the worker, not a job.
    """

    def wrap(function: Callable[[In, ToolContext], Out | Awaitable[Out]]) -> ToolSpec:
        hints = get_type_hints(function)
        params = list(inspect.signature(function).parameters)
        if not params:
            raise TypeError(f"tool {name}: the function must take an input model")
        input_model = hints.get(params[0])
        output_model = hints.get("return")
        if not (isinstance(input_model, type) and issubclass(input_model, BaseModel)):
            raise TypeError(f"tool {name}: first parameter must be annotated with a pydantic model")
        if not (isinstance(output_model, type) and issubclass(output_model, BaseModel)):
            raise TypeError(f"tool {name}: return type must be a pydantic model")
        return ToolSpec(
            name=name,
            description=_describe(function),
            input_model=input_model,
            output_model=output_model,
            function=function,
            idempotent=idempotent,
            side_effects=side_effects,
            timeout=timeout,
            prepare=prepare,
        )

    return wrap
