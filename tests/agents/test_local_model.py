"""A real local language model (SmolLM2-135M under llama.cpp) through the hosted-model path.

The model is tiny, so these tests assert structure, not wisdom: whatever it answers, the
check ends in a typed verdict or a typed failure, the rule ran, usage, audit records and
events were written, and the guardrail keeps it from being more lenient than the rule.
Skipped unless the `local` extra is installed (see tests/fixtures/local_model.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis

from caseworker.agents.worker import CheckRun, Outcome, run_check
from caseworker.domain.events import EventType, JobEvent
from caseworker.domain.results import CheckStatus
from caseworker.runtime import audit, events
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import load_agent
from caseworker.sop.spec import ModelEntry
from caseworker.tools.registry import ToolRegistry
from tests.fixtures.cases import acme
from tests.fixtures.local_model import LocalModelServer, local_model_fixture

__all__ = ["local_model_fixture"]  # the `local_model_server` fixture

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

KYB = Path(__file__).resolve().parents[2] / "agents" / "kyb"
CHECK = "high_risk_country"
TYPED_FAILURES = {"model_output_invalid", "model_unavailable"}


def _run(
    conn: redis.Redis, registry: ToolRegistry, server: LocalModelServer, countries: list[str],
) -> tuple[str, Outcome, list[JobEvent]]:
    entry = ModelEntry(model=server.model, base_url=server.base_url, max_retries=1,
                       timeout=120, temperature=0, max_tokens=300)
    definition = load_agent(KYB, registry).definition
    spec = definition.spec.model_copy(update={"model": [entry]})
    definition = definition.model_copy(update={"spec": spec})
    job_id = JobStore(conn).create(definition, acme(countries_of_operation=countries))
    outcome = asyncio.run(run_check(CheckRun(
        conn=conn, job_id=job_id, spec=spec, check=definition.plan.check(CHECK),
        registry=registry,
    )))
    return job_id, outcome, events.replay(conn, job_id)


def test_a_real_local_model_gives_a_typed_verdict_or_a_typed_failure(
    conn: redis.Redis, registry: ToolRegistry, local_model_server: LocalModelServer,
) -> None:
    job_id, outcome, seen = _run(conn, registry, local_model_server, ["KE"])
    result = outcome.result
    codes = [a.code for a in result.alerts]
    failed = bool(TYPED_FAILURES & set(codes))
    types = {e.type for e in seen}

    # A valid typed verdict (after any self-correction) or a typed failure, nothing else.
    assert "check_crashed" not in codes and "check_timeout" not in codes, result.explanation
    if failed:
        assert result.status == CheckStatus.review
        assert result.model is None
        assert EventType.model_failover in types
    else:
        assert result.status in {CheckStatus.passed, CheckStatus.review, CheckStatus.fail}
        assert result.model is not None and result.answer
    # The guardrail ran the plan: Kenya is under increased monitoring, so the rule says review
    # and the final status is never more lenient than that.
    assert result.rule_outcome is not None and result.rule_outcome.status == CheckStatus.review
    assert result.payload["country"]["high_risk"] == ["KE"]
    assert result.status != CheckStatus.passed

    # Usage of every model call, from the server's own counts.
    assert result.usage.requests >= 1
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0
    assert result.usage.cost_usd == 0.0  # a local endpoint costs nothing

    # The audit trail of this check is intact and holds the model's requests and responses.
    trail = [r for r in audit.records(conn, job_id) if r.check_id == CHECK]
    kinds = [r.kind for r in trail]
    assert kinds.count("model.request") >= 1 and kinds.count("model.response") >= 1
    assert all(r.payload["model"] == local_model_server.model for r in trail
               if r.kind == "model.request")
    assert audit.verify(conn, job_id).ok
    if not failed:
        assert "check.verdict" in kinds
        assert set(result.audit_records) <= {r.seq for r in trail}

    # Events show each model call.
    assert {EventType.model_request, EventType.model_response} <= types
    responses = [e.data for e in seen if e.type == EventType.model_response]
    assert len(responses) == result.usage.requests
    assert sum(r["input_tokens"] for r in responses) == result.usage.input_tokens


def test_the_guardrail_never_lets_a_local_model_pass_a_prohibited_country(
    conn: redis.Redis, registry: ToolRegistry, local_model_server: LocalModelServer,
) -> None:
    _, outcome, _ = _run(conn, registry, local_model_server, ["IR"])
    result = outcome.result
    assert result.rule_outcome is not None and result.rule_outcome.status == CheckStatus.fail
    assert result.status != CheckStatus.passed
    assert result.status in {CheckStatus.review, CheckStatus.fail}
