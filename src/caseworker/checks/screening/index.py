"""A blocking index over every listed name, so a query scores a few hundred names, not all."""

from __future__ import annotations

import hashlib
import math
import pickle
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from caseworker.checks.screening.commonness import capped_weight
from caseworker.checks.screening.entity import (
    ORGANISATION_TYPES,
    EntityType,
    ListedEntity,
    NameQuality,
)
from caseworker.checks.screening.normalize import (
    GENERIC,
    PARTICLES,
    SCRIPTS,
    NormalizedName,
    first_class,
    first_sound,
    normalize_name,
    phonetic_key,
    script_of,
    skeleton,
    skeleton_head,
    variant_key,
)
from caseworker.exceptions import RuntimeFailure

# Bump when the layout or the normalisation changes: an older cache is then rebuilt.
INDEX_VERSION = 12
# At most this many names leave the blocking stage for scoring.
MAX_CANDIDATES = 100
QUALITY_CODES: tuple[NameQuality, ...] = (NameQuality.primary, NameQuality.strong, NameQuality.weak)
FLAG_LAST_FIRST, FLAG_TRANSLIT, FLAG_ABJAD = 1, 2, 4
FLAG_SCRIPT_ONLY = 8  # a non-Latin name of an entity that has no name in Latin letters

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


class StaleIndexError(RuntimeFailure):
    """A cached screening index was built by another version or from other list data."""

    code = "screening_index_stale"


def token_weight(df: int) -> float:
    """Rarity weight of a token that occurs in `df` listed names (1.0 for unseen tokens)."""
    return max(0.2, 1.0 / (1.0 + math.log10(df))) if df > 1 else 1.0


def static_weight(token: str) -> float:
    """Give particles, initials and generic words a fixed weight (0.0: use the rarity)."""
    if token in PARTICLES:
        return 0.2
    return 0.3 if len(token) == 1 else 0.35 if token in GENERIC else 0.0


def length_factor(token: str) -> float:
    """Short tokens carry less evidence: 0.6 for two letters, 0.8 for three, else 1."""
    return 0.6 if len(token) <= 2 else 0.8 if len(token) == 3 else 1.0


@lru_cache(maxsize=65536)
def blocking_keys(token: str) -> frozenset[str]:
    """Keys under which a token is filed; typos, variants and transliterations share some.

    Metaphone key ("p"), consonant skeleton ("s"), first three ("a") and last three ("z")
    letters: a single typo leaves at least two intact, a transliteration variant usually keeps
    the phonetic key or the skeleton, and token order plays no part. Particles and initials
    file nothing (they would touch a large part of the index for little evidence). Skeletons
    of four or more letters also file their one-letter deletions ("d"), SymSpell-style.
    """
    if len(token) < 2 or token in PARTICLES:
        return frozenset()
    keys = {"a" + token[:3], "z" + token[-3:]}
    if phon := phonetic_key(token):
        keys.add("p" + phon)
    if skel := skeleton(token):
        keys.add("s" + skel)
    if len(skel) >= 4:  # one-deletion neighbourhood of the skeleton: any single edit collides
        keys.update("d" + skel[:i] + skel[i + 1 :] for i in range(len(skel)))
    return frozenset(keys)


def joined_keys(name: NormalizedName) -> set[str]:
    """Keys of the whole name's skeleton, in order ("abd allah" / "abdullah") and sorted."""
    return {"j" + skeleton(name.joined), "o" + skeleton("".join(sorted(name.tokens)))}


def fingerprint(entities: Sequence[ListedEntity]) -> str:
    """Checksum of everything the index is built from (ids, types and names, in order)."""
    h = hashlib.sha256(f"v{INDEX_VERSION}".encode())
    for e in entities:
        h.update(f"\x1e{e.id}\x1f{e.type}".encode())
        for n in e.names:
            h.update(f"\x1f{n.full}\x1d{n.quality}".encode())
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class VocabArrays:
    """Token features of the vocabulary, one array element per token id."""

    words: npt.NDArray[np.object_]
    skeletons: npt.NDArray[np.object_]
    length: IntArray
    first: npt.NDArray[np.str_]
    phonetic: npt.NDArray[np.str_]
    skeleton_length: IntArray
    skeleton_head: npt.NDArray[np.str_]  # first consonant, an opening glide too ("" if none)
    variant: npt.NDArray[np.str_]  # romanisation variants folded (`variant_key`)
    first_class: npt.NDArray[np.str_]  # see `first_class` and `first_sound`
    first_sound: npt.NDArray[np.str_]


@dataclass(eq=False)
class ScreeningIndex:
    """Normalised names of all entities, per-token features, and key -> names postings."""

    version: int
    checksum: str
    entity_ids: list[str]
    entity_types: list[EntityType]
    vocab: list[str]  # unique tokens
    vocab_skeleton: list[str]
    vocab_phonetic: list[str]
    vocab_weight: FloatArray
    name_entity: IntArray  # name id -> entity position
    name_position: IntArray  # name id -> position in entity.names
    name_quality: IntArray  # index into QUALITY_CODES
    name_flags: IntArray  # FLAG_* bits
    name_script: IntArray  # index into SCRIPTS: the script the name was published in
    name_tokens: IntArray  # (names, max tokens) vocab ids, -1 padded
    name_joined: list[str]
    name_joined_skeleton: list[str]
    key_ids: dict[str, int]
    key_weight: FloatArray
    post_offsets: npt.NDArray[np.int64]
    post_names: IntArray

    @cached_property
    def token_ids(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.vocab)}

    @cached_property
    def vocab_arrays(self) -> VocabArrays:
        """Per-token lengths, first letters and keys as arrays, for vectorised comparisons."""
        return VocabArrays(
            words=np.array(self.vocab, dtype=object),
            skeletons=np.array(self.vocab_skeleton, dtype=object),
            length=np.array([len(t) for t in self.vocab], dtype=np.int32),
            first=np.array([t[0] for t in self.vocab]),
            phonetic=np.array([p or "-" for p in self.vocab_phonetic]),
            skeleton_length=np.array([len(k) for k in self.vocab_skeleton], dtype=np.int32),
            skeleton_head=np.array([skeleton_head(t) for t in self.vocab]),
            variant=np.array([variant_key(t) for t in self.vocab]),
            first_class=np.array([first_class(t) for t in self.vocab]),
            first_sound=np.array([first_sound(t) for t in self.vocab]),
        )

    @cached_property
    def joined_arrays(self) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
        """Each name's tokens joined, and their skeleton, as arrays indexed by name id."""
        return (
            np.array(self.name_joined, dtype=object),
            np.array(self.name_joined_skeleton, dtype=object),
        )

    @cached_property
    def name_is_organisation(self) -> BoolArray:
        """Per name id: the name is an organisation's (or a vessel's, an aircraft's)."""
        orgs = np.array([t in ORGANISATION_TYPES for t in self.entity_types], dtype=np.bool_)
        names: BoolArray = orgs[self.name_entity]
        return names

    @cached_property
    def name_length(self) -> npt.NDArray[np.float64]:
        lengths: npt.NDArray[np.float64] = (self.name_tokens >= 0).sum(axis=1).astype(np.float64)
        return lengths

    @property
    def size(self) -> int:
        return len(self.name_entity)

    @classmethod
    def build(cls, entities: Sequence[ListedEntity]) -> ScreeningIndex:
        """Normalise every name of every entity and file it under its blocking keys."""
        norm: list[tuple[int, int, NormalizedName, NameQuality]] = []
        script_only: set[int] = set()
        for ei, entity in enumerate(entities):
            if all(script_of(name.full) != "Latn" for name in entity.names):
                script_only.add(ei)
            for ni, name in enumerate(entity.names):
                nn = normalize_name(name.full, kind=entity.type)
                if nn.tokens:
                    norm.append((ei, ni, nn, name.quality))
        vocab_ids: dict[str, int] = {}
        df: Counter[int] = Counter()
        rows: list[list[int]] = []
        for _, _, nn, _ in norm:
            row = [vocab_ids.setdefault(t, len(vocab_ids)) for t in nn.tokens]
            rows.append(row)
            df.update(set(row))
        vocab = list(vocab_ids)
        width = max((len(r) for r in rows), default=1)
        tokens = np.full((len(rows), width), -1, dtype=np.int32)
        for i, row in enumerate(rows):
            tokens[i, : len(row)] = row
        weights = [
            capped_weight(t, static_weight(t) or token_weight(df[i]) * length_factor(t))
            for i, t in enumerate(vocab)
        ]
        postings: defaultdict[str, set[int]] = defaultdict(set)
        token_keys = [blocking_keys(t) for t in vocab]
        for name_id, (row, (_, _, nn, _)) in enumerate(zip(rows, norm, strict=True)):
            for key in joined_keys(nn):
                postings[key].add(name_id)
            for tid in row:
                for key in token_keys[tid]:
                    postings[key].add(name_id)
        key_ids = {k: i for i, k in enumerate(postings)}
        lengths = np.array([len(p) for p in postings.values()], dtype=np.int64)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = [n for p in postings.values() for n in sorted(p)]
        n_names = max(len(rows), 1)
        return cls(
            version=INDEX_VERSION,
            checksum=fingerprint(entities),
            entity_ids=[e.id for e in entities],
            entity_types=[e.type for e in entities],
            vocab=vocab,
            vocab_skeleton=[skeleton(t) for t in vocab],
            vocab_phonetic=[phonetic_key(t) for t in vocab],
            vocab_weight=np.array(weights, dtype=np.float32),
            name_entity=np.array([r[0] for r in norm], dtype=np.int32),
            name_position=np.array([r[1] for r in norm], dtype=np.int32),
            name_quality=np.array([QUALITY_CODES.index(r[3]) for r in norm], dtype=np.int32),
            name_flags=np.array(
                [_flags(r[2]) | (FLAG_SCRIPT_ONLY if r[0] in script_only else 0) for r in norm],
                dtype=np.int32,
            ),
            name_script=np.array([script_code(r[2].original) for r in norm], dtype=np.int32),
            name_tokens=tokens,
            name_joined=[r[2].joined for r in norm],
            name_joined_skeleton=[skeleton(r[2].joined) for r in norm],
            key_ids=key_ids,
            key_weight=np.log1p(n_names / np.maximum(lengths, 1)).astype(np.float32),
            post_offsets=offsets,
            post_names=np.array(flat, dtype=np.int32),
        )

    def candidates(
        self, query: NormalizedName, *, mask: BoolArray | None = None, limit: int = MAX_CANDIDATES
    ) -> IntArray:
        """Name ids sharing the most (rarity-weighted) blocking keys with the query, best first.

        `mask` (one bool per name) restricts the answer, e.g. to names of PEP-listed entities.
        """
        keys = {k for t in query.tokens for k in blocking_keys(t)}
        # A query token missing one letter of a listed one hits that token's deletion keys.
        keys.update("d" + skel for t in query.tokens if len(skel := skeleton(t)) >= 3)
        keys.update(joined_keys(query))
        kids = [self.key_ids[k] for k in keys if k in self.key_ids]
        if not kids:
            return np.zeros(0, dtype=np.int32)
        parts = [self.post_names[self.post_offsets[k] : self.post_offsets[k + 1]] for k in kids]
        ids = np.concatenate(parts)
        w = np.repeat(self.key_weight[kids], [len(p) for p in parts])
        hit, where = np.unique(ids, return_inverse=True)  # only the names some key touches
        votes = np.bincount(where, weights=w).astype(np.float64)
        # Among equal votes, prefer names with as many tokens as the query.
        votes /= 1.0 + 0.1 * np.abs(self.name_length[hit] - len(query.tokens))
        if mask is not None:
            keep = mask[hit]
            hit, votes = hit[keep], votes[keep]
        if len(hit) > limit:
            top = np.argpartition(-votes, limit)[:limit]
            hit, votes = hit[top], votes[top]
        return hit[np.argsort(-votes, kind="stable")].astype(np.int32)

    def save(self, path: Path | str) -> None:
        """Write a compact cache (pickle of arrays and string lists)."""
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        tmp = Path(f"{path}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | str, *, checksum: str | None = None) -> ScreeningIndex:
        """Read a cache; `StaleIndexError` if its version or (given) input checksum differ."""
        with Path(path).open("rb") as fh:
            state = pickle.load(fh)
        if not isinstance(state, dict) or state.get("version") != INDEX_VERSION:
            raise StaleIndexError(f"screening index {path} has another version")
        if checksum is not None and state.get("checksum") != checksum:
            raise StaleIndexError(f"screening index {path} was built from other list data")
        return cls(**state)

    @classmethod
    def load_or_build(cls, path: Path | str, entities: Sequence[ListedEntity]) -> ScreeningIndex:
        """Use the cache at `path` if it matches `entities`, else build it and save it there."""
        try:
            return cls.load(path, checksum=fingerprint(entities))
        except (StaleIndexError, FileNotFoundError, EOFError, pickle.UnpicklingError):
            index = cls.build(entities)
            index.save(path)
            return index

    def names_of(self, entity_positions: Iterable[int]) -> BoolArray:
        """Mask of the names that belong to the given entity positions."""
        wanted = np.zeros(len(self.entity_ids), dtype=np.bool_)
        wanted[list(entity_positions)] = True
        return wanted[self.name_entity]


def script_code(text: str) -> int:
    """Small integer code of the script a name is written in (see `SCRIPTS`)."""
    return SCRIPTS.index(script_of(text))


def _flags(nn: NormalizedName) -> int:
    return (
        (FLAG_LAST_FIRST if nn.last_first else 0)
        | (FLAG_TRANSLIT if nn.transliterated else 0)
        | (FLAG_ABJAD if nn.abjad else 0)
    )
