"""Run a labelled dataset through the real runtime under one model configuration (pydantic-evals).

Each case is submitted as a job to the workers and awaited; pydantic-evals bounds how many
are in flight, records failures and times each case, and its evaluators label every outcome.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import redis
from pydantic import BaseModel
from pydantic_evals import Case as EvalCase
from pydantic_evals import Dataset as EvalDataset
from pydantic_evals.evaluators import ConfusionMatrixEvaluator, Evaluator, EvaluatorContext
from pydantic_evals.reporting import EvaluationReport

from caseworker.agents.coordinator import submit
from caseworker.domain.job import JobStatus
from caseworker.eval.dataset import Dataset, LabelledCase
from caseworker.exceptions import AuthoringError
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition
from caseworker.sop.spec import ModelEntry

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Configuration:
    """One model configuration to evaluate: its name and the model chain it gives the agent."""

    name: str
    chain: list[ModelEntry] = field(default_factory=list)  # empty: the agent's own

    @classmethod
    def parse(cls, text: str) -> Configuration:
        """Read `--model`: `spec`, `rules`, `openai:gpt-4.1` or `NAME@http://host:port/v1`.

        `spec` keeps the agent's own chain; several models joined by `,` make a chain.
        """
        if text == "spec":
            return cls("spec")
        chain = []
        for part in (p.strip() for p in text.split(",")):
            name, at, base_url = part.partition("@")
            if not name or (at and not base_url.startswith(("http://", "https://"))):
                raise AuthoringError(f"--model {text!r}: expected rules, provider:model or "
                                     "name@http://host:port/v1, joined by commas")
            chain.append(ModelEntry(model=name, base_url=base_url or None))
        return cls(text, chain)

    def apply(self, definition: AgentDefinition) -> AgentDefinition:
        """Return the agent with this configuration's model chain."""
        if not self.chain:
            return definition
        spec = definition.spec.model_copy(update={"model": self.chain})
        return definition.model_copy(update={"spec": spec})


class CaseRun(BaseModel):
    """What one case's job came to: its decision, each check's status, cost and timing."""

    job_id: str
    status: JobStatus
    decision: str | None  # approve / review / reject; None when the job did not complete
    checks: dict[str, str]  # check id -> pass / review / fail / error
    error: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    latency_s: float  # submitted to finished
    processing_s: float | None  # first check started to finished


@dataclass
class DecisionLabel(Evaluator[LabelledCase, CaseRun, dict[str, Any]]):
    """Label each outcome with its decision ("none" when the job did not complete)."""

    def evaluate(self, ctx: EvaluatorContext[LabelledCase, CaseRun, dict[str, Any]]
                 ) -> dict[str, str]:
        return {"decision": ctx.output.decision or "none"}


def _run_task(conn: redis.Redis, definition: AgentDefinition, timeout: float) -> Any:
    store = JobStore(conn)

    async def run_case(labelled: LabelledCase) -> CaseRun:
        submitted = time.monotonic()
        job_id = await asyncio.to_thread(submit, conn, definition, labelled.case)
        while True:
            status = await asyncio.to_thread(store.status, job_id)
            if status.finished:
                break
            if time.monotonic() - submitted > timeout:
                raise TimeoutError(f"case {labelled.id}: job {job_id} did not finish in "
                                   f"{timeout:g}s")
            await asyncio.sleep(POLL_SECONDS)
        job = await asyncio.to_thread(store.get, job_id)
        usage = await asyncio.to_thread(store.usage, job_id)
        finished = job.finished_at or dt.datetime.now(dt.UTC)
        return CaseRun(
            job_id=job_id, status=job.status,
            decision=job.recommendation.value if job.recommendation else None,
            checks={c: r.status.value for c, r in job.results.items()},
            error=job.error, input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd, latency_s=time.monotonic() - submitted,
            processing_s=(finished - job.started_at).total_seconds() if job.started_at else None,
        )

    return run_case


@dataclass
class ConfigurationRun:
    """One configuration's evaluation: pydantic-evals' report and the wall time it took."""

    configuration: Configuration
    report: EvaluationReport[LabelledCase, CaseRun, dict[str, Any]]
    wall_s: float


def evaluate(
    conn: redis.Redis, definition: AgentDefinition, dataset: Dataset,
    configuration: Configuration, *, concurrency: int, timeout: float = 600.0,
) -> ConfigurationRun:
    """Run every case of `dataset` under `configuration`, `concurrency` jobs in flight."""
    cases = [EvalCase(name=c.id, inputs=c, metadata={"decision": c.expected.decision.value,
                                                     "family": c.family, "split": c.split})
             for c in dataset.cases]
    suite: EvalDataset[LabelledCase, CaseRun, dict[str, Any]] = EvalDataset(
        name=dataset.name, cases=cases, evaluators=[DecisionLabel()],
        report_evaluators=[ConfusionMatrixEvaluator(
            predicted_from="labels", predicted_key="decision",
            expected_from="metadata", expected_key="decision", title="Decisions")],
    )
    started = time.monotonic()
    evaluation = suite.evaluate(_run_task(conn, configuration.apply(definition), timeout),
                                name=configuration.name, max_concurrency=concurrency,
                                progress=False)
    # On a thread of its own: the caller's thread may already run an event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        report = thread.submit(asyncio.run, evaluation).result()
    return ConfigurationRun(configuration, report, time.monotonic() - started)
