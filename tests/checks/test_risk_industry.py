"""Tests for the `risk.industry` tool and its policy file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from caseworker.checks.risk import datafile, industry
from caseworker.checks.risk.industry import (
    IndustryPolicy,
    IndustryRiskOutput,
    industry_risk,
    keyword_pattern,
    snippet,
)
from caseworker.exceptions import ConfigurationError, ToolInputInvalid
from caseworker.tools.base import ToolContext


def run(**args: Any) -> IndustryRiskOutput:
    out = asyncio.run(industry_risk.invoke(args, ToolContext()))
    assert isinstance(out, IndustryRiskOutput)
    return out


def test_spec() -> None:
    assert industry_risk.name == "risk.industry"
    assert industry_risk.description.startswith("Rate a business's industry")


def test_standard_business() -> None:
    out = run(
        description="We design and sell accounting software to small firms.",
        industry="Software",
        mcc="5734",
    )
    assert out.level == "standard"
    assert out.matches == [] and out.categories == []
    assert not out.any_prohibited and not out.any_high_risk
    assert out.policy_version


def test_mcc_match_and_evidence() -> None:
    out = run(mcc="7995")
    assert out.level == "high" and out.any_high_risk and not out.any_prohibited
    (m,) = out.matches
    assert (m.category, m.via, m.matched) == ("gambling", "mcc", "7995")
    (ev,) = out.evidence()
    assert ev.source == "policy:industries#gambling"
    assert ev.quote.startswith("MCC 7995 (Betting")


def test_keyword_plural_and_context() -> None:
    out = run(description="Operator of licensed online casinos in Malta and Gibraltar.")
    (m,) = out.matches  # "online casino" wins over the overlapping "casino"
    assert (m.category, m.via, m.matched) == ("gambling", "keyword", "online casino")
    assert "online casinos in Malta" in m.context
    assert out.evidence()[0].quote.startswith('keyword "online casino": ')


def test_prohibited_wins() -> None:
    out = run(industry="Cannabis dispensary", description="We also sell CBD oil and bitcoin.")
    assert out.level == "prohibited"
    assert out.any_prohibited and out.any_high_risk
    assert out.categories == ["crypto", "cannabis", "cbd_hemp"]


def test_multi_word_with_hyphen_or_space() -> None:
    assert run(description="A multi level marketing company").categories == ["mlm"]
    assert run(description="Multi-Level Marketing of cosmetics").categories == ["mlm"]
    assert run(description="Sports-betting tips").categories == ["gambling"]


@pytest.mark.parametrize(
    "description",
    [
        "Independent video game studio; we love gaming and esports.",
        "Aiding and abetting is a crime; we teach the alphabet.",
        "We send a remittance advice with every invoice.",
        "Immigration advisers: green card lottery applications.",
        "Prescription glasses and contact lenses.",
        "Payroll software that runs on payday.",
        "Garden services: lawn mowing and weed control.",
        "Police escort for oversized loads.",
        "Cryptography consultancy.",
    ],
)
def test_false_positives_are_guarded(description: str) -> None:
    out = run(description=description)
    assert out.level == "standard", out.matches


def test_word_boundary_pattern() -> None:
    bet = keyword_pattern("bet")
    assert not bet.search("alphabet")
    assert bet.search("place a bet")
    assert bet.search("BETS accepted")
    assert keyword_pattern("casino").search("two Casinos")
    assert not keyword_pattern("casino").search("casinoroyale")


@pytest.mark.parametrize(
    ("text", "category", "level"),
    [
        ("Licensed bureau de change at airports", "money_services", "high"),
        ("Nominee director and shelf company services", "shell_nominee", "prohibited"),
        ("Escort agency in London", "escort_services", "prohibited"),
        ("Dealer in military equipment and munitions", "arms_military", "prohibited"),
        ("Gun shop selling shotguns and ammunition", "firearms", "high"),
        ("Pawnbroker and jeweller", "pawn_shops", "high"),
        ("Payday loans online", "payday_lending", "high"),
        ("Online pharmacy for prescription drugs", "online_pharmacy", "high"),
        ("Debt collection agency", "debt_collection", "high"),
        ("Outbound telemarketing", "telemarketing", "high"),
        ("Timeshare resale specialists", "timeshares", "high"),
        ("Adult entertainment website", "adult_content", "high"),
        ("Gold bullion and precious metals trading", "precious_metals", "high"),
        ("Crypto exchange for stablecoins", "crypto", "high"),
    ],
)
def test_categories(text: str, category: str, level: str) -> None:
    out = run(description=text)
    assert category in out.categories
    assert out.level == level


def test_each_keyword_reported_once() -> None:
    out = run(industry="Casino", description="A casino. Another casino.")
    assert [m.matched for m in out.matches] == ["casino"]


def test_snippet() -> None:
    text = "word " * 30 + "casino " + "word " * 30
    start = text.index("casino")
    cut = snippet(text, start, start + 6)
    assert cut.startswith("…word") and cut.endswith("word…") and "casino" in cut
    assert snippet("casino", 0, 6) == "casino"


@pytest.mark.parametrize(
    "args",
    [
        {"mcc": "79951"},
        {"mcc": "79a5"},
        {},
        {"description": "  ", "industry": ""},
        {"description": "casino", "sector": "x"},
    ],
)
def test_bad_arguments(args: dict[str, Any]) -> None:
    with pytest.raises(ToolInputInvalid):
        run(**args)


def test_policy_covers_required_categories() -> None:
    ids = {c.category.id for c in industry.load_industry_policy().categories}
    assert {
        "gambling",
        "crypto",
        "money_services",
        "adult_content",
        "firearms",
        "arms_military",
        "cannabis",
        "precious_metals",
        "pawn_shops",
        "payday_lending",
        "shell_nominee",
        "online_pharmacy",
        "debt_collection",
        "telemarketing",
        "timeshares",
        "escort_services",
        "mlm",
    } <= ids


BAD_POLICY = """
version: "1"
as_of: 2025-11-01
categories:
  - {id: gambling, label: G, level: high, reason: r, mccs: {7995: Betting}, keywords: [bet]}
"""


def test_unquoted_mcc_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        datafile.parse_data_file(BAD_POLICY, IndustryPolicy, source="industries.yaml")
    assert "industries.yaml" in str(info.value)
    assert "categories.0.mccs" in str(info.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("level: high", "level: severe"), "level"),
        (("keywords: [bet]", "keywords: [bet, Bet]"), "duplicate keyword"),
        (("{7995: Betting}", "{}"), None),
        (("id: gambling", "id: Gambling"), "lower_snake_case"),
    ],
)
def test_invalid_policy(change: tuple[str, str], message: str | None) -> None:
    text = BAD_POLICY.replace("7995", '"7995"').replace(*change)
    if message is None:  # still valid: keywords alone are enough
        datafile.parse_data_file(text, IndustryPolicy, source="industries.yaml")
        return
    with pytest.raises(ConfigurationError, match=message):
        datafile.parse_data_file(text, IndustryPolicy, source="industries.yaml")


def test_category_without_matchers_and_duplicate_ids() -> None:
    text = BAD_POLICY.replace("7995", '"7995"')
    with pytest.raises(ConfigurationError, match="at least one MCC or keyword"):
        datafile.parse_data_file(
            text.replace('mccs: {"7995": Betting}, keywords: [bet]', "mccs: {}"),
            IndustryPolicy,
            source="industries.yaml",
        )
    doubled = text + text.split("categories:\n")[1]
    with pytest.raises(ConfigurationError, match="duplicate category ids"):
        datafile.parse_data_file(doubled, IndustryPolicy, source="industries.yaml")


def test_broken_policy_fails_the_tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "industries.yaml").write_text(BAD_POLICY, encoding="utf-8")
    monkeypatch.setattr(datafile, "DATA_ROOT", tmp_path)
    industry.load_industry_policy.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match=r"industries\.yaml is invalid"):
            run(mcc="7995")
    finally:
        industry.load_industry_policy.cache_clear()


@pytest.mark.parametrize(
    "description",
    [
        "Bookkeeping software for restaurants; we do not serve gambling or crypto businesses.",
        "Office cleaning for banks (not a money transfer or currency exchange business).",
        "Catering equipment wholesaler; no firearms, no ammunition and no CBD products are sold.",
        "Payroll software. We don\u2019t accept payday lenders as customers.",
    ],
)
def test_a_mention_only_to_say_no_is_not_rated_but_quoted(description: str) -> None:
    out = run(description=description)
    assert out.level == "standard", out.matches
    assert out.negated_mentions
    assert all(e.quote.startswith("negated, not rated: ") for e in out.evidence())


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("No-fee crypto exchange for retail investors.", "crypto"),
        ("We sell crypto, not stocks.", "crypto"),
        ("We are not just a wallet, we run a crypto exchange.", "crypto"),
        ("Not only payments but also an online casino.", "gambling"),
        ("We offer no KYC crypto trading.", "crypto"),
        ("Online casino without the hassle.", "gambling"),
    ],
)
def test_a_negation_outside_the_mention_s_clause_does_not_clear_it(
    description: str, category: str,
) -> None:
    out = run(description=description)
    assert any(category in c for c in out.categories), (out.categories, out.negated_mentions)


def test_the_stated_industry_and_the_mcc_are_never_read_as_negated() -> None:
    out = run(industry="Not a casino", description="Games of chance.", mcc="7995")
    assert "gambling" in out.categories and not out.negated_mentions
