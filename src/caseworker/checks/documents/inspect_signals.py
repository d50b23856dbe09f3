"""The `Signal` an inspector reports, and the limits and text helpers the inspectors share."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Severity = Literal["info", "warning", "critical"]

#: Pages whose fonts and content streams are examined; later pages are not.
MAX_PAGES = 50
#: Longest metadata value or evidence kept (titles and XMP histories can be long).
MAX_VALUE_CHARS = 500


class Signal(BaseModel):
    """One reason to look at a document more closely, with the raw value that shows it."""

    code: str
    severity: Severity
    message: str
    page: int | None = None
    evidence: str


def clean(value: Any) -> str:
    """Return a metadata value as text: bytes read as Latin-1, NULs dropped, trimmed, clipped."""
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return clip(text.replace("\x00", "").strip())


def clip(text: str) -> str:
    """Cut `text` to `MAX_VALUE_CHARS`, marking the cut with an ellipsis."""
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
