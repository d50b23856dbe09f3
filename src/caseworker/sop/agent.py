"""Loading an agent: its spec and the SOP it points at, validated together."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from caseworker.domain.plan import Plan
from caseworker.exceptions import AuthoringError, Problem, SOPInvalid, SpecInvalid
from caseworker.sop.parser import load_sop
from caseworker.sop.spec import AgentSpec, parse_spec, resolve_spec_path
from caseworker.tools.registry import ToolRegistry


class AgentDefinition(BaseModel):
    """A spec and its parsed plan: all a job needs, stored with the job for remote workers."""

    spec: AgentSpec
    plan: Plan
    spec_sha256: str = Field(
        default="", description="SHA-256 of the spec file's bytes (empty: stored before pins)",
    )


@dataclass(frozen=True)
class LoadedAgent:
    definition: AgentDefinition
    spec_path: Path


def load_agent(path: Path, registry: ToolRegistry) -> LoadedAgent:
    """Load an agent from its directory or spec file, reporting every authoring problem at once."""
    spec_path = resolve_spec_path(path)
    try:
        data = spec_path.read_bytes()
        text = data.decode("utf-8")
    except OSError as exc:
        raise SpecInvalid(f"cannot read agent spec {spec_path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SpecInvalid(f"agent spec {spec_path} is not UTF-8 text: {exc.reason}") from exc
    spec = parse_spec(text, source=str(spec_path))
    sop_path = (spec_path.parent / spec.sop).resolve()
    if not sop_path.is_file():
        raise SpecInvalid(f"{spec_path}: the SOP '{spec.sop}' does not exist ({sop_path})")
    plan = load_sop(sop_path, registry)
    problems = _allowlist_problems(spec, plan, str(sop_path))
    if problems:
        raise SOPInvalid(f"{sop_path} uses tools the agent spec does not allow", problems=problems)
    definition = AgentDefinition(
        spec=spec, plan=plan, spec_sha256=hashlib.sha256(data).hexdigest(),
    )
    return LoadedAgent(definition, spec_path)


def with_sop(definition: AgentDefinition, sop_path: Path, registry: ToolRegistry
             ) -> AgentDefinition:
    """Give the agent another SOP file (a new version, for a replay or a shadow run)."""
    plan = load_sop(sop_path.resolve(), registry)
    problems = _allowlist_problems(definition.spec, plan, str(sop_path))
    if problems:
        raise SOPInvalid(f"{sop_path} uses tools the agent spec does not allow", problems=problems)
    return definition.model_copy(update={"plan": plan})


def _allowlist_problems(spec: AgentSpec, plan: Plan, source: str) -> list[Problem]:
    if spec.tools is None:
        return []
    allowed = set(spec.tools)
    return [
        Problem(f"tool '{name}' is not in the agent's tool allowlist", source, check.line, check.id)
        for check in plan.checks
        for name in check.tools
        if name not in allowed
    ]


def validate_path(path: Path, registry: ToolRegistry) -> list[Problem]:
    """Every problem in an agent (directory or spec) or a lone SOP file; empty when valid."""
    try:
        if path.suffix.lower() in (".md", ".markdown"):
            load_sop(path, registry)
        else:
            load_agent(path, registry)
    except AuthoringError as exc:
        return exc.problems or [Problem(exc.message, file=str(path))]
    return []
