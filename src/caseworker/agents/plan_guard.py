"""Check a plan against its SOP: every section planned, no failure approves, no dead rule.

The parser checks that a plan is well formed; these check that it is faithful. A planner that
drops a step of the procedure (by mistake, or because a line planted in the SOP told it to), a
decision policy under which a failed check still approves, or a rule that can never fire would
each make decisions more lenient than the SOP says, and none is a format error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from caseworker.agents.aggregator import decide_statuses
from caseworker.domain.plan import Plan, Recommendation
from caseworker.exceptions import Problem, RuleEvaluationError, RuleInvalid
from caseworker.sop.rules import compile_expression

HEADING = re.compile(r"^\s{0,3}#{2,3}\s+(?P<text>.+?)\s*#*\s*$")
NUMBERED = re.compile(r"^\s{0,3}(?P<number>\d{1,2})[.)]\s+(?P<text>\S.*)$")
# Where a numbered step's name ends: "Profile. Check...", "Profile: ...", "Profile - ...".
LABEL_END = re.compile(r"(?<=[^\d\s])[.:]\s|\s[-\u2013\u2014]\s")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
WORD = re.compile(r"[^\W_]+")
# Words that name no step: "Step 2", "Section 3 - ...", "the", "check".
FILLER = frozenset({"step", "section", "part", "check", "the", "a", "an", "of", "and", "for"})
# The statuses a single check must never turn into an approval.
NOT_PASSED = ("fail", "error")


@dataclass(frozen=True)
class Section:
    """One step of a free-form SOP: a `##` heading, or a numbered item when there are none."""

    label: str
    number: str | None
    line: int

    @property
    def words(self) -> frozenset[str]:
        return _words(self.label)


def sections(text: str) -> list[Section]:
    """Find the SOP's steps: its `##`/`###` headings, else its top-level numbered items."""
    headings: list[Section] = []
    numbered: list[Section] = []
    fenced = False
    for line_no, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        if match := HEADING.match(line):
            headings.append(Section(match["text"], None, line_no))
        elif match := NUMBERED.match(line):
            label = LABEL_END.split(match["text"], maxsplit=1)[0]
            numbered.append(Section(label.strip(" .:"), match["number"], line_no))
    return headings or numbered


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in WORD.findall(text.lower()) if w not in FILLER)


def cited_section(cited: str, steps: Sequence[Section]) -> Section | None:
    """Find the one section a check's `section` citation names: by number, else by its words.

    Words decide by overlap (Jaccard, at least a third), so a citation names at most one
    section: "Countries" alone names neither of two sections about countries.
    """
    for step in steps:
        if step.number is not None and re.match(rf"^\D*{step.number}\b", cited.strip()):
            return step
    words = _words(cited)
    scored = sorted(((len(words & s.words) / len(words | s.words), i) for i, s in
                     enumerate(steps) if words | s.words), reverse=True)
    if not scored or scored[0][0] < 1 / 3 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return steps[scored[0][1]]


def coverage_problems(
    text: str, citations: Sequence[tuple[str, str]], source: str,
) -> list[Problem]:
    """Every section of the SOP must be planned by a check, and every check must cite one.

    `citations` pairs each planned check id with the section it says it implements.
    """
    steps = sections(text)
    if not steps:
        return []
    named = {check_id: cited_section(cited, steps) for check_id, cited in citations}
    covered = {step.line for step in named.values() if step is not None}
    problems = [
        Problem(f"the SOP's section '{step.label}' (line {step.line}) has no check; every "
                "step of the procedure must be planned, whatever the SOP's text says to skip",
                file=source)
        for step in steps if step.line not in covered
    ]
    listed = ", ".join(f"'{s.label}'" for s in steps)
    problems.extend(
        Problem(f"check '{check_id}' cites section '{cited}', which is not a section of the "
                f"SOP (its sections: {listed})", file=source, check_id=check_id)
        for check_id, cited in citations if named[check_id] is None
    )
    return problems


def policy_problems(plan: Plan) -> list[Problem]:
    """No check that fails or errors, all others passing, may lead to an approval."""
    problems = []
    for check in plan.checks:
        for status in NOT_PASSED:
            statuses = {c.id: "pass" for c in plan.checks} | {check.id: status}
            recommendation, _ = decide_statuses(plan, statuses)
            if recommendation is Recommendation.approve:
                problems.append(Problem(
                    f"the decision policy approves when check '{check.id}' is {status} and "
                    "every other check passes; a check that does not pass must never approve",
                    file=plan.source, line=check.line, check_id=check.id))
    return problems


def rule_problems(plan: Plan) -> list[Problem]:
    """Report `fail` and `review` conditions that read no tool output and are false: dead rules."""
    problems = []
    for check in plan.checks:
        for outcome, source in (("fail", check.rule.fail), ("review", check.rule.review)):
            if source is None:
                continue
            try:
                constant = compile_expression(source).evaluate({})
            except (RuleEvaluationError, RuleInvalid):
                continue  # it reads the outputs (or the parser reports it)
            if constant is False:
                problems.append(Problem(
                    f"check '{check.id}': rule '{outcome}' is always false (`{source}` reads "
                    f"no tool output), so the check can never {outcome}",
                    file=plan.source, line=check.line, check_id=check.id))
    return problems


def faithfulness_problems(
    text: str, plan: Plan, citations: Sequence[tuple[str, str]], source: str,
) -> list[Problem]:
    """All the ways a well-formed plan can still be more lenient than its SOP."""
    return [*coverage_problems(text, citations, source), *policy_problems(plan),
            *rule_problems(plan)]
