"""The CI gate: no false approval, and no accuracy below the committed baseline's."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from caseworker.eval.metrics import Summary
from caseworker.exceptions import AuthoringError

TOLERANCE = 1e-9  # accuracies are ratios of the same counts: equal means equal


class Baseline(BaseModel):
    """The figures a configuration must keep: written by `caseworker eval --write-baseline`."""

    configuration: str
    dataset: str
    cases: int
    accuracy: float = Field(ge=0, le=1)
    per_check: dict[str, float] = Field(default_factory=dict)

    @classmethod
    def of(cls, summary: Summary, dataset: str) -> Baseline:
        return cls(configuration=summary.configuration, dataset=dataset, cases=summary.cases,
                   accuracy=summary.accuracy,
                   per_check={c.check_id: c.accuracy for c in summary.per_check
                              if c.accuracy is not None})


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; a missing or malformed one is an error naming the file."""
    try:
        return Baseline.model_validate(json.loads(path.read_text()))
    except FileNotFoundError:
        raise AuthoringError(f"{path}: no such baseline file (make one with "
                             "--write-baseline)") from None
    except (ValueError, ValidationError) as exc:
        raise AuthoringError(f"{path}: not a baseline file ({exc})") from None


def gate(summary: Summary, baseline: Baseline) -> list[str]:
    """Every reason `summary` fails the gate, each naming the cases; empty when it passes."""
    problems = []
    if summary.false_approvals:
        problems.append(f"{len(summary.false_approvals)} false approval(s): "
                        + ", ".join(summary.false_approvals))
    if summary.accuracy + TOLERANCE < baseline.accuracy:
        wrong = [m.case_id for m in summary.misses if m.expected != m.actual]
        problems.append(f"decision accuracy {summary.accuracy:.2%} is below the baseline's "
                        f"{baseline.accuracy:.2%}; wrong: {', '.join(wrong)}")
    for check in summary.per_check:
        floor = baseline.per_check.get(check.check_id)
        if floor is not None and check.accuracy is not None and \
                check.accuracy + TOLERANCE < floor:
            wrong = [m.case_id for m in summary.misses if check.check_id in m.checks]
            problems.append(f"{check.check_id}: accuracy {check.accuracy:.2%} is below the "
                            f"baseline's {floor:.2%}; wrong: {', '.join(wrong)}")
    return problems
