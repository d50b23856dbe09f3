"""The plan: a validated DAG of checks built from an SOP, plus its decision policy."""

from __future__ import annotations

from enum import StrEnum
from graphlib import TopologicalSorter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Recommendation(StrEnum):
    approve = "approve"
    review = "review"
    reject = "reject"


class PlanStep(BaseModel):
    """One deterministic tool call: arguments may reference memory (`$case.…`) or earlier steps."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Name of this step's output in rules, e.g. `result`")
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)


class CheckRule(BaseModel):
    """CEL conditions over the plan's outputs; evaluated fail, then review, then pass."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    fail: str | None = None
    review: str | None = None
    pass_: str | None = Field(default=None, alias="pass")

    def conditions(self) -> list[tuple[str, str]]:
        """(status, expression) pairs in evaluation order."""
        pairs = [("fail", self.fail), ("review", self.review), ("pass", self.pass_)]
        return [(status, expr) for status, expr in pairs if expr]


class CheckDefinition(BaseModel):
    """One check of the procedure: instructions for the worker and its machine-readable contract."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    instructions: str
    severity: Severity = Severity.medium
    after: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    writes: dict[str, str] = Field(
        default_factory=dict, description="Memory key -> CEL expression over the plan outputs"
    )
    plan: tuple[PlanStep, ...] = ()
    rule: CheckRule = Field(default_factory=CheckRule)
    line: int | None = Field(default=None, description="Line of the check's heading in the SOP")


class DecisionRule(BaseModel):
    """One line of the decision policy: a recommendation and the CEL condition that selects it."""

    model_config = ConfigDict(frozen=True)

    recommendation: Recommendation
    when: str


class Plan(BaseModel):
    """An SOP turned into a runnable, validated DAG of checks."""

    agent: str
    title: str
    subject: str = "business"
    source: str | None = Field(default=None, description="Path of the SOP this plan came from")
    version: str | None = Field(default=None, description="The SOP's `version:`, if it has one")
    sop_sha256: str = Field(
        default="", description="SHA-256 of the SOP file's bytes (empty: not read from a file)",
    )
    decision: tuple[DecisionRule, ...]
    checks: tuple[CheckDefinition, ...]

    def check(self, check_id: str) -> CheckDefinition:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    @property
    def check_ids(self) -> list[str]:
        return [c.id for c in self.checks]

    def topological_order(self) -> list[str]:
        """Check ids so that every check comes after its dependencies (raises on a cycle)."""
        sorter = TopologicalSorter({c.id: c.after for c in self.checks})
        return list(sorter.static_order())

    def ready(self, done: set[str], started: set[str]) -> list[str]:
        """List the checks not yet started whose dependencies have all completed, in plan order."""
        return [
            c.id for c in self.checks
            if c.id not in started and c.id not in done and set(c.after) <= done
        ]
