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
    cost_per_check: float | None = Field(default=None, gt=0, description="US dollars")
    cost_per_job: float | None = Field(default=None, gt=0, description="US dollars")
    check_timeout: float = Field(default=120.0, gt=0, description="Seconds per check")


class ModelEntry(BaseModel):
    """One model of the chain: `rules`, a pydantic-ai model string, or an OpenAI-compatible API.

    Keys are never written here: `api_key_env` names the environment variable (or the key in
    the secrets file) that holds one.
    """

    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        min_length=1, description="`rules`, `openai:gpt-4.1`, or a served model's name",
    )
    base_url: str | None = Field(
        default=None, pattern=r"^https?://",
        description="OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server)",
    )
    api_key_env: str | None = Field(default=None, description="Variable holding the API key")
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, description="Output tokens per request")
    timeout: float = Field(default=60.0, gt=0, description="Seconds per HTTP request")
    max_retries: int = Field(
        default=2, ge=0, le=10,
        description="HTTP retries on 429, 5xx, timeouts and lost connections (with Retry-After)",
    )

    @property
    def label(self) -> str:
        """How events and reports name this model (never with a key)."""
        return f"{self.model}@{self.base_url}" if self.base_url else self.model


class AgentSpec(BaseModel):
    """An agent: who it is, what it follows, which models and tools it may use."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str | None = None
    profile: str = Field(min_length=1, description="Who the agent is, in a paragraph")
    directives: list[str] = Field(default_factory=list)
    sop: str = Field(description="Path of the SOP, relative to the spec file")
    model: list[ModelEntry] = Field(
        default_factory=lambda: [ModelEntry(model="rules")], min_length=1,
        description="The model chain: each model in turn until one gives a valid verdict",
    )
    tools: list[str] | None = Field(default=None, description="Allowlist; None allows all")
    limits: Limits = Field(default_factory=Limits)
    concurrency: int = Field(default=4, ge=1, description="Checks of one job run at once")

    @field_validator("model", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        items = value if isinstance(value, list) else [value]
        return [{"model": item} if isinstance(item, str) else item for item in items]


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
