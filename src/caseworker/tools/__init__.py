"""Typed tools and the registry that names them."""

from caseworker.tools.base import EvidenceDraft, ToolContext, ToolOutput, ToolSpec, tool
from caseworker.tools.registry import ToolRegistry, default_registry

__all__ = [
    "EvidenceDraft",
    "ToolContext",
    "ToolOutput",
    "ToolRegistry",
    "ToolSpec",
    "default_registry",
    "tool",
]
