"""The aggregator: the SOP's decision policy (CEL over check results) → a recommendation."""

from __future__ import annotations

from typing import Any

from caseworker.domain.plan import Plan, Recommendation
from caseworker.domain.results import CheckResult
from caseworker.exceptions import RuleEvaluationError
from caseworker.sop.rules import compile_expression


def policy_variables(plan: Plan, statuses: dict[str, str]) -> dict[str, Any]:
    """Build `checks` (a list of {id, title, status, severity}) and `check` (the same by id).

    A check with no status (it has no result) counts as `error`.
    """
    rows = [
        {"id": c.id, "title": c.title, "severity": c.severity.value,
         "status": statuses.get(c.id, "error")}
        for c in plan.checks
    ]
    return {"checks": rows, "check": {row["id"]: row for row in rows}}


def decide(plan: Plan, results: dict[str, CheckResult]) -> tuple[Recommendation, str]:
    """First matching decision rule wins; none matching, or a broken rule, means review."""
    return decide_statuses(plan, {i: r.status.value for i, r in results.items()})


def decide_statuses(plan: Plan, statuses: dict[str, str]) -> tuple[Recommendation, str]:
    """`decide` over bare statuses (`pass`, `review`, `fail`, `error`) by check id."""
    variables = policy_variables(plan, statuses)
    for rule in plan.decision:
        try:
            if compile_expression(rule.when).is_true(variables):
                return rule.recommendation, f"decision rule `{rule.when}` matched"
        except RuleEvaluationError as exc:
            return Recommendation.review, f"decision policy could not be evaluated: {exc.message}"
    return Recommendation.review, "no decision rule matched; defaulting to review"
