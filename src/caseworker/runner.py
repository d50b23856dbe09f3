"""`caseworker run`: embedded Redis, local workers, one job, live progress, reports on disk."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from rich.console import Console
from rich.live import Live
from rich.table import Table

from caseworker.agents.coordinator import submit
from caseworker.agents.report import build_report, render_markdown
from caseworker.domain.case import load_case
from caseworker.domain.events import EventType, JobEvent
from caseworker.domain.job import JobStatus
from caseworker.domain.plan import Plan, Recommendation
from caseworker.exceptions import JobFailed
from caseworker.runtime import events, keys
from caseworker.runtime.connection import connect
from caseworker.runtime.store import JobStore
from caseworker.runtime.worker import sweep
from caseworker.settings import get_settings
from caseworker.sop.agent import load_agent
from caseworker.tools.registry import default_registry


@dataclass(frozen=True)
class RunOutcome:
    job_id: str
    recommendation: Recommendation
    reason: str
    json_path: Path
    markdown_path: Path


class Progress:
    """A live table of the job's checks, fed by its events."""

    def __init__(self, plan: Plan) -> None:
        self.rows = {c.id: {"title": c.title, "status": "pending", "worker": "", "note": ""}
                     for c in plan.checks}
        self.started = time.monotonic()

    def apply(self, event: JobEvent) -> None:
        row = self.rows.get(event.check_id or "")
        if row is None:
            return
        if event.type == EventType.check_queued:
            row["status"] = "queued"
        elif event.type == EventType.check_started:
            row["status"], row["worker"] = "running", str(event.pid)
        elif event.type == EventType.check_retrying:
            row["status"], row["note"] = "retrying", "worker lost"
        elif event.type in (EventType.check_completed, EventType.check_failed):
            row["status"] = event.data.get("status", "?")
            row["note"] = str(event.data.get("answer", ""))

    def render(self) -> Table:
        table = Table(title=f"caseworker · {time.monotonic() - self.started:.1f}s")
        for column in ("check", "status", "worker pid", "answer"):
            table.add_column(column)
        colours = {"pass": "green", "review": "yellow", "fail": "red", "error": "red"}
        for check_id, row in self.rows.items():
            colour = colours.get(row["status"], "white")
            table.add_row(check_id, f"[{colour}]{row['status']}[/{colour}]", row["worker"],
                          row["note"])
        return table


def run_case(
    url: str,
    agent_path: Path,
    case_path: Path,
    *,
    out: Path,
    timeout: float = 600.0,
    console: Console | None = None,
) -> RunOutcome:
    """Run one case on the Redis at `url` (workers must be serving it); write reports to `out`."""
    loaded = load_agent(agent_path.resolve(), default_registry())
    case = load_case(case_path.resolve())
    conn = connect(url)
    job_id = submit(conn, loaded.definition, case)
    _watch(conn, job_id, Progress(loaded.definition.plan), timeout, console)
    return _write_reports(conn, job_id, out)


def _watch(
    conn: redis.Redis, job_id: str, progress: Progress, timeout: float, console: Console | None,
) -> None:
    """Follow the job's events until it finishes, sweeping for dead workers meanwhile."""
    settings = get_settings()
    deadline = time.monotonic() + timeout
    next_sweep = time.monotonic() + settings.reaper_interval
    cursor = events.START
    interactive = console is not None and console.is_terminal
    live = Live(progress.render(), console=console, auto_refresh=False) if interactive else None
    if live:
        live.start()
    try:
        while time.monotonic() < deadline:
            for event in events.replay(conn, job_id, after=cursor):
                cursor = event.id
                progress.apply(event)
                if event.type.terminal:
                    return
            if live:
                live.update(progress.render(), refresh=True)
            if time.monotonic() >= next_sweep:
                sweep(conn)
                next_sweep = time.monotonic() + settings.reaper_interval
            conn.xread({keys.events(job_id): cursor}, block=200, count=1)
        raise JobFailed(f"job {job_id} did not finish within {timeout:.0f}s")
    finally:
        if live:
            live.update(progress.render(), refresh=True)
            live.stop()
        elif console is not None:
            console.print(progress.render())


def _write_reports(conn: redis.Redis, job_id: str, out: Path) -> RunOutcome:
    job = JobStore(conn).get(job_id)
    if job.status != JobStatus.complete or job.recommendation is None:
        raise JobFailed(f"job {job_id} ended {job.status.value}: {job.error or 'no decision'}")
    report = build_report(conn, job_id)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{job.case_id}-{job_id[:8]}"
    json_path, markdown_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    markdown_path.write_text(render_markdown(report), encoding="utf-8")
    return RunOutcome(job_id, job.recommendation, job.decision_reason or "", json_path,
                      markdown_path)
