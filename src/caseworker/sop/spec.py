"""The agent spec (YAML): identity, directives, SOP path, model chain, tool allowlist, limits."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from caseworker.exceptions import SpecInvalid
from caseworker.sop.yaml_lines import key_lines
from caseworker.validation import describe_validation_error

SPEC_FILENAMES = ("agent.yaml", "agent.yml")


class Limits(BaseModel):
    """Bounds on one check's and one job's work."""

    model_config = ConfigDict(extra="forbid")

    max_steps: int = Field(default=12, ge=1, description="Model requests per check")
    tokens_per_check: int | None = Field(default=None, ge=1)
    tokens_per_job: int | None = Field(default=None, ge=1)
    check_timeout: float = Field(default=120.0, gt=0, description="Seconds per check")


class AgentSpec(BaseModel):
    """An agent: who it is, what it follows, which models and tools it may use."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str | None = None
    profile: str = Field(min_length=1, description="Who the agent is, in a paragraph")
    directives: list[str] = Field(default_factory=list)
    sop: str = Field(description="Path of the SOP, relative to the spec file")
    model: list[str] = Field(default_factory=lambda: ["rules"], min_length=1)
    tools: list[str] | None = Field(default=None, description="Allowlist; None allows all")
    limits: Limits = Field(default_factory=Limits)
    concurrency: int = Field(default=4, ge=1, description="Checks of one job run at once")

    @field_validator("model", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


def resolve_spec_path(path: Path) -> Path:
    """Map an agent directory or its spec file to the spec file."""
    if path.is_dir():
        for name in SPEC_FILENAMES:
            if (path / name).is_file():
                return path / name
        raise SpecInvalid(f"{path} is a directory without {' or '.join(SPEC_FILENAMES)}")
    if not path.is_file():
        raise SpecInvalid(f"no agent spec at {path}")
    return path


def parse_spec(text: str, *, source: str) -> AgentSpec:
    """Validate spec YAML, naming the file and line of every problem."""
    try:
        data = yaml.safe_load(text)
        lines = key_lines(text)
    except yaml.YAMLError as exc:
        raise SpecInvalid(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecInvalid(f"{source} must be a YAML mapping")
    try:
        return AgentSpec.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc, file=source, lines=lines)
        raise SpecInvalid(f"{source} is not a valid agent spec", problems=problems) from exc
