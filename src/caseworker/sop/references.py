"""Memory references: `$case.subject.countries` in plan arguments, and which reads cover them."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from caseworker.domain.case import Case

# Derived values the memory view adds to the case (see `Case.memory_view`).
DERIVED_CASE_PATHS = {"case.subject.countries"}
STEP_PREFIX = "steps"


def iter_references(value: Any) -> Iterator[str]:
    """Every `$path` string in a plan argument value (nested lists and dicts included)."""
    if isinstance(value, str) and value.startswith("$"):
        yield value[1:]
    elif isinstance(value, list):
        for item in value:
            yield from iter_references(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_references(item)


def covers(read: str, path: str) -> bool:
    """Tell whether the declared `read` covers `path`: equal to it or below it.

    For example, `case.subject` covers `case.subject.x`.
    """
    return path == read or path.startswith(read + ".")


def is_covered(path: str, reads: tuple[str, ...] | list[str]) -> bool:
    return any(covers(read, path) for read in reads)


def _unwrap(annotation: Any) -> Any:
    """Find the model inside `X | None`, `list[X]`, `Optional[list[X]]`."""
    while True:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else Any
        elif origin in (list, tuple, set, frozenset):
            annotation = get_args(annotation)[0]
        else:
            return annotation


def case_path_exists(path: str) -> bool:
    """Whether `case.a.b` names a field of the case schema (or a derived value)."""
    if path == "case" or path in DERIVED_CASE_PATHS:
        return True
    parts = path.split(".")
    if parts[0] != "case":
        return False
    model: Any = Case
    for part in parts[1:]:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return False
        field = model.model_fields.get(part)
        if field is None:
            return False
        model = _unwrap(field.annotation)
    return True
