"""Match strength: how far a hit is evidence that the party *is* the listed entity.

A name is not an identity. Only a name corroborated by a fact that few people share, an equal
full date of birth or an equal document or registration number, is `confirmed`; a name match on
its own is `potential`, however close; a possible match below the hit threshold is `weak`.
Procedures reject on `confirmed` only and send `potential` and `weak` to a person.
"""

from __future__ import annotations

from enum import StrEnum


class MatchStrength(StrEnum):
    confirmed = "confirmed"  # the name, and an equal full date of birth or identifier
    potential = "potential"  # the name matches (score at or above the hit threshold)
    weak = "weak"  # a possible match: similar, below the hit threshold


def strength_for(
    score: float, name_score: float, *, corroborated: bool, hit: float, possible: float
) -> MatchStrength:
    """Classify a hit from its final score, its name score and whether a strong fact agrees.

    `confirmed` needs all three: a final score at or above `hit`, a name score at or above
    `possible` (an identifier alone, under another name, is for a person to look at) and a
    corroborating fact.
    """
    if corroborated and score >= hit and name_score >= possible:
        return MatchStrength.confirmed
    if score >= hit or corroborated:
        return MatchStrength.potential
    return MatchStrength.weak
