"""SOP parsing: the KYB SOP is valid; each authoring mistake is named with file, line and check."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from caseworker.exceptions import SOPInvalid
from caseworker.sop.parser import load_sop, parse_sop
from caseworker.tools.registry import ToolRegistry

ROOT = Path(__file__).resolve().parents[2]

FRONT = """---
agent: t
title: T
decision:
  - review: 'checks.exists(c, c.status != "pass")'
  - approve: 'true'
---
"""


def check(check_id: str, block: str, prose: str = "Do it.") -> str:
    return f"\n## {check_id} — Title of {check_id}\n\n```yaml\n{block.strip()}\n```\n\n{prose}\n"


def parse(text: str, registry: ToolRegistry):  # type: ignore[no-untyped-def]
    return parse_sop(text, source="sop.md", registry=registry)


def problems(text: str, registry: ToolRegistry) -> list[str]:
    with pytest.raises(SOPInvalid) as caught:
        parse(text, registry)
    return [str(p) for p in caught.value.problems]


def test_kyb_sop_parses(registry: ToolRegistry) -> None:
    plan = load_sop(ROOT / "agents" / "kyb" / "sop.md", registry)
    assert plan.agent == "kyb-standard"
    assert {"business_profile", "high_risk_country", "high_risk_industry"} <= set(plan.check_ids)
    country = plan.check("high_risk_country")
    assert country.severity == "critical"
    assert country.plan[0].tool == "risk.country"
    assert country.rule.fail == "result.any_prohibited"
    assert "FATF" in country.instructions and "```" not in country.instructions
    assert [d.recommendation for d in plan.decision] == ["reject", "review", "approve"]


def test_dependencies_and_plan_steps(registry: ToolRegistry) -> None:
    text = FRONT + check("a", """
tools: [test.work]
plan:
  - test.work: {label: a}
writes:
  v: result.value
""") + check("b", """
after: [a]
tools: [test.work]
reads: [a.v, case.subject.legal_name]
plan:
  - tool: test.work
    args: {label: b, value: $a.v}
    as: first
  - test.work: {label: c, value: $steps.first.value}
rule:
  review: first.value == null
""")
    plan = parse(text, registry)
    assert plan.topological_order() == ["a", "b"]
    b = plan.check("b")
    assert [s.name for s in b.plan] == ["first", "work"]
    assert b.line is not None and b.line > plan.check("a").line  # type: ignore[operator]


def test_cycle_is_named(registry: ToolRegistry) -> None:
    text = FRONT + check("a", "after: [b]\ntools: [test.work]") + check(
        "b", "after: [a]\ntools: [test.work]")
    found = problems(text, registry)
    assert any("dependency cycle" in p and "a" in p and "b" in p for p in found)


def test_unknown_tool_is_named_with_line_and_check(registry: ToolRegistry) -> None:
    text = FRONT + check("a", "tools: [risk.countri]")
    (problem,) = problems(text, registry)
    assert "unknown tool 'risk.countri'" in problem
    assert problem.startswith("sop.md:12 [check a]")


def test_undeclared_memory_read_is_named(registry: ToolRegistry) -> None:
    text = FRONT + check("a", """
tools: [test.work]
reads: [case.subject.legal_name]
plan:
  - test.work: {label: a, value: $case.subject.website}
""")
    (problem,) = problems(text, registry)
    assert "undeclared memory read" in problem and "$case.subject.website" in problem
    assert "[check a]" in problem


def test_unknown_memory_keys_are_named(registry: ToolRegistry) -> None:
    text = FRONT + check("a", "tools: [test.work]\nreads: [case.subject.shoe_size]") + check(
        "b", "tools: [test.work]\nreads: [a.nothing]") + check(
        "c", "after: [a]\ntools: [test.work]\nreads: [a.nothing]")
    found = problems(text, registry)
    assert any("unknown memory key 'case.subject.shoe_size'" in p for p in found)
    assert any("does not run after 'a'" in p for p in found)
    assert any("check 'a' writes no 'nothing'" in p for p in found)


def test_malformed_cel_rule_is_named(registry: ToolRegistry) -> None:
    text = FRONT + check("a", """
tools: [test.work]
plan:
  - test.work: {label: a}
rule:
  fail: result.flagged &&
""")
    (problem,) = problems(text, registry)
    assert "invalid CEL expression `result.flagged &&`" in problem
    assert "Syntax error" in problem and "[check a]" in problem


def test_malformed_decision_policy_is_named(registry: ToolRegistry) -> None:
    text = FRONT.replace("approve: 'true'", "approve: 'checks.all(c,'") + check(
        "a", "tools: [test.work]")
    found = problems(text, registry)
    assert any("decision rule 'approve'" in p and "invalid CEL" in p for p in found)


def test_structure_mistakes_are_all_reported(registry: ToolRegistry) -> None:
    text = FRONT + check("Bad Heading!", "tools: [test.work]") + check(
        "a", "severity: urgent\ntools: [test.work]\ncolour: red") + "\n## b — No block\n\nText.\n"
    found = problems(text, registry)
    assert any("heading 'Bad Heading! — Title of Bad Heading!'" in p for p in found)
    assert any("severity 'urgent'" in p for p in found)
    assert any("unknown key 'colour'" in p for p in found)
    assert any("no ```yaml block" in p and "[check b]" in p for p in found)


def test_missing_front_matter(registry: ToolRegistry) -> None:
    found = problems(check("a", "tools: [test.work]"), registry)
    assert any("must start with YAML front matter" in p for p in found)


def test_plan_tool_outside_check_allowlist(registry: ToolRegistry) -> None:
    text = FRONT + check("a", "tools: [test.work]\nplan:\n  - risk.country: {countries: []}")
    (problem,) = problems(text, registry)
    assert "calls 'risk.country', which is not in the check's tools" in problem


# --- version and hash pins ----------------------------------------------------------------


def test_kyb_sop_pins_its_version_and_the_hash_of_its_bytes(registry: ToolRegistry) -> None:
    path = ROOT / "agents" / "kyb" / "sop.md"
    plan = load_sop(path, registry)
    assert plan.version == "2026-11"
    assert plan.sop_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_hash_is_of_the_file_bytes_line_endings_included(
    registry: ToolRegistry, tmp_path: Path,
) -> None:
    text = FRONT + check("a", "tools: [test.work]")
    unix, windows = tmp_path / "unix.md", tmp_path / "windows.md"
    unix.write_bytes(text.encode())
    windows.write_bytes(text.replace("\n", "\r\n").encode())
    assert load_sop(unix, registry).check_ids == load_sop(windows, registry).check_ids == ["a"]
    assert load_sop(unix, registry).sop_sha256 != load_sop(windows, registry).sop_sha256


@pytest.mark.parametrize(("line", "expected"), [
    ("", None), ("version: 1.2\n", "1.2"), ("version: '2026-11'\n", "2026-11"),
    ("version: 2026-11-01\n", "2026-11-01"),
])
def test_version_is_optional_front_matter_read_as_text(
    registry: ToolRegistry, line: str, expected: str | None,
) -> None:
    text = FRONT.replace("title: T\n", f"title: T\n{line}") + check("a", "tools: [test.work]")
    plan = parse(text, registry)
    assert plan.version == expected
    assert plan.sop_sha256 == ""  # parsed from text, not read from a file


def test_a_structured_version_is_named(registry: ToolRegistry) -> None:
    text = FRONT.replace("title: T\n", "title: T\nversion: {major: 1}\n") + check(
        "a", "tools: [test.work]")
    (problem,) = problems(text, registry)
    assert "sop.md:4" in problem and "'version' must be a short text" in problem
