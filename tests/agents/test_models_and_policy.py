"""Model strings build real pydantic-ai models; the decision policy picks the first match."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_ai.models.fallback import FallbackModel
from pydantic_ai.models.function import FunctionModel

from caseworker.agents.aggregator import decide
from caseworker.agents.guardrail import apply_guardrail
from caseworker.agents.models import build_model
from caseworker.domain.plan import Severity
from caseworker.domain.results import CheckResult, CheckStatus, RuleOutcome
from caseworker.exceptions import ConfigurationError
from caseworker.sop.parser import load_sop
from caseworker.tools.registry import ToolRegistry

KYB_SOP = Path(__file__).resolve().parents[2] / "agents" / "kyb" / "sop.md"


def test_rules_is_the_offline_default(registry: ToolRegistry) -> None:
    check = load_sop(KYB_SOP, registry).check("high_risk_country")
    model = build_model(["rules"], check, {})
    assert isinstance(model, FunctionModel) and model.model_name == "rules"


def test_provider_strings_build_provider_models_with_fallback(
    registry: ToolRegistry, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    check = load_sop(KYB_SOP, registry).check("high_risk_country")
    model = build_model(["openai:gpt-4.1", "rules"], check, {})
    assert isinstance(model, FallbackModel)
    first, second = model.models
    assert first.model_name == "gpt-4.1" and first.system == "openai"
    assert second.model_name == "rules"


def test_unknown_provider_is_a_configuration_error(registry: ToolRegistry) -> None:
    check = load_sop(KYB_SOP, registry).check("high_risk_country")
    with pytest.raises(ConfigurationError, match="nosuchprovider:model"):
        build_model(["nosuchprovider:model"], check, {})


def _result(check_id: str, status: CheckStatus, severity: Severity) -> CheckResult:
    return CheckResult(check_id=check_id, title=check_id, severity=severity, status=status,
                       answer=".")


def test_decision_policy(registry: ToolRegistry) -> None:
    plan = load_sop(KYB_SOP, registry)
    passed = {c.id: _result(c.id, CheckStatus.passed, c.severity) for c in plan.checks}
    assert decide(plan, passed)[0] == "approve"
    review = {**passed, "business_profile": _result("business_profile", CheckStatus.fail,
                                                    Severity.medium)}
    assert decide(plan, review)[0] == "review"
    reject = {**passed, "high_risk_country": _result("high_risk_country", CheckStatus.fail,
                                                     Severity.critical)}
    assert decide(plan, reject)[0] == "reject"
    errored = {**passed, "high_risk_industry": _result("high_risk_industry", CheckStatus.error,
                                                       Severity.critical)}
    assert decide(plan, errored)[0] == "review"


@pytest.mark.parametrize(("verdict", "rule", "final", "alert"), [
    ("pass", "fail", "review", "guardrail_override"),
    ("pass", "review", "review", "guardrail_override"),
    ("review", "fail", "review", "guardrail_override"),
    ("fail", "pass", "fail", "model_stricter_than_rule"),
    ("pass", "pass", "pass", None),
    ("pass", "error", "review", "rule_unevaluated"),
])
def test_guardrail_never_accepts_a_more_lenient_verdict(
    verdict: str, rule: str, final: str, alert: str | None,
) -> None:
    status, alerts = apply_guardrail(CheckStatus(verdict), RuleOutcome(status=CheckStatus(rule)))
    assert status == final
    assert [a.code for a in alerts] == ([alert] if alert else [])
