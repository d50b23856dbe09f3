"""`caseworker eval`'s engine on the example cases: decisions, false approvals, checks, the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import redis
from typer.testing import CliRunner

from caseworker.cli import app
from caseworker.domain.case import load_case
from caseworker.domain.plan import Recommendation
from caseworker.eval.dataset import Dataset, Expected, LabelledCase, write_dataset
from caseworker.eval.faults import FaultSpec
from caseworker.eval.gate import Baseline, gate
from caseworker.eval.metrics import summarize
from caseworker.eval.report import render_markdown
from caseworker.eval.runner import Configuration, evaluate
from caseworker.exceptions import AuthoringError
from caseworker.runtime.local import LocalWorkers
from caseworker.sop.agent import load_agent
from caseworker.tools.registry import default_registry
from tests.fixtures.analyst import analyst
from tests.fixtures.openai_server import responder, run_openai_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "cases"
CASES = ["uk-saas-clean", "be-minerals-sanctioned-director", "uk-remittance-msb",
         "de-gmbh-wholesale-clean"]


def _examples(relabel: dict[str, str] | None = None, names: list[str] = CASES) -> Dataset:
    """Some example cases with their expected recommendations (or the ones given instead)."""
    cases = []
    for name in names:
        expected = json.loads((EXAMPLES / f"{name}.expected.json").read_text())
        decision = (relabel or {}).get(name, expected["recommendation"])
        checks = {"sanctions_screening": "fail"} if name.startswith("be-") else {}
        cases.append(LabelledCase(
            id=name, family="examples", split="dev", case=load_case(EXAMPLES / f"{name}.json"),
            expected=Expected(decision=Recommendation(decision), checks=checks),
            facts=[f"the example's expected recommendation is {expected['recommendation']}"]))
    return Dataset(name="examples", cases=cases, base_dir=EXAMPLES)


@pytest.fixture
def kyb() -> object:
    return load_agent(ROOT / "agents" / "kyb", default_registry()).definition


def test_the_rules_model_gets_every_example_right(conn: redis.Redis,
                                                  workers: LocalWorkers, kyb: object) -> None:
    dataset = _examples()
    ran = evaluate(conn, kyb, dataset, Configuration.parse("rules"), concurrency=2)  # type: ignore[arg-type]
    summary = summarize(ran, dataset.cases)
    assert (summary.cases, summary.completed, summary.accuracy) == (4, 4, 1.0)
    assert summary.false_approvals == summary.false_rejections == []
    # rows expected, columns actual, in approve / review / reject / none order
    assert summary.confusion == [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    screening = next(c for c in summary.per_check if c.check_id == "sanctions_screening")
    assert (screening.asserted, screening.accuracy, screening.flag_recall) == (1, 1.0, 1.0)
    assert summary.latency_p50_s and summary.cases_per_s > 0
    assert gate(summary, Baseline.of(summary, "examples")) == []


def test_a_wrong_decision_is_counted_and_named(conn: redis.Redis, workers: LocalWorkers,
                                               kyb: object) -> None:
    # As if the labels said the clean company should be rejected and the sanctioned one
    # approved: the first is then a false approval, the second a false rejection.
    dataset = _examples({"uk-saas-clean": "reject", "be-minerals-sanctioned-director":
                         "approve"})
    ran = evaluate(conn, kyb, dataset, Configuration.parse("rules"), concurrency=2)  # type: ignore[arg-type]
    summary = summarize(ran, dataset.cases)
    assert summary.false_approvals == ["uk-saas-clean"]
    assert summary.false_rejections == ["be-minerals-sanctioned-director"]
    assert summary.more_lenient == ["uk-saas-clean"]
    assert summary.accuracy == 0.5
    assert {m.case_id for m in summary.misses} == {"uk-saas-clean",
                                                   "be-minerals-sanctioned-director"}
    strict = Baseline(configuration="rules", dataset="examples", cases=4, accuracy=1.0)
    problems = gate(summary, strict)
    assert any("false approval(s): uk-saas-clean" in p for p in problems)
    assert any("below the baseline" in p and "be-minerals" in p for p in problems)
    markdown = render_markdown([summary], dataset="examples", agent="kyb", split="dev")
    assert "`uk-saas-clean` (examples): reject → approve" in markdown


def test_model_configurations_are_read_or_refused_by_name() -> None:
    chain = Configuration.parse("smol@http://127.0.0.1:8080/v1,rules").chain
    assert [(m.model, m.base_url) for m in chain] == [("smol", "http://127.0.0.1:8080/v1"),
                                                      ("rules", None)]
    assert Configuration.parse("spec").chain == []
    with pytest.raises(Exception, match="name@http://host:port/v1"):
        Configuration.parse("smol@ftp://x")


@pytest.mark.slow
def test_the_command_writes_results_and_gates(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    # uk-remittance-msb names an FCA licence the examples do not draw: writing refuses it
    write_dataset(_examples(names=[c for c in CASES if c != "uk-remittance-msb"]), folder)
    baseline = tmp_path / "baseline.json"
    runner = CliRunner()
    first = runner.invoke(app, ["eval", str(folder), "--model", "rules", "--workers", "2",
                                "--out", str(tmp_path / "out"),
                                "--write-baseline", str(baseline)])
    assert first.exit_code == 0, first.output
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["configurations"][0]["accuracy"] == 1.0
    assert Baseline.model_validate_json(baseline.read_text()).accuracy == 1.0
    gated = runner.invoke(app, ["eval", str(folder), "--model", "rules", "--workers", "2",
                                "--out", str(tmp_path / "out2"), "--baseline", str(baseline)])
    assert gated.exit_code == 0, gated.output


def _drill(tmp_path: Path, faults: str) -> tuple[dict[str, Any], dict[str, Any], int]:
    """Run three examples under the scripted analyst, then under `faults`."""
    folder = tmp_path / "examples"
    write_dataset(_examples(names=[c for c in CASES if c != "uk-remittance-msb"]), folder)
    with run_openai_server() as server:
        server.always(responder(analyst))
        done = CliRunner().invoke(app, [
            "eval", str(folder), "--model", f"analyst@{server.base_url}", "--workers", "2",
            "--out", str(tmp_path / "out"), "--faults", faults])
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    plain, drilled = results["configurations"]
    assert drilled["configuration"].endswith(f"faults({faults})")
    assert drilled["completed"] == drilled["cases"] == plain["cases"] == 3
    (drill,) = results["fault_drills"]
    assert drill["completed"] == 3
    assert f"under faults({faults})" in (tmp_path / "out" / "summary.md").read_text()
    return drill, plain, done.exit_code


@pytest.mark.slow
@pytest.mark.faults
def test_under_30_percent_model_faults_every_case_completes_none_more_lenient(
    tmp_path: Path,
) -> None:
    drill, plain, code = _drill(tmp_path, "model=0.3,tools=0,seed=11")
    assert code == 0, drill
    assert sum(drill["model_faults"].values()) > 0  # the drill did inject model faults
    assert all(m["direction"] == "stricter" for m in drill["moved"]), drill["moved"]
    assert set(plain["decisions"]) == {"uk-saas-clean", "be-minerals-sanctioned-director",
                                       "de-gmbh-wholesale-clean"}


@pytest.mark.slow
@pytest.mark.faults
def test_under_tool_faults_nothing_is_approved_that_was_not(tmp_path: Path) -> None:
    drill, _, code = _drill(tmp_path, "model=0,tools=0.5,seed=3")
    assert code == 0, drill
    assert drill["moved"], "half the tool calls failed: some decision must have moved"
    assert all(m["after"] == "review" for m in drill["moved"]), drill["moved"]


def test_fault_specs_are_read_or_refused_by_name() -> None:
    spec = FaultSpec.parse("model=0.3, tools=0.1, seed=7, kinds=timeout+server_error")
    assert (spec.model, spec.tools, spec.seed, spec.kinds) == (0.3, 0.1, 7, ("timeout",
                                                                             "server_error"))
    for bad, says in [("model=1.5", "between 0 and 1"), ("colour=red", "'colour=red'"),
                      ("model=0.2,kinds=fire", "unknown kinds"), ("seed=3", "above 0"),
                      ("model=lots", "could not convert")]:
        with pytest.raises(AuthoringError, match=says):
            FaultSpec.parse(bad)
