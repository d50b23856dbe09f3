"""Name commonness: how much evidence a name carries, from the lists and from the population.

Two sources say a token is common. The index counts how many listed names carry it (a token on
hundreds of listed names, such as "mohammad", weighs little). The shipped table
`data/common_names.yaml` names tokens frequent in the population screened, which may be rare in
the lists ("smith", "nguyen"). A token weighs at most its population cap.

A name-only match whose matched tokens weigh little in all (every token common: "Mohammed Khan",
"Wei Wang") is scored down by up to COMMON_PENALTY; secondary facts then decide. One rare token
is enough evidence ("Credisa SA" is not a common name, however short).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ValidationError

from caseworker.checks.screening.normalize import variant_key
from caseworker.exceptions import ConfigurationError

VERY_COMMON_WEIGHT = 0.3  # the most a very common token weighs in a name score
COMMON_WEIGHT = 0.45  # ... a common one
# Matched tokens weighing FULL_EVIDENCE in all (one rare token, or several common ones) are
# full evidence; below it a name score loses up to COMMON_PENALTY, pro rata.
FULL_EVIDENCE = 1.0
COMMON_PENALTY = 0.15


class CommonNames(BaseModel):
    """The shipped table: culture -> space-separated tokens, in two tiers."""

    very_common: dict[str, str]
    common: dict[str, str]


def _table_text() -> str:
    path = files("caseworker.checks.screening") / "data" / "common_names.yaml"
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def table_digest() -> str:
    """SHA-256 of the shipped table: an index built with another table is rebuilt."""
    return hashlib.sha256(_table_text().encode()).hexdigest()


@lru_cache(maxsize=1)
def _table() -> CommonNames:
    try:
        return CommonNames.model_validate(yaml.safe_load(_table_text()))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"screening common_names.yaml is invalid: {exc}") from exc


@lru_cache(maxsize=1)
def population_caps() -> dict[str, float]:
    """Token -> the most it may weigh, from the shipped name-frequency table."""
    table = _table()
    caps: dict[str, float] = {}
    for tier, weight in ((table.common, COMMON_WEIGHT), (table.very_common, VERY_COMMON_WEIGHT)):
        for tokens in tier.values():
            for token in tokens.split():
                caps[token] = min(weight, caps.get(token, 1.0))
    return caps


@lru_cache(maxsize=16)
def population_group(group: str) -> frozenset[str]:
    """Tokens of one group of the shipped table ("east_asian_family"), both tiers."""
    table = _table()
    return frozenset(
        token for tier in (table.very_common, table.common) for token in tier.get(group, "").split()
    )


@lru_cache(maxsize=1)
def variant_caps() -> dict[str, float]:
    """Romanisation-variant key -> the most a token with that key may weigh.

    A spelling of a common name is as common as the name ("abdoullah", "abdallah" and
    "abdullah" are one name), whether or not the table lists that spelling.
    """
    caps: dict[str, float] = {}
    for token, cap in population_caps().items():
        key = variant_key(token)
        caps[key] = min(cap, caps.get(key, 1.0))
    return caps


def capped_weight(token: str, weight: float) -> float:
    """Return a token's weight, no more than its population cap (or its spelling variants')."""
    cap = min(population_caps().get(token, 1.0), variant_caps().get(variant_key(token), 1.0))
    return min(weight, cap)


def commonness_penalty(evidence: float) -> float:
    """Return what a name score loses when its matched tokens weigh `evidence` in all."""
    return COMMON_PENALTY * max(0.0, 1.0 - evidence / FULL_EVIDENCE)
