"""Replay: a stored job under an edited SOP shows exactly the checks that change, from the record.

Real runtime: embedded Redis, forked workers, the KYB agent on an example case; the replay
command runs as a user runs it, in its own process against the same store.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from caseworker.domain.case import load_case
from caseworker.eval.replay import REPLAY_OF, diff, replay_all, start_replay, stored_jobs, wait
from caseworker.exceptions import JobNotFound
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import load_agent, with_sop
from caseworker.tools.registry import default_registry
from tests.fixtures import jobs

ROOT = Path(__file__).resolve().parents[2]
KYB = ROOT / "agents" / "kyb"
CLEAN = ROOT / "examples" / "cases" / "uk-saas-clean.json"
INDUSTRY_RULE = "  review: result.any_high_risk\n"


@pytest.fixture
def edited_sop(tmp_path: Path) -> Path:
    """The KYB SOP with one edit: every business goes to review on its industry."""
    agent = tmp_path / "kyb"
    shutil.copytree(KYB, agent)
    sop = agent / "sop.md"
    text = sop.read_text()
    assert text.count(INDUSTRY_RULE) == 1
    sop.write_text(text.replace(INDUSTRY_RULE, '  review: "true"\n'))
    return sop


@pytest.fixture
def stored_job(conn: redis.Redis, workers: LocalWorkers) -> str:
    job_id = jobs.start(conn, KYB, load_case(CLEAN))
    jobs.wait(conn, job_id, timeout=90)
    assert JobStore(conn).get(job_id).recommendation == "approve"
    return job_id


def test_a_replay_under_an_edited_sop_shows_exactly_the_changed_checks(
    conn: redis.Redis, stored_job: str, edited_sop: Path,
) -> None:
    definition = with_sop(load_agent(KYB, default_registry()).definition, edited_sop,
                          default_registry())
    (d,) = replay_all(conn, [stored_job], definition, timeout=90)
    assert (d.decision_before, d.decision_after) == ("approve", "review")
    assert [(c.check_id, c.before, c.after) for c in d.changed] == [
        ("high_risk_industry", "pass", "review")]
    assert "review when true" in d.changed[0].why
    assert d.tools_rerun == 0  # every tool answered from the stored job's record
    replayed = JobStore(conn).get(d.replay_job)
    assert replayed.metadata[REPLAY_OF] == stored_job
    assert JobStore(conn).case(d.replay_job) == JobStore(conn).case(stored_job)


def test_a_replay_unchanged_changes_nothing_and_live_tools_run_again(
    conn: redis.Redis, stored_job: str,
) -> None:
    (same,) = replay_all(conn, [stored_job], None, timeout=90)
    assert not same.any_change and same.tools_rerun == 0
    live = start_replay(conn, stored_job, reuse_tools=False)
    wait(conn, live, timeout=90)
    fresh = diff(conn, stored_job, live)
    assert not fresh.any_change and fresh.tools_rerun > 0
    # a time range finds the stored job, never the replays made from it
    assert stored_jobs(conn) == [stored_job]
    with pytest.raises(JobNotFound):
        start_replay(conn, "no-such-job")


def test_replay_command_prints_the_diff_and_exits_10_on_a_change(
    conn: redis.Redis, stored_job: str, edited_sop: Path, redis_url: str,
) -> None:
    env = {**os.environ, "REDIS_URL": redis_url, "CASEWORKER_PLUGINS": ""}
    done = subprocess.run(
        [sys.executable, "-m", "caseworker", "replay", stored_job, "--agent", str(KYB),
         "--sop", str(edited_sop), "--workers", "0", "--json"],
        capture_output=True, text=True, timeout=120, env=env, check=False, cwd=ROOT)
    assert done.returncode == 10, done.stderr
    (d,) = json.loads(done.stdout)
    assert d["source_job"] == stored_job and d["decision_after"] == "review"
    assert [c["check_id"] for c in d["changed"]] == ["high_risk_industry"]
    nothing = subprocess.run(
        [sys.executable, "-m", "caseworker", "replay", "--since", "2000-01-01", "--workers", "0"],
        capture_output=True, text=True, timeout=120, env=env, check=False, cwd=ROOT)
    assert nothing.returncode == 0, nothing.stdout + nothing.stderr
    assert "1 jobs replayed, 0 changed" in nothing.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "caseworker", "replay", stored_job, "--sop", str(edited_sop)],
        capture_output=True, text=True, timeout=120, env=env, check=False, cwd=ROOT)
    assert bad.returncode == 2 and "--sop and --model need --agent" in bad.stderr
