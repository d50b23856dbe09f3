"""Fault drills for `caseworker eval --faults`: model errors and unavailable tools at a rate.

`model=RATE` puts a fault proxy (fault_proxy.py: 429, 500, a hang past the client's timeout or
a body that does not parse) in front of every model entry that has a base URL; `tools=RATE`
makes that share of tool calls answer "unavailable" instead of running (the workers read it
from CASEWORKER_FAULT_TOOL_RATE, drawn per seed, job, check, tool and arguments, so a rerun of
the drill draws the same faults). Each configuration runs without faults first; the report
says how its decisions moved under them.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from caseworker.eval.fault_proxy import FAULT_KINDS, FaultProxy, run_fault_proxy
from caseworker.eval.metrics import LENIENCY, Summary
from caseworker.eval.runner import Configuration
from caseworker.exceptions import AuthoringError
from caseworker.settings import get_settings

# A model request's time limit in a drill: a "timeout" fault hangs a second longer than this,
# so a drill with hangs takes seconds, not minutes, per fault.
DRILL_TIMEOUT = 5.0


@dataclass(frozen=True)
class FaultSpec:
    """What to inject: `model=0.3,tools=0.1,seed=7,kinds=rate_limited+timeout`."""

    model: float = 0.0
    tools: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = field(default=FAULT_KINDS)

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Read `--faults`; a bad part is an error that names it."""
        values: dict[str, str] = {}
        for part in (p.strip() for p in text.split(",") if p.strip()):
            name, eq, value = part.partition("=")
            if not eq or name not in ("model", "tools", "seed", "kinds"):
                raise AuthoringError(f"--faults {text!r}: {part!r} is not model=, tools=, "
                                     "seed= or kinds=")
            values[name] = value
        try:
            spec = cls(model=float(values.get("model", 0)), tools=float(values.get("tools", 0)),
                       seed=int(values.get("seed", 0)),
                       kinds=tuple(values["kinds"].split("+")) if "kinds" in values
                       else FAULT_KINDS)
        except ValueError as exc:
            raise AuthoringError(f"--faults {text!r}: {exc}") from None
        for name, rate in (("model", spec.model), ("tools", spec.tools)):
            if not 0.0 <= rate <= 1.0:
                raise AuthoringError(f"--faults {text!r}: {name} must be between 0 and 1")
        if unknown := set(spec.kinds) - set(FAULT_KINDS):
            raise AuthoringError(f"--faults {text!r}: unknown kinds {sorted(unknown)}; "
                                 f"known: {'+'.join(FAULT_KINDS)}")
        if not spec.model and not spec.tools:
            raise AuthoringError(f"--faults {text!r}: give model= or tools= above 0")
        return spec

    @property
    def label(self) -> str:
        return f"faults(model={self.model:g},tools={self.tools:g},seed={self.seed})"


@contextmanager
def tool_faults(spec: FaultSpec) -> Iterator[None]:
    """Set the tool fault rate for the workers this process starts inside the block."""
    saved = {k: os.environ.get(k) for k in ("CASEWORKER_FAULT_TOOL_RATE", "CASEWORKER_FAULT_SEED")}
    os.environ["CASEWORKER_FAULT_TOOL_RATE"] = str(spec.tools)
    os.environ["CASEWORKER_FAULT_SEED"] = str(spec.seed)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


@dataclass
class Drill:
    """The configurations under faults, and the proxies that inject the model faults."""

    configurations: list[Configuration]
    proxies: dict[str, FaultProxy]  # model base URL -> its proxy

    def model_faults(self) -> dict[str, int]:
        """Count the model faults injected so far, by kind."""
        counts: Counter[str] = Counter()
        for proxy in self.proxies.values():
            counts.update(proxy.faults)
        return dict(sorted(counts.items()))


@contextmanager
def model_faults(configurations: Sequence[Configuration], spec: FaultSpec) -> Iterator[Drill]:
    """Yield the configurations with a fault proxy before each model that has a base URL."""
    with ExitStack() as stack:
        proxies: dict[str, FaultProxy] = {}
        faulty = []
        for configuration in configurations:
            chain = []
            for entry in configuration.chain:
                url = entry.base_url
                if not url or not spec.model:
                    chain.append(entry)
                    continue
                if url not in proxies:
                    proxies[url] = stack.enter_context(run_fault_proxy(
                        url.rstrip("/").removesuffix("/v1"), rate=spec.model, seed=spec.seed,
                        kinds=spec.kinds, hang=DRILL_TIMEOUT + 1.0))
                chain.append(entry.model_copy(update={
                    "base_url": proxies[url].base_url,
                    "timeout": min(entry.timeout, DRILL_TIMEOUT)}))
            faulty.append(Configuration(f"{configuration.name} {spec.label}", chain))
        yield Drill(faulty, proxies)


class Moved(BaseModel):
    """One case whose decision the faults changed."""

    case_id: str
    before: str
    after: str
    direction: str = Field(description="stricter, more_lenient or not_completed")


class FaultMovement(BaseModel):
    """How one configuration's decisions moved under faults, against its fault-free run."""

    configuration: str
    faults: str
    cases: int
    completed: int
    moved: list[Moved]
    model_faults: dict[str, int] = Field(
        default_factory=dict, description="Model faults injected in the drill, by kind")

    tools_faulted: bool = Field(default=False, description="The drill failed tool calls too")

    @property
    def more_lenient(self) -> list[str]:
        return [m.case_id for m in self.moved if m.direction == "more_lenient"]

    def problems(self) -> list[str]:
        """List what the drill must not show, each naming the cases; empty when it held.

        A case must complete, and never move to approve. A decision must not become more
        lenient under model faults (the rules still decide); with tool faults, a reject that
        becomes a review is the designed degradation (no evidence, no rejection: a person
        looks) and is reported, not failed.
        """
        found = []
        if unfinished := [m.case_id for m in self.moved if m.direction == "not_completed"]:
            found.append(f"did not complete: {', '.join(unfinished)}")
        if approved := [m.case_id for m in self.moved if m.after == "approve"]:
            found.append(f"approved under faults: {', '.join(approved)}")
        if self.more_lenient and not self.tools_faulted:
            found.append(f"more lenient under model faults: {', '.join(self.more_lenient)}")
        return found


def movement(reference: Summary, faulty: Summary, spec: FaultSpec,
             model_faults: dict[str, int]) -> FaultMovement:
    """Compare a configuration's run under faults with its fault-free run, case by case."""
    moved = []
    for case_id, before in sorted(reference.decisions.items()):
        after = faulty.decisions.get(case_id, "none")
        if after == before:
            continue
        if after == "none":
            direction = "not_completed"
        elif before == "none" or LENIENCY[after] < LENIENCY[before]:
            direction = "stricter"
        else:
            direction = "more_lenient"
        moved.append(Moved(case_id=case_id, before=before, after=after, direction=direction))
    return FaultMovement(configuration=reference.configuration, faults=spec.label,
                         cases=faulty.cases, completed=faulty.completed, moved=moved,
                         model_faults=model_faults, tools_faulted=spec.tools > 0)
