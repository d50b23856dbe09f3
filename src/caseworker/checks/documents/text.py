"""The text of a document as read from a PDF text layer or by OCR: pages, lines and boxes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# A box is (x0, y0, x1, y1) as fractions of the page's width and height, origin top-left,
# so positions compare across text-layer pages (points) and scans (pixels).
Box = tuple[float, float, float, float]


class Line(BaseModel):
    """One line of text in reading order, with where it is and how sure the reader was."""

    text: str
    bbox: Box
    confidence: float = Field(ge=0.0, le=1.0, description="1.0 for a PDF text layer")


class Page(BaseModel):
    """One page: its size in its own units and its lines, top to bottom, left to right."""

    number: int = Field(ge=1)
    width: float = Field(gt=0)
    height: float = Field(gt=0)
    source: Literal["text_layer", "ocr"]
    lines: list[Line] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class DocumentText(BaseModel):
    """Everything intake read from one file."""

    sha256: str
    media_type: Literal["application/pdf", "image/png", "image/jpeg", "image/tiff"]
    size_bytes: int
    pages: list[Page]

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)
