"""Model strings build real pydantic-ai models; the decision policy picks the first match."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_ai.models.function import FunctionModel
from pydantic_ai.models.openai import OpenAIChatModel

from caseworker.agents.aggregator import decide
from caseworker.agents.guardrail import apply_guardrail
from caseworker.agents.models import build_one, resolve_key
from caseworker.agents.pricing import cost_usd, price_table
from caseworker.domain.plan import Severity
from caseworker.domain.results import CheckResult, CheckStatus, RuleOutcome
from caseworker.exceptions import ConfigurationError
from caseworker.settings import get_settings
from caseworker.sop.parser import load_sop
from caseworker.sop.spec import AgentSpec, ModelEntry
from caseworker.tools.registry import ToolRegistry

KYB_SOP = Path(__file__).resolve().parents[2] / "agents" / "kyb" / "sop.md"


def _check(registry: ToolRegistry):  # type: ignore[no-untyped-def]
    return load_sop(KYB_SOP, registry).check("high_risk_country")


def test_rules_is_the_offline_default(registry: ToolRegistry) -> None:
    model = build_one(ModelEntry(model="rules"), _check(registry), {})
    assert isinstance(model, FunctionModel) and model.model_name == "rules"


def test_spec_model_chain_accepts_strings_and_endpoints() -> None:
    spec = AgentSpec.model_validate({
        "name": "a", "profile": "p", "sop": "sop.md",
        "model": ["openai:gpt-4.1", {"model": "smollm2", "base_url": "http://127.0.0.1:8080/v1",
                                     "temperature": 0, "max_retries": 3}, "rules"],
    })
    assert [m.label for m in spec.model] == [
        "openai:gpt-4.1", "smollm2@http://127.0.0.1:8080/v1", "rules"]
    assert spec.model[1].max_retries == 3
    default = AgentSpec.model_validate({"name": "a", "profile": "p", "sop": "s"})
    assert default.model[0].model == "rules"


def test_openai_string_builds_the_openai_model(
    registry: ToolRegistry, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    model = build_one(ModelEntry(model="openai:gpt-4.1", temperature=0), _check(registry), {})
    assert isinstance(model, OpenAIChatModel)
    assert model.model_name == "gpt-4.1" and model.system == "openai"
    assert model.settings is not None and model.settings.get("temperature") == 0


def test_missing_key_names_the_variable(
    registry: ToolRegistry, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="set OPENAI_API_KEY"):
        build_one(ModelEntry(model="openai:gpt-4.1"), _check(registry), {})


def test_endpoint_key_comes_from_the_secrets_file(
    registry: ToolRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("# keys\nLOCAL_LLM_KEY='sk-local-123'\n")
    monkeypatch.delenv("LOCAL_LLM_KEY", raising=False)
    monkeypatch.setattr(get_settings(), "secrets_file", secrets)
    assert resolve_key("LOCAL_LLM_KEY") == "sk-local-123"
    entry = ModelEntry(model="smollm2", base_url="http://127.0.0.1:9/v1",
                       api_key_env="LOCAL_LLM_KEY")
    model = build_one(entry, _check(registry), {})
    assert isinstance(model, OpenAIChatModel) and model.model_name == "smollm2"
    assert str(model.client.base_url).startswith("http://127.0.0.1:9/v1")
    assert model.client.api_key == "sk-local-123"


def test_unknown_provider_is_a_configuration_error(registry: ToolRegistry) -> None:
    with pytest.raises(ConfigurationError, match="nosuchprovider:model"):
        build_one(ModelEntry(model="nosuchprovider:model"), _check(registry), {})


def test_prices_come_from_the_dated_table() -> None:
    assert price_table().as_of.year >= 2025
    assert cost_usd("gpt-4.1-2025-04-14", 1_000_000, 0) == 2.0
    assert cost_usd("openai:gpt-4.1-mini", 0, 1_000_000) == 1.6
    assert cost_usd("rules", 10, 10) == 0.0
    assert cost_usd("smollm2", 10, 10, local=True) == 0.0
    assert cost_usd("some-unknown-model", 10, 10) is None


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
    ("pass", "fail", "fail", "guardrail_override"),
    ("pass", "review", "review", "guardrail_override"),
    ("review", "fail", "fail", "guardrail_override"),
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
