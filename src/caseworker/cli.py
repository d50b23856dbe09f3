"""The `caseworker` command line: run, worker, validate, schema, screening and documents."""

from __future__ import annotations

import json
import sys
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from caseworker.api.cli import keys_app, serve
from caseworker.checks.documents import cli as documents_cli
from caseworker.checks.screening.cli import lists_app, screen
from caseworker.eval import cli as eval_cli
from caseworker.exceptions import AuthoringError, CaseworkerError, JobFailed
from caseworker.logs import configure
from caseworker.settings import get_settings

app = typer.Typer(
    help="Run compliance SOPs as AI agents on a durable Redis + RQ runtime.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(help="Print JSON Schemas of caseworker's formats.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
audit_app = typer.Typer(help="Inspect and verify jobs' audit trails.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(lists_app, name="lists")
app.add_typer(keys_app, name="keys")
app.command("serve")(serve)
app.command("screen")(screen)
app.command("extract")(documents_cli.extract)
app.command("verify")(documents_cli.verify)
app.command("inspect")(documents_cli.inspect)
app.command("eval")(eval_cli.evaluate)
app.command("replay")(eval_cli.replay)
console = Console()
errors = Console(stderr=True, soft_wrap=True)


class ExitCode(IntEnum):
    """`caseworker run` exit codes: the recommendation, or what went wrong."""

    approve = 0
    invalid_input = 2  # the case, SOP or spec is invalid
    runtime_error = 3  # Redis, workers or configuration failed
    job_failed = 4  # the job ended failed, or did not finish in time
    audit_broken = 5  # `audit verify`: the trail was altered
    review = 10
    reject = 20
    interrupted = 130


@app.command()
def run(
    agent: Annotated[Path, typer.Argument(help="Agent directory or its agent.yaml")],
    case: Annotated[Path, typer.Argument(help="Case JSON file")],
    *,
    out: Annotated[Path, typer.Option(help="Directory for the JSON and Markdown reports")] = Path(
        "caseworker-reports"
    ),
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default CASEWORKER_WORKERS)")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the decision")] = 600.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the decision")] = False,
) -> None:
    """Run AGENT on CASE: live progress per check, reports written, exit code by recommendation.

    Exit codes: 0 approve, 10 review, 20 reject; 2 invalid input, 3 runtime error,
    4 job failed or timed out, 130 interrupted.
    """
    from caseworker.runtime.local import LocalRuntime

    configure()
    settings = get_settings()
    try:
        with LocalRuntime(settings.redis_url, settings.data_dir,
                          settings.workers if workers is None else workers) as runtime:
            from caseworker.runner import run_case

            outcome = run_case(runtime.url, agent, case, out=out, timeout=timeout,
                               console=None if quiet else console)
    except AuthoringError as exc:
        errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(ExitCode.invalid_input) from exc
    except JobFailed as exc:
        errors.print(f"[red]job failed:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.job_failed) from exc
    except CaseworkerError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.runtime_error) from exc
    except KeyboardInterrupt as exc:
        raise typer.Exit(ExitCode.interrupted) from exc
    console.print(f"Decision: [bold]{outcome.recommendation.value.upper()}[/bold] "
                  f"({outcome.reason})")
    console.print(f"Report: {outcome.markdown_path}  {outcome.json_path}", highlight=False)
    raise typer.Exit(ExitCode[outcome.recommendation.value])


@app.command()
def worker(
    url: Annotated[str | None, typer.Option(help="Redis URL (default REDIS_URL)")] = None,
    burst: Annotated[bool, typer.Option(help="Exit when the queue is empty")] = False,
    processes: Annotated[int, typer.Option(
        min=1, help="Worker processes forked from this one and re-forked when they exit")] = 1,
) -> None:
    """Run a worker that takes checks from the queue of the Redis at REDIS_URL."""
    from caseworker.runtime.worker import run_worker

    configure("INFO")
    target = url or get_settings().redis_url
    if not target:
        errors.print("error: set REDIS_URL (or pass --url) to the Redis the jobs live in")
        raise typer.Exit(ExitCode.runtime_error)
    if processes > 1:
        if burst:
            errors.print("error: --burst runs one process; leave out --processes")
            raise typer.Exit(ExitCode.invalid_input)
        from caseworker.runtime.prefork import run_prefork

        run_prefork(target, processes)
        return
    run_worker(target, burst=burst)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Agent directories, spec files or SOPs")],
) -> None:
    """Lint agents and SOPs: every problem with file, line and check id; exit 2 if any."""
    from caseworker.sop.agent import validate_path
    from caseworker.tools.registry import default_registry

    registry = default_registry()
    failed = False
    for path in paths:
        problems = validate_path(path, registry)
        if problems:
            failed = True
            for problem in problems:
                errors.print(f"{problem}", highlight=False, markup=False)
        else:
            console.print(f"{path}: ok", highlight=False)
    if failed:
        raise typer.Exit(ExitCode.invalid_input)


@audit_app.command("verify")
def audit_verify(job_id: Annotated[str, typer.Argument(help="The job's id")]) -> None:
    """Recompute every hash of a job's audit trail; exit 5 if any record was altered."""
    from caseworker.runtime import audit
    from caseworker.runtime.local import LocalRuntime
    from caseworker.runtime.store import JobStore

    settings = get_settings()
    with LocalRuntime(settings.redis_url, settings.data_dir, 0) as runtime:
        from caseworker.runtime.connection import connect

        conn = connect(runtime.url)
        if not JobStore(conn).exists(job_id):
            errors.print(f"error: no job '{job_id}'")
            raise typer.Exit(ExitCode.invalid_input)
        result = audit.verify(conn, job_id)
    if result.ok:
        console.print(f"audit trail of job {job_id}: ok, {result.records} records, "
                      f"head {result.head_hash}", highlight=False)
        return
    errors.print(f"audit trail of job {job_id} is broken at record {result.first_bad_seq}: "
                 f"{result.problem}", highlight=False)
    raise typer.Exit(ExitCode.audit_broken)


@app.command()
def operations(
    count: Annotated[int, typer.Option(min=1, help="How many of the newest records")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """Show the operations log: workers that exited, were restarted or rejoined after an outage."""
    from caseworker.runtime import operations as log
    from caseworker.runtime.connection import connect
    from caseworker.runtime.local import LocalRuntime

    settings = get_settings()
    with LocalRuntime(settings.redis_url, settings.data_dir, 0) as runtime:
        records = log.recent(connect(runtime.url), count)
    for record in records:
        if as_json:
            print(record.model_dump_json())
        else:
            details = " ".join(f"{k}={v}" for k, v in record.data.items())
            console.print(f"{record.ts:%Y-%m-%d %H:%M:%S} {record.host} {record.type.value} "
                          f"{details}", highlight=False, markup=False)


@schema_app.command("case")
def schema_case() -> None:
    """Print the JSON Schema of a case."""
    from caseworker.domain.case import Case

    sys.stdout.write(json.dumps(Case.model_json_schema(), indent=2) + "\n")


@schema_app.command("result")
def schema_result() -> None:
    """Print the JSON Schema of a check result."""
    from caseworker.domain.results import CheckResult

    sys.stdout.write(json.dumps(CheckResult.model_json_schema(), indent=2) + "\n")


def _planner_model_name(value: str) -> str:
    from caseworker.agents.rules_model import RULES_MODEL_NAME

    if value == RULES_MODEL_NAME:
        raise typer.BadParameter("`rules` replays written plans and cannot plan an SOP; "
                                 "choose an LLM such as `openai:gpt-4.1`")
    return value


@app.command()
def plan(
    sop: Annotated[Path, typer.Argument(help="A free-form SOP (Markdown or plain text)")],
    *,
    model: Annotated[str, typer.Option(
        "--model", "-m", callback=_planner_model_name,
        help="The planning model: `openai:gpt-4.1`, or a served model's name")],
    base_url: Annotated[str | None, typer.Option(
        help="OpenAI-compatible endpoint serving MODEL (vLLM, Ollama, llama.cpp server)")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Write the structured SOP here instead of printing it")] = None,
    agent: Annotated[str | None, typer.Option(
        help="Agent name for the front matter (default: the model's choice)")] = None,
    retries: Annotated[int, typer.Option(
        min=0, help="Corrections the model may make to an invalid plan")] = 3,
) -> None:
    """Have MODEL turn a free-form SOP into a structured SOP for a person to review and commit.

    Exit codes: 0 planned; 2 the SOP is unreadable, already structured, or the plan stayed
    invalid (its problems are listed); 3 the model could not be built or reached.
    """
    import asyncio

    from pydantic_ai.exceptions import ModelAPIError

    from caseworker.agents.models import close_model
    from caseworker.agents.planner import is_structured, plan_sop, planner_model
    from caseworker.tools.registry import default_registry

    try:
        text = sop.read_text(encoding="utf-8")
    except OSError as exc:
        errors.print(f"error: cannot read {sop}: {exc.strerror}", highlight=False)
        raise typer.Exit(ExitCode.invalid_input) from exc
    if is_structured(text):
        errors.print(f"error: {sop} is already a structured SOP; check it with "
                     "`caseworker validate`", highlight=False, markup=False)
        raise typer.Exit(ExitCode.invalid_input)

    async def planned() -> tuple[str, int, int]:
        llm = planner_model(model, base_url=base_url)
        try:
            result = await plan_sop(text, model=llm, registry=default_registry(),
                                    source=str(sop), agent=agent, retries=retries)
        finally:
            await close_model(llm)
        return result.markdown, len(result.plan.checks), result.corrections

    try:
        markdown, checks, corrections = asyncio.run(planned())
    except AuthoringError as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(ExitCode.invalid_input) from exc
    except (CaseworkerError, ModelAPIError) as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(ExitCode.runtime_error) from exc
    summary = f"{checks} checks, {corrections} corrections"
    if out is None:
        sys.stdout.write(markdown)
        errors.print(f"planned {sop}: {summary}", highlight=False, markup=False)
        return
    out.write_text(markdown, encoding="utf-8")
    errors.print(f"wrote {out}: {summary}; review it, then `caseworker validate {out}`",
                 highlight=False, markup=False)
