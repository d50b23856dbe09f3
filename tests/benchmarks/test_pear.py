"""PEAR's generator (benchmarks/pear): the SOP's decision policy, splits, a small dataset."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "pear"))

import generate  # noqa: E402
from pear_documents import Spec  # noqa: E402
from pear_families import (  # noqa: E402
    FAIL,
    FAMILIES,
    PASS,
    REVIEW,
    SEVERITY,
    decide,
    document_statuses,
)

from caseworker.domain.results import CheckStatus  # noqa: E402
from caseworker.eval.dataset import load_dataset  # noqa: E402


def checks(**changes: CheckStatus | None) -> dict[str, CheckStatus | None]:
    return {**dict.fromkeys(SEVERITY, PASS), **changes}


def test_the_decision_follows_the_sop_policy() -> None:
    assert decide(checks()) == "approve"
    assert decide(checks(sanctions_screening=FAIL)) == "reject"
    assert decide(checks(incorporation_document=FAIL)) == "reject"
    assert decide(checks(business_profile=FAIL)) == "review"  # medium severity
    assert decide(checks(proof_of_address=REVIEW)) == "review"
    # A check left out (None) may not change the decision...
    assert decide(checks(business_profile=REVIEW, associated_parties_country=None)) == "review"
    with pytest.raises(ValueError, match="depends on checks left out"):
        decide(checks(associated_parties_country=None))


def test_document_checks_follow_from_the_documents_supplied() -> None:
    assert document_statuses([]) == {"incorporation_document": REVIEW,
                                     "ownership_document": PASS, "proof_of_address": PASS}
    statuses = document_statuses([Spec("incorporation", "revision"), Spec("ownership"),
                                  Spec("proof_of_address", "stale")])
    assert statuses == {"incorporation_document": FAIL, "ownership_document": PASS,
                        "proof_of_address": REVIEW}


def test_one_case_in_four_of_each_family_is_holdout() -> None:
    for family in FAMILIES:
        chosen = [n for n in range(40) if generate.holdout(family, n)]
        assert len(chosen) == 10
        assert all(sum(n // 4 == run for n in chosen) == 1 for run in range(10))


def test_a_small_dataset_loads_and_is_reproducible(tmp_path: Path) -> None:
    world = generate.World.load(date(2026, 12, 6))
    first, _ = generate.generate(tmp_path / "a", seed=7, cases=9, as_of=world.as_of, world=world)
    generate.generate(tmp_path / "b", seed=7, cases=9, as_of=world.as_of, world=world)
    assert generate.digest(tmp_path / "a") == generate.digest(tmp_path / "b")
    loaded, errors = load_dataset(tmp_path / "a")
    assert errors == []
    assert (loaded.name, loaded.seed, loaded.as_of) == ("pear", 7, date(2026, 12, 6))
    assert [c.family for c in loaded.cases] == [*FAMILIES, "clean"]
    assert [c.id for c in loaded.cases] == [c.id for c in first.cases]
    assert all(c.facts and c.expected.checks for c in loaded.cases)
    assert all(Path(d.path or "").is_file() for c in loaded.cases for d in c.case.documents)


def test_the_generator_knows_the_agents_checks_and_severities() -> None:
    from caseworker.sop.agent import load_agent
    from caseworker.tools.registry import default_registry

    plan = load_agent(ROOT / "agents" / "kyb", default_registry()).definition.plan
    assert {c.id: c.severity.value for c in plan.checks} == SEVERITY
