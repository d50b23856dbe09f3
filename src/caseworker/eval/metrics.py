"""Figures of one configuration's evaluation: decisions, false approvals, checks, cost, time."""

from __future__ import annotations

import statistics
from typing import Any

from pydantic import BaseModel, Field
from pydantic_evals.reporting.analyses import ConfusionMatrix

from caseworker.eval.dataset import LabelledCase
from caseworker.eval.runner import CaseRun, ConfigurationRun

DECISIONS = ["approve", "review", "reject", "none"]  # "none": the job did not complete
# How much a decision lets a case through: a decision above the expected one is too lenient.
LENIENCY = {"reject": 0, "review": 1, "approve": 2}


class CheckFigures(BaseModel):
    check_id: str
    asserted: int = Field(description="Cases whose label states this check's status")
    correct: int
    accuracy: float | None
    flag_precision: float | None = Field(description="Of the checks flagged (not pass), how "
                                         "many the label flags too")
    flag_recall: float | None = Field(description="Of the checks the label flags, how many "
                                      "were flagged")


class Miss(BaseModel):
    case_id: str
    family: str
    expected: str
    actual: str
    checks: dict[str, str] = Field(description="Checks whose status differs: check -> "
                                   "'expected -> actual'")
    error: str | None = None
    facts: list[str] = Field(default_factory=list, description="What the label rests on")


class Summary(BaseModel):
    """Every figure of one configuration, as the JSON results and the reports give them."""

    configuration: str
    cases: int
    completed: int
    accuracy: float
    labels: list[str] = DECISIONS
    confusion: list[list[int]] = Field(description="Rows: expected decision; columns: actual")
    false_approvals: list[str] = Field(description="Should have been reviewed or rejected, "
                                       "was approved")
    false_rejections: list[str] = Field(description="Should have been approved or reviewed, "
                                        "was rejected")
    more_lenient: list[str] = Field(description="Any decision more lenient than expected")
    per_check: list[CheckFigures]
    by_family: dict[str, dict[str, int]]
    misses: list[Miss]
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    latency_p50_s: float | None
    latency_p95_s: float | None
    processing_p50_s: float | None
    wall_s: float
    cases_per_s: float
    decisions: dict[str, str] = Field(
        default_factory=dict, description="Case id -> decision ('none': did not complete)")


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _confusion(run: ConfigurationRun, outcomes: dict[str, CaseRun | None],
               expected: dict[str, str]) -> list[list[int]]:
    """Build the decision matrix in DECISIONS order from pydantic-evals' one.

    Cases whose task failed have no output, so no label: they are counted as `none`.
    """
    matrix = [[0] * len(DECISIONS) for _ in DECISIONS]
    analysis = next((a for a in run.report.analyses if isinstance(a, ConfusionMatrix)), None)
    if analysis is not None:
        for row, want in enumerate(analysis.class_labels):
            for column, got in enumerate(analysis.class_labels):
                matrix[DECISIONS.index(want)][DECISIONS.index(got)] += analysis.matrix[row][column]
    for case_id, outcome in outcomes.items():
        if outcome is None:
            matrix[DECISIONS.index(expected[case_id])][DECISIONS.index("none")] += 1
    return matrix


def summarize(run: ConfigurationRun, cases: list[LabelledCase]) -> Summary:
    """Compute every figure of `run` over the labelled `cases` it ran."""
    by_id = {c.id: c for c in cases}
    outcomes: dict[str, CaseRun | None] = {c.id: None for c in cases}
    errors: dict[str, str] = {}
    for done in run.report.cases:
        outcomes[done.name] = done.output
    for failure in run.report.failures:
        errors[failure.name] = failure.error_message
    expected = {c.id: c.expected.decision.value for c in cases}

    misses, false_approvals, false_rejections, lenient = [], [], [], []
    families: dict[str, dict[str, int]] = {}
    correct = 0
    tallies: dict[str, dict[str, int]] = {}
    for case_id, outcome in outcomes.items():
        labelled = by_id[case_id]
        want = expected[case_id]
        got = outcome.decision if outcome and outcome.decision else "none"
        family = families.setdefault(labelled.family, {"cases": 0, "correct": 0})
        family["cases"] += 1
        if got == want:
            correct += 1
            family["correct"] += 1
        if got == "approve" and want != "approve":
            false_approvals.append(case_id)
        if got == "reject" and want != "reject":
            false_rejections.append(case_id)
        if got != "none" and LENIENCY[got] > LENIENCY[want]:
            lenient.append(case_id)
        wrong_checks = {}
        for check_id, status in labelled.expected.checks.items():
            actual = (outcome.checks.get(check_id) if outcome else None) or "none"
            tally = tallies.setdefault(check_id, {"asserted": 0, "correct": 0, "tp": 0,
                                                  "flagged": 0, "expected_flags": 0})
            tally["asserted"] += 1
            tally["correct"] += actual == status.value
            flagged, should = actual not in ("pass", "none"), status.value != "pass"
            tally["flagged"] += flagged
            tally["expected_flags"] += should
            tally["tp"] += flagged and should
            if actual != status.value:
                wrong_checks[check_id] = f"{status.value} -> {actual}"
        if got != want or wrong_checks:
            misses.append(Miss(case_id=case_id, family=labelled.family, expected=want,
                               actual=got, checks=wrong_checks, facts=labelled.facts,
                               error=errors.get(case_id) or (outcome.error if outcome else None)))

    runs = [o for o in outcomes.values() if o is not None]
    costs = [o.cost_usd for o in runs]
    return Summary(
        configuration=run.configuration.name, cases=len(cases),
        completed=sum(o.status.value == "complete" for o in runs),
        accuracy=correct / len(cases) if cases else 0.0,
        confusion=_confusion(run, outcomes, expected),
        false_approvals=sorted(false_approvals), false_rejections=sorted(false_rejections),
        more_lenient=sorted(lenient),
        per_check=[CheckFigures(
            check_id=check_id, asserted=t["asserted"], correct=t["correct"],
            accuracy=_ratio(t["correct"], t["asserted"]),
            flag_precision=_ratio(t["tp"], t["flagged"]),
            flag_recall=_ratio(t["tp"], t["expected_flags"]),
        ) for check_id, t in sorted(tallies.items())],
        by_family=dict(sorted(families.items())), misses=misses,
        input_tokens=sum(o.input_tokens for o in runs),
        output_tokens=sum(o.output_tokens for o in runs),
        cost_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
        latency_p50_s=_quantile([o.latency_s for o in runs], 0.5),
        latency_p95_s=_quantile([o.latency_s for o in runs], 0.95),
        processing_p50_s=_quantile([o.processing_s for o in runs if o.processing_s], 0.5),
        wall_s=run.wall_s, cases_per_s=len(runs) / run.wall_s if run.wall_s else 0.0,
        decisions={case_id: (o.decision if o and o.decision else "none")
                   for case_id, o in outcomes.items()},
    )


def summary_json(summaries: list[Summary], meta: dict[str, Any]) -> dict[str, Any]:
    """Build the results file: what ran (dataset, agent, split), each configuration's figures."""
    return {**meta, "configurations": [s.model_dump(mode="json") for s in summaries]}
