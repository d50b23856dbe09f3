"""SOP Markdown → validated Plan: front matter, one `## id — title` section per check."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from pydantic import ValidationError

from caseworker.domain.plan import (
    CheckDefinition,
    CheckRule,
    DecisionRule,
    Plan,
    PlanStep,
    Recommendation,
    Severity,
)
from caseworker.exceptions import Problem, RuleInvalid, SOPInvalid
from caseworker.sop.references import STEP_PREFIX, case_path_exists, is_covered, iter_references
from caseworker.sop.rules import compile_expression
from caseworker.sop.yaml_lines import key_lines
from caseworker.tools.registry import ToolRegistry

HEADING = re.compile(r"^(?P<id>[A-Za-z0-9_]+)\s*(?:(?:—|\N{EN DASH}|-{1,2}|:)\s*(?P<title>.+))?$")
CHECK_ID = re.compile(r"^[a-z][a-z0-9_]*$")
BLOCK_KEYS = {"severity", "after", "tools", "reads", "writes", "plan", "rule"}
RULE_KEYS = {"fail", "review", "pass"}
FRONT_MATTER_KEYS = {"agent", "title", "subject", "decision", "description", "version"}


@dataclass
class _Section:
    heading: str
    line: int
    prose: list[str] = field(default_factory=list)
    block: str | None = None
    block_line: int | None = None


@dataclass
class _Collector:
    """Gathers every problem so an author sees them all at once."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, line: int | None = None, check_id: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.source, line=line, check_id=check_id))


def load_sop(path: Path, registry: ToolRegistry) -> Plan:
    """Read and parse an SOP file, pinning the SHA-256 of its bytes."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except OSError as exc:
        raise SOPInvalid(f"cannot read SOP {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SOPInvalid(f"SOP {path} is not UTF-8 text: {exc.reason}") from exc
    plan = parse_sop(text, source=str(path), registry=registry)
    return plan.model_copy(update={"sop_sha256": hashlib.sha256(data).hexdigest()})


def parse_sop(text: str, *, source: str, registry: ToolRegistry) -> Plan:
    """Parse SOP Markdown into a Plan, raising `SOPInvalid` listing every problem found."""
    errors = _Collector(source)
    front, body, body_offset = _split_front_matter(text, errors)
    meta = _parse_front_matter(front, errors)
    decision = _parse_decision(meta.get("decision"), errors)
    sections = _sections(body, body_offset)
    if not sections:
        errors.add("the SOP has no checks: add a `## check_id — Title` section per check")
    checks = [c for s in sections if (c := _parse_check(s, errors, registry)) is not None]
    _validate_graph(checks, errors)
    if errors.problems:
        raise SOPInvalid(f"{source} is not a valid SOP", problems=errors.problems)
    return Plan(
        agent=str(meta["agent"]),
        title=str(meta["title"]),
        subject=str(meta.get("subject", "business")),
        source=source,
        version=_version(meta.get("version")),
        decision=tuple(decision),
        checks=tuple(checks),
    )


def _split_front_matter(text: str, errors: _Collector) -> tuple[str, str, int]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        errors.add("the SOP must start with YAML front matter between `---` lines", line=1)
        return "", text, 0
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 1
    errors.add("the front matter is not closed with a `---` line", line=1)
    return "", "", 0


def _parse_front_matter(front: str, errors: _Collector) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(front) if front.strip() else {}
    except yaml.YAMLError as exc:
        errors.add(f"front matter is not valid YAML: {exc}", line=1)
        return {}
    if not isinstance(meta, dict):
        errors.add("front matter must be a YAML mapping", line=1)
        return {}
    lines = key_lines(front, offset=1)
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            errors.add(f"unknown front matter key '{key}'", line=lines.get(str(key)))
    for key in ("agent", "title", "decision"):
        if not meta.get(key):
            errors.add(f"front matter needs '{key}'", line=1)
    version = meta.get("version")
    if version is not None and (isinstance(version, dict | list) or not str(version).strip()):
        errors.add("'version' must be a short text like `2026-11` or `1.2`",
                   line=lines.get("version"))
    return meta


def _version(raw: Any) -> str | None:
    """Read the front matter's `version:` as text (YAML may read `1.2` or a date)."""
    return None if raw is None else str(raw).strip()


def _parse_decision(raw: Any, errors: _Collector) -> list[DecisionRule]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not raw:
        errors.add("'decision' must be a list like `- reject: <CEL condition>`")
        return []
    rules = []
    for item in raw:
        if not (isinstance(item, dict) and len(item) == 1):
            errors.add(f"decision rule {item!r} must be one `recommendation: condition` pair")
            continue
        (name, condition), = item.items()
        if name not in Recommendation.__members__:
            allowed = ", ".join(Recommendation)
            errors.add(f"decision rule '{name}' is not a recommendation ({allowed})")
            continue
        try:
            expr = compile_expression(condition)
        except RuleInvalid as exc:
            errors.add(f"decision rule '{name}': {exc.message}")
            continue
        rules.append(DecisionRule(recommendation=Recommendation(name), when=expr.source))
    return rules


def _sections(body: str, offset: int) -> list[_Section]:
    """Split the body at level-2 headings, keeping each section's first yaml fence apart."""
    tokens = MarkdownIt("commonmark").parse(body)
    lines = body.splitlines()
    headings = [
        (i, tok.map[0]) for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.tag == "h2" and tok.map
    ]
    sections = []
    for n, (index, start) in enumerate(headings):
        end = headings[n + 1][1] if n + 1 < len(headings) else len(lines)
        section = _Section(heading=tokens[index + 1].content.strip(), line=start + 1 + offset)
        fence_lines: set[int] = set()
        for tok in tokens:
            if tok.type != "fence" or not tok.map or not (start < tok.map[0] < end):
                continue
            if section.block is None and tok.info.strip().lower() in ("yaml", "yml"):
                section.block, section.block_line = tok.content, tok.map[0] + 1 + offset
                fence_lines.update(range(tok.map[0], tok.map[1]))
        section.prose = [lines[i] for i in range(start + 1, end) if i not in fence_lines]
        sections.append(section)
    return sections


def _parse_check(
    section: _Section, errors: _Collector, registry: ToolRegistry,
) -> CheckDefinition | None:
    match = HEADING.match(section.heading)
    if not match or not CHECK_ID.match(match["id"]):
        errors.add(
            f"heading '{section.heading}' must read `check_id — Title` with a lower-case id "
            "(letters, digits, underscores)",
            line=section.line,
        )
        return None
    check_id, title = match["id"], (match["title"] or match["id"]).strip()
    instructions = "\n".join(section.prose).strip()
    if not instructions:
        errors.add("the check has no instructions: write what an analyst should do",
                   section.line, check_id)
    if section.block is None:
        errors.add("the check has no ```yaml block (severity, tools, plan, rule)",
                   section.line, check_id)
        return None
    assert section.block_line is not None
    try:
        block = yaml.safe_load(section.block) or {}
        lines = key_lines(section.block, offset=section.block_line)
    except yaml.YAMLError as exc:
        errors.add(f"the check's yaml block is invalid: {exc}", section.block_line, check_id)
        return None
    if not isinstance(block, dict):
        errors.add("the check's yaml block must be a mapping", section.block_line, check_id)
        return None
    return _build_check(
        check_id, title, instructions, block,
        lines=lines, section=section, errors=errors, registry=registry,
    )


def _build_check(
    check_id: str,
    title: str,
    instructions: str,
    block: dict[str, Any],
    *,
    lines: dict[str, int],
    section: _Section,
    errors: _Collector,
    registry: ToolRegistry,
) -> CheckDefinition | None:
    def add(message: str, key: str | None = None) -> None:
        errors.add(message, lines.get(key or "", section.block_line), check_id)

    for key in block:
        if key not in BLOCK_KEYS:
            add(f"unknown key '{key}' (allowed: {', '.join(sorted(BLOCK_KEYS))})", key)
    severity = block.get("severity", "medium")
    if severity not in Severity.__members__:
        add(f"severity '{severity}' is not one of {', '.join(Severity)}", "severity")
        severity = "medium"
    after, tools, reads = (_string_list(block, key, add) for key in ("after", "tools", "reads"))
    for name in tools:
        if name not in registry:
            add(f"unknown tool '{name}'", "tools")
    for read in reads:
        if read.split(".")[0] == "case" and not case_path_exists(read):
            add(f"unknown memory key '{read}': the case has no such field", "reads")
    writes = _expressions(block.get("writes") or {}, "writes", add)
    rule = _parse_rule(block.get("rule") or {}, add)
    plan = _parse_plan(block.get("plan") or [], tools, reads, add)
    try:
        return CheckDefinition(
            id=check_id, title=title, instructions=instructions, severity=Severity(severity),
            after=tuple(after), tools=tuple(tools), reads=tuple(reads), writes=writes,
            plan=tuple(plan), rule=rule, line=section.line,
        )
    except ValidationError as exc:
        add(f"invalid check: {exc}")
        return None


def _string_list(block: dict[str, Any], key: str, add: Any) -> list[str]:
    value = block.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        add(f"'{key}' must be a list of names", key)
        return []
    return value


def _expressions(raw: Any, key: str, add: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        add(f"'{key}' must map names to CEL expressions", key)
        return {}
    out = {}
    for name, source in raw.items():
        try:
            out[str(name)] = compile_expression(source).source
        except RuleInvalid as exc:
            add(f"{key} '{name}': {exc.message}", key)
    return out


def _parse_rule(raw: Any, add: Any) -> CheckRule:
    if not isinstance(raw, dict):
        add("'rule' must map fail/review/pass to CEL conditions", "rule")
        return CheckRule()
    for key in raw:
        if key not in RULE_KEYS:
            add(f"unknown rule outcome '{key}' (allowed: fail, review, pass)", "rule")
    compiled = _expressions({k: v for k, v in raw.items() if k in RULE_KEYS}, "rule", add)
    return CheckRule.model_validate(compiled)


def _parse_plan(raw: Any, tools: list[str], reads: list[str], add: Any) -> list[PlanStep]:
    if not isinstance(raw, list):
        add("'plan' must be a list of tool steps", "plan")
        return []
    steps: list[PlanStep] = []
    for number, item in enumerate(raw, start=1):
        step = _parse_step(item, number, add)
        if step is None:
            continue
        if step.tool not in tools:
            add(f"plan step {number} calls '{step.tool}', which is not in the check's tools",
                "plan")
        if any(s.name == step.name for s in steps):
            add(f"plan step {number}: two steps are named '{step.name}'; give one an `as:`", "plan")
        for ref in iter_references(step.args):
            root = ref.split(".")[0]
            if root == STEP_PREFIX:
                earlier = ref.split(".")[1] if "." in ref else ""
                if not any(s.name == earlier for s in steps):
                    add(f"plan step {number} refers to ${ref}, but no earlier step is named "
                        f"'{earlier}'", "plan")
            elif not is_covered(ref, reads):
                add(f"undeclared memory read: plan step {number} uses ${ref}, which is not in "
                    "the check's reads", "plan")
        steps.append(step)
    return steps


def _parse_step(item: Any, number: int, add: Any) -> PlanStep | None:
    if not isinstance(item, dict):
        add(f"plan step {number} must be a mapping like `- tool.name: {{arg: value}}`", "plan")
        return None
    item = dict(item)
    name = item.pop("as", None)
    if "tool" in item:
        tool, args = item.pop("tool"), item.pop("args", {}) or {}
        if item:
            add(f"plan step {number} has unknown keys {sorted(item)}", "plan")
    elif len(item) == 1:
        (tool, args), = item.items()
        args = args or {}
    else:
        add(f"plan step {number} must name exactly one tool", "plan")
        return None
    if not isinstance(args, dict):
        add(f"plan step {number}: arguments of '{tool}' must be a mapping", "plan")
        return None
    return PlanStep(name=str(name or str(tool).split(".")[-1]), tool=str(tool), args=args)


def _validate_graph(checks: list[CheckDefinition], errors: _Collector) -> None:
    by_id: dict[str, CheckDefinition] = {}
    for check in checks:
        if check.id in by_id:
            errors.add(f"check id '{check.id}' is used twice", check.line, check.id)
        by_id[check.id] = check
    for check in checks:
        for dep in check.after:
            if dep not in by_id:
                errors.add(f"'after' names unknown check '{dep}'", check.line, check.id)
    graph = {c.id: [d for d in c.after if d in by_id] for c in checks}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        cycle = " → ".join(exc.args[1])
        first = by_id[exc.args[1][0]]
        errors.add(f"dependency cycle: {cycle}", first.line, first.id)
        return
    for check in checks:
        upstream = _ancestors(check.id, graph)
        for read in check.reads:
            owner, _, key = read.partition(".")
            if owner == "case":
                continue
            if owner not in by_id:
                errors.add(f"unknown memory key '{read}': no check '{owner}'", check.line, check.id)
            elif owner not in upstream:
                errors.add(f"reads '{read}' but does not run after '{owner}' (add it to 'after')",
                           check.line, check.id)
            elif key.split(".")[0] not in by_id[owner].writes:
                errors.add(f"unknown memory key '{read}': check '{owner}' writes no '{key}'",
                           check.line, check.id)


def _ancestors(check_id: str, graph: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(graph.get(check_id, []))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, []))
    return seen
