"""Screen a party against the loaded lists: the one entry point of the matching engine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, Field

from caseworker.checks.screening.entity import EntityType, ListedEntity, ListInfo
from caseworker.checks.screening.features import QueryFeatures, normalize_identifier
from caseworker.checks.screening.index import BoolArray, ScreeningIndex, fingerprint
from caseworker.checks.screening.matcher import (
    HIT_THRESHOLD,
    POSSIBLE_THRESHOLD,
    Hit,
    MatchStatus,
    build_hits,
    score_names,
)
from caseworker.checks.screening.normalize import normalize_name
from caseworker.checks.screening.strength import MatchStrength
from caseworker.domain.dates import DateOfBirth
from caseworker.domain.jurisdictions import country_of


class Party(BaseModel):
    """Who is screened: a name plus whatever else is known about them."""

    name: str = Field(min_length=1)
    type: EntityType = EntityType.unknown  # person, entity or unknown (vessel/aircraft work too)
    date_of_birth: DateOfBirth | None = Field(
        default=None, description="YYYY, YYYY-MM or YYYY-MM-DD (1969-7-16 reads as 1969-07-16)"
    )
    countries: list[str] = Field(default_factory=list, description="ISO alpha-2")
    identifiers: list[str] = Field(default_factory=list, description="Passport, tax id, IMO...")

    def features(self) -> QueryFeatures:
        """Return what can move a name score (a subdivision such as US-DE counts as US)."""
        dob = self.date_of_birth
        return QueryFeatures(
            kind=self.type,
            birth_date=dob.to_date() if dob else None,
            birth_year=dob.year if dob else None,
            birth_month=dob.month if dob else None,
            countries=frozenset(
                country_of(c.strip().upper()) for c in self.countries if c.strip()
            ),
            identifiers=frozenset(
                v for v in (normalize_identifier(i) for i in self.identifiers) if len(v) >= 4
            ),
        )


class ScreeningResult(BaseModel):
    """The outcome of one screening, with the list versions it was made against."""

    status: MatchStatus
    hits: list[Hit]
    discounted: list[Hit] = Field(
        default_factory=list,
        description="Names that match but whose facts differ from the listing's so far that "
        "they raise nothing; shown so a reader sees they were considered",
    )
    lists: list[ListInfo]
    list_dates: dict[str, dt.date | None] = Field(description="source -> list date")
    query: Party
    topics: list[str] | None = None
    thresholds: dict[str, float]


class Screener:
    """Screens parties against a fixed set of listed entities (build once, screen many)."""

    def __init__(
        self,
        entities: Sequence[ListedEntity],
        list_infos: Sequence[ListInfo],
        *,
        index: ScreeningIndex | None = None,
        hit_threshold: float = HIT_THRESHOLD,
        possible_threshold: float = POSSIBLE_THRESHOLD,
    ) -> None:
        self.entities: Sequence[ListedEntity] = list(entities)
        self.list_infos = list(list_infos)
        if index is None or index.checksum != fingerprint(self.entities):
            index = ScreeningIndex.build(self.entities)
        self.index = index
        self.hit_threshold = hit_threshold
        self.possible_threshold = possible_threshold
        self._masks: dict[frozenset[str], BoolArray] = {}
        self._by_identifier: defaultdict[str, set[int]] = defaultdict(set)
        for pos, entity in enumerate(self.entities):
            for ident in entity.identifiers:
                value = normalize_identifier(ident.value)
                if len(value) >= 4:
                    self._by_identifier[value].add(pos)

    def compare(self, party: Party, entity_id: str) -> Hit | None:
        """Score a party against one listed entity, whatever the score (for "why not a hit?")."""
        positions = [i for i, eid in enumerate(self.index.entity_ids) if eid == entity_id]
        if not positions:
            return None
        query = normalize_name(party.name, kind=party.type)
        names = np.flatnonzero(self.index.names_of(positions)).astype(np.int32)
        scored = score_names(
            query, self.index, names, keep=len(names), floor=0.0, kind=party.type
        )
        hits = (
            build_hits(
                scored,
                party.features(),
                self.index,
                self.entities,
                hit=self.hit_threshold,
                possible=self.possible_threshold,
                floor=0.0,
            )
            if scored
            else []
        )
        return hits[0] if hits else None

    def prepare_topics(self, topics: frozenset[str]) -> None:
        """Compute the name mask of a topic set now (before caching or forking)."""
        self._mask(topics)

    def _mask(self, topics: frozenset[str]) -> BoolArray:
        if topics not in self._masks:
            keep = [i for i, e in enumerate(self.entities) if topics & set(e.topics)]
            self._masks[topics] = self.index.names_of(keep)
        return self._masks[topics]

    def screen(
        self, party: Party, *, topics: Iterable[str] | None = None, limit: int = 10
    ) -> ScreeningResult:
        """Screen one party; `topics` (e.g. {"sanction"} or {"pep"}) restricts the lists."""
        wanted = frozenset(topics) if topics is not None else None
        mask = self._mask(wanted) if wanted is not None else None
        features = party.features()
        query = normalize_name(party.name, kind=party.type)
        names = self.index.candidates(query, mask=mask)
        scored = score_names(query, self.index, names, kind=party.type)
        by_id = {p for v in features.identifiers for p in self._by_identifier.get(v, ())}
        if wanted is not None:
            by_id = {p for p in by_id if wanted & set(self.entities[p].topics)}
        if by_id:
            extra = np.flatnonzero(self.index.names_of(by_id)).astype(np.int32)
            scored += score_names(
                query, self.index, extra, keep=len(extra), floor=0.0, kind=party.type
            )
        found = build_hits(
            scored,
            features,
            self.index,
            self.entities,
            hit=self.hit_threshold,
            possible=self.possible_threshold,
            id_matches=frozenset(by_id),
        )
        hits = [h for h in found if h.strength != MatchStrength.discounted][:limit]
        discounted = [h for h in found if h.strength == MatchStrength.discounted][:limit]
        status = hits[0].status if hits else MatchStatus.clear
        return ScreeningResult(
            status=status,
            hits=hits,
            discounted=discounted,
            lists=self.list_infos,
            list_dates={i.source: i.list_date for i in self.list_infos},
            query=party,
            topics=sorted(wanted) if wanted is not None else None,
            thresholds={"hit": self.hit_threshold, "possible": self.possible_threshold},
        )
