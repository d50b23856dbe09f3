"""The deterministic rule over tool outputs, and the guardrail: no model is more lenient than it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caseworker.domain.plan import CheckDefinition
from caseworker.domain.results import LENIENCY, Alert, AlertLevel, CheckStatus, RuleOutcome
from caseworker.exceptions import RuleEvaluationError
from caseworker.sop.rules import compile_expression


def rule_variables(check: CheckDefinition, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """CEL variables: each step's output by name, `result` for the last one, `steps` for all."""
    variables: dict[str, Any] = {"steps": dict(outputs)}
    variables.update(outputs)
    if check.plan and check.plan[-1].name in outputs:
        variables["result"] = outputs[check.plan[-1].name]
    return variables


def evaluate_rule(check: CheckDefinition, outputs: Mapping[str, Any]) -> RuleOutcome | None:
    """Evaluate fail → review → pass; None when the check has no rule.

    With no `pass` condition, a rule that matched neither fail nor review passes; with one
    that is false, the check is not affirmatively cleared and goes to review.
    """
    conditions = check.rule.conditions()
    if not conditions:
        return None
    variables = rule_variables(check, outputs)
    try:
        for status, source in conditions:
            if compile_expression(source).is_true(variables):
                return RuleOutcome(status=CheckStatus(status), matched=source)
    except RuleEvaluationError as exc:
        return RuleOutcome(status=CheckStatus.error, error=exc.message)
    if check.rule.pass_:
        return RuleOutcome(status=CheckStatus.review, matched=None)
    return RuleOutcome(status=CheckStatus.passed, matched=None)


def apply_guardrail(
    verdict: CheckStatus, outcome: RuleOutcome | None,
) -> tuple[CheckStatus, list[Alert]]:
    """Decide the status: the model's verdict, or the rule's when the model is more lenient.

    A verdict more lenient than the rule never stands (a fail stays a fail, so a rejection
    cannot be talked down to a review); the override is raised as a critical alert.
    """
    if outcome is None:
        return verdict, []
    if outcome.status == CheckStatus.error:
        return CheckStatus.review, [Alert(
            code="rule_unevaluated", level=AlertLevel.warning,
            message=f"The check's rule could not be evaluated: {outcome.error}",
        )]
    if LENIENCY[verdict] > LENIENCY[outcome.status]:
        return outcome.status, [Alert(
            code="guardrail_override", level=AlertLevel.critical,
            message=(
                f"The model concluded '{verdict.value}' but the rule concluded "
                f"'{outcome.status.value}' ({outcome.matched or 'no condition matched'}); "
                "a verdict more lenient than the rule is not accepted: the rule's stands and a "
                "person should look at the disagreement."
            ),
        )]
    if LENIENCY[verdict] < LENIENCY[outcome.status]:
        return verdict, [Alert(
            code="model_stricter_than_rule", level=AlertLevel.info,
            message=f"The model concluded '{verdict.value}', stricter than the rule's "
                    f"'{outcome.status.value}'; the stricter verdict stands.",
        )]
    return verdict, []


def stricter(status: CheckStatus, outcome: RuleOutcome | None) -> CheckStatus:
    """Pick the stricter of a status and the rule's outcome; an unevaluated rule counts for none."""
    if outcome is None or outcome.status == CheckStatus.error:
        return status
    return outcome.status if LENIENCY[outcome.status] < LENIENCY[status] else status
