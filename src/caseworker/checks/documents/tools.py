"""The document tools: extract fields, verify them against the case, inspect files for tampering.

Each is a separate step with its own output, so a check can extract once, verify, and inspect,
and each result is audited on its own. A file that cannot be read (corrupt, encrypted, too
large, not a document) is a finding in the output, not a crash: the check's rule sees it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from caseworker.checks.documents.attested import attested_for
from caseworker.checks.documents.errors import DocumentInvalid
from caseworker.checks.documents.extract_llm import extract_with_model
from caseworker.checks.documents.extract_rules import extract_with_rules
from caseworker.checks.documents.inspect import Signal
from caseworker.checks.documents.intake import inspect_file, read_document
from caseworker.checks.documents.schemas import DocumentKind, Extraction
from caseworker.checks.documents.sources import document_bytes, document_label
from caseworker.checks.documents.text import DocumentText
from caseworker.checks.documents.verify import (
    DEFAULT_MAX_AGE_DAYS,
    Inconsistency,
    Verification,
    cross_check,
    verify,
)
from caseworker.domain.case import Document
from caseworker.exceptions import CaseworkerError
from caseworker.tools.base import EvidenceDraft, ToolContext, ToolOutput, tool


def _documents(raw: list[dict[str, Any]], kind: str | None) -> list[tuple[str, Document]]:
    docs = [Document.model_validate(d) for d in raw]
    return [
        (document_label(d, i), d)
        for i, d in enumerate(docs)
        if kind is None or d.type.value == kind
    ]


# --- documents.extract -------------------------------------------------------------------


class ExtractInput(BaseModel):
    documents: list[dict[str, Any]] = Field(description="The case's documents as JSON")
    type: DocumentKind = Field(description="Which documents to read")


class DocumentExtraction(BaseModel):
    document: str
    extraction: Extraction | None = None
    error: str | None = Field(default=None, description="Why the file could not be read")


class ExtractOutput(ToolOutput):
    type: DocumentKind
    documents: list[DocumentExtraction]
    supplied: int = Field(description="Documents of this type in the case")
    read: int = Field(description="Of which read and extracted")
    unreadable: int
    fields_missing: int = Field(description="Fields not found, over all documents read")

    def evidence(self) -> list[EvidenceDraft]:
        drafts: list[EvidenceDraft] = []
        for doc in self.documents:
            if doc.error:
                drafts.append(EvidenceDraft(f"document:{doc.document}", f"unreadable: {doc.error}"))
                continue
            assert doc.extraction is not None
            for name, f in doc.extraction.fields.items():
                if f.value is None:
                    continue
                where = f"document:{doc.document}#page={f.page}"
                drafts.append(EvidenceDraft(where, f"{name}: {f.source_text or f.value}"))
        if not drafts:
            drafts.append(EvidenceDraft("case:documents", f"no {self.type} document supplied"))
        return drafts


def _extract(text: DocumentText, kind: DocumentKind, context: ToolContext) -> Extraction:
    """Extract with the check's own model when it is an LLM, else with the rules extractor.

    An LLM extraction that cannot be made valid falls back to the rules, with a warning.
    """
    model = context.extra.get("model")
    if model is None:
        return extract_with_rules(text, kind)
    try:
        return asyncio.run(extract_with_model(text, kind, model))
    except CaseworkerError as exc:
        fallback = extract_with_rules(text, kind)
        fallback.warnings.insert(0, f"model extraction failed ({exc.code}); rules used")
        return fallback


@tool("documents.extract", timeout=300)
def extract_documents(args: ExtractInput, context: ToolContext) -> ExtractOutput:
    """Read the case's documents of one type and extract their fields.

    Every field comes with the page and the quoted text it was read from, and a confidence.
    Scanned documents are read with OCR. A file that cannot be read is reported with why.
    """
    out: list[DocumentExtraction] = []
    for label, document in _documents(args.documents, args.type):
        try:
            text = read_document(document_bytes(document), name=label)
        except DocumentInvalid as exc:
            out.append(DocumentExtraction(document=label, error=exc.message))
            continue
        out.append(
            DocumentExtraction(document=label, extraction=_extract(text, args.type, context))
        )
    read = [d.extraction for d in out if d.extraction is not None]
    return ExtractOutput(
        type=args.type,
        documents=out,
        supplied=len(out),
        read=len(read),
        unreadable=len(out) - len(read),
        fields_missing=sum(f.value is None for e in read for f in e.fields.values()),
    )


# --- documents.verify --------------------------------------------------------------------


class VerifyInput(BaseModel):
    extractions: list[dict[str, Any]] = Field(
        description="The `documents` of a documents.extract output"
    )
    subject: dict[str, Any] = Field(description="The case's subject as JSON")
    individuals: list[dict[str, Any]] = Field(default_factory=list)
    entities: list[dict[str, Any]] = Field(default_factory=list)
    max_age_days: int = Field(default=DEFAULT_MAX_AGE_DAYS, ge=1, description="Proof of address")
    as_of: dt.date | None = Field(default=None, description="Today, unless given")


class DocumentVerification(Verification):
    document: str


class VerifyOutput(ToolOutput):
    documents: list[DocumentVerification]
    verified: int
    mismatches: int = Field(description="Mismatching fields over all documents")
    missing: int = Field(
        description="Attested fields the documents do not show though their kind normally does"
    )
    not_applicable: int = Field(
        default=0, description="Attested fields the documents' kinds never show (not missing)"
    )
    stale: int
    inconsistencies: list[Inconsistency]

    def evidence(self) -> list[EvidenceDraft]:
        drafts = [
            EvidenceDraft(
                f"document:{doc.document}#page={c.page}" if c.page else f"document:{doc.document}",
                f"{c.field}: document '{c.document_value}' vs case '{c.attested_value}' - "
                f"{c.status}{': ' + c.detail if c.detail else ''}",
            )
            for doc in self.documents
            for c in doc.checks
            if c.status in ("match", "mismatch", "not_in_document", "not_applicable")
        ]
        drafts += [
            EvidenceDraft(f"document:{d.document}", f"issued {d.age_days} days ago (stale)")
            for d in self.documents
            if d.stale
        ]
        drafts += [
            EvidenceDraft("documents", f"{i.fact}: {i.detail}") for i in self.inconsistencies
        ]
        return drafts or [EvidenceDraft("documents", "no document to verify")]


@tool("documents.verify", timeout=30)
def verify_documents(args: VerifyInput, context: ToolContext) -> VerifyOutput:
    """Compare what documents say with what the applicant said, field by field.

    Names allow legal-form and punctuation differences, numbers ignore spacing and leading
    zeros, addresses are compared by postcode, numbers and street; proofs of address must be
    recent. Also reports facts that two documents state differently.
    """
    today = args.as_of or dt.date.today()
    results: list[DocumentVerification] = []
    extractions: list[Extraction] = []
    for raw in args.extractions:
        item = DocumentExtraction.model_validate(raw)
        if item.extraction is None:
            continue
        ex = item.extraction
        extractions.append(ex)
        attested = attested_for(ex.type, args.subject, args.individuals, args.entities, ex)
        v = verify(ex, attested, as_of=today, max_age_days=args.max_age_days)
        results.append(DocumentVerification(document=item.document, **dict(v)))
    return VerifyOutput(
        documents=results,
        verified=sum(r.verified for r in results),
        mismatches=sum(len(r.mismatches) for r in results),
        missing=sum(len(r.missing) for r in results),
        not_applicable=sum(len(r.not_applicable) for r in results),
        stale=sum(r.stale for r in results),
        inconsistencies=cross_check(extractions),
    )


# --- documents.inspect -------------------------------------------------------------------


class InspectInput(BaseModel):
    documents: list[dict[str, Any]] = Field(description="The case's documents as JSON")
    type: DocumentKind | None = Field(default=None, description="Only documents of this type")


class DocumentInspection(BaseModel):
    document: str
    suspicious: bool
    signals: list[Signal]
    error: str | None = None


class InspectOutput(ToolOutput):
    documents: list[DocumentInspection]
    suspicious: int = Field(description="Documents with a warning or critical signal")
    critical: int = Field(description="Documents with a critical signal")

    def evidence(self) -> list[EvidenceDraft]:
        drafts = [
            EvidenceDraft(
                f"document:{d.document}" + (f"#page={s.page}" if s.page else ""),
                f"{s.severity} {s.code}: {s.message}",
            )
            for d in self.documents
            for s in d.signals
            if s.severity != "info"
        ]
        drafts += [
            EvidenceDraft(f"document:{d.document}", f"not inspected: {d.error}")
            for d in self.documents
            if d.error
        ]
        return drafts or [EvidenceDraft("documents", f"{len(self.documents)} inspected, no signal")]


@tool("documents.inspect", timeout=60)
def inspect_documents(args: InspectInput, context: ToolContext) -> InspectOutput:
    """Look for signs that the case's document files were edited.

    Signs: editing software in the metadata, modification long after creation, later
    revisions that change page content, and values drawn in another font than their line.
    """
    out: list[DocumentInspection] = []
    for label, document in _documents(args.documents, args.type):
        try:
            found = inspect_file(document_bytes(document), name=label)
        except DocumentInvalid as exc:
            out.append(
                DocumentInspection(document=label, suspicious=False, signals=[], error=exc.message)
            )
            continue
        out.append(
            DocumentInspection(document=label, suspicious=found.suspicious, signals=found.signals)
        )
    return InspectOutput(
        documents=out,
        suspicious=sum(d.suspicious for d in out),
        critical=sum(any(s.severity == "critical" for s in d.signals) for d in out),
    )
