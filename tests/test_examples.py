"""Every example case, run through the real runtime, gives its expected recommendation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis

from caseworker.domain.case import load_case
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from tests.fixtures import jobs

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (ROOT / "examples" / "cases").glob("*.json")
               if not p.name.endswith(".expected.json"))


def test_examples_cover_every_recommendation() -> None:
    expected = [json.loads(p.with_suffix(".expected.json").read_text())["recommendation"]
                for p in CASES]
    assert len(CASES) >= 6
    assert {"approve", "review", "reject"} <= set(expected)


def test_every_example_gives_its_expected_recommendation(
    conn: redis.Redis, workers: LocalWorkers,
) -> None:
    submitted = {p.stem: jobs.start(conn, ROOT / "agents" / "kyb", load_case(p)) for p in CASES}
    store = JobStore(conn)
    mismatches = {}
    for path in CASES:
        job_id = submitted[path.stem]
        jobs.wait(conn, job_id, timeout=60)
        expected = json.loads(path.with_suffix(".expected.json").read_text())["recommendation"]
        job = store.get(job_id)
        if job.recommendation != expected:
            statuses = {c: r.status.value for c, r in job.results.items()}
            mismatches[path.stem] = (expected, job.recommendation, statuses)
    assert not mismatches, mismatches


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_expected_file_is_well_formed(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    assert set(expected) == {"recommendation"}
    assert expected["recommendation"] in ("approve", "review", "reject")
