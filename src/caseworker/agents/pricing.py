"""Model cost from the dated price table shipped in the package (`agents/data/prices.yaml`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ValidationError

from caseworker.exceptions import ConfigurationError
from caseworker.validation import describe_validation_error


class Price(BaseModel):
    input: float
    output: float


class PriceTable(BaseModel):
    as_of: dt.date
    currency: str
    per_million_tokens: dict[str, Price]


@lru_cache(maxsize=1)
def price_table() -> PriceTable:
    """Load and validate the price table once per process."""
    text = resources.files("caseworker.agents").joinpath("data/prices.yaml").read_text("utf-8")
    try:
        return PriceTable.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        problems = describe_validation_error(exc, file="agents/data/prices.yaml")
        raise ConfigurationError("the model price table is invalid", problems=problems) from exc


def _price(model: str) -> Price | None:
    """Look up the price of a model name such as `gpt-4.1-2025-04-14` or `openai:gpt-4.1`."""
    name = model.split(":", 1)[-1].split("@", 1)[0]
    table = price_table().per_million_tokens
    matches = [key for key in table if name == key or name.startswith(key + "-")]
    return table[max(matches, key=len)] if matches else None


def cost_usd(model: str, input_tokens: int, output_tokens: int, *, local: bool = False
             ) -> float | None:
    """Cost of a model's usage in US dollars; 0 for local models, None if the price is unknown."""
    if local or model == "rules":
        return 0.0
    price = _price(model)
    if price is None:
        return None
    return round((input_tokens * price.input + output_tokens * price.output) / 1_000_000, 6)
