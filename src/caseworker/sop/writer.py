"""Plan → structured SOP Markdown in the documented format (the parser's inverse)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import yaml
from markdown_it import MarkdownIt

from caseworker.domain.plan import CheckRule, DecisionRule, Plan

# Plan-step arguments this short or shorter are written inline: `{countries: $case.x}`.
FLOW_WIDTH = 72


class StepLike(Protocol):
    """A plan step as the writer needs it: a parsed `PlanStep` or a planner's draft step."""

    @property
    def name(self) -> str | None: ...
    @property
    def tool(self) -> str: ...
    @property
    def args(self) -> Mapping[str, Any]: ...


class CheckLike(Protocol):
    """A check as the writer needs it: a parsed `CheckDefinition` or a planner's draft check."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def instructions(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def after(self) -> Sequence[str]: ...
    @property
    def tools(self) -> Sequence[str]: ...
    @property
    def reads(self) -> Sequence[str]: ...
    @property
    def plan(self) -> Sequence[StepLike]: ...
    @property
    def rule(self) -> CheckRule: ...
    @property
    def writes(self) -> Mapping[str, str]: ...


class _Flow(list[Any]):
    """A list written inline: `[a, b]`."""


class _FlowMap(dict[str, Any]):
    """A mapping written inline: `{a: 1}`."""


class _Quoted(str):
    """A string written in single quotes (CEL conditions of the decision policy)."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    """Block YAML with indented sequences, as a person would write it."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _flow_list(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _flow_map(dumper: yaml.SafeDumper, data: _FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _quoted(dumper: yaml.SafeDumper, data: _Quoted) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="'")


_Dumper.add_representer(_Flow, _flow_list)
_Dumper.add_representer(_FlowMap, _flow_map)
_Dumper.add_representer(_Quoted, _quoted)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=10_000)


def write_sop(plan: Plan, *, preamble: str | None = None, version: str | None = None) -> str:
    """Render a plan as structured SOP Markdown that `parse_sop` reads back to the same plan.

    `preamble` is the prose between the front matter and the first check (default: a
    `# Title` heading); it must hold no level-2 heading, since each of those starts a check.
    `version` defaults to the plan's own.
    """
    return render_sop(
        agent=plan.agent, title=plan.title, subject=plan.subject, decision=plan.decision,
        checks=plan.checks, preamble=preamble, version=version or plan.version,
    )


def render_sop(
    *,
    agent: str,
    title: str,
    subject: str,
    decision: Sequence[DecisionRule],
    checks: Sequence[CheckLike],
    preamble: str | None = None,
    version: str | None = None,
) -> str:
    """Render SOP Markdown from its parts, valid or not (the parser judges the result)."""
    front: dict[str, Any] = {"agent": agent, "title": title, "subject": subject}
    if version:
        front["version"] = version
    front["decision"] = [{str(r.recommendation): _Quoted(r.when)} for r in decision]
    parts = ["---\n" + _dump(front) + "---", (preamble or f"# {title}").strip()]
    parts.extend(_section(check) for check in checks)
    return "\n\n".join(parts) + "\n"


def _section(check: CheckLike) -> str:
    heading = f"## {check.id} — {check.title.strip()}" if check.title.strip() else f"## {check.id}"
    block = "```yaml\n" + _dump(check_block(check)) + "```"
    return "\n\n".join(part for part in (heading, block, check.instructions.strip()) if part)


def check_block(check: CheckLike) -> dict[str, Any]:
    """Build the check's ```yaml block as an ordered mapping, leaving empty keys out."""
    block: dict[str, Any] = {"severity": str(check.severity)}
    for key in ("after", "tools", "reads"):
        values = list(getattr(check, key))
        if values:
            block[key] = _Flow(values)
    if check.plan:
        block["plan"] = [_step(step) for step in check.plan]
    rule = {status: expr for status, expr in check.rule.conditions()}
    if rule:
        block["rule"] = rule
    if check.writes:
        block["writes"] = dict(check.writes)
    return block


def _step(step: StepLike) -> dict[str, Any]:
    """Short form `tool: args`, or the long form `tool:/args:/as:` for a renamed output."""
    args = _args(step.args)
    default_name = step.tool.split(".")[-1]
    if step.name is None or step.name == default_name:
        return {step.tool: args}
    return {"tool": step.tool, "args": args, "as": step.name}


def _args(args: Mapping[str, Any]) -> dict[str, Any]:
    """Short arguments inline (`{countries: $case.x}`), longer ones one per line."""
    inline = _FlowMap(args)
    if len(_dump(inline).strip()) <= FLOW_WIDTH:
        return inline
    return dict(args)


def preamble_of(text: str) -> str | None:
    """Extract the prose of a structured SOP between its front matter and first check."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    close = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if close is None:
        return None
    body = lines[close + 1:]
    tokens = MarkdownIt("commonmark").parse("\n".join(body))
    first = next((t.map[0] for t in tokens
                  if t.type == "heading_open" and t.tag == "h2" and t.map), len(body))
    preamble = "\n".join(body[:first]).strip()
    return preamble or None
