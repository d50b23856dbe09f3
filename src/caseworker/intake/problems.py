"""What can be wrong with a batch: a problem in one row's field, or the file as a whole."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from caseworker.exceptions import AuthoringError

#: The `field` of a problem with a row as a whole (not JSON, too many cells), not one field.
WHOLE_ROW = "(row)"


class BatchInvalid(AuthoringError):
    """The batch file as a whole cannot be read: empty, not UTF-8, a bad header, too many rows."""

    code = "batch_invalid"


class FieldProblem(BaseModel):
    """One problem in one row: the CSV column or JSON path it concerns, and what is wrong."""

    field: str
    message: str


def error_message(item: ErrorDetails, *, value_format: str | None = None) -> str:
    """Say what is wrong in one pydantic error, quoting the value given.

    `value_format` describes what the field holds; it replaces pydantic's regular expression
    when the value does not match the field's pattern.
    """
    kind = item["type"]
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    message = item["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and value_format:
        message = f"expected {value_format}"
    value = item.get("input")
    if isinstance(value, str) and f"'{value}'" not in message:
        message = f"'{value}': {message}"
    return message
