"""The deterministic extractor: layout and pattern rules for the common formats of each type.

It reads `DocumentText` lines (text layer or OCR), finds each field by its label, whatever its
wording ("Company number", "Company Reg. No.", "Bill date", "Produced on"; labels.py), by the
sentence that states it ("hereby certifies that X is this day incorporated"), or by its shape
(a postcode line closing an address block), and records the page, box and quoted text of each.
Confidence is the reader's confidence in those lines times how sure the rule is (a label match
is surer than a shape). Used by the `rules` model and as the baseline the LLM extractor is
measured against. The rules per type: extract_incorporation, extract_letters, extract_owners.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from caseworker.checks.documents.applicability import identify
from caseworker.checks.documents.dates import find_dates
from caseworker.checks.documents.extract_incorporation import extract_incorporation
from caseworker.checks.documents.extract_letters import extract_proof_of_address
from caseworker.checks.documents.extract_owners import extract_ownership
from caseworker.checks.documents.lines import DocLine, document_lines
from caseworker.checks.documents.schemas import (
    DocumentKind,
    ExtractedField,
    Extraction,
    field_names,
)
from caseworker.checks.documents.text import DocumentText

EXTRACTORS: dict[DocumentKind, Callable[[Sequence[DocLine]], dict[str, ExtractedField]]] = {
    "incorporation": extract_incorporation,
    "proof_of_address": extract_proof_of_address,
    "ownership": extract_ownership,
}


def text_source(doc: DocumentText) -> Literal["text_layer", "ocr", "mixed"]:
    """Where the document's text came from: its text layer, OCR, or both (page by page)."""
    sources = {p.source for p in doc.pages}
    if len(sources) > 1:
        return "mixed"
    return "ocr" if sources == {"ocr"} else "text_layer"


def extract_with_rules(doc: DocumentText, kind: DocumentKind) -> Extraction:
    """Extract the fields of a document of `kind` with layout and pattern rules."""
    lines = document_lines(doc)
    fields = EXTRACTORS[kind](lines) if lines else {}
    fields = {name: fields.get(name, ExtractedField()) for name in field_names(kind)}
    warnings = [f"{name} not found" for name, f in fields.items() if f.value is None]
    if not lines:
        warnings.insert(0, "no text could be read from the document")
    return Extraction(
        type=kind,
        fields=fields,
        extractor="rules",
        document_sha256=doc.sha256,
        pages=len(doc.pages),
        text_source=text_source(doc),
        warnings=warnings,
        profile=profile.key if (profile := identify(kind, fields, doc.text)) else None,
    )


__all__ = ["extract_with_rules", "find_dates"]
