"""The typed answer a worker agent's model must give for one check."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from caseworker.domain.results import CheckStatus


class VerdictStatus(StrEnum):
    """What a model may conclude (an `error` comes only from the runtime)."""

    passed = "pass"
    review = "review"
    fail = "fail"

    def as_check_status(self) -> CheckStatus:
        return CheckStatus(self.value)


class Quote(BaseModel):
    """A value quoted from one evidence item."""

    evidence_id: str
    text: str = Field(min_length=1, description="Exact words from that evidence")


class CheckVerdict(BaseModel):
    """Your conclusion on this check."""

    status: VerdictStatus = Field(description="review when a person must look")
    answer: str = Field(min_length=1, description="One sentence")
    explanation: str = ""
    evidence_ids: list[str] = Field(default_factory=list, description="Evidence you rely on")
    quotes: list[Quote] = Field(default_factory=list)
