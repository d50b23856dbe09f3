"""Match strength: how far a hit is evidence that the party *is* the listed entity.

A name is not an identity. Only a name corroborated by a fact that few people share, an equal
full date of birth or an equal document or registration number, is `confirmed`; a name match on
its own is `potential`, however close; a possible match below the hit threshold is `weak`.
Procedures reject on `confirmed` only and send `potential` and `weak` to a person. A name that
matches but whose other facts differ from the listing's so far that the score falls below the
possible threshold (a full date of birth years away, another nationality) is `discounted`: it
raises nothing, and is recorded with the facts that set it apart.
"""

from __future__ import annotations

from enum import StrEnum


class MatchStrength(StrEnum):
    confirmed = "confirmed"  # the name, and an equal full date of birth or identifier
    potential = "potential"  # the name matches (score at or above the hit threshold)
    weak = "weak"  # a possible match: similar, below the hit threshold
    discounted = "discounted"  # the name matches, the facts differ: recorded, not raised


def strength_for(
    score: float, name_score: float, *, corroborated: bool, hit: float, possible: float
) -> MatchStrength:
    """Classify a hit from its final score, its name score and whether a strong fact agrees.

    `confirmed` needs a corroborating fact and a name that matches: a name score at or above
    `hit` (another nationality does not undo the same name and full date of birth), or at or
    above `possible` with a final score at or above `hit` (an identifier alone, under another
    name, is for a person to look at). `discounted` is a name at or above `hit` that the facts
    brought below `possible`.
    """
    if corroborated and (name_score >= hit or (score >= hit and name_score >= possible)):
        return MatchStrength.confirmed
    if score >= hit or corroborated:
        return MatchStrength.potential
    if score < possible and name_score >= hit:
        return MatchStrength.discounted
    return MatchStrength.weak
