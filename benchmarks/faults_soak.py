"""Soak under faults: KYB jobs through a Redis SIGKILL + AOF restart, a Redis pause, killed workers.

Each scenario gets its own temporary data directory and embedded Redis (AOF on), real
`caseworker worker --url …` processes (so single workers can be SIGKILLed) and jobs submitted
with `coordinator.submit` on the KYB agent, cycling through the example cases whose documents
all exist, each job under a unique case id:

- `redis-kill`: 120 jobs on 3 workers; Redis SIGKILLed 6 s after the first submission and
  restarted on the same data 2 s later;
- `redis-pause`: 120 jobs on 3 workers; Redis SIGSTOPped for 10 s 6 s after the first
  submission, then SIGCONTed;
- `worker-kill`: 500 jobs on 3 workers forked by one `caseworker worker --processes 3`
  parent; every 2 s a random worker is SIGKILLed (the parent forks a replacement after its
  1 s restart delay) until every job has finished;
- `model-faults`: 120 jobs on 3 workers with the KYB agent on an LLM chain (two models behind
  a local fault proxy in front of a scripted OpenAI-compatible server, `tests.fixtures`) that
  answers 30% of calls with a 429, a 500, a hang past the client timeout or invalid JSON. Its
  reference is a fault-free run of the same chain (`model-baseline`), and a decision stricter
  than the reference is counted (`stricter`) but not wrong: only a more lenient one is. In
  every scenario a job with a check that used up its attempts (killed each time) may be
  stricter than the reference, never more lenient.

A fault-free baseline runs first (each case once): its decisions are the reference, and must
match examples/cases/<name>.expected.json (`--quick` skips it and uses those files). The
screening cache is built once and copied into each data directory, so workers start together.
Per scenario: jobs submitted, completed, wrong decisions, stuck (not finished by the timeout),
completed checks run again (`check.started` after the check's result event), duplicate results
(more than one `check.completed` / `check.failed` per check), errored checks, retries by reason,
time to recover (Redis scenarios: from Redis back to the next check completion; worker-kill:
from a kill to the completion of each check it interrupted), total time and throughput.

The exit is non-zero if any job is stuck or not complete, any decision is wrong or any duplicate
result appears; the problem jobs are printed with their event sequences.

Usage: python benchmarks/faults_soak.py [--scenario NAME] [--timeout S] [--seed N]
                                        [--worker-kill-jobs N] [--quick] [--out FILE] [--keep]
Prints a table and writes benchmarks/results/faults_soak.json (`--scenario`: updates that
scenario's entry; `--quick`: 8 jobs per scenario, 12 for worker-kill, a 3 s pause, written only
with `--out`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import redis

from caseworker.agents.coordinator import submit
from caseworker.domain.case import Case, load_case
from caseworker.domain.events import EventType, JobEvent
from caseworker.domain.job import JobStatus
from caseworker.domain.results import CheckStatus
from caseworker.runtime import events, keys
from caseworker.runtime.connection import EmbeddedRedis, as_text, connect
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition, load_agent
from caseworker.sop.spec import ModelEntry
from caseworker.tools.registry import default_registry

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "faults_soak.json"
AGENT = ROOT / "agents" / "kyb"
CASES_DIR = ROOT / "examples" / "cases"
# The example cases whose documents all exist (the others name PDFs that were never made).
CASES = ["uk-saas-clean", "de-gmbh-wholesale-clean", "nl-bv-holding-owned-clean",
         "us-delaware-ecommerce-clean", "be-minerals-sanctioned-director",
         "nl-software-owner-resident-iran", "ae-trading-iran-operations",
         "fr-sas-missing-registration", "uk-agritech-kenya-operations"]
RESULT_EVENTS = {EventType.check_completed, EventType.check_failed}
READY_TIMEOUT = 60.0
POLL = 0.25
SHOWN_PROBLEMS = 5
SCREENER_CACHE = Path("screening") / "screener.pickle"  # under a data dir
MODEL_FAULT_RATE = 0.3
MODEL_TIMEOUT_S = 1.5  # each model request; the proxy's hang outlasts it
STRICTNESS = {"approve": 0, "review": 1, "reject": 2}


@dataclass(frozen=True)
class Scenario:
    name: str
    jobs: int
    fault: str  # "none", "redis-kill", "redis-pause" or "worker-kill"
    workers: int = 3
    fault_at: float = 6.0  # seconds after the first submission
    down_s: float = 2.0  # redis-kill: dead this long; redis-pause: stopped this long
    kill_every: float = 2.0  # worker-kill
    model_fault_rate: float = 0.0  # model: share of model calls the proxy fails


def scenarios(quick: bool) -> dict[str, Scenario]:
    if quick:
        return {s.name: s for s in [
            Scenario("redis-kill", 8, "redis-kill", fault_at=2.0),
            Scenario("redis-pause", 8, "redis-pause", fault_at=2.0, down_s=3.0),
            Scenario("worker-kill", 12, "worker-kill"),
            Scenario("model-faults", 9, "model", model_fault_rate=MODEL_FAULT_RATE),
        ]}
    return {s.name: s for s in [
        Scenario("redis-kill", 120, "redis-kill"),
        Scenario("redis-pause", 120, "redis-pause", down_s=10.0),
        Scenario("worker-kill", 500, "worker-kill"),
        Scenario("model-faults", 120, "model", model_fault_rate=MODEL_FAULT_RATE),
    ]}


# --- processes ------------------------------------------------------------------------------


def worker_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "CASEWORKER_DATA_DIR": str(data_dir)}
    env.pop("REDIS_URL", None)
    env.pop("CASEWORKER_REDIS_URL", None)
    return env


def warm_screening_cache(data_dir: Path) -> Path:
    """Build the screener cache once, as a worker would under `data_dir`; return the file.

    Copied into every scenario's data directory, so its workers can start together: workers
    that start at once on a cold cache race on its temporary file (`build_screener` writes a
    fixed `screener.tmp`, then renames it) and all but one exit with FileNotFoundError.
    """
    subprocess.run(
        [sys.executable, "-c", "from caseworker.tools.registry import default_registry; "
         "default_registry().prepare()"],
        cwd=ROOT, env=worker_env(data_dir), check=True,
    )
    return data_dir / SCREENER_CACHE


@dataclass
class Cluster:
    """An embedded Redis in a temporary directory and worker processes over it; all stopped."""

    tmp: Path
    server: EmbeddedRedis
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    exited: list[subprocess.Popen[bytes]] = field(default_factory=list)  # killed or gone
    paused: bool = False
    spawned: int = 0
    forked: bool = False

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def redis_process(self) -> subprocess.Popen[bytes] | None:
        return self.server.process

    def start_worker(self, processes: int = 1) -> subprocess.Popen[bytes]:
        """One `caseworker worker` (with `processes` > 1: a parent forking that many)."""
        env = worker_env(self.tmp)
        self.spawned += 1
        more = ["--processes", str(processes)] if processes > 1 else []
        with (self.tmp / f"worker-{self.spawned}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "caseworker", "worker", "--url", self.url, *more],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.workers.append(process)
        self.forked = processes > 1
        return process

    def worker_pids(self) -> set[int]:
        """The processes that take checks: the workers, or a prefork parent's children."""
        if not self.forked:
            return {p.pid for p in self.workers}
        found: set[int] = set()
        for parent in self.workers:
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                for task in Path(f"/proc/{parent.pid}/task").iterdir():
                    found |= {int(c) for c in (task / "children").read_text().split()}
        return found

    def kill_forked(self, rng: random.Random) -> int | None:
        """SIGKILL one forked worker at random; its pid (None if none is up just now)."""
        pids = sorted(self.worker_pids())
        if not pids:
            return None
        victim = rng.choice(pids)
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
        return victim

    def kill_redis(self) -> None:
        process = self.redis_process
        assert process is not None
        process.send_signal(signal.SIGKILL)
        process.wait()

    def restart_redis(self) -> None:
        self.server = EmbeddedRedis(self.server.data_dir)
        self.server.start()

    def pause_redis(self, stop: bool) -> None:
        process = self.redis_process
        assert process is not None
        os.kill(process.pid, signal.SIGSTOP if stop else signal.SIGCONT)
        self.paused = stop

    def gone(self) -> list[subprocess.Popen[bytes]]:
        """Workers that exited without being killed here."""
        return [p for p in self.workers if p.poll() is not None]

    def close(self) -> None:
        if self.paused:
            with contextlib.suppress(ProcessLookupError):
                self.pause_redis(False)
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
        for process in self.workers:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # anything left in its group
        self.server.stop()


@contextlib.contextmanager
def cluster(keep: bool, cache: Path) -> Any:
    tmp = Path(tempfile.mkdtemp(prefix="cw-soak-"))
    (tmp / SCREENER_CACHE).parent.mkdir(parents=True)
    shutil.copy2(cache, tmp / SCREENER_CACHE)
    server = EmbeddedRedis(tmp / "redis")
    server.start()
    running = Cluster(tmp, server)
    try:
        yield running
    finally:
        running.close()
        if keep:
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def monitor(url: str) -> redis.Redis:
    """A client that gives up on a paused server instead of hanging the benchmark."""
    return connect(url, timeout=2)


def wait_ready(conn: redis.Redis, cluster: Cluster, timeout: float = READY_TIMEOUT) -> None:
    """Until every worker heartbeats (it has loaded the agent stack and taken the queue)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = {as_text(k) for k in conn.scan_iter(match=keys.worker_alive("*"))}
        pids = cluster.worker_pids()
        ready = {pid for pid in pids if any(f"-{pid}-" in name for name in alive)}
        if pids and ready == pids:
            return
        if gone := cluster.gone():
            raise RuntimeError(f"worker pid {gone[0].pid} exited {gone[0].returncode}; see "
                               f"{cluster.tmp}")
        time.sleep(0.1)
    raise RuntimeError(f"workers not heartbeating after {timeout:.0f} s")


# --- the run --------------------------------------------------------------------------------


@dataclass
class Run:
    """What happened while one scenario ran: job ids and their cases, the faults' times."""

    ids: dict[str, str]  # job id -> example case name
    started: float  # wall clock of the first submission
    ended: float = 0.0
    redis_back: list[float] = field(default_factory=list)  # wall clock Redis answered again
    kills: dict[int, float] = field(default_factory=dict)  # worker pid -> wall clock killed
    finished: dict[str, JobStatus] = field(default_factory=dict)


def load_cases() -> list[Case]:
    return [load_case(CASES_DIR / f"{name}.json") for name in CASES]


def submit_all(conn: redis.Redis, definition: AgentDefinition, cases: list[Case],
               scenario: Scenario) -> Run:
    ids = {}
    started = time.time()
    for n in range(scenario.jobs):
        case = cases[n % len(cases)]
        unique = case.model_copy(update={"id": f"{case.id}-{scenario.name}-{n}"})
        ids[submit(conn, definition, unique)] = CASES[n % len(cases)]
    return Run(ids, started)


def poll(conn: redis.Redis, run: Run) -> bool:
    """Refresh which jobs finished; whether all have. A store that does not answer: not yet."""
    pending = [job_id for job_id in run.ids if job_id not in run.finished]
    try:
        with conn.pipeline(transaction=False) as pipe:
            for job_id in pending:
                pipe.hget(keys.job(job_id), "status")
            statuses = pipe.execute()
    except (redis.ConnectionError, redis.TimeoutError):
        return False
    for job_id, raw in zip(pending, statuses, strict=True):
        if raw is not None and JobStatus(as_text(raw)).finished:
            run.finished[job_id] = JobStatus(as_text(raw))
    return len(run.finished) == len(run.ids)


def drive(conn: redis.Redis, cluster: Cluster, scenario: Scenario, run: Run, *,
          timeout: float, rng: random.Random) -> None:
    """Inject the scenario's faults on schedule while waiting for every job to finish."""
    deadline = time.time() + timeout
    killed_at: float | None = None
    next_kill = run.started + scenario.kill_every
    fault_done = scenario.fault in ("none", "worker-kill", "model")
    while time.time() < deadline:
        now = time.time()
        if scenario.fault == "redis-kill" and not fault_done:
            if killed_at is None and now >= run.started + scenario.fault_at:
                cluster.kill_redis()
                killed_at = time.time()
            elif killed_at is not None and now >= killed_at + scenario.down_s:
                cluster.restart_redis()
                run.redis_back.append(time.time())
                fault_done = True
        elif scenario.fault == "redis-pause" and not fault_done:
            if killed_at is None and now >= run.started + scenario.fault_at:
                cluster.pause_redis(True)
                killed_at = time.time()
            elif killed_at is not None and now >= killed_at + scenario.down_s:
                cluster.pause_redis(False)
                run.redis_back.append(time.time())
                fault_done = True
        elif scenario.fault == "worker-kill" and now >= next_kill:
            if (victim := cluster.kill_forked(rng)) is not None:
                run.kills[victim] = time.time()
            next_kill += scenario.kill_every
        # While Redis is away, only the faults' schedule runs (a paused Redis would block).
        if (fault_done or killed_at is None) and poll(conn, run) and fault_done:
            break
        time.sleep(POLL)
    run.ended = time.time()


# --- outcomes -------------------------------------------------------------------------------


def worker_pid(name: str | None) -> int | None:
    """The pid in a worker name `worker-<host>-<pid>-<hex>`."""
    if not name:
        return None
    parts = name.rsplit("-", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def sequence(replayed: list[JobEvent]) -> list[str]:
    """A job's check events, compactly: `started:screening@1234`."""
    shown = {EventType.check_queued, EventType.check_started, EventType.check_retrying,
             EventType.check_completed, EventType.check_failed, EventType.job_completed,
             EventType.job_failed, EventType.job_retried}
    out = []
    for e in replayed:
        if e.type in shown:
            reason = f"({e.data['reason']})" if e.data.get("reason") else ""
            out.append(f"{e.ts:%H:%M:%S.%f}"[:-3] + f" {e.type.value}{reason}"
                       + (f":{e.check_id}" if e.check_id else "") + f"@{e.pid}")
    return out


@dataclass
class Outcome:
    """Every figure of one scenario, and the jobs that went wrong."""

    scenario: Scenario
    run: Run
    completed: int = 0
    failed: int = 0
    stuck: int = 0
    wrong: int = 0
    reruns: int = 0
    duplicates: int = 0
    missing_results: int = 0
    errored_checks: int = 0
    checks: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    recover_s: list[float] = field(default_factory=list)
    total_s: float = 0.0
    workers_gone: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    decisions: dict[str, str] = field(default_factory=dict)  # case name -> a decision seen
    stricter: int = 0  # model faults: decisions stricter than the fault-free chain's
    model_faults: dict[str, int] = field(default_factory=dict)
    model_calls: int = 0
    model_retries: int = 0  # `model.retry` events: a model call the runtime tried again

    @property
    def broken(self) -> bool:
        return bool(self.stuck or self.failed or self.wrong or self.duplicates
                    or self.missing_results)

    def figures(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "jobs": s.jobs, "workers": s.workers, "fault": s.fault,
            "fault_at_s": s.fault_at if s.fault.startswith("redis") else None,
            "down_s": s.down_s if s.fault.startswith("redis") else None,
            "kill_every_s": s.kill_every if s.fault == "worker-kill" else None,
            "workers_killed": len(self.run.kills),
            "submitted": len(self.run.ids), "completed": self.completed, "failed": self.failed,
            "stuck": self.stuck, "wrong_decisions": self.wrong,
            "stricter_decisions": self.stricter,
            "model_calls": self.model_calls or None,
            "model_faults": self.model_faults or None,
            "model_retries": self.model_retries if s.fault == "model" else None,
            "completed_checks_rerun": self.reruns, "duplicate_results": self.duplicates,
            "missing_results": self.missing_results, "errored_checks": self.errored_checks,
            "checks": self.checks, "retries": dict(sorted(self.retries.items())),
            "recover_s": round(max(self.recover_s), 3) if self.recover_s else None,
            "recover_median_s": round(statistics.median(self.recover_s), 3)
            if self.recover_s else None,
            "total_s": round(self.total_s, 2),
            "jobs_per_s": round(self.completed / self.total_s, 2) if self.total_s else None,
            "workers_exited_unasked": self.workers_gone,
            "problems": self.problems[:SHOWN_PROBLEMS],
        }


def scan_events(out: Outcome, run: Run, replayed: list[JobEvent], problems: list[str],
                completions: list[float]) -> None:
    """Count one job's repeated results, re-run checks, errors and retries from its log."""
    done: set[str] = set()
    for n, event in enumerate(replayed):
        check = event.check_id
        if event.type in RESULT_EVENTS and check:
            if check in done:
                out.duplicates += 1
                problems.append(f"second result for {check}")
            done.add(check)
            completions.append(event.ts.timestamp())
            out.errored_checks += event.type == EventType.check_failed
        elif event.type == EventType.model_retry:
            out.model_retries += 1
        elif event.type == EventType.check_started and check in done:
            out.reruns += 1
            problems.append(f"{check} started again after its result")
        elif event.type == EventType.check_retrying and check:
            out.retries[str(event.data.get("reason"))] += 1
            killed = run.kills.get(worker_pid(event.data.get("lost_worker")) or -1)
            again = next((e.ts.timestamp() for e in replayed[n:]
                          if e.type in RESULT_EVENTS and e.check_id == check), None)
            if killed is not None and again is not None:
                out.recover_s.append(again - killed)


def assess(conn: redis.Redis, scenario: Scenario, run: Run, reference: dict[str, str],
           gone: int) -> Outcome:
    """Read every job and its event log back; count what the fault cost.

    A decision stricter than the reference is counted apart, not wrong, where the fault
    explains it: under model faults, or when a check used up its attempts (an `error` result
    goes to a person). Any other difference is wrong.
    """
    out = Outcome(scenario, run, workers_gone=gone)
    store = JobStore(conn)
    finished_at = []
    completions: list[float] = []
    for job_id, name in run.ids.items():
        job = store.get(job_id)
        replayed = events.replay(conn, job_id)
        problems = []
        if not job.status.finished:
            out.stuck += 1
            problems.append(f"stuck ({job.status.value})")
        elif job.status != JobStatus.complete:
            out.failed += 1
            problems.append(f"{job.status.value}: {job.error}")
        else:
            out.completed += 1
        if job.finished_at:
            finished_at.append(job.finished_at.timestamp())
        decision = job.recommendation.value if job.recommendation else None
        if decision:
            out.decisions.setdefault(name, decision)
        expected = reference.get(name, decision)  # a reference run has nothing to match
        if job.status == JobStatus.complete and decision != expected:
            # Stricter is safe where the fault explains it: a model that failed, or a check
            # that used up its attempts (killed each time) and went to a person.
            gave_up = any(r.status == CheckStatus.error for r in job.results.values())
            if (scenario.fault == "model" or gave_up) and decision and expected and (
                    STRICTNESS[decision] > STRICTNESS[expected]):
                out.stricter += 1
                problems.append(f"decision {decision} (stricter than {expected}: "
                                f"{'model faults' if not gave_up else 'a check gave up'})")
            else:
                out.wrong += 1
                problems.append(f"decision {decision}, expected {expected}")
        scan_events(out, run, replayed, problems, completions)
        out.checks += len(job.checks)
        missing = set(job.checks) - set(job.results)
        if job.status == JobStatus.complete and missing:
            out.missing_results += len(missing)
            problems.append(f"no result for {sorted(missing)}")
        if problems:
            out.problems.append({"job_id": job_id, "case": job.case_id, "problems": problems,
                                 "checks": {c: s.value for c, s in job.checks.items()},
                                 "events": sequence(replayed)})
    for back in run.redis_back:
        after = [t for t in completions if t >= back]
        if after:
            out.recover_s.append(min(after) - back)
    out.total_s = (max(finished_at) if finished_at else run.ended) - run.started
    return out


def run_scenario(scenario: Scenario, definition: AgentDefinition, cases: list[Case], *,
                 reference: dict[str, str], timeout: float, seed: int, keep: bool,
                 cache: Path) -> Outcome:
    rng = random.Random(seed)
    with cluster(keep, cache) as running:
        conn = monitor(running.url)
        if scenario.fault == "worker-kill":
            running.start_worker(processes=scenario.workers)
        else:
            for _ in range(scenario.workers):
                running.start_worker()
        wait_ready(conn, running)
        run = submit_all(conn, definition, cases, scenario)
        drive(conn, running, scenario, run, timeout=timeout, rng=rng)
        gone = len(running.gone())
        return assess(monitor(running.url), scenario, run, reference, gone)


def on_chain(definition: AgentDefinition, base_url: str) -> AgentDefinition:
    """The agent with an LLM chain of two models served at `base_url`."""
    chain = [ModelEntry(model="gpt-4.1", base_url=base_url, timeout=MODEL_TIMEOUT_S,
                        max_retries=2),
             ModelEntry(model="gpt-4.1-mini", base_url=base_url, timeout=MODEL_TIMEOUT_S,
                        max_retries=1)]
    spec = definition.spec.model_copy(update={"model": chain})
    return definition.model_copy(update={"spec": spec})


def run_model_scenario(scenario: Scenario, definition: AgentDefinition, cases: list[Case],
                       **options: Any) -> list[Outcome]:
    """A fault-free run of the LLM chain (the reference), then the scenario through faults."""
    sys.path.insert(0, str(ROOT))  # the scripted model server is a test fixture
    from tests.fixtures.analyst import analyst
    from tests.fixtures.openai_server import responder, run_openai_server

    from caseworker.eval.fault_proxy import run_fault_proxy

    with run_openai_server() as server:
        server.always(responder(analyst))
        with run_fault_proxy(server.url, rate=0.0) as clean:
            print(f"== model-baseline: {len(CASES)} jobs, the LLM chain with no faults",
                  flush=True)
            baseline = run_scenario(Scenario("model-baseline", len(CASES), "none"),
                                    on_chain(definition, clean.base_url), cases,
                                    reference={}, **options)
        reference = baseline.decisions
        print(f"== {scenario.name}: {scenario.jobs} jobs on {scenario.workers} workers, "
              f"{scenario.model_fault_rate:.0%} of model calls failed", flush=True)
        with run_fault_proxy(server.url, rate=scenario.model_fault_rate,
                             seed=options["seed"], hang=2 * MODEL_TIMEOUT_S) as proxy:
            outcome = run_scenario(scenario, on_chain(definition, proxy.base_url), cases,
                                   reference=reference, **options)
        outcome.model_faults = dict(sorted(proxy.faults.items()))
        outcome.model_calls = proxy.requests
    return [baseline, outcome]


# --- report ---------------------------------------------------------------------------------


def table(outcomes: list[Outcome]) -> str:
    head = (f"{'scenario':14s} {'jobs':>5s} {'done':>5s} {'wrong':>5s} {'strict':>6s} "
            f"{'stuck':>5s} "
            f"{'rerun':>5s} {'dupl':>5s} {'err':>4s} {'retries':>8s} {'recover s':>10s} "
            f"{'total s':>8s} {'jobs/s':>7s}")
    rows = [head, "-" * len(head)]
    for o in outcomes:
        f = o.figures()
        recover = "-" if f["recover_s"] is None else (
            f"{f['recover_s']:.2f}" if o.scenario.fault != "worker-kill"
            else f"{f['recover_median_s']:.1f}/{f['recover_s']:.1f}")
        rows.append(
            f"{o.scenario.name:14s} {f['submitted']:5d} {f['completed']:5d} "
            f"{f['wrong_decisions']:5d} {f['stricter_decisions'] or 0:6d} {f['stuck']:5d} "
            f"{f['completed_checks_rerun']:5d} "
            f"{f['duplicate_results']:5d} {f['errored_checks']:4d} "
            f"{sum(o.retries.values()):8d} {recover:>10s} {f['total_s']:8.1f} "
            f"{f['jobs_per_s'] or 0:7.2f}")
    return "\n".join(rows)


def show_problems(outcome: Outcome) -> None:
    for problem in outcome.problems[:SHOWN_PROBLEMS]:
        print(f"  {outcome.scenario.name}: job {problem['job_id']} ({problem['case']}): "
              f"{'; '.join(problem['problems'])}")
        print(f"    checks: {problem['checks']}")
        for line in problem["events"]:
            print(f"      {line}")
    if len(outcome.problems) > SHOWN_PROBLEMS:
        print(f"  … and {len(outcome.problems) - SHOWN_PROBLEMS} more jobs with problems")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(scenarios(False)),
                        help="run only this one (after the baseline)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds after the first submission before unfinished jobs "
                             "count as stuck (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="which workers get killed")
    parser.add_argument("--quick", action="store_true",
                        help="8 jobs a scenario (worker-kill 12), a 3 s pause; writes "
                             "nothing unless --out")
    parser.add_argument("--out", type=Path, help=f"results file (default {RESULTS.name})")
    parser.add_argument("--worker-kill-jobs", type=int,
                        help="jobs in the worker-kill scenario (default 500, --quick 12)")
    parser.add_argument("--keep", action="store_true",
                        help="keep each scenario's data directory and worker logs")
    args = parser.parse_args()
    results: Path | None = args.out or (None if args.quick else RESULTS)
    chosen = scenarios(args.quick)
    if args.scenario:
        chosen = {args.scenario: chosen[args.scenario]}

    if args.worker_kill_jobs and "worker-kill" in chosen:
        chosen["worker-kill"] = replace(chosen["worker-kill"], jobs=args.worker_kill_jobs)

    definition = load_agent(AGENT, default_registry()).definition
    cases = load_cases()
    expected = {name: json.loads((CASES_DIR / f"{name}.expected.json").read_text())
                ["recommendation"] for name in CASES}
    with tempfile.TemporaryDirectory(prefix="cw-soak-cache-") as warm:
        cache = warm_screening_cache(Path(warm))
        options = {"timeout": args.timeout, "seed": args.seed, "keep": args.keep,
                   "cache": cache}
        baseline = None
        reference = expected  # --quick: the .expected.json files
        if not args.quick:
            print(f"== baseline: {len(CASES)} jobs, no faults", flush=True)
            baseline = run_scenario(Scenario("baseline", len(CASES), "none"), definition,
                                    cases, reference=expected, **options)
            # The fault-free decisions (a baseline that disagreed with .expected.json broke).
            reference = {name: baseline.decisions.get(name, expected[name]) for name in CASES}
        outcomes = [baseline] if baseline else []
        for scenario in chosen.values():
            if scenario.fault == "model":
                outcomes.extend(run_model_scenario(scenario, definition, cases, **options))
                print(table(outcomes[-1:]).splitlines()[-1], flush=True)
                continue
            print(f"== {scenario.name}: {scenario.jobs} jobs on {scenario.workers} workers",
                  flush=True)
            outcomes.append(run_scenario(scenario, definition, cases, reference=reference,
                                         **options))
            print(table(outcomes[-1:]).splitlines()[-1], flush=True)

    print()
    print(table(outcomes))
    print("(recover s: Redis back → next check completed; worker-kill: kill → each interrupted "
          "check completed, median/max)")
    for outcome in outcomes:
        show_problems(outcome)
    figures = {
        "benchmark": "KYB jobs through store and worker faults (embedded Redis with AOF, "
                     "`caseworker worker` processes, coordinator.submit)",
        "cases": CASES,
        "quick": args.quick,
        "timeout_s": args.timeout,
        "seed": args.seed,
        "baseline": baseline.figures() if baseline else None,
        "scenarios": {o.scenario.name: o.figures() for o in outcomes if o is not baseline
                      and o.scenario.name != "model-baseline"},
        "model_baseline": next((o.figures() for o in outcomes
                                if o.scenario.name == "model-baseline"), None),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if results is not None:
        if args.scenario and results.exists():  # one scenario: keep the others' figures
            previous = json.loads(results.read_text())
            figures["scenarios"] = {**previous.get("scenarios", {}), **figures["scenarios"]}
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"wrote {results}")
    broken = [o.scenario.name for o in outcomes if o.broken]
    if broken:
        print(f"BROKEN: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
