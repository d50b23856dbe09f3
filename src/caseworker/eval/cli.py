"""`caseworker eval` and `caseworker replay`: datasets and stored jobs under a new SOP or model."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from caseworker.exceptions import AuthoringError, CaseworkerError
from caseworker.logs import configure
from caseworker.settings import get_settings

if TYPE_CHECKING:
    from caseworker.eval.dataset import Dataset
    from caseworker.eval.faults import FaultMovement, FaultSpec
    from caseworker.eval.metrics import Summary
    from caseworker.eval.replay import ReplayDiff
    from caseworker.eval.runner import Configuration
    from caseworker.sop.agent import AgentDefinition

console = Console()
errors = Console(stderr=True, soft_wrap=True)
GATE_FAILED = 1
INVALID = 2
RUNTIME = 3
UNFINISHED = 4
CHANGED = 10


def evaluate(
    dataset: Annotated[Path, typer.Argument(help="A dataset directory (holding dataset.jsonl)")],
    *,
    agent: Annotated[Path, typer.Option(help="Agent directory or its agent.yaml")] = Path(
        "agents/kyb"),
    model: Annotated[list[str] | None, typer.Option(
        help="A configuration: `spec` (the agent's own), `rules`, `openai:gpt-4.1`, "
             "`NAME@http://host:port/v1`, or several joined by commas (a chain). Repeat to "
             "compare configurations side by side")] = None,
    split: Annotated[str, typer.Option(help="all, dev or holdout")] = "all",
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N cases")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (default CASEWORKER_WORKERS)")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs in flight at once")] = 4,
    timeout: Annotated[float, typer.Option(help="Seconds one case may take")] = 600.0,
    out: Annotated[Path, typer.Option(
        help="Directory for results.json, summary.md and report.html")] = Path("caseworker-eval"),
    baseline: Annotated[Path | None, typer.Option(
        help="Gate: fail (exit 1) on any false approval or an accuracy below this file's")] = None,
    write_baseline: Annotated[Path | None, typer.Option(
        help="Write the first configuration's figures as the new baseline file")] = None,
    faults: Annotated[str | None, typer.Option(
        help="Also run each configuration under faults, e.g. model=0.3,tools=0.1,seed=7 "
             "(model errors before every model with a base URL; tool calls answered "
             "unavailable), and report how decisions moved")] = None,
) -> None:
    """Run every case of DATASET under each --model: accuracy, false approvals, cost, latency.

    Exit codes: 0 done (and the gate passed), 1 the gate failed, or under --faults a case did
    not complete, moved to approve, or became more lenient under model faults alone, 2 invalid
    input, 3 runtime error.
    """
    from caseworker.eval.faults import FaultSpec
    from caseworker.eval.gate import load_baseline

    configure()
    with _exit_codes():
        if split not in ("all", "dev", "holdout"):
            raise AuthoringError(f"--split {split!r}: expected all, dev or holdout")
        gate_with = load_baseline(baseline) if baseline else None
        drill = FaultSpec.parse(faults) if faults else None
        loaded, summaries, skipped, agent_name = _run(
            dataset, agent, model or ["spec"], split=split, limit=limit, workers=workers,
            concurrency=concurrency, timeout=timeout)
        drilled, moved = _drill(
            dataset, agent, model or ["spec"], summaries, drill, split=split, limit=limit,
            workers=workers, concurrency=concurrency, timeout=timeout) if drill else ([], [])
        summaries += drilled
    _write(out, loaded, summaries, split=split, agent=agent_name, skipped=skipped, moved=moved)
    problems = [f"{m.configuration}: {p}" for m in moved for p in m.problems()]
    for problem in problems:
        errors.print(f"[red]faults:[/red] {problem}", markup=True, highlight=False)
    if problems:
        raise typer.Exit(GATE_FAILED)
    if write_baseline:
        from caseworker.eval.gate import Baseline

        write_baseline.write_text(
            Baseline.of(summaries[0], loaded.name).model_dump_json(indent=2) + "\n")
    if gate_with is not None:
        from caseworker.eval.gate import gate

        mine = next((s for s in summaries if s.configuration == gate_with.configuration),
                    summaries[0])
        problems = gate(mine, gate_with)
        for problem in problems:
            errors.print(f"[red]gate:[/red] {problem}", markup=True, highlight=False)
        if problems:
            raise typer.Exit(GATE_FAILED)


@contextmanager
def _exit_codes() -> Iterator[None]:
    """Print an authoring mistake and exit 2, or a runtime failure and exit 3."""
    try:
        yield
    except AuthoringError as exc:
        errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(INVALID) from exc
    except CaseworkerError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(RUNTIME) from exc


def _drill(
    dataset: Path, agent: Path, models: list[str], reference: list[Summary], drill: FaultSpec,
    *, split: str, limit: int | None, workers: int | None, concurrency: int, timeout: float,
) -> tuple[list[Summary], list[FaultMovement]]:
    """Run each configuration again under `drill` and compare it with its fault-free run.

    Fresh local workers read the tool fault rate. Returns the drill's summaries and how each
    configuration's decisions moved.
    """
    from caseworker.eval.faults import model_faults, movement, tool_faults
    from caseworker.eval.runner import Configuration

    if workers == 0 and drill.tools:
        raise AuthoringError("--faults tools=... needs local workers (--workers 1 or more)")
    summaries, moved = [], []
    with tool_faults(drill):
        for name, fault_free in zip(models, reference, strict=True):
            with model_faults([Configuration.parse(name)], drill) as faulty:
                _, (drilled,), _, _ = _run(
                    dataset, agent, [], split=split, limit=limit, workers=workers,
                    concurrency=concurrency, timeout=timeout,
                    configurations=faulty.configurations)
                moved.append(movement(fault_free, drilled, drill, faulty.model_faults()))
            summaries.append(drilled)
    return summaries, moved


def _run(
    dataset: Path, agent: Path, models: list[str], *, split: str, limit: int | None,
    workers: int | None, concurrency: int, timeout: float,
    configurations: list[Configuration] | None = None,
) -> tuple[Dataset, list[Summary], int, str]:
    """Run the dataset's cases under each configuration on a local runtime."""
    from caseworker.eval.dataset import load_dataset
    from caseworker.eval.metrics import summarize
    from caseworker.eval.runner import Configuration
    from caseworker.eval.runner import evaluate as run_configuration
    from caseworker.runtime.connection import connect
    from caseworker.runtime.local import LocalRuntime
    from caseworker.sop.agent import load_agent
    from caseworker.tools.registry import default_registry

    settings = get_settings()
    configurations = configurations or [Configuration.parse(m) for m in models]
    loaded, bad_rows = load_dataset(dataset)
    for row in bad_rows:
        errors.print(f"[yellow]skipped:[/yellow] {row}", highlight=False)
    cases = [c for c in loaded.cases if split in ("all", c.split)][:limit]
    if not cases:
        raise AuthoringError(f"{dataset}: no case in split {split!r}")
    definition = load_agent(agent, default_registry()).definition
    summaries = []
    with LocalRuntime(settings.redis_url, settings.data_dir,
                      settings.workers if workers is None else workers) as runtime:
        subset = loaded.model_copy(update={"cases": cases})
        with connect(runtime.url) as conn:
            for configuration in configurations:
                console.print(f"{configuration.name}: {len(cases)} cases …", highlight=False)
                ran = run_configuration(conn, definition, subset, configuration,
                                        concurrency=concurrency, timeout=timeout)
                summaries.append(summarize(ran, cases))
    return subset, summaries, len(bad_rows), definition.spec.name


def _write(out: Path, dataset: Dataset, summaries: list[Summary], *, split: str, agent: str,
           skipped: int, moved: list[FaultMovement]) -> None:
    """Write results.json and summary.md under `out`, and print the summary."""
    from caseworker.eval.metrics import summary_json
    from caseworker.eval.report import render_markdown
    from caseworker.eval.report_html import render_html

    out.mkdir(parents=True, exist_ok=True)
    meta = {"dataset": dataset.name, "version": dataset.version, "seed": dataset.seed,
            "split": split, "agent": agent, "skipped_rows": skipped}
    results = summary_json(summaries, meta)
    if moved:
        results["fault_drills"] = [m.model_dump(mode="json") for m in moved]
    (out / "results.json").write_text(json.dumps(results, indent=2))
    markdown = render_markdown(summaries, dataset=dataset.name, agent=agent, split=split)
    markdown += "".join(_movement_markdown(m) for m in moved)
    (out / "summary.md").write_text(markdown)
    (out / "report.html").write_text(render_html(summaries, dataset=dataset.name, agent=agent,
                                                 split=split))
    console.print(markdown, markup=False, highlight=False)
    console.print(f"Results: {out / 'results.json'}  {out / 'summary.md'}  "
                  f"{out / 'report.html'}", highlight=False)


def _movement_markdown(m: FaultMovement) -> str:
    """Say, as a Markdown section, how one configuration's decisions moved under faults."""
    lines = [f"\n## `{m.configuration}` under {m.faults}\n",
             f"{m.completed} of {m.cases} cases completed; {len(m.moved)} decisions moved, "
             f"{len(m.more_lenient)} more lenient than without faults; model faults injected: "
             f"{', '.join(f'{k} {v}' for k, v in m.model_faults.items()) or 'none'}.\n"]
    lines += [f"- `{x.case_id}`: {x.before} -> {x.after} ({x.direction.replace('_', ' ')})"
              for x in m.moved]
    return "\n".join(lines) + "\n"


def replay(
    jobs: Annotated[list[str] | None, typer.Argument(help="Stored job ids to replay")] = None,
    *,
    since: Annotated[dt.datetime | None, typer.Option(
        help="Replay every completed job created from this time (ISO 8601)")] = None,
    until: Annotated[dt.datetime | None, typer.Option(help="... up to this time")] = None,
    agent: Annotated[Path | None, typer.Option(
        help="Agent directory or spec to replay under (default: each job's own)")] = None,
    sop: Annotated[Path | None, typer.Option(help="Another SOP file (a new version)")] = None,
    model: Annotated[str | None, typer.Option(
        help="Another model: `rules`, `openai:gpt-4.1`, `NAME@http://host:port/v1`, or a "
             "chain joined by commas")] = None,
    live_tools: Annotated[bool, typer.Option(
        help="Run every tool again instead of answering from the recorded outputs")] = False,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (default CASEWORKER_WORKERS; 0 with remote workers)")]
    = None,
    timeout: Annotated[float, typer.Option(help="Seconds one replay may take")] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diffs as JSON")] = False,
) -> None:
    """Re-run stored jobs from their recorded case and tool outputs under a new SOP or model.

    Prints, per job, the decision before and after and every check whose status changed, with
    the replay's answer. Exit codes: 0 nothing changed, 10 something changed, 2 invalid input,
    3 runtime error, 4 a replay did not finish within --timeout.
    """
    from caseworker.eval.replay import replay_all, stored_jobs
    from caseworker.runtime.connection import connect
    from caseworker.runtime.local import LocalRuntime

    configure()
    settings = get_settings()
    with _exit_codes():
        if not jobs and since is None and until is None:
            raise AuthoringError("name the jobs to replay, or a time range (--since/--until)")
        definition = _replay_definition(agent, sop, model)
        with LocalRuntime(settings.redis_url, settings.data_dir,
                          settings.workers if workers is None else workers) as runtime, \
                connect(runtime.url) as conn:
            chosen = list(jobs or []) or stored_jobs(
                conn, since=since, until=until,
                agent=definition.spec.name if definition is not None else None)
            if not chosen:
                raise AuthoringError("no completed job in that time range")
            diffs = replay_all(conn, chosen, definition, reuse_tools=not live_tools,
                               timeout=timeout)
    if as_json:
        console.print_json(json.dumps([d.model_dump(mode="json") for d in diffs]))
    else:
        _print_diffs(diffs)
    if any(not d.status.finished for d in diffs):
        raise typer.Exit(UNFINISHED)
    if any(d.any_change for d in diffs):
        raise typer.Exit(CHANGED)


def _replay_definition(agent: Path | None, sop: Path | None, model: str | None
                       ) -> AgentDefinition | None:
    """Build the definition to replay under, or None for each job's own."""
    from caseworker.eval.runner import Configuration
    from caseworker.sop.agent import load_agent, with_sop
    from caseworker.tools.registry import default_registry

    if agent is None and (sop is not None or model is not None):
        raise AuthoringError("--sop and --model need --agent: the agent whose SOP or model "
                             "changes")
    if agent is None:
        return None
    definition = load_agent(agent, default_registry()).definition
    if sop is not None:
        definition = with_sop(definition, sop, default_registry())
    return Configuration.parse(model).apply(definition) if model else definition


def _print_diffs(diffs: list[ReplayDiff]) -> None:
    """One block per job: the decision before and after, then each changed check."""
    for d in diffs:
        moved = "unchanged" if not d.decision_changed else "changed"
        console.print(f"[bold]{d.case_id}[/bold]  job {d.source_job} -> replay {d.replay_job}: "
                      f"{d.decision_before} -> {d.decision_after} ({moved}; "
                      f"{d.tools_rerun} tool calls not in the record)", highlight=False)
        if not d.status.finished:
            console.print(f"  the replay did not finish ({d.status.value})", highlight=False)
        for c in d.changed:
            console.print(f"  {c.check_id}: {c.before} -> {c.after}  {c.why}", markup=False,
                          highlight=False)
    changed = sum(d.any_change for d in diffs)
    console.print(f"{len(diffs)} jobs replayed, {changed} changed", highlight=False)
