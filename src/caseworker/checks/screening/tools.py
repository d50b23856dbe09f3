"""The screening tools: the business and everyone behind it, against sanctions lists or PEP data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from caseworker.checks.screening.engine import Party, ScreeningResult
from caseworker.checks.screening.entity import EntityType
from caseworker.checks.screening.errors import ListsUnavailable
from caseworker.checks.screening.matcher import Hit, MatchStatus
from caseworker.checks.screening.service import screener
from caseworker.checks.screening.strength import MatchStrength
from caseworker.logs import get_logger
from caseworker.tools.base import EvidenceDraft, ToolContext, ToolOutput, tool

if TYPE_CHECKING:  # the runtime gives tools the case's clearances; tools do not import it
    from caseworker.runtime.clearances import Clearance

log = get_logger(__name__)

Role = Literal["subject", "trading_name", "individual", "entity"]


class ScreeningInput(BaseModel):
    subject: dict[str, Any] = Field(description="The case's subject (business or person) as JSON")
    individuals: list[dict[str, Any]] = Field(
        default_factory=list, description="The case's associated individuals as JSON")
    entities: list[dict[str, Any]] = Field(
        default_factory=list, description="The case's associated entities as JSON")


class HitClearance(BaseModel):
    """A reviewer's finding, for this case, that the hit is not the listed entity."""

    clearance_id: str
    cleared_by: str
    cleared_at: dt.datetime
    reason: str
    job_id: str = Field(description="The job whose report it was cleared from")


class PartyHit(BaseModel):
    entity_id: str
    source: str
    matched_name: str
    caption: str
    score: float
    status: MatchStatus
    strength: MatchStrength
    topics: list[str]
    explanation: dict[str, Any]
    cleared: HitClearance | None = Field(
        default=None, description="Cleared by a reviewer: shown, but counted in no flag or count")


class PartyScreening(BaseModel):
    role: Role
    name: str
    status: MatchStatus
    hits: list[PartyHit]
    discounted: list[PartyHit] = Field(
        default_factory=list,
        description="Listed names this party has, whose date of birth and nationality set them "
        "apart: recorded, counted in no flag")


class ScreeningOutput(ToolOutput):
    parties: list[PartyScreening]
    any_confirmed: bool = Field(description="A name corroborated by equal full DOB or identifier")
    any_potential: bool = Field(description="A name-level match at or above the hit threshold")
    any_weak: bool = Field(description="A possible match below the hit threshold")
    any_hit: bool = Field(description="Any match at or above the hit threshold")
    any_possible: bool
    hit_count: int
    confirmed_count: int
    cleared_count: int = Field(default=0, description="Hits a reviewer cleared for this case")
    list_dates: dict[str, str | None]

    def evidence(self) -> list[EvidenceDraft]:
        drafts = [
            EvidenceDraft(
                source=f"list:{hit.source}#{hit.entity_id}",
                quote=f"{party.role} '{party.name}' ~ '{hit.matched_name}' "
                      f"(listed as '{hit.caption}'), score {hit.score:.2f}, {hit.strength.value}"
                      f"{_facts(hit)}{_cleared(hit)}",
            )
            for party in self.parties for hit in party.hits
        ]
        if not drafts:
            lists = ", ".join(f"{s} ({d or 'undated'})" for s, d in self.list_dates.items())
            drafts = [EvidenceDraft(
                source="lists:" + ",".join(self.list_dates),
                quote=f"{len(self.parties)} parties screened against {lists}: no match",
            )]
        drafts += [
            EvidenceDraft(
                source=f"list:{hit.source}#{hit.entity_id}",
                quote=f"{party.role} '{party.name}' has the name of '{hit.caption}', but not its "
                      f"facts{_facts(hit)}: discounted, score {hit.score:.2f}, not raised",
            )
            for party in self.parties for hit in party.discounted
        ]
        return drafts


def _facts(hit: PartyHit) -> str:
    """Return the secondary facts that moved a hit's score, for the evidence quote."""
    reasons = [str(a.get("reason")) for a in hit.explanation.get("adjustments", [])]
    return f" ({'; '.join(reasons)})" if reasons else " (name only)"


def _cleared(hit: PartyHit) -> str:
    """Say, in the evidence quote, that a reviewer cleared the hit: who, when and why."""
    if hit.cleared is None:
        return ""
    c = hit.cleared
    return (f"; cleared as not this party by {c.cleared_by} on {c.cleared_at:%Y-%m-%d}: "
            f"{c.reason} (clearance {c.clearance_id}, not counted)")


def _clearance(party: str, source: str, entity_id: str,
               clearances: Sequence[Clearance]) -> HitClearance | None:
    """Find the active clearance of this party's hit on this listed entity, if any."""
    for c in clearances:
        if c.matches(party, source, entity_id):
            return HitClearance(clearance_id=c.id, cleared_by=c.cleared_by,
                                cleared_at=c.cleared_at, reason=c.reason, job_id=c.job_id)
    return None


def parties_of(args: ScreeningInput) -> list[tuple[Role, Party]]:
    """List the parties a case asks to screen: the subject, its trading name, people, companies."""
    subject = args.subject
    is_person = subject.get("type") == "person"
    countries = [c for c in [subject.get("jurisdiction"),
                             *(a.get("country") for a in subject.get("addresses") or []),
                             *(subject.get("nationalities") or [])] if c]
    ids = [i for i in (subject.get("registration_number"), subject.get("tax_id")) if i]
    kind = EntityType.person if is_person else EntityType.entity
    parties: list[tuple[Role, Party]] = [("subject", Party(
        name=subject["legal_name"], type=kind, countries=countries, identifiers=ids,
        date_of_birth=subject.get("date_of_birth") if is_person else None,
    ))]
    trading = subject.get("trading_name")
    if trading and trading.casefold() != str(subject["legal_name"]).casefold():
        parties.append(("trading_name", Party(name=trading, type=kind, countries=countries)))
    for person in args.individuals:
        parties.append(("individual", Party(
            name=person["full_name"], type=EntityType.person,
            date_of_birth=person.get("date_of_birth"),
            countries=[*(person.get("nationalities") or []),
                       *([person["country_of_residence"]] if person.get("country_of_residence")
                         else [])],
        )))
    for company in args.entities:
        parties.append(("entity", Party(
            name=company["legal_name"], type=EntityType.entity,
            countries=[company["jurisdiction"]] if company.get("jurisdiction") else [],
            identifiers=[company["registration_number"]] if company.get("registration_number")
            else [],
        )))
    return parties


def _party_hit(party: Party, h: Hit, clearances: Sequence[Clearance]) -> PartyHit:
    return PartyHit(entity_id=h.entity_id, source=h.source, matched_name=h.matched_name,
                    caption=h.caption, score=round(h.score, 4), status=h.status,
                    strength=h.strength, topics=h.topics, explanation=h.explanation,
                    cleared=_clearance(party.name, h.source, h.entity_id, clearances))


def _screen(args: ScreeningInput, topics: set[str],
            clearances: Sequence[Clearance] = ()) -> ScreeningOutput:
    engine = screener()
    screened: list[PartyScreening] = []
    dates: dict[str, str | None] = {}
    for role, party in parties_of(args):
        result: ScreeningResult = engine.screen(party, topics=topics, limit=5)
        dates.update({s: d.isoformat() if d else None for s, d in result.list_dates.items()})
        party_hits = [_party_hit(party, h, clearances) for h in result.hits]
        # The best hit not cleared gives the party's status (the engine's, without clearances).
        status = next((h.status for h in party_hits if h.cleared is None), MatchStatus.clear)
        screened.append(PartyScreening(
            role=role, name=party.name, status=status, hits=party_hits,
            discounted=[_party_hit(party, h, ()) for h in result.discounted]))
    every = [h for p in screened for h in p.hits]
    hits = [h for h in every if h.cleared is None]
    return ScreeningOutput(
        parties=screened,
        any_confirmed=any(h.strength == MatchStrength.confirmed for h in hits),
        any_potential=any(h.strength == MatchStrength.potential for h in hits),
        any_weak=any(h.strength == MatchStrength.weak for h in hits),
        confirmed_count=sum(h.strength == MatchStrength.confirmed for h in hits),
        any_hit=any(h.status == MatchStatus.hit for h in hits),
        any_possible=any(h.status == MatchStatus.possible for h in hits),
        hit_count=len(hits),
        cleared_count=len(every) - len(hits),
        list_dates=dates,
    )


def _prepare() -> None:
    """Load and index the lists before workers fork; no lists is the tool's answer, not a crash."""
    try:
        screener()
    except ListsUnavailable as exc:
        log.warning("screening lists unavailable: %s", exc.message)


@tool("screening.sanctions", prepare=_prepare, timeout=60)
def sanctions_screening(args: ScreeningInput, context: ToolContext) -> ScreeningOutput:
    """Screen the business, its trading name, its people and its companies against sanctions lists.

    Returns each party's status (hit, possible or clear) with the listed entities it matched,
    their scores, each match's strength (confirmed: the name plus an equal full date of birth
    or identifier; potential: name-level; weak: a possible match) and an explanation, plus the
    date of every list screened against. A hit a reviewer has cleared for this case (not the
    listed entity) is still listed, with `cleared` saying who, when and why, but is counted in
    no flag or count except `cleared_count`.
    """
    return _screen(args, {"sanction"}, context.extra.get("clearances", ()))


@tool("screening.pep", prepare=_prepare, timeout=60)
def pep_screening(args: ScreeningInput, context: ToolContext) -> ScreeningOutput:
    """Screen the business's people against politically exposed persons (PEP) data.

    Returns each party's status (hit, possible or clear) with the PEP records it matched. A hit
    a reviewer has cleared for this case is still listed, with `cleared`, but is counted in no
    flag or count except `cleared_count`.
    """
    return _screen(args, {"pep"}, context.extra.get("clearances", ()))
