"""Per-job memory: the case under `case.*`, each check's writes under `<check>.*`, reads gated."""

from __future__ import annotations

import json
from typing import Any

import redis

from caseworker.exceptions import MemoryAccessDenied
from caseworker.runtime import keys
from caseworker.sop.references import is_covered

_MISSING = object()


def lookup(document: Any, path: list[str]) -> Any:
    """Walk a JSON document along `path`.

    Through a list the rest of the path is mapped over its items and the values collected
    into one flat list, without empties: `associated_individuals.nationalities` is every
    nationality of every individual.
    """
    value = document
    for index, part in enumerate(path):
        if isinstance(value, list):
            collected: list[Any] = []
            for item in value:
                found = lookup(item, path[index:])
                if isinstance(found, list):
                    collected.extend(found)
                elif found is not _MISSING and found is not None:
                    collected.append(found)
            return collected
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


class JobMemory:
    """One job's memory, seen through one check's declared `reads`."""

    def __init__(self, conn: redis.Redis, job_id: str, reads: tuple[str, ...] | list[str]) -> None:
        self.conn = conn
        self.job_id = job_id
        self.reads = tuple(reads)
        self._namespaces: dict[str, Any] = {}

    def _namespace(self, name: str) -> Any:
        if name not in self._namespaces:
            raw = self.conn.hget(keys.memory(self.job_id), name)
            self._namespaces[name] = json.loads(raw) if raw is not None else _MISSING
        return self._namespaces[name]

    def read(self, path: str) -> Any:
        """Read the value at a dotted path; a path outside the declared reads is refused."""
        if not is_covered(path, self.reads):
            raise MemoryAccessDenied(
                f"memory read '{path}' is not declared in the check's reads "
                f"({', '.join(self.reads) or 'none'})"
            )
        namespace, *rest = path.split(".")
        value = lookup(self._namespace(namespace), rest)
        return None if value is _MISSING else value

    def view(self) -> dict[str, Any]:
        """Every declared read with its value: what the worker's prompt receives."""
        return {path: self.read(path) for path in self.reads}
