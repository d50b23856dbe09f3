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

    evidence_id: str = Field(description="The evidence item the text is quoted from")
    text: str = Field(min_length=1, description="The exact words as they appear in the evidence")


class CheckVerdict(BaseModel):
    """Your conclusion on this check."""

    status: VerdictStatus = Field(
        description="pass: the check is satisfied; review: a person must look; fail: it is not",
    )
    answer: str = Field(min_length=1, description="One sentence a compliance analyst reads first")
    explanation: str = Field(default="", description="Your reasoning, citing evidence ids")
    evidence_ids: list[str] = Field(
        default_factory=list, description="Ids of the evidence items this verdict rests on",
    )
    quotes: list[Quote] = Field(
        default_factory=list, description="Exact values quoted from the evidence, if any",
    )
