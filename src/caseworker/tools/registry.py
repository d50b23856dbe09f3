"""The tool registry: built-ins and plug-ins (entry points or dotted modules) by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib.metadata import entry_points

from caseworker.exceptions import ConfigurationError, ToolNotFound
from caseworker.settings import get_settings
from caseworker.tools.base import ToolSpec

ENTRY_POINT_GROUP = "caseworker.tools"


class ToolRegistry:
    """Tools by dotted name. Plug-ins expose `register(registry)` to add theirs."""

    def __init__(self, tools: Iterable[ToolSpec] = ()) -> None:
        self._tools: dict[str, ToolSpec] = {}
        for spec in tools:
            self.register(spec)

    def register(self, spec: ToolSpec, *, replace: bool = False) -> None:
        if spec.name in self._tools and not replace and self._tools[spec.name] is not spec:
            raise ConfigurationError(f"tool '{spec.name}' is registered twice")
        self._tools[spec.name] = spec

    def get(self, name: str) -> ToolSpec:
        try:
            return self._tools[name]
        except KeyError:
            raise ToolNotFound(f"unknown tool '{name}'") from None

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def names(self) -> list[str]:
        return sorted(self._tools)

    def prepare(self) -> None:
        """Load every tool's data now (before workers fork), not during a job's first check."""
        for spec in self._tools.values():
            if spec.prepare is not None:
                spec.prepare()

    def load_module(self, dotted: str) -> None:
        """Import a plug-in module and call its `register(registry)`."""
        try:
            module = importlib.import_module(dotted)
        except ImportError as exc:
            raise ConfigurationError(f"cannot import tool plug-in '{dotted}': {exc}") from exc
        register: Callable[[ToolRegistry], None] | None = getattr(module, "register", None)
        if register is None:
            raise ConfigurationError(f"tool plug-in '{dotted}' has no register(registry) function")
        register(self)

    def load_entry_points(self) -> None:
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            register: Callable[[ToolRegistry], None] = entry.load()
            register(self)


@lru_cache(maxsize=1)
def default_registry() -> ToolRegistry:
    """Built-in tools, installed plug-ins and the modules named in `CASEWORKER_PLUGINS`."""
    registry = ToolRegistry()
    registry.load_module("caseworker.checks")
    registry.load_entry_points()
    for dotted in get_settings().plugin_modules:
        registry.load_module(dotted)
    return registry
