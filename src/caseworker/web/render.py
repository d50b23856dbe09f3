"""Templates: one autoescaped Jinja2 environment for every page and fragment of the dashboard."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

import caseworker

_env = Environment(
    loader=PackageLoader("caseworker.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: dt.datetime | str | None) -> str:
    """Format a timestamp as an analyst reads it: UTC, to the second."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


_env.filters["when"] = _when
_env.filters["pretty"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False,
                                                  default=str)
_env.globals["version"] = caseworker.__version__


def render_fragment(template: str, **context: Any) -> str:
    """Render a template (or a fragment of a page) to a string."""
    return _env.get_template(template).render(**context)


def render(request: Request, template: str, *, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """Render a page for `request`."""
    return HTMLResponse(render_fragment(template, request=request, **context),
                        status_code=status_code)
