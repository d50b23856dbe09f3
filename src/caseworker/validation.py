"""Pydantic validation errors as located problems that name the field an author must fix."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from caseworker.exceptions import Problem


def describe_validation_error(
    error: ValidationError,
    *,
    file: str | None = None,
    lines: Mapping[str, int] | None = None,
) -> list[Problem]:
    """One problem per error, naming the field path; `lines` maps top-level keys to lines."""
    problems = []
    for item in error.errors():
        path = ".".join(str(p) for p in item["loc"]) or "(root)"
        top = str(item["loc"][0]) if item["loc"] else ""
        message = (
            f"unknown field '{path}'" if item["type"] == "extra_forbidden"
            else f"field '{path}': {item['msg']}"
        )
        problems.append(Problem(message, file=file, line=(lines or {}).get(top)))
    return problems
