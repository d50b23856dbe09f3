"""Resolve a plan step's arguments: `$case…` from declared memory, `$steps.<name>…` from outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caseworker.exceptions import MemoryAccessDenied
from caseworker.runtime.memory import _MISSING, lookup
from caseworker.sop.references import STEP_PREFIX, covers


def resolve_reference(path: str, memory: Mapping[str, Any], outputs: Mapping[str, Any]) -> Any:
    """Look up a `$path` in the memory view (declared reads) or in earlier step outputs."""
    parts = path.split(".")
    if parts[0] == STEP_PREFIX:
        value = lookup(outputs, parts[1:])
        return None if value is _MISSING else value
    for read, read_value in memory.items():
        if covers(read, path):
            rest = path[len(read) + 1 :].split(".") if path != read else []
            value = lookup(read_value, rest)
            return None if value is _MISSING else value
    raise MemoryAccessDenied(f"plan argument ${path} is not covered by the check's reads")


def resolve_args(args: Any, memory: Mapping[str, Any], outputs: Mapping[str, Any]) -> Any:
    """Replace every `$reference` in (nested) arguments with its value."""
    if isinstance(args, str) and args.startswith("$"):
        return resolve_reference(args[1:], memory, outputs)
    if isinstance(args, list):
        return [resolve_args(item, memory, outputs) for item in args]
    if isinstance(args, dict):
        return {key: resolve_args(value, memory, outputs) for key, value in args.items()}
    return args
