"""Tool `risk.industry`: rates a business's activity by MCC and keywords against the policy."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from caseworker.checks.risk.datafile import read_data_file
from caseworker.tools.base import EvidenceDraft, ToolContext, ToolOutput, tool

DATA_FILE = "industries.yaml"
CONTEXT_CHARS = 40

Level = Literal["prohibited", "high", "standard"]
_SEVERITY: dict[str, int] = {"standard": 0, "high": 1, "prohibited": 2}
_MCC = re.compile(r"^\d{4}$")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


# --- the data file ------------------------------------------------------------------------


class Category(BaseModel):
    """One policy category: how risky it is, why, and how a business is matched to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    level: Literal["prohibited", "high"]
    reason: str
    mccs: dict[str, str] = Field(default_factory=dict)
    keywords: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"category id '{value}' must be lower_snake_case")
        return value

    @field_validator("mccs")
    @classmethod
    def _mcc_codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [code for code in value if not _MCC.match(code)]
        if bad:
            raise ValueError(f"MCCs must be quoted four-digit strings, got {bad}")
        return value

    @model_validator(mode="after")
    def _matchable(self) -> Category:
        if not self.mccs and not self.keywords:
            raise ValueError(f"category '{self.id}' needs at least one MCC or keyword")
        folded = [k.strip().casefold() for k in self.keywords]
        if "" in folded or len(set(folded)) != len(folded):
            raise ValueError(f"category '{self.id}' has an empty or duplicate keyword")
        return self


class IndustryPolicy(BaseModel):
    """The whole of `industries.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    as_of: dt.date
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> IndustryPolicy:
        ids = [c.id for c in self.categories]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate category ids: {duplicates}")
        return self


def keyword_pattern(phrase: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive pattern; a space or hyphen matches either; plural s/es."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    body = r"[\s\-]+".join(words)
    return re.compile(rf"(?<!\w){body}(?:e?s)?(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class CompiledCategory:
    category: Category
    keywords: tuple[tuple[str, re.Pattern[str]], ...]  # longest phrase first
    excludes: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CompiledPolicy:
    policy: IndustryPolicy
    categories: tuple[CompiledCategory, ...]


def compile_policy(policy: IndustryPolicy) -> CompiledPolicy:
    compiled = []
    for cat in policy.categories:
        ordered = sorted(cat.keywords, key=len, reverse=True)
        compiled.append(
            CompiledCategory(
                category=cat,
                keywords=tuple((k, keyword_pattern(k)) for k in ordered),
                excludes=tuple(keyword_pattern(e) for e in cat.exclude),
            )
        )
    return CompiledPolicy(policy=policy, categories=tuple(compiled))


@lru_cache(maxsize=1)
def load_industry_policy() -> CompiledPolicy:
    """Load the validated, compiled industry policy, once per process."""
    return compile_policy(read_data_file(DATA_FILE, IndustryPolicy))


# --- the tool -----------------------------------------------------------------------------


class IndustryRiskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(
        default=None, max_length=20_000, description="What the business does, in its own words"
    )
    industry: str | None = Field(
        default=None, max_length=500, description="The industry or sector the business states"
    )
    mcc: str | None = Field(
        default=None,
        pattern=r"^\d{4}$",
        description="ISO 18245 merchant category code: exactly four digits, e.g. '7995'",
    )

    @model_validator(mode="after")
    def _something_to_rate(self) -> IndustryRiskInput:
        if not any(v and v.strip() for v in (self.description, self.industry, self.mcc)):
            raise ValueError("give at least one of 'description', 'industry' or 'mcc'")
        return self


class IndustryMatch(BaseModel):
    """Why the business falls into one policy category."""

    category: str
    label: str
    level: Literal["prohibited", "high"]
    via: Literal["mcc", "keyword"]
    matched: str
    context: str


class IndustryRiskOutput(ToolOutput):
    level: Level
    matches: list[IndustryMatch]
    categories: list[str]
    any_prohibited: bool
    any_high_risk: bool
    negated_mentions: list[str] = Field(
        default_factory=list,
        description="Policy keywords the description names only to say the business does not "
        "do that (not rated; quoted for the reader)")
    policy_version: str

    def evidence(self) -> list[EvidenceDraft]:
        drafts = []
        for m in self.matches:
            quote = m.context if m.via == "mcc" else f'keyword "{m.matched}": {m.context}'
            drafts.append(EvidenceDraft(source=f"policy:industries#{m.category}", quote=quote))
        drafts += [EvidenceDraft(source="policy:industries", quote=f"negated, not rated: {n}")
                   for n in self.negated_mentions]
        return drafts


def snippet(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """Return the text around `text[start:end]`, cut at word boundaries, on one line."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    body = " ".join(text[left:right].split())
    return f"{'…' if left > 0 else ''}{body}{'…' if right < len(text) else ''}"


# A mention is negated when its own clause says so before it: "we do not serve gambling or
# crypto businesses", "(not a money transfer or currency exchange business)", "no firearms".
# Deliberately narrow, since a missed mention approves: a verbal negation at most
# NEGATION_REACH words before the keyword, or "no" right before it ("no-fee" is no negation);
# a comma, a colon, a bracket or "but" ends the clause. The MCC and the industry field are
# never read as negated.
_CLAUSE_END = re.compile(r"[.;:!?,()\[\]\n]|\bbut\b|\bhowever\b", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:not|never|no\s+longer|(?:do|does|did|will|would|can|could|shall)n[\'\u2019]t|won[\'\u2019]t|"
    r"neither|nor|without|excluding|except)\b",
    re.IGNORECASE,
)
_NO_BEFORE = re.compile(r"\bno\s+$", re.IGNORECASE)
NEGATION_REACH = 6  # words between a verbal negation and the keyword it negates


def negated(text: str, start: int) -> bool:
    """Tell whether the keyword at `start` is mentioned only to say the business does not."""
    clause = _CLAUSE_END.split(text[:start])[-1]
    if _NO_BEFORE.search(clause):
        return True
    cues = list(_NEGATION.finditer(clause))
    return bool(cues) and len(clause[cues[-1].end():].split()) <= NEGATION_REACH


def _keyword_matches(compiled: CompiledCategory, texts: list[tuple[str, bool]],
                     negations: list[str]) -> list[IndustryMatch]:
    """Find the keyword matches in `texts`, each (text, whether it may negate a mention).

    A negated mention is left out and its context kept in `negations`, for the evidence.
    """
    cat = compiled.category
    found: list[IndustryMatch] = []
    for text, may_negate in texts:
        excluded = [m.span() for p in compiled.excludes for m in p.finditer(text)]
        taken: list[tuple[int, int]] = []
        for keyword, pattern in compiled.keywords:
            for m in pattern.finditer(text):
                s, e = m.span()
                inside_exclusion = any(xs <= s and e <= xe for xs, xe in excluded)
                overlaps = any(s < te and ts < e for ts, te in taken)
                if inside_exclusion or overlaps:
                    continue
                taken.append((s, e))
                if may_negate and negated(text, s):
                    negations.append(f"{cat.label}: {snippet(text, s, e)}")
                    continue
                if all(f.matched != keyword for f in found):
                    found.append(
                        IndustryMatch(
                            category=cat.id,
                            label=cat.label,
                            level=cat.level,
                            via="keyword",
                            matched=keyword,
                            context=snippet(text, s, e),
                        )
                    )
    return found


@tool("risk.industry", prepare=load_industry_policy)
def industry_risk(args: IndustryRiskInput, context: ToolContext) -> IndustryRiskOutput:
    """Rate a business's industry as prohibited, high or standard risk under the policy.

    Matches the merchant category code (MCC) and whole-word keywords in the stated industry
    and description against policy categories such as gambling, crypto-assets, money
    services, adult content, firearms, cannabis, precious metals, pawn shops, payday
    lending, nominee services, online pharmacy, debt collection, telemarketing, timeshares,
    escort services and multi-level marketing. Returns the overall `level`, every match
    (category, label, level, via "mcc" or "keyword", the matched code or keyword and the
    text around it), the matched `categories`, `any_prohibited`, `any_high_risk` (true when
    any match is prohibited or high) and the `policy_version` used.
    """
    compiled = load_industry_policy()
    # The stated industry names what the business is; only its description may say "not".
    texts = [(t, may_negate) for t, may_negate in ((args.industry, False),
                                                   (args.description, True)) if t and t.strip()]
    matches: list[IndustryMatch] = []
    negations: list[str] = []
    for entry in compiled.categories:
        cat = entry.category
        if args.mcc and args.mcc in cat.mccs:
            matches.append(
                IndustryMatch(
                    category=cat.id,
                    label=cat.label,
                    level=cat.level,
                    via="mcc",
                    matched=args.mcc,
                    context=f"MCC {args.mcc} ({cat.mccs[args.mcc]})",
                )
            )
        matches.extend(_keyword_matches(entry, texts, negations))
    level: Level = "standard"
    for m in matches:
        if _SEVERITY[m.level] > _SEVERITY[level]:
            level = m.level
    categories = list(dict.fromkeys(m.category for m in matches))
    return IndustryRiskOutput(
        level=level,
        matches=matches,
        categories=categories,
        any_prohibited=level == "prohibited",
        any_high_risk=level != "standard",
        negated_mentions=negations,
        policy_version=compiled.policy.version,
    )
