"""Loads the YAML policy files in `risk/data/`, validated into pydantic models."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from caseworker.exceptions import ConfigurationError
from caseworker.validation import describe_validation_error

M = TypeVar("M", bound=BaseModel)

#: Where the data files live; tests point this at a temporary folder.
DATA_ROOT: Traversable = files("caseworker.checks.risk") / "data"


def parse_data_file(text: str, model: type[M], *, source: str) -> M:
    """Parse YAML `text` into `model`, raising `ConfigurationError` that names each problem."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"data file {source} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigurationError(
            f"data file {source} must hold a YAML mapping, got {type(raw).__name__}"
        )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = describe_validation_error(exc, file=source)
        raise ConfigurationError(f"data file {source} is invalid", problems=problems) from exc


def read_data_file(name: str, model: type[M]) -> M:
    """Read `name` from the data folder and validate it; callers cache the result."""
    path = DATA_ROOT / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read data file {name}: {exc}") from exc
    return parse_data_file(text, model, source=name)
