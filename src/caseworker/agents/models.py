"""Model chains: `rules`, pydantic-ai model strings and OpenAI-compatible endpoints.

Keys come from the environment or the secrets file and never leave this module. Every HTTP
attempt to an OpenAI-compatible endpoint is reported to a recorder, so the job's events show
each 429, 5xx and timeout; the SDK retries with backoff and jitter, honouring Retry-After.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx2
from pydantic_ai.models import Model, infer_model
from pydantic_ai.settings import ModelSettings

from caseworker.agents.rules_model import RULES_MODEL_NAME, rules_model
from caseworker.domain.plan import CheckDefinition
from caseworker.exceptions import ConfigurationError
from caseworker.settings import get_settings
from caseworker.sop.spec import ModelEntry

# pydantic-ai provider prefix -> the caseworker extra that installs its SDK.
PROVIDER_EXTRAS = {"openai": "openai", "anthropic": "anthropic"}


@dataclass(frozen=True)
class ModelAttempt:
    """One HTTP attempt to a model endpoint: its status, or the error that ended it."""

    model: str
    status: int | None
    error: str | None
    retry_after: str | None
    duration_ms: float

    @property
    def failed(self) -> bool:
        return self.error is not None or (self.status is not None and self.status >= 400)


AttemptRecorder = Callable[[ModelAttempt], None]


class RecordingTransport(httpx2.AsyncBaseTransport):
    """An HTTP transport that reports every attempt (the SDK's retries included)."""

    def __init__(self, label: str, record: AttemptRecorder, inner: httpx2.AsyncBaseTransport
                 ) -> None:
        self.label = label
        self.record = record
        self.inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        started = time.perf_counter()
        try:
            response = await self.inner.handle_async_request(request)
        except Exception as exc:
            self.record(ModelAttempt(self.label, None, type(exc).__name__, None,
                                     (time.perf_counter() - started) * 1000))
            raise
        self.record(ModelAttempt(self.label, response.status_code, None,
                                 response.headers.get("retry-after"),
                                 (time.perf_counter() - started) * 1000))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@lru_cache(maxsize=8)
def _secrets(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the secrets file {path}: {exc.strerror}") from exc
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip().strip("'\"") for key, value in pairs}


def resolve_key(name: str) -> str | None:
    """Find an API key in the environment, else in the secrets file; None if neither has it."""
    if os.environ.get(name):
        return os.environ[name]
    secrets_file = get_settings().secrets_file
    return _secrets(secrets_file).get(name) if secrets_file else None


def model_settings(entry: ModelEntry) -> ModelSettings:
    settings = ModelSettings(timeout=entry.timeout)
    if entry.temperature is not None:
        settings["temperature"] = entry.temperature
    if entry.max_tokens is not None:
        settings["max_tokens"] = entry.max_tokens
    return settings


def _openai_model(entry: ModelEntry, record: AttemptRecorder | None) -> Model:
    try:
        from openai import AsyncOpenAI
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider
    except ImportError as exc:
        raise ConfigurationError(
            f"model '{entry.label}' needs the OpenAI SDK: pip install 'caseworker[openai]'"
        ) from exc
    key_name = entry.api_key_env or "OPENAI_API_KEY"
    key = resolve_key(key_name)
    if key is None and entry.base_url is None:
        raise ConfigurationError(f"model '{entry.label}' needs an API key: set {key_name}")
    transport: httpx2.AsyncBaseTransport = httpx2.AsyncHTTPTransport()
    if record is not None:
        transport = RecordingTransport(entry.label, record, transport)
    client = AsyncOpenAI(
        base_url=entry.base_url,
        api_key=key or "no-key",  # local servers accept any key
        max_retries=entry.max_retries,
        timeout=entry.timeout,
        http_client=httpx2.AsyncClient(transport=transport, timeout=entry.timeout),
    )
    name = entry.model if entry.base_url else entry.model.split(":", 1)[1]
    return OpenAIChatModel(name, provider=OpenAIProvider(openai_client=client),
                           settings=model_settings(entry))


async def close_model(model: Model) -> None:
    """Close the HTTP client a built model holds (its connections must not outlive the check)."""
    client = getattr(model, "client", None)
    close = getattr(client, "close", None)
    if close is not None:
        await close()


def build_one(
    entry: ModelEntry,
    check: CheckDefinition,
    memory: Mapping[str, Any],
    record: AttemptRecorder | None = None,
) -> Model:
    """One model of the chain, ready for a check."""
    if entry.model == RULES_MODEL_NAME:
        return rules_model(check, memory)
    if entry.base_url is not None or entry.model.startswith("openai:"):
        return _openai_model(entry, record)
    try:
        model = infer_model(entry.model)
    except ImportError as exc:
        provider = entry.model.split(":", 1)[0]
        extra = PROVIDER_EXTRAS.get(provider, provider)
        raise ConfigurationError(
            f"model '{entry.model}' needs its provider SDK: pip install 'caseworker[{extra}]' "
            f"({exc})"
        ) from exc
    except Exception as exc:  # pydantic-ai raises several types for unknown names or missing keys
        raise ConfigurationError(f"cannot build model '{entry.model}': {exc}") from exc
    return model
