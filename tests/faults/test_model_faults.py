"""Jobs through a model chain whose endpoint fails 30% of calls: all complete, none more lenient.

The KYB agent runs with a two-model LLM chain, both entries behind a local fault proxy in front
of a scripted OpenAI-compatible server (`tests.fixtures.analyst`), on real worker processes.
A fault-free run gives the reference decisions; with 30% of calls answered 429, 500, a hang
past the client timeout or invalid JSON, every job must complete with the same decision or a
stricter one, and every check with the same status or a stricter one.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml

from caseworker.agents.coordinator import submit
from caseworker.domain.case import load_case
from caseworker.domain.events import EventType
from caseworker.domain.job import Job
from caseworker.domain.plan import Recommendation
from caseworker.domain.results import LENIENCY
from caseworker.eval.fault_proxy import FaultProxy, run_fault_proxy
from caseworker.runtime import events
from caseworker.runtime.connection import EmbeddedRedis, connect
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import load_agent
from caseworker.tools.registry import default_registry
from tests.fixtures.analyst import analyst
from tests.fixtures.openai_server import FakeOpenAI, responder

pytestmark = [pytest.mark.faults, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CASES = ["uk-saas-clean", "de-gmbh-wholesale-clean", "be-minerals-sanctioned-director",
         "nl-software-owner-resident-iran", "ae-trading-iran-operations",
         "fr-sas-missing-registration", "uk-agritech-kenya-operations"]
FAULT_RATE = 0.3
# Which decision is harder on the customer: a run under faults may only move down this list.
STRICTNESS = {Recommendation.approve: 0, Recommendation.review: 1, Recommendation.reject: 2}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[redis.Redis]:
    server = EmbeddedRedis(tmp_path / "redis")
    server.start()
    pool = LocalWorkers(server.url, 2)
    pool.start()
    yield connect(server.url)
    pool.stop()
    server.stop()


def _agent(tmp_path: Path, proxy: FaultProxy, name: str) -> Path:
    """The KYB agent with an LLM chain (two models, both through `proxy`)."""
    folder = tmp_path / name
    shutil.copytree(ROOT / "agents" / "kyb", folder)
    spec = yaml.safe_load((folder / "agent.yaml").read_text())
    spec["model"] = [
        {"model": "gpt-4.1", "base_url": proxy.base_url, "timeout": 1.5, "max_retries": 2},
        {"model": "gpt-4.1-mini", "base_url": proxy.base_url, "timeout": 1.5, "max_retries": 1},
    ]
    (folder / "agent.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder


def _run_all(conn: redis.Redis, agent: Path, tag: str, timeout: float = 240) -> dict[str, Job]:
    definition = load_agent(agent, default_registry()).definition
    ids = {}
    for name in CASES:
        case = load_case(ROOT / "examples" / "cases" / f"{name}.json")
        ids[name] = submit(conn, definition, case.model_copy(update={"id": f"{tag}-{name}"}))
    store = JobStore(conn)
    deadline = time.monotonic() + timeout
    while not all(store.status(job_id).finished for job_id in ids.values()):
        assert time.monotonic() < deadline, f"{tag}: jobs still unfinished after {timeout}s"
        time.sleep(0.5)
    return {name: store.get(job_id) for name, job_id in ids.items()}


@pytest.mark.timeout(600)
def test_thirty_percent_model_faults_never_make_a_decision_more_lenient(
    tmp_path: Path, store: redis.Redis, openai_server: FakeOpenAI,
) -> None:
    openai_server.always(responder(analyst))
    with run_fault_proxy(openai_server.url, rate=0.0) as clean:
        reference = _run_all(store, _agent(tmp_path, clean, "clean"), "clean")
    assert {job.recommendation for job in reference.values()} >= {
        Recommendation.approve, Recommendation.reject}  # the cases span the decisions

    with run_fault_proxy(openai_server.url, rate=FAULT_RATE, seed=20261204, hang=3.0) as proxy:
        faulted = _run_all(store, _agent(tmp_path, proxy, "faulty"), "faulty")
    assert set(proxy.faults) == {"rate_limited", "server_error", "timeout", "malformed"}
    assert 0.2 < sum(proxy.faults.values()) / proxy.requests < 0.4

    retried, moved = 0, []
    for name, job in faulted.items():
        before = reference[name]
        assert job.status == before.status, (name, job.error)
        assert job.recommendation is not None and before.recommendation is not None
        assert STRICTNESS[job.recommendation] >= STRICTNESS[before.recommendation], name
        if job.recommendation != before.recommendation:
            moved.append(f"{name}: {before.recommendation.value} -> {job.recommendation.value}")
        for check_id, result in job.results.items():
            was = before.results[check_id].status
            assert LENIENCY[result.status] <= LENIENCY[was], (name, check_id, was, result.status)
        retried += sum(e.type == EventType.model_retry for e in events.replay(store, job.id))
    print(f"\nfaults {dict(proxy.faults)} of {proxy.requests} calls; {retried} model retries; "
          f"decisions moved: {moved or 'none'}")
    assert retried > 0  # the faults reached the runtime, which retried through them
