"""Check results: status, evidence, alerts, the rule's outcome, usage and timings."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from caseworker.domain.plan import Severity


class CheckStatus(StrEnum):
    passed = "pass"
    review = "review"
    fail = "fail"
    error = "error"


# How lenient a status is: a higher number lets a case through more easily.
LENIENCY: dict[CheckStatus, int] = {
    CheckStatus.fail: 0,
    CheckStatus.error: 1,
    CheckStatus.review: 1,
    CheckStatus.passed: 2,
}


class Evidence(BaseModel):
    """One piece of evidence with a stable id, where it came from, and the quoted value."""

    id: str = Field(description="Stable id, `<check>.E<n>`")
    source: str = Field(description="e.g. `tool:risk.country`, `list:FATF 2025-10#IR`, a URL")
    quote: str = Field(description="The value as found at the source")
    tool: str | None = None
    step: int | None = None


class AlertLevel(StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"


class Alert(BaseModel):
    """Something a reviewer must know about a check: a guardrail override, a degraded tool."""

    code: str
    level: AlertLevel = AlertLevel.warning
    message: str


class RuleOutcome(BaseModel):
    """What the check's deterministic CEL rule concluded from the tool outputs."""

    status: CheckStatus
    matched: str | None = Field(default=None, description="The condition that matched, if any")
    error: str | None = None


class Usage(BaseModel):
    """Model usage of one check (or, summed, of one job)."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    tool_calls: int = 0
    cost_usd: float | None = Field(default=0.0, description="None when a price is unknown")
    model_latency_ms: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        cost = (None if self.cost_usd is None or other.cost_usd is None
                else round(self.cost_usd + other.cost_usd, 6))
        return Usage(
            requests=self.requests + other.requests,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            tool_calls=self.tool_calls + other.tool_calls,
            cost_usd=cost,
            model_latency_ms=round(self.model_latency_ms + other.model_latency_ms, 2),
        )


class Timings(BaseModel):
    started_at: dt.datetime
    finished_at: dt.datetime

    @property
    def duration_ms(self) -> float:
        return (self.finished_at - self.started_at).total_seconds() * 1000


class CheckResult(BaseModel):
    """The outcome of one check, shaped like the results compliance APIs return."""

    check_id: str
    title: str
    severity: Severity
    status: CheckStatus
    answer: str = Field(description="One sentence")
    explanation: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    payload: dict[str, Any] = Field(default_factory=dict)
    alerts: list[Alert] = Field(default_factory=list)
    rule_outcome: RuleOutcome | None = None
    model: str | None = None
    usage: Usage = Field(default_factory=Usage)
    timings: Timings | None = None
    attempts: int = 1
    worker: str | None = None
    audit_records: list[int] = Field(
        default_factory=list, description="Seqs of this check's records in the job's audit trail",
    )
