"""Model chains: `rules` or any pydantic-ai model string, with fallback across the chain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_ai.models import Model, infer_model
from pydantic_ai.models.fallback import FallbackModel

from caseworker.agents.rules_model import RULES_MODEL_NAME, rules_model
from caseworker.domain.plan import CheckDefinition
from caseworker.exceptions import ConfigurationError

# pydantic-ai provider prefix -> the caseworker extra that installs its SDK.
PROVIDER_EXTRAS = {"openai": "openai", "anthropic": "anthropic"}


def build_one(name: str, check: CheckDefinition, memory: Mapping[str, Any]) -> Model:
    """One model from its string (`rules`, `openai:gpt-4.1`, `anthropic:claude-…`)."""
    if name == RULES_MODEL_NAME:
        return rules_model(check, memory)
    try:
        return infer_model(name)
    except ImportError as exc:
        provider = name.split(":", 1)[0]
        extra = PROVIDER_EXTRAS.get(provider, provider)
        raise ConfigurationError(
            f"model '{name}' needs its provider SDK: pip install 'caseworker[{extra}]' ({exc})"
        ) from exc
    except Exception as exc:  # pydantic-ai raises several types for unknown names or missing keys
        raise ConfigurationError(f"cannot build model '{name}': {exc}") from exc


def build_model(chain: list[str], check: CheckDefinition, memory: Mapping[str, Any]) -> Model:
    """Chain the spec's models into one: the first, falling back to the next on failure."""
    models = [build_one(name, check, memory) for name in chain]
    if len(models) == 1:
        return models[0]
    return FallbackModel(models[0], *models[1:])
