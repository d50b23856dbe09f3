"""Errors raised while loading sanctions and PEP lists."""

from __future__ import annotations

from caseworker.exceptions import ConfigurationError, Problem, ToolUnavailable


class ListInvalid(ConfigurationError):
    """A list file cannot be read or does not have the publisher's format; nothing was loaded."""

    code = "list_invalid"

    @classmethod
    def at(cls, file: str, what: str, *, line: int | None = None) -> ListInvalid:
        """Build the error for one file (and line), e.g. `sdn.csv line 7: expected 12 columns`."""
        where = f"{file} line {line}" if line is not None else file
        return cls(f"sanctions list {where} is invalid: {what}",
                   problems=[Problem(what, file=file, line=line)])


class ListsUnavailable(ToolUnavailable):
    """No usable sanctions lists: screening cannot run, so the check goes to review."""

    code = "lists_unavailable"
