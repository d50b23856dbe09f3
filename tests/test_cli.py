"""The command line, run as a user runs it: a real process, real Redis, real workers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def caseworker(*args: str, cwd: Path, env: dict[str, str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caseworker", *args], cwd=cwd, capture_output=True, text=True,
        check=False, timeout=120, env={**os.environ, "CASEWORKER_PLUGINS": "", **(env or {})},
    )


@pytest.mark.parametrize(("case", "code"), [
    ("uk-saas-clean", 0), ("uk-remittance-msb", 10), ("ae-trading-iran-operations", 20),
])
def test_run_exits_by_recommendation_and_writes_reports(
    case: str, code: int, tmp_path: Path,
) -> None:
    # from another directory, with relative paths resolved against it
    work = tmp_path / "elsewhere"
    work.mkdir()
    agent = os.path.relpath(ROOT / "agents" / "kyb", work)
    case_file = os.path.relpath(ROOT / "examples" / "cases" / f"{case}.json", work)
    done = caseworker("run", agent, case_file, "--out", "reports", cwd=work,
                      env={"CASEWORKER_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == code, done.stderr
    assert "Decision:" in done.stdout
    reports = sorted((work / "reports").iterdir())
    assert [p.suffix for p in reports] == [".json", ".md"]
    report = json.loads(reports[0].read_text())
    assert report["recommendation"] == {0: "approve", 10: "review", 20: "reject"}[code]
    assert all(c["result"] and c["result"]["evidence"] for c in report["checks"])
    assert "## Checks" in reports[1].read_text()


def test_run_rejects_an_invalid_case_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "x", "subject": {"legal_name": "X", "colour": "red"}}))
    done = caseworker("run", str(ROOT / "agents" / "kyb"), str(bad), cwd=tmp_path,
                      env={"CASEWORKER_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 2
    assert "unknown field 'subject.colour'" in done.stderr


def test_validate_reports_file_line_and_check(tmp_path: Path) -> None:
    ok = caseworker("validate", str(ROOT / "agents" / "kyb"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    sop = tmp_path / "sop.md"
    sop.write_text((ROOT / "agents" / "kyb" / "sop.md").read_text().replace(
        "tools: [risk.industry]", "tools: [risk.industri]"))
    bad = caseworker("validate", str(sop), cwd=tmp_path)
    assert bad.returncode == 2
    assert f"{sop}:" in bad.stderr and "[check high_risk_industry]" in bad.stderr
    assert "unknown tool 'risk.industri'" in bad.stderr


def test_schema_case_prints_json_schema(tmp_path: Path) -> None:
    done = caseworker("schema", "case", cwd=tmp_path)
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["title"] == "Case"
    assert "subject" in schema["properties"]


def test_external_redis_with_separate_worker_processes(tmp_path: Path) -> None:
    """`caseworker worker` processes on REDIS_URL serve a `caseworker run --workers 0`."""
    from caseworker.runtime.connection import EmbeddedRedis

    server = EmbeddedRedis(tmp_path / "external")
    env = {**os.environ, "CASEWORKER_PLUGINS": "", "REDIS_URL": server.start()}
    workers = [
        subprocess.Popen([sys.executable, "-m", "caseworker", "worker"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:
        done = caseworker("run", str(ROOT / "agents" / "kyb"),
                          str(ROOT / "examples" / "cases" / "uk-remittance-msb.json"),
                          "--workers", "0", "--out", "reports", cwd=tmp_path,
                          env={"REDIS_URL": env["REDIS_URL"]})
        assert done.returncode == 10, done.stderr
        assert not (tmp_path / "data").exists()  # no embedded server was started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            assert worker.wait(timeout=10) == 0
        server.stop()


def test_worker_without_redis_url_explains_what_to_set(tmp_path: Path) -> None:
    done = caseworker("worker", cwd=tmp_path, env={"REDIS_URL": "", "CASEWORKER_REDIS_URL": ""})
    assert done.returncode == 3
    assert "REDIS_URL" in done.stderr


def test_invalid_agent_spec_names_file_and_line(tmp_path: Path) -> None:
    agent = tmp_path / "agent"
    agent.mkdir()
    (agent / "sop.md").write_text((ROOT / "agents" / "kyb" / "sop.md").read_text())
    (agent / "agent.yaml").write_text(
        "name: kyb\nprofile: An analyst.\nsop: sop.md\nlimits:\n  max_steps: 0\ncolour: red\n")
    done = caseworker("validate", str(agent), cwd=tmp_path)
    assert done.returncode == 2
    assert f"{agent / 'agent.yaml'}:4: field 'limits.max_steps'" in done.stderr
    assert f"{agent / 'agent.yaml'}:6: unknown field 'colour'" in done.stderr


def test_audit_verify_passes_on_a_real_job_and_fails_after_an_edit(tmp_path: Path) -> None:
    from caseworker.runtime import keys
    from caseworker.runtime.connection import EmbeddedRedis, connect

    env = {"CASEWORKER_DATA_DIR": str(tmp_path / "data")}
    done = caseworker("run", str(ROOT / "agents" / "kyb"),
                      str(ROOT / "examples" / "cases" / "uk-saas-clean.json"),
                      "--out", "reports", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(next((tmp_path / "reports").glob("*.json")).read_text())
    job_id = report["job_id"]
    assert report["audit"]["ok"] and report["audit"]["records"] > 10
    assert all(c["result"]["audit_records"] for c in report["checks"])

    ok = caseworker("audit", "verify", job_id, cwd=tmp_path, env=env)
    assert ok.returncode == 0, ok.stderr
    assert f"{report['audit']['records']} records" in ok.stdout

    server = EmbeddedRedis(tmp_path / "data" / "redis")
    try:
        conn = connect(server.start())
        raw = json.loads(conn.lindex(keys.audit(job_id), 3))  # type: ignore[arg-type]
        raw["payload"]["tampered"] = True
        conn.lset(keys.audit(job_id), 3, json.dumps(raw))
    finally:
        server.stop()
    broken = caseworker("audit", "verify", job_id, cwd=tmp_path, env=env)
    assert broken.returncode == 5
    assert "broken at record 3" in broken.stderr and "hash" in broken.stderr
    missing = caseworker("audit", "verify", "no-such-job", cwd=tmp_path, env=env)
    assert missing.returncode == 2


def test_tracing_joins_job_and_worker_spans_in_one_trace(tmp_path: Path) -> None:
    pytest.importorskip("opentelemetry.sdk")
    done = caseworker("run", str(ROOT / "agents" / "kyb"),
                      str(ROOT / "examples" / "cases" / "uk-saas-clean.json"),
                      "--out", "reports", "--quiet", cwd=tmp_path,
                      env={"CASEWORKER_DATA_DIR": str(tmp_path / "data"),
                           "CASEWORKER_TRACING": "console"})
    assert done.returncode == 0, done.stderr
    names = re.findall(r'"name": "([^"]+)"', done.stderr)
    traces = set(re.findall(r'"trace_id": "(0x[0-9a-f]+)"', done.stderr))
    assert "job kyb-standard" in names
    assert {f"invoke_agent {c}" for c in ("business_profile", "high_risk_country")} <= set(names)
    assert "chat rules" in names and "execute_tool risk.country" in names
    assert len(traces) == 1, "worker spans did not join the job's trace"
    assert "Lumen Ledger" not in done.stderr  # no case content in spans


def test_screen_a_name_and_a_batch(tmp_path: Path) -> None:
    hit = caseworker("screen", "--name", "Callixte Mbarushimana", "--dob", "1963-07-24",
                     "--type", "person", cwd=tmp_path,
                     env={"CASEWORKER_DATA_DIR": str(tmp_path / "data")})
    assert hit.returncode == 1, hit.stderr
    assert "hit" in hit.stdout and "un:6908001" in hit.stdout
    batch = tmp_path / "names.csv"
    batch.write_text("full_name,date_of_birth,nationality,type\n"
                     "Jane Smith,1980-01-01,GB,person\nBanco Nacional de Cuba,,,entity\n")
    done = caseworker("screen", "--batch", str(batch), "--json", cwd=tmp_path,
                      env={"CASEWORKER_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 1, done.stderr  # a row hit (exit codes are the same with --json)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["row"], r["status"]) for r in rows] == [(0, "clear"), (1, "hit")]
    assert rows[1]["hits"][0]["score"] >= 0.9 and rows[1]["hits"][0]["explanation"]
    assert rows[0]["list_dates"]["un"] == "2026-02-27"
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nX\n")
    refused = caseworker("screen", "--batch", str(bad), cwd=tmp_path,
                         env={"CASEWORKER_DATA_DIR": str(tmp_path / "data")})
    assert refused.returncode == 2 and "full_name" in refused.stderr


def test_lists_status_names_the_lists_in_use(tmp_path: Path) -> None:
    done = caseworker("lists", "status", cwd=tmp_path,
                      env={"CASEWORKER_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert "un: 1003 entities" in done.stdout and "ofac_sdn: 8976 entities" in done.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    none = caseworker("lists", "status", cwd=tmp_path,
                      env={"CASEWORKER_LISTS_DIR": str(empty)})
    assert none.returncode == 3 and "lists update" in none.stderr


def test_operations_prints_the_runtime_log(tmp_path: Path) -> None:
    from caseworker.runtime import operations
    from caseworker.runtime.connection import EmbeddedRedis, connect
    from caseworker.runtime.operations import OperationType

    env = {"CASEWORKER_DATA_DIR": str(tmp_path / "data")}
    server = EmbeddedRedis(tmp_path / "data" / "redis")
    try:
        conn = connect(server.start())
        operations.record(conn, OperationType.worker_exited, slot=0, pid=41, exit_code=-9)
        operations.record(conn, OperationType.worker_restarted, slot=0, pid=42)
    finally:
        server.stop()
    shown = caseworker("operations", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "worker.exited slot=0 pid=41 exit_code=-9" in lines[0]
    assert "worker.restarted slot=0 pid=42" in lines[1]
    as_json = caseworker("operations", "--json", "--count", "1", cwd=tmp_path, env=env)
    (only,) = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert only["type"] == "worker.restarted" and only["data"] == {"slot": 0, "pid": 42}
