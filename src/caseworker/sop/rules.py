"""CEL expressions: compiled once at parse time, evaluated on JSON-shaped data (no Python eval)."""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caseworker.exceptions import RuleEvaluationError, RuleInvalid

# The `cel` package imports its interactive REPL (`cel.cli`, built on prompt_toolkit) on
# import, which costs ~0.2 s of every `caseworker run`; caseworker never uses the REPL, so an
# empty stand-in takes its place. Only the compiled evaluator (`cel.cel`) is used here.
sys.modules.setdefault("cel.cli", types.ModuleType("cel.cli"))
import cel  # noqa: E402


@dataclass(frozen=True)
class Expression:
    """A compiled CEL expression and its source text."""

    source: str
    program: Any

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        try:
            return self.program.execute(dict(variables))
        except KeyError as exc:
            raise RuleEvaluationError(
                f"rule `{self.source}` refers to {exc} which the data does not have"
            ) from exc
        except (TypeError, ValueError, RuntimeError) as exc:
            raise RuleEvaluationError(f"rule `{self.source}` failed: {exc}") from exc

    def is_true(self, variables: Mapping[str, Any]) -> bool:
        """Evaluate a condition; anything but a boolean is an evaluation error."""
        value = self.evaluate(variables)
        if not isinstance(value, bool):
            raise RuleEvaluationError(
                f"rule `{self.source}` gave {type(value).__name__} {value!r}, not true/false"
            )
        return value


def compile_expression(source: Any) -> Expression:
    """Compile CEL source, raising `RuleInvalid` with the parser's located message."""
    if isinstance(source, bool):
        source = "true" if source else "false"
    if not isinstance(source, str) or not source.strip():
        raise RuleInvalid(f"a CEL expression must be a non-empty string, got {source!r}")
    try:
        program = cel.compile(source)
    except (ValueError, RuntimeError) as exc:
        message = str(exc).replace("\n", " ").strip()
        raise RuleInvalid(f"invalid CEL expression `{source}`: {message}") from exc
    return Expression(source=source, program=program)
