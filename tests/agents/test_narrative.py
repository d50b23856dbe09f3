"""The job narrative: citations must name real evidence; the rules model writes a template."""

from __future__ import annotations

import asyncio
from pathlib import Path

import redis
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from caseworker.agents.narrative import (
    citation_problems,
    decision_problems,
    evidence_index,
    template_narrative,
    write_narrative,
)
from caseworker.domain.plan import Plan, Recommendation
from caseworker.domain.results import CheckResult, CheckStatus, Evidence
from caseworker.runtime.local import LocalWorkers
from caseworker.runtime.store import JobStore
from caseworker.sop.parser import load_sop
from caseworker.tools.registry import ToolRegistry
from tests.fixtures import jobs
from tests.fixtures.cases import acme

KYB = Path(__file__).resolve().parents[2] / "agents" / "kyb"


def _results(plan: Plan) -> dict[str, CheckResult]:
    results = {}
    for check in plan.checks:
        failing = check.id == "high_risk_country"
        results[check.id] = CheckResult(
            check_id=check.id, title=check.title, severity=check.severity,
            status=CheckStatus.fail if failing else CheckStatus.passed,
            answer="Iran is prohibited." if failing else "Fine.",
            evidence=[Evidence(id=f"{check.id}.E1", source="tool:x", quote=f"{check.id} data")],
        )
    return results


def test_template_narrative_cites_only_real_evidence(registry: ToolRegistry) -> None:
    plan = load_sop(KYB / "sop.md", registry)
    results = _results(plan)
    index = evidence_index(plan, results)
    assert list(index) == [f"E{n}" for n in range(1, len(plan.checks) + 1)]
    assert index["E2"].evidence.id == "high_risk_country.E1"
    text = template_narrative(plan, results, Recommendation.reject, "critical fail", index)
    assert text.startswith("Recommendation: REJECT")
    assert "Iran is prohibited. [E2]" in text
    assert citation_problems(text, index) == []


def test_citation_problems_are_named(registry: ToolRegistry) -> None:
    plan = load_sop(KYB / "sop.md", registry)
    index = evidence_index(plan, _results(plan))
    assert citation_problems("Clean [E1] but [E9].", index) == [
        "[E9] is not an evidence id of this job"]
    assert "cites no evidence" in citation_problems("No citations at all.", index)[0]


def test_llm_narrative_self_corrects_a_hallucinated_citation(registry: ToolRegistry) -> None:
    plan = load_sop(KYB / "sop.md", registry)
    feedback: list[str] = []

    def writer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse(parts=[TextPart("Reject: Iran is prohibited [E42].")])
        # the validator's complaint comes back as the latest prompt
        feedback.extend(str(p.content) for p in messages[-1].parts if hasattr(p, "content"))
        return ModelResponse(parts=[TextPart("Reject: the business operates in Iran [E2].")])

    text, author = asyncio.run(write_narrative(
        [FunctionModel(writer, model_name="writer")], plan, _results(plan),
        Recommendation.reject, "critical fail"))
    assert (text, author) == ("Reject: the business operates in Iran [E2].", "writer")
    assert any("[E42] is not an evidence id" in f for f in feedback)


def test_a_model_that_never_cites_properly_falls_back_to_the_template(
    registry: ToolRegistry,
) -> None:
    plan = load_sop(KYB / "sop.md", registry)

    def careless(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart("Looks bad [E77].")])

    text, author = asyncio.run(write_narrative(
        [FunctionModel(careless), None], plan, _results(plan), Recommendation.reject, "r"))
    assert author == "rules" and text.startswith("Recommendation: REJECT")


def test_the_summary_must_open_with_the_real_decision() -> None:
    assert decision_problems("Rejected: Iran is prohibited [E2].", Recommendation.reject) == []
    assert decision_problems("Declined. Iran [E2].", Recommendation.reject) == []
    assert decision_problems("Sent for review: a possible match [E5].",
                             Recommendation.review) == []
    assert decision_problems("Approve: every check passed [E1].", Recommendation.approve) == []
    # a planted "say it was approved", obeyed
    assert decision_problems("Approved after review [E2].", Recommendation.reject) == [
        "the first sentence must state the decision: reject",
        "the decision is reject; the summary must not say the case is approved"]
    assert decision_problems("The business is in Iran [E2]. It is rejected.",
                             Recommendation.reject) == [
        "the first sentence must state the decision: reject"]


def test_a_summary_that_calls_a_rejection_an_approval_is_replaced(
    registry: ToolRegistry,
) -> None:
    plan = load_sop(KYB / "sop.md", registry)

    def obedient(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart("Approved: pre-cleared by compliance [E2].")])

    text, author = asyncio.run(write_narrative(
        [FunctionModel(obedient), None], plan, _results(plan), Recommendation.reject, "r"))
    assert author == "rules" and text.startswith("Recommendation: REJECT")


def test_finished_jobs_carry_a_cited_narrative(conn: redis.Redis, workers: LocalWorkers) -> None:
    job_id = jobs.start(conn, KYB, acme(countries_of_operation=["IR"]))
    jobs.wait(conn, job_id)
    job = JobStore(conn).get(job_id)
    assert job.recommendation == Recommendation.reject
    assert job.summary_by == "rules"
    assert job.summary is not None and "Iran" in job.summary
    definition = JobStore(conn).definition(job_id)
    assert citation_problems(job.summary, evidence_index(definition.plan, job.results)) == []
