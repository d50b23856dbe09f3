"""Prompt tokens per case: coordinator-worker agents against one monolithic agent.

Both sides see the same example cases and get the same tool outputs from the same tools,
driven by deterministic models (the `rules` model for the workers; a FunctionModel that makes
the same plan calls for the monolith). Every model request is counted whole, as a provider
would bill it: the instructions, the tool definitions and every message so far, with
pydantic-ai's token estimator on both sides. The benchmark exits non-zero when the two sides
saw different tool outputs, a check ended in error or a count is not positive.

Usage: python benchmarks/context_tokens.py [--quick] [--out FILE]
Prints a table and the ratio; writes benchmarks/results/context_tokens.json (`--quick`: two
cases covering every document type, written only with `--out`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_ai import Agent, Tool
from pydantic_ai._utils import estimate_string_tokens
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from caseworker.agents.plan_args import resolve_args
from caseworker.agents.rules_model import rules_model
from caseworker.agents.verdict import CheckVerdict
from caseworker.agents.worker import CheckRun, run_check
from caseworker.domain.case import Case, load_case
from caseworker.domain.plan import PlanStep
from caseworker.domain.results import CheckStatus
from caseworker.runtime.connection import EmbeddedRedis, connect
from caseworker.runtime.memory import JobMemory
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition, load_agent
from caseworker.tools.base import EvidenceDraft, ToolContext
from caseworker.tools.registry import ToolRegistry, default_registry

ROOT = Path(__file__).resolve().parent.parent
AGENT = ROOT / "agents" / "kyb"
RESULTS = ROOT / "benchmarks" / "results" / "context_tokens.json"
# incorporation and ownership documents; incorporation and proof of address
QUICK_CASES = ("de-gmbh-wholesale-clean", "uk-agritech-kenya-operations")

Outputs = dict[str, dict[str, Any]]  # check id -> step name -> tool output


class PromptMeter:
    """Counts the prompt tokens of every request a FunctionModel receives."""

    def __init__(self) -> None:
        self.tokens = 0

    def count(self, messages: list[ModelMessage], info: AgentInfo) -> None:
        tools = [[t.name, t.description, t.parameters_json_schema]
                 for t in [*info.function_tools, *info.output_tools]]
        texts = [info.instructions or "", json.dumps(tools)]
        for message in messages:
            if isinstance(message, ModelRequest):
                texts += [p.model_response_str() if isinstance(p, ToolReturnPart)
                          else str(getattr(p, "content", "")) for p in message.parts]
            else:
                texts += [json.dumps(p.args) if isinstance(p, ToolCallPart)
                          else str(getattr(p, "content", "")) for p in message.parts]
        self.tokens += sum(estimate_string_tokens(t) for t in texts)

    def wrap(self, model: FunctionModel) -> FunctionModel:
        """The same model, counted; it keeps its name (a worker treats `rules` differently)."""
        function = model.function
        assert function is not None

        def counted(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
            self.count(messages, info)
            response: ModelResponse = function(messages, info)
            return response

        return FunctionModel(counted, model_name=model.model_name)


def step_output(part: ToolReturnPart) -> Any:
    """The tool output inside a returned payload (`{"output": ..., "evidence": ...}`)."""
    content = json.loads(part.content) if isinstance(part.content, str) else part.content
    return content.get("output") if isinstance(content, dict) else content


def step_outputs(steps: list[tuple[str, PlanStep]], messages: list[ModelMessage]) -> Outputs:
    """The outputs of the plan steps returned so far, by check, as a worker keeps them."""
    returns = [p for m in messages for p in m.parts if isinstance(p, ToolReturnPart)]
    outputs: Outputs = {}
    for (check_id, step), part in zip(steps, returns, strict=False):
        outputs.setdefault(check_id, {})[step.name] = step_output(part)
    return outputs


def worker_tokens(conn: Any, definition: AgentDefinition, case: Case,
                  registry: ToolRegistry) -> tuple[int, Outputs]:
    """Prompt tokens of every worker agent of one job (each check in its own clean context)."""
    job_id = JobStore(conn).create(definition, case)
    meter = PromptMeter()
    outputs: Outputs = {}
    for check in definition.plan.checks:
        memory = JobMemory(conn, job_id, check.reads).view()
        rules = rules_model(check, memory)
        outcome = asyncio.run(run_check(CheckRun(
            conn=conn, job_id=job_id, spec=definition.spec, check=check, registry=registry,
            models=[meter.wrap(rules)])))
        if outcome.result.status == CheckStatus.error:
            raise SystemExit(f"worker {check.id}: {outcome.result.explanation}")
        outputs[check.id] = outcome.result.payload
    return meter.tokens, outputs


def monolith_tokens(definition: AgentDefinition, sop_text: str, case: Case,
                    registry: ToolRegistry) -> tuple[int, Outputs]:
    """Input tokens of one agent holding the whole SOP, the whole case and every tool."""
    memory = {"case": case.memory_view()}
    steps = [(check.id, step) for check in definition.plan.checks for step in check.plan]
    names = sorted({step.tool for _, step in steps})

    def tool(name: str) -> Tool[Any]:
        spec = registry.get(name)

        async def run(**kwargs: Any) -> dict[str, Any]:
            output = await spec.invoke(kwargs, ToolContext(registry=registry))
            drafts = getattr(output, "evidence", lambda: [])() or [
                EvidenceDraft(f"tool:{name}", output.model_dump_json())]
            evidence = [{"id": f"E{n}", "source": d.source, "quote": d.quote}
                        for n, d in enumerate(drafts, start=1)]
            # the same payload a worker's tool layer returns
            return {"output": output.model_dump(mode="json"),
                    "evidence_ids": [e["id"] for e in evidence], "evidence": evidence}

        return Tool.from_schema(run, name=spec.model_name, description=spec.description,
                                json_schema=spec.input_schema())

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        outputs = step_outputs(steps, messages)
        done = sum(len(check_outputs) for check_outputs in outputs.values())
        if done < len(steps):
            check_id, step = steps[done]
            # `$steps.<name>` is an earlier step of the same check, resolved as a worker does
            args = resolve_args(step.args, memory, outputs.get(check_id, {}))
            return ModelResponse(parts=[ToolCallPart(step.tool.replace(".", "_"), args)])
        verdicts = {check.id: {"status": "review", "answer": "Checked."}
                    for check in definition.plan.checks}
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {
            "recommendation": "review", "verdicts": verdicts})])

    class Decision(BaseModel):
        """The procedure's outcome: one verdict per check, as the workers give them."""

        recommendation: str
        verdicts: dict[str, CheckVerdict]

    spec = definition.spec
    meter = PromptMeter()
    agent: Agent[None, Decision] = Agent(
        meter.wrap(FunctionModel(respond)), output_type=Decision, tools=[tool(n) for n in names],
        instructions="\n\n".join([spec.profile, *spec.directives, sop_text]),
    )
    case_json = json.dumps(case.memory_view(), separators=(",", ":"))
    result = agent.run_sync(f"The case:\n<data>\n{case_json}\n</data>\nRun the procedure.",
                            usage_limits=None)
    return meter.tokens, step_outputs(steps, result.all_messages())


def measure(conn: Any, definition: AgentDefinition, sop_text: str, path: Path,
            registry: ToolRegistry) -> dict[str, Any]:
    """One case on both sides; refuses a comparison where the two saw different tool outputs."""
    case = load_case(path)
    workers, worker_outputs = worker_tokens(conn, definition, case, registry)
    monolith, monolith_outputs = monolith_tokens(definition, sop_text, case, registry)
    for check in definition.plan.checks:
        if worker_outputs.get(check.id) != monolith_outputs.get(check.id, {}):
            raise SystemExit(f"{path.stem}: {check.id}: the worker and the monolith saw "
                             "different tool outputs")
    if workers <= 0 or monolith <= 0:
        raise SystemExit(f"{path.stem}: no prompt tokens counted ({workers}, {monolith})")
    return {"case": path.stem, "coordinator_worker": workers, "monolithic": monolith,
            "ratio": round(workers / monolith, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"only {', '.join(QUICK_CASES)}; writes nothing unless --out")
    parser.add_argument("--out", type=Path, help=f"results file (default {RESULTS.name})")
    args = parser.parse_args()
    out: Path | None = args.out or (None if args.quick else RESULTS)

    registry = default_registry()
    definition = load_agent(AGENT, registry).definition
    sop_text = (AGENT / definition.spec.sop).read_text()
    cases = sorted(p for p in (ROOT / "examples" / "cases").glob("*.json")
                   if not p.name.endswith(".expected.json")
                   and (not args.quick or p.stem in QUICK_CASES))
    if not cases:
        raise SystemExit("no example cases found")
    rows = []
    with tempfile.TemporaryDirectory(prefix="cw-ctx-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis")
        conn = connect(server.start())
        try:
            for path in cases:
                row = measure(conn, definition, sop_text, path, registry)
                rows.append(row)
                print(f"{path.stem:40s} workers {row['coordinator_worker']:6d}  "
                      f"monolith {row['monolithic']:6d}  ratio {row['ratio']:.2f}")
        finally:
            server.stop()
    total_w = sum(r["coordinator_worker"] for r in rows)
    total_m = sum(r["monolithic"] for r in rows)
    figures = {
        "benchmark": "prompt (input) tokens per case, coordinator-worker vs monolithic agent",
        "agent": "agents/kyb", "cases": len(rows), "quick": args.quick,
        "coordinator_worker_tokens": total_w, "monolithic_tokens": total_m,
        "ratio": round(total_w / total_m, 3),
        "max_case_ratio": max(r["ratio"] for r in rows),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rows": rows,
    }
    print(f"\ntotal: coordinator-worker {total_w}, monolithic {total_m}, "
          f"ratio {figures['ratio']:.1%} (worst case {figures['max_case_ratio']:.1%})")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
