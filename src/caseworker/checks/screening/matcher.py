"""Name scoring: token similarity with best alignment, then the secondary features."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field
from rapidfuzz import process
from rapidfuzz.distance import OSA

from caseworker.checks.screening.commonness import (
    capped_weight,
    commonness_penalty,
    population_caps,
)
from caseworker.checks.screening.entity import EntityType, ListedEntity, NameQuality
from caseworker.checks.screening.features import (
    COUNTRY_MATCH,
    DOB_DAY_MATCH,
    IDENTIFIER_SCORE,
    Adjustment,
    QueryFeatures,
    feature_adjustments,
)
from caseworker.checks.screening.index import (
    FLAG_ABJAD,
    FLAG_SCRIPT_ONLY,
    FLAG_TRANSLIT,
    QUALITY_CODES,
    BoolArray,
    FloatArray,
    IntArray,
    ScreeningIndex,
    length_factor,
    script_code,
    static_weight,
)
from caseworker.checks.screening.normalize import (
    GENERIC,
    LEGAL_FORMS_SURE,
    LEGAL_FORMS_WEAK,
    LEGAL_RUN,
    PARTICLES,
    NormalizedName,
    abjad_heads,
    first_class,
    first_sound,
    opening_voicing,
    phonetic_key,
    skeleton,
    skeleton_head,
    variant_key,
)
from caseworker.checks.screening.pinyin import family_syllables, other_chinese_name
from caseworker.checks.screening.strength import MatchStrength, strength_for

# Defaults measured on the list benchmark (see the engine's report): a final score at or above
# HIT_THRESHOLD is a hit, at or above POSSIBLE_THRESHOLD a possible match, below it clear.
HIT_THRESHOLD = 0.90
POSSIBLE_THRESHOLD = 0.75
WEAK_ALIAS_FACTOR = 0.85  # a weak (low-quality) alias can at most reach a possible match
EXPONENT = (
    1.5  # token similarity ** EXPONENT is a pair's credit: one typo costs more than its share
)
# Share of an unmatched listed token's weight that counts against the score: a person's listed
# middle name may be left out of a query, a word of a company's name hardly.
LISTED_EXTRA = {EntityType.person: 0.3}
LISTED_EXTRA_OTHER = 0.6
LISTED_EXTRA_INEXACT = 0.6  # ... when not every aligned token is exact
# A person's listed token left unaligned while a query token is left unaligned too is not a
# name left out but another name in its place ("xiaoming su" / "zhang xiaoming"): it counts in
# full, as a different token would.
SUBSTITUTED_EXTRA = 1.0
EXACT = 0.97
# A patronymic ("vladimirovich", "petrovna") is often left out: it weighs half when missing.
PATRONYMIC_EXTRA = 0.5
_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ovych|ivna|ogly|oglu|kyzy|qizi)$")
RESPLIT_SIM = 0.95
MIN_PAIR = 0.65  # token pairs less similar than this are not aligned
PHONETIC_FLOOR = 0.88  # the same Metaphone key (of 2+ letters) makes tokens this similar
SLIP_SIM, SLIP_MIN_LENGTH, SLIP_MIN_WEIGHT = 0.86, 4, 0.6  # see `_similarity`
SWAP_SIM = 0.9  # two neighbouring letters swapped (see `_similarity`)
PHONETIC_MIN_STRICT = 0.7  # ... when the spellings are this similar (see `_similarity`)
INITIAL_SIM = 0.9  # "j" against "john"
SHORT_TOKEN, OTHER_FIRST_FACTOR = 6, 0.85  # see `_similarity`
KNOWN_OTHER_FACTOR = 0.9  # see `_similarity`
OTHER_NAME_CREDIT = 0.3  # what another common name earns in a name score (see `_similarity`)
OTHER_CHINESE_FACTOR = 0.7  # characters read as other pinyin syllables: another name (pinyin.py)
VARIANT_SIM = 0.92  # the same token once romanisation variants are folded ("doori"/"duri")
SKELETON_CAP = np.array([0.0, 0.6, 0.8, 1.0], dtype=np.float32)  # by consonants in skeleton
ABJAD_SKELETON_CAP = np.array([0.0, 0.6, 1.0], dtype=np.float32)  # whole names in abjad script
ABJAD_TOKEN_CAP = np.array([0.0, 0.8, 0.8, 1.0], dtype=np.float32)  # "ly" is "ali"
# An abjad token writes its long vowels (ي y, و w): a romanisation without a matching vowel
# ("rdyy" against "raddad") is a weaker match.
LONG_VOWEL_FACTOR = 0.85
OTHER_HEAD_FACTOR = 0.8  # abjad skeletons whose first consonants differ (see `_similarity`)
SKELETON_ONLY_MAX = 0.95  # the most a skeleton alone makes two tokens (or names) alike
LOOSE_MIN_STRICT = 0.55  # across alphabets, skeletons count only for spellings this alike
LOOSE_MIN_STRICT_JOINED = 0.7  # ... and whole names joined only when this alike
ABJAD_JOINED_MIN_PAIR = 0.8  # an abjad name compares joined only if each part is this alike
MAX_BOOST = DOB_DAY_MATCH + COUNTRY_MATCH  # the most the features can add to a name score
RESCORE = 15  # names scored exactly after the vectorised pre-score


_LATIN = script_code("")
_HANI = script_code("\u738b")  # 王
_NOISE = sorted(w for w in LEGAL_FORMS_SURE | LEGAL_FORMS_WEAK | LEGAL_RUN | GENERIC if len(w) >= 4)


class MatchStatus(StrEnum):
    hit = "hit"
    possible = "possible"
    clear = "clear"


def status_for(
    score: float, hit: float = HIT_THRESHOLD, possible: float = POSSIBLE_THRESHOLD
) -> MatchStatus:
    """Map a score to hit / possible / clear (default thresholds unless given)."""
    if score >= hit:
        return MatchStatus.hit
    return MatchStatus.possible if score >= possible else MatchStatus.clear


class Hit(BaseModel):
    """One listed entity that matched the query, with the evidence."""

    entity_id: str
    source: str
    entity_type: EntityType
    caption: str = Field(description="The entity's primary name")
    matched_name: str
    name_quality: NameQuality
    topics: list[str]
    score: float = Field(ge=0.0, le=1.0)
    status: MatchStatus
    strength: MatchStrength = Field(
        description="confirmed: name plus equal full DOB or identifier; potential: name-level; "
        "weak: a possible match below the hit threshold; discounted: the name matches, the "
        "facts differ (not raised)"
    )
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Scored:
    name_id: int
    score: float
    explain: Callable[[], dict[str, Any]]  # built only for the names that become hits

    @property
    def explanation(self) -> dict[str, Any]:
        return self.explain()


def _similarity(
    q: NormalizedName, index: ScreeningIndex, vocab: IntArray
) -> tuple[FloatArray, BoolArray]:
    """Query tokens x vocabulary tokens, in three planes.

    Plane 0 is strict (spelling, typos, sounds, romanisation variants). Plane 1, for names
    transliterated from an alphabet that writes vowels (Cyrillic, Greek, Hangul, Kana, Han,
    Devanagari), adds consonant skeletons where the spellings are not far apart. Plane 2, for a
    script that writes only consonants (Arabic, Hebrew), adds skeletons wherever they agree, but
    a skeleton alone never makes two tokens quite equal. With the planes: the pairs that are
    more likely another name than a slip (`_other_names`), which earn little in `_name_score`.
    """
    arrays = index.vocab_arrays
    words = arrays.words[vocab].tolist()
    qt = list(q.tokens)
    strict = process.cdist(qt, words, scorer=OSA.normalized_similarity, dtype=np.float32)
    qlen = np.array([len(t) for t in qt])[:, None]
    vlen = arrays.length[vocab][None, :]
    qfirst = np.array([t[0] for t in qt])[:, None]
    same_first = qfirst == arrays.first[vocab][None, :]
    # One slip (a letter wrong, missing, extra or swapped) after an intact first letter, in a
    # listed token rare enough that few other listed tokens are that close: a typo.
    edits = np.rint((1.0 - strict) * np.maximum(qlen, vlen))
    slip = (
        (edits == 1)
        & (np.minimum(qlen, vlen) >= SLIP_MIN_LENGTH)
        & same_first
        & (index.vocab_weight[vocab] >= SLIP_MIN_WEIGHT)[None, :]
    )
    strict = np.where(slip, np.maximum(strict, SLIP_SIM), strict)
    # Two neighbouring letters swapped ("rahta"/"rahat", "iirsl"/"irisl") after an intact first
    # letter: the commonest typing slip, and one that seldom makes another name, so it needs
    # no rarity of the listed token (one edit of the same length, the same letters: a swap).
    one_edit = (edits == 1) & (qlen == vlen) & (qlen >= SLIP_MIN_LENGTH) & same_first
    swapped = _swaps(qt, words, one_edit)
    strict = np.where(swapped, np.maximum(strict, SWAP_SIM), strict)
    # Short names whose first letters differ, beyond what romanisations swap ("kim"/"gim",
    # "yong"/"iong", "win"/"vin", "shah"/"chah", "khin"/"hin"), whether read as letters or as
    # sounds, are mostly other names ("fang"/"wang", "dana"/"hana").
    qsound = np.array([first_sound(t) for t in qt])[:, None]
    vsound = arrays.first_sound[vocab][None, :]
    qclass = np.array([first_class(t) for t in qt])[:, None]
    vclass = arrays.first_class[vocab][None, :]
    other_start = (qsound != vsound) & (qclass != vclass)
    other_first = other_start & (np.minimum(qlen, vlen) <= SHORT_TOKEN)
    strict = np.where(other_first, strict * OTHER_FIRST_FACTOR, strict)
    qp = np.array([p if len(p) >= 3 else "#" for p in q.phonetic])[:, None]
    homophone = (qp == arrays.phonetic[vocab][None, :]) & (qp != "#")
    qv = np.array([variant_key(t) for t in qt])[:, None]
    vv = arrays.variant[vocab][None, :]
    # The same sound, if the spellings (romanisation variants folded) are not far off: "perez"
    # and "paris" share a key, as do "aleksandr" and "alexander"; Metaphone drops vowels, so
    # "salma" and "salimi", two letters apart in six, are two names.
    folded = process.cdist(qv[:, 0].tolist(), vv[0].tolist(), scorer=OSA.normalized_similarity,
                           dtype=np.float32)
    sounds = homophone & (np.maximum(strict, folded) >= PHONETIC_MIN_STRICT)
    strict = np.where(sounds, np.maximum(strict, PHONETIC_FLOOR), strict)
    initial = same_first & ((qlen == 1) ^ (vlen == 1))
    strict = np.where(initial, np.maximum(strict, INITIAL_SIM), strict)
    variant = (qv == vv) & (np.minimum(qlen, vlen) >= 2)
    strict = np.where(variant, np.maximum(strict, VARIANT_SIM), strict)
    known, other_name = _other_names(
        qt, words, index, vocab, edits=edits, long_enough=np.minimum(qlen, vlen) >= SLIP_MIN_LENGTH,
        same_first=same_first, other_start=other_start, not_variant=qv != vv, swapped=swapped,
        homophone=homophone,
    )
    known &= strict < 1.0
    strict = np.where(known, strict * KNOWN_OTHER_FACTOR, strict)
    other_name &= (strict < 1.0) & (not q.abjad)
    qskel = [skeleton(t) for t in qt]
    vskel = arrays.skeletons[vocab].tolist()
    skel = process.cdist(qskel, vskel, scorer=OSA.normalized_similarity, dtype=np.float32)
    # One or two consonants say little: "l" is "lee", "ali" and "ولی" alike.
    shortest = np.minimum(
        np.array([len(k) for k in qskel])[:, None], arrays.skeleton_length[vocab][None, :]
    )
    capped = shortest.clip(0, len(SKELETON_CAP) - 1)
    # As in the abjad plane, a skeleton alone never makes two tokens quite equal ("simh", सिंह
    # read letter by letter, and "samih" have one skeleton).
    alphabet = np.minimum(skel * SKELETON_CAP[capped], SKELETON_ONLY_MAX)
    alphabet = np.where(strict >= LOOSE_MIN_STRICT, alphabet, 0.0)
    abjad = np.minimum(skel * ABJAD_TOKEN_CAP[shortest.clip(0, len(ABJAD_TOKEN_CAP) - 1)],
                       SKELETON_ONLY_MAX)
    if q.abjad:
        abjad *= _abjad_factor(qt, words, arrays.skeleton_head[vocab][None, :])
    planes = np.stack([strict, np.maximum(strict, alphabet), np.maximum(strict, abjad)])
    return planes, other_name


def _abjad_factor(query: list[str], words: list[str], vhead: npt.NDArray[np.str_]) -> FloatArray:
    """Abjad query x listed tokens: what long vowels and opening consonants take off a skeleton."""
    missing = np.maximum(_long_vowels_missing(query, words), _long_vowels_unwritten(query, words))
    factor: FloatArray = (LONG_VOWEL_FACTOR**missing).astype(np.float32)
    # Skeletons that start with other consonants are mostly other names ("nrgs"/"georges"); a
    # vowel-initial name is vowel-initial in both (the abjad's initial alef or ain is not
    # written in its romanisation, the Latin vowel is not in its skeleton).
    # An abjad token's initial y or w may be a glide or follow a dropped alef (`abjad_heads`).
    heads = [abjad_heads(t) for t in query]
    qglide = np.array([glide for glide, _ in heads])[:, None]
    qhead = np.array([head for _, head in heads])[:, None]
    # The skeleton folds voiced and voiceless consonants (Latin spellings swap them), but an
    # abjad writes which one opens a name: تامر (tmr) is Tamer, not "Damir".
    qvoice = np.array([opening_voicing(t) for t in query])[:, None]
    vvoice = np.array([opening_voicing(w) for w in words])[None, :]
    voice_apart = (qvoice != "") & (vvoice != "") & (qvoice != vvoice)
    same_head = ((qhead == vhead) | (qglide == vhead)) & ~voice_apart
    factor *= np.where(same_head, 1.0, OTHER_HEAD_FACTOR)
    return factor


def _swaps(query: list[str], words: list[str], one_edit: BoolArray) -> BoolArray:
    """Of the pairs one edit apart at the same length, those with the same letters: a swap."""
    swapped = np.zeros_like(one_edit)
    for i, j in np.argwhere(one_edit):
        swapped[i, j] = sorted(query[i]) == sorted(words[j])
    return swapped


def _other_names(
    query: list[str],
    words: list[str],
    index: ScreeningIndex,
    vocab: IntArray,
    *,
    edits: FloatArray,
    long_enough: BoolArray,
    same_first: BoolArray,
    other_start: BoolArray,
    not_variant: BoolArray,
    homophone: BoolArray,
    swapped: BoolArray,
) -> tuple[BoolArray, BoolArray]:
    """Query x listed token pairs more likely another name than a slip: (known, other).

    Known: the query token is itself a name (listed, or in the population table), starts as the
    listed token does and is neither a romanisation variant nor a homophone of it, so most
    likely the other name ("ramesh"/"rajesh", "rami"/"ramzi"): a slip after an intact first
    letter seldom makes another name of four letters or more (KNOWN_OTHER_FACTOR).

    Other: two common names (`_common_names`) are two names whatever their letters share, when
    neither is a variant, homophone or swap of the other ("sami"/"samir", "marco"/"mario"); so
    is a common name against a listed token that starts with another sound ("fernando" /
    "servando", "smirnov"/"mironov"): a slip seldom changes a first letter, and seldom makes a
    common name. Any listed token that starts with another sound and is two letters off or more
    is another name too ("xiaoming"/"jianming"): a slip changes one letter. So is one frequent
    Chinese family name for another, one pinyin syllable for another ("zheng"/"zhang",
    "guo"/"gao"), however alike they sound. Such a pair stays aligned but earns only
    OTHER_NAME_CREDIT (`_name_score`).
    """
    named = np.array([t in index.token_ids or t in population_caps() for t in query])[:, None]
    known = named & same_first & long_enough & not_variant & ~homophone
    qcommon = _common_names(query, index)[:, None]
    vcommon = _common_names(words, index, vocab)[None, :]
    starts_apart = other_start & long_enough & not_variant
    common = ((known & vcommon & ~swapped) | starts_apart) & qcommon
    families = family_syllables()
    qfamily = np.array([t in families for t in query])[:, None]
    vfamily = np.array([w in families for w in words])[None, :]
    chinese = qfamily & vfamily & ~swapped
    return known, common | chinese | (starts_apart & ~homophone & (edits >= 2))


def _common_names(
    tokens: list[str], index: ScreeningIndex, ids: IntArray | None = None
) -> BoolArray:
    """Which tokens are common names: in the population table, or on many listed names.

    Many listed names: a weight below SLIP_MIN_WEIGHT, the line the slip rule draws between the
    rare tokens a slip is read into and the common ones.
    """
    if ids is None:
        ids = np.array([index.token_ids.get(t, -1) for t in tokens], dtype=np.int64)
    weights = np.where(ids >= 0, index.vocab_weight[np.maximum(ids, 0)], 1.0)
    population = np.array([t in population_caps() for t in tokens], dtype=bool)
    common: BoolArray = population | (weights < SLIP_MIN_WEIGHT)
    return common


def _long_vowels_missing(query: list[str], words: list[str]) -> BoolArray:
    """Query (abjad) x listed tokens: a long vowel written on one side only.

    The abjad writes long vowels (ي y, و w) that a romanisation must show; a romanisation's
    doubled or French-style long vowel (ou, oo, ee, ii) is a letter the abjad must write
    ("mahmoudi" is محمودی, not محمدی).
    """
    qy = np.array(["y" in t[1:] for t in query])[:, None]
    qw = np.array(["w" in t[1:] for t in query])[:, None]
    vi = np.array([any(c in "iey" for c in w) for w in words])[None, :]
    vu = np.array([any(c in "uow" for c in w) for w in words])[None, :]
    any_y = np.array(["y" in t for t in query])[:, None]
    any_w = np.array(["w" in t for t in query])[:, None]
    long_i = np.array([_LONG_I.search(w) is not None for w in words])[None, :]
    long_u = np.array([_LONG_U.search(w) is not None for w in words])[None, :]
    missing: BoolArray = (qy & ~vi) | (qw & ~vu) | (long_i & ~any_y) | (long_u & ~any_w)
    return missing


def _long_vowels_unwritten(query: list[str], words: list[str]) -> IntArray:
    """Query (abjad) x listed tokens: long vowels the abjad writes that the romanisation lacks.

    Each ي (y) or و (w) after an abjad token's first letter is a long vowel (or a glide) that a
    romanisation writes with a vowel of its own: "hsyny" (حسینی, Hosseini) has two, "hassaan"
    none. Counted against the romanisation's vowel groups with an i, e or y (u, o or w).
    """
    qy = np.array([t[1:].count("y") for t in query])[:, None]
    qw = np.array([t[1:].count("w") for t in query])[:, None]
    groups = [_VOWEL_GROUP.findall(w) for w in words]
    vi = np.array([sum(1 for g in gs if set(g) & set("iey")) for gs in groups])[None, :]
    vu = np.array([sum(1 for g in gs if set(g) & set("uow")) for gs in groups])[None, :]
    unwritten: IntArray = np.maximum(qy - vi, 0) + np.maximum(qw - vu, 0)
    return unwritten


_VOWEL_GROUP = re.compile("[aeiouyw]+")
_LONG_I = re.compile("ee|ii")
_LONG_U = re.compile("ou|oo|uu")


def _align(sim: FloatArray) -> list[tuple[int, int, float]]:
    """Greedy one-to-one alignment, most similar pairs first (optimal for these small sizes)."""
    order = np.argsort(-sim, axis=None, kind="stable")
    used_q: set[int] = set()
    used_l: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    cols = sim.shape[1]
    for flat in order.tolist():
        qi, lj = divmod(flat, cols)
        s = float(sim[qi, lj])
        if s < MIN_PAIR:
            break
        if qi not in used_q and lj not in used_l:
            used_q.add(qi)
            used_l.add(lj)
            pairs.append((qi, lj, s))
    return pairs


def _name_score(
    q: NormalizedName,
    *,
    qw: FloatArray,
    row: IntArray,
    sim: FloatArray,
    others: BoolArray,
    joined: float,
    index: ScreeningIndex,
    listed_extra: float,
    abjad_parts: bool = False,
) -> tuple[float, Callable[[], dict[str, Any]]]:
    listed = [index.vocab[t] for t in row]
    lw = index.vocab_weight[row]
    pairs = _align(sim)
    gained = sum(
        float(lw[lj]) * (min(OTHER_NAME_CREDIT, s**EXPONENT) if others[qi, lj] else s**EXPONENT)
        for qi, lj, s in pairs
    )
    # A listed initial confirms only the first letter of a query word: the word weighs what it
    # weighs in the query ("estrella" / "e", "mariam" / "m").
    matched = sum(
        max(float(lw[lj]), float(qw[qi])) if len(listed[lj]) == 1 < len(q.tokens[qi])
        else float(lw[lj])
        for qi, lj, _ in pairs
    )
    free_q = [i for i in range(len(q.tokens)) if i not in {p[0] for p in pairs}]
    free_l = [j for j in range(len(listed)) if j not in {p[1] for p in pairs}]
    person = listed_extra == LISTED_EXTRA[EntityType.person]
    if free_l and any(s < EXACT for _, _, s in pairs):
        # Part of the listed name missing *and* the rest only approximately there: two weak
        # signals that compound ("sami qasim" / "sami jasim muhammad").
        listed_extra = max(listed_extra, LISTED_EXTRA_INEXACT)
    missing = sorted(
        (float(lw[j]) * (PATRONYMIC_EXTRA if person and _PATRONYMIC.search(listed[j]) else 1.0)
         for j in free_l if not (person and j == len(listed) - 1 > 0)),
        reverse=True,
    )
    # substitutions: the heaviest free listed tokens, one each, and the family name (last)
    substituted = len(free_q) if person else 0
    if person and len(listed) - 1 in free_l and len(listed) > 1:
        missing.insert(0, float(lw[-1]))
        substituted += 1
    total = (
        matched + float(qw[free_q].sum()) + SUBSTITUTED_EXTRA * sum(missing[:substituted])
        + listed_extra * sum(missing[substituted:])
    )
    token_score = gained / total if total else 0.0
    if abjad_parts and not _parts_agree(q.tokens, listed, pairs):
        joined = 0.0  # the letters of the whole name agree, its parts do not ("rd rdyy")
    # A name of common tokens only is little evidence of identity ("mohammed khan").
    aligned = sum(float(lw[lj]) for _, lj, _ in pairs)
    evidence = aligned if token_score >= joined**EXPONENT else float(lw.sum())
    penalty = commonness_penalty(evidence)
    score = max(0.0, max(token_score, joined**EXPONENT) - penalty)

    def explain() -> dict[str, Any]:
        why = _explanation(q, listed, lw, pairs, free_q, free_l, score, token_score, joined)
        for entry, (qi, lj, _) in zip(why["alignment"], pairs, strict=True):
            entry["other_name"] = bool(others[qi, lj])
        why["name_evidence"] = round(evidence, 4)
        why["commonness_penalty"] = round(penalty, 4)
        return why

    return score, explain


def _parts_agree(
    query: Sequence[str], listed: Sequence[str], pairs: list[tuple[int, int, float]]
) -> bool:
    """Whether an abjad name's parts allow the joined comparison to speak for the whole name.

    The joined comparison is for names split otherwise ("bd al mnan" / "abdul manan"). Names
    split alike, as many tokens (or every part aligned one to one, particles aside: "hsn al
    tyby" / "hossein taeb"), must agree part by part as well as letter by letter.
    """
    if len(listed) == len(query):
        return len(pairs) == len(query) and min(s for _, _, s in pairs) >= ABJAD_JOINED_MIN_PAIR
    aligned_q = {i for i, _, _ in pairs}
    aligned_l = {j for _, j, _ in pairs}
    split_alike = all(i in aligned_q for i, t in enumerate(query) if t not in PARTICLES) and all(
        j in aligned_l for j, t in enumerate(listed) if t not in PARTICLES
    )
    return not split_alike or all(
        s >= ABJAD_JOINED_MIN_PAIR for i, _, s in pairs if query[i] not in PARTICLES
    )


def _explanation(  # noqa: PLR0917 (the parts of one score)
    q: NormalizedName,
    listed: list[str],
    lw: FloatArray,
    pairs: list[tuple[int, int, float]],
    free_q: list[int],
    free_l: list[int],
    score: float,
    token_score: float,
    joined: float,
) -> dict[str, Any]:
    phonetic = [q.phonetic[i] == phonetic_key(listed[j]) != "" for i, j, _ in pairs]
    return {
        "name_score": round(score, 4),
        "method": "tokens" if token_score >= joined**EXPONENT else "joined",
        "query_tokens": list(q.tokens),
        "listed_tokens": listed,
        "alignment": [
            {
                "query": q.tokens[i],
                "listed": listed[j],
                "similarity": round(s, 4),
                "phonetic": ph,
                "weight": round(float(lw[j]), 3),
            }
            for (i, j, s), ph in zip(pairs, phonetic, strict=True)
        ],
        "unmatched_query": [q.tokens[i] for i in free_q],
        "unmatched_listed": [listed[j] for j in free_l],
        "token_score": round(token_score, 4),
        "joined_similarity": round(joined, 4),
        "phonetic_agreement": round(sum(phonetic) / len(pairs), 3) if pairs else 0.0,
    }


def _joined_similarity(
    q: NormalizedName, index: ScreeningIndex, names: IntArray, loose: BoolArray,
    abjad: BoolArray,
) -> tuple[FloatArray, FloatArray]:
    """Similarity of the whole names, tokens joined: strict, and with skeletons across scripts."""
    joined_names, joined_skeletons = index.joined_arrays
    cand_joined = joined_names[names].tolist()
    joined: FloatArray = process.cdist(
        [q.joined], cand_joined, scorer=OSA.normalized_similarity, dtype=np.float32
    )[0]
    strict = joined.copy()
    if (loose_at := np.flatnonzero(loose)).size:
        qskel = skeleton(q.joined)
        lskel = joined_skeletons[names[loose_at]].tolist()
        skel = process.cdist([qskel], lskel, scorer=OSA.normalized_similarity)[0]
        # As for tokens, a skeleton of one or two consonants says little ("wangwei" is "nk"),
        # unless the query is in a script that writes only consonants ("משה" is "moshe").
        shortest = np.minimum(len(qskel), np.array([len(k) for k in lskel]))
        at_abjad = abjad[loose_at]
        capped = np.where(
            at_abjad,
            np.minimum(skel * ABJAD_SKELETON_CAP[shortest.clip(0, 2)], SKELETON_ONLY_MAX),
            np.minimum(skel * SKELETON_CAP[shortest.clip(0, len(SKELETON_CAP) - 1)],
                       SKELETON_ONLY_MAX),
        )
        if at_abjad.any():  # a long vowel written on one side only, as for tokens
            names_at = joined_names[names[loose_at]].tolist()
            vowels = _long_vowels_missing([q.joined], names_at)[0] & at_abjad
            capped = np.where(vowels, capped * LONG_VOWEL_FACTOR, capped)
            # ... and names that open with another consonant ("srh mnswr" / "yasser daoud
            # mansour" agree letter for letter once joined, from the second letter on)
            first = q.tokens[0] if q.tokens else ""
            heads, voice = set(abjad_heads(first)), opening_voicing(first)
            other = np.array([
                skeleton_head(n) not in heads or "" != opening_voicing(n) != voice != ""
                for n in names_at
            ]) & at_abjad
            capped = np.where(other, capped * OTHER_HEAD_FACTOR, capped)
        ok = at_abjad | (joined[loose_at] >= LOOSE_MIN_STRICT_JOINED)
        joined[loose_at] = np.maximum(joined[loose_at], np.where(ok, capped, 0.0))
    return strict, joined


def score_names(
    q: NormalizedName,
    index: ScreeningIndex,
    names: IntArray,
    *,
    keep: int = RESCORE,
    floor: float = POSSIBLE_THRESHOLD - 0.3,
    kind: EntityType | None = None,
) -> list[_Scored]:
    """Name scores (before features) of the most promising of `names`, best first.

    `kind` is the query's type: a person is not compared joined with an organisation's name,
    so "wang wei" cannot be one company's single word by the letters alone.
    """
    if not q.tokens or len(names) == 0:
        return []
    rows = index.name_tokens[names]
    ntok = (rows >= 0).sum(axis=1)
    rows = rows[:, : int(ntok.max())]
    vocab, inv = np.unique(rows, return_inverse=True)
    inv = inv.reshape(rows.shape)
    pad = vocab < 0
    sims, other = _similarity(q, index, np.where(pad, 0, vocab).astype(np.int32))
    sims[:, :, pad] = 0.0
    # Across scripts the comparison is loose (consonant skeletons); within one non-Latin script
    # it is strict: the same letters are there to compare. A query in Latin letters compares
    # loosely with a listed original-script name only when the entity has no Latin name (its
    # Latin names are the comparison, in transliteration).
    listed_script = index.name_script[names]
    query_script = script_code(q.original)
    same_script = (listed_script == query_script) & (query_script != _LATIN)
    flags = index.name_flags[names]
    listed_loose = (flags & FLAG_TRANSLIT) > 0
    if not q.transliterated:
        listed_loose &= (flags & FLAG_SCRIPT_ONLY) > 0
    loose = (listed_loose | q.transliterated) & ~same_script
    abjad = loose & (((flags & FLAG_ABJAD) > 0) | q.abjad)
    qw = np.array([_query_weight(t, index) for t in q.tokens], dtype=np.float32)
    plane = np.where(abjad, 2, np.where(loose, 1, 0))
    gathered = sims[plane[None, :, None], np.arange(len(q.tokens))[:, None, None], inv[None]]
    best = gathered.max(axis=2)
    # Listed tokens no query token comes near weigh against the name, as in `_name_score`.
    lw = np.where(pad, 0.0, index.vocab_weight[np.where(pad, 0, vocab)])[inv]  # (C, T)
    free = -np.sort(-(lw * (gathered.max(axis=0) < MIN_PAIR)), axis=1)  # heaviest first
    substituted = (np.arange(free.shape[1])[None, :] < (best < MIN_PAIR).sum(axis=0)[:, None]) & (
        ~index.name_is_organisation[names][:, None]
    )
    free_extra = np.where(substituted, SUBSTITUTED_EXTRA, LISTED_EXTRA[EntityType.person])
    gain = (np.where(best >= MIN_PAIR, best, 0.0) ** 2 * qw[:, None]).sum(axis=0)
    pre = gain / (qw.sum() + (free_extra * free).sum(axis=1))
    strict_joined, joined = _joined_similarity(q, index, names, loose, abjad)
    # The joined comparison is for names split or merged differently ("abd allah" / "abdullah").
    # Names with as many tokens compare joined only when split elsewhere ("gpbm ortgage").
    resplit = (ntok != len(q.tokens)) | (strict_joined >= RESPLIT_SIM)
    joined = np.where(abjad | resplit, joined, 0.0)
    if kind == EntityType.person:
        joined = np.where(index.name_is_organisation[names], 0.0, joined)
    pre = np.maximum(pre, joined**EXPONENT)
    top = np.argsort(-pre, kind="stable")[:keep]
    out: list[_Scored] = []
    for c in top.tolist():
        if pre[c] < floor:
            break
        width = int(ntok[c])
        sim = gathered[:, c, :width]
        others = other[:, inv[c, :width]]
        kind = index.entity_types[int(index.name_entity[names[c]])]
        extra = LISTED_EXTRA.get(kind, LISTED_EXTRA_OTHER)
        score, why = _name_score(
            q,
            qw=qw,
            row=rows[c, :width],
            sim=sim,
            others=others,
            joined=float(joined[c]),
            index=index,
            listed_extra=extra,
            abjad_parts=bool(abjad[c]) and float(strict_joined[c]) < RESPLIT_SIM,
        )
        if query_script == _HANI:
            score, why = _chinese_syllables(q, index, rows[c, :width], score, why)
        out.append(_Scored(int(names[c]), score, why))
    out.sort(key=lambda s: -s.score)
    return out


def _chinese_syllables(
    q: NormalizedName, index: ScreeningIndex, row: IntArray, score: float,
    explain: Callable[[], dict[str, Any]],
) -> tuple[float, Callable[[], dict[str, Any]]]:
    """Score down a listed pinyin name whose syllables are not the characters' (pinyin.py)."""
    if not other_chinese_name(q.tokens, index.vocab_arrays.words[row].tolist()):
        return score, explain
    score *= OTHER_CHINESE_FACTOR
    return score, lambda: {**explain(), "other_chinese_name": True, "name_score": round(score, 4)}


def _query_weight(token: str, index: ScreeningIndex) -> float:
    """Rarity weight of a query token: as in the lists, 1.0 if the lists do not have it."""
    tid = index.token_ids.get(token)
    if tid is not None:
        return float(index.vocab_weight[tid])
    if len(token) >= 4 and process.extractOne(
        token, _NOISE, scorer=OSA.normalized_similarity, score_cutoff=0.7
    ):
        return 0.2  # a misspelt legal form or business word ("compani", "limted")
    if len(token) <= 3:
        return 0.3  # a short token the lists do not have: an abbreviation or stray letters
    return capped_weight(token, static_weight(token) or length_factor(token))


def build_hits(
    scored: Sequence[_Scored],
    features: QueryFeatures,
    index: ScreeningIndex,
    entities: Sequence[ListedEntity],
    *,
    hit: float = HIT_THRESHOLD,
    possible: float = POSSIBLE_THRESHOLD,
    id_matches: frozenset[int] = frozenset(),
    floor: float | None = None,
) -> list[Hit]:
    """Best name per entity, adjusted by the secondary features; hits at or above `floor`.

    Without a `floor`, a name at or above `hit` whose facts bring it below `possible` is kept
    too, with strength `discounted` and status `clear`, so the screening can show it was seen.
    """
    best: dict[int, _Scored] = {}
    for s in scored:
        ei = int(index.name_entity[s.name_id])
        quality = QUALITY_CODES[int(index.name_quality[s.name_id])]
        factor = WEAK_ALIAS_FACTOR if quality == NameQuality.weak else 1.0
        if ei not in best or s.score * factor > best[ei].score:
            best[ei] = _Scored(s.name_id, s.score * factor, s.explain)
    hits: list[Hit] = []
    lowest = possible if floor is None else floor
    for ei, s in best.items():
        if s.score + MAX_BOOST < lowest and not features.identifiers and ei not in id_matches:
            continue  # no feature could lift it to a hit: leave the entity unread
        entity = entities[ei]
        name = entity.names[int(index.name_position[s.name_id])]
        adjustments, id_match = feature_adjustments(features, entity)
        score = s.score + sum(a.delta for a in adjustments)
        if id_match or ei in id_matches:
            score = max(score, IDENTIFIER_SCORE)
        score = min(1.0, max(0.0, score))
        if score < lowest and (s.score < hit or floor is not None):
            continue  # (a matching name the facts set apart is kept, as `discounted`)
        corroborated = id_match or ei in id_matches or any(a.corroborates for a in adjustments)
        strength = strength_for(
            score, s.score, corroborated=corroborated, hit=hit, possible=possible
        )
        why = dict(s.explanation)
        why["alias_quality"] = name.quality.value
        why["quality_factor"] = WEAK_ALIAS_FACTOR if name.quality == NameQuality.weak else 1.0
        why["adjustments"] = [_adj(a) for a in adjustments]
        why["identifier_match"] = id_match
        why["final_score"] = round(score, 4)
        why["strength"] = strength.value
        why["corroborated"] = corroborated
        hits.append(
            Hit(
                entity_id=entity.id,
                source=entity.source,
                entity_type=entity.type,
                caption=entity.primary_name,
                matched_name=name.full,
                name_quality=name.quality,
                topics=list(entity.topics),
                score=round(score, 4),
                status=status_for(score, hit, possible),
                strength=strength,
                explanation=why,
            )
        )
    hits.sort(key=lambda h: (-h.score, h.entity_id))
    return hits


def _adj(a: Adjustment) -> dict[str, Any]:
    return {"feature": a.feature, "delta": a.delta, "reason": a.reason}
