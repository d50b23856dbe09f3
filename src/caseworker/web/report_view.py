"""The report page's extra views: hits beside the case data, document fields and their boxes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import redis

from caseworker.checks.documents.sources import document_label
from caseworker.domain.case import Case
from caseworker.runtime import audit

SCREENING_TOOLS = "screening."
EXTRACT_TOOL = "documents.extract"


@dataclass(frozen=True)
class HitView:
    check_id: str
    role: str
    party: str
    facts: list[tuple[str, str]]  # what the case says of the party, label -> value
    hit: dict[str, Any]  # the screening output's hit (score, strength, explanation, cleared)

    @property
    def reasons(self) -> list[str]:
        return [str(a.get("reason")) for a in self.hit.get("explanation", {}).get("adjustments",
                                                                                  [])]


@dataclass(frozen=True)
class FieldView:
    anchor: str  # the page fragment that highlights its box
    name: str
    value: str
    page: int | None
    box: tuple[float, float, float, float] | None  # x, y, width, height in percent of the page
    source_text: str
    confidence: float


@dataclass
class DocumentView:
    index: int  # position in the case's documents (the preview route's number)
    label: str
    type: str
    check_id: str
    previewable: bool
    error: str | None = None
    fields: list[FieldView] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        """The pages a field was read from (the first page if none was)."""
        return sorted({f.page for f in self.fields if f.page}) or [1]


def tool_calls(conn: redis.Redis, job_id: str) -> list[audit.AuditRecord]:
    try:
        return [r for r in audit.records(conn, job_id) if r.kind == "tool.call"]
    except ValueError:  # an unreadable record: the page shows the chain as broken
        return []


def screening_hits(calls: list[audit.AuditRecord], case: Case) -> list[HitView]:
    """Every hit the job's screening tools returned, with the case's facts about its party."""
    out = []
    for record in calls:
        tool, output = record.payload.get("tool"), record.payload.get("output")
        if not (isinstance(tool, str) and tool.startswith(SCREENING_TOOLS)
                and isinstance(output, dict)):
            continue
        for party in output.get("parties", []):
            for hit in party.get("hits", []):
                out.append(HitView(record.check_id or "", party["role"], party["name"],
                                   party_facts(case, party["role"], party["name"]), hit))
    return out


def party_facts(case: Case, role: str, name: str) -> list[tuple[str, str]]:
    """Return what the case states about a screened party, to set beside the listing."""
    subject = case.subject
    if role in ("subject", "trading_name"):
        facts = [("Name", name), ("Type", subject.type.value)]
        if subject.date_of_birth:
            facts.append(("Date of birth", str(subject.date_of_birth)))
        if subject.jurisdiction:
            facts.append(("Jurisdiction", subject.jurisdiction))
        if subject.registration_number:
            facts.append(("Registration number", subject.registration_number))
        if subject.nationalities:
            facts.append(("Nationalities", ", ".join(subject.nationalities)))
        return facts
    if role == "individual":
        for person in case.associated_individuals:
            if person.full_name == name:
                return [
                    ("Name", name), ("Roles", ", ".join(r.value for r in person.roles)),
                    ("Date of birth", str(person.date_of_birth or "not stated")),
                    ("Nationalities", ", ".join(person.nationalities) or "not stated"),
                    ("Residence", person.country_of_residence or "not stated"),
                ]
    for company in case.associated_entities:
        if company.legal_name == name:
            return [("Name", name), ("Jurisdiction", company.jurisdiction or "not stated"),
                    ("Registration number", company.registration_number or "not stated")]
    return [("Name", name)]


def documents(calls: list[audit.AuditRecord], case: Case) -> list[DocumentView]:
    """Return the documents the job read, each field with the page and box it came from."""
    index = {document_label(d, i): i for i, d in enumerate(case.documents)}
    views: dict[int, DocumentView] = {}
    for record in calls:
        output = record.payload.get("output")
        if record.payload.get("tool") != EXTRACT_TOOL or not isinstance(output, dict):
            continue
        for read in output.get("documents", []):
            position = index.get(read.get("document", ""))
            if position is None or position in views:
                continue
            document = case.documents[position]
            view = DocumentView(position, read["document"], document.type.value,
                                record.check_id or "",
                                previewable=bool(document.content_base64 or document.path),
                                error=read.get("error"))
            extraction = read.get("extraction") or {}
            for name, found in (extraction.get("fields") or {}).items():
                if found.get("value") is None:
                    continue
                view.fields.append(FieldView(
                    anchor=f"doc{position}-{name}", name=name, value=_text(found["value"]),
                    page=found.get("page"), box=_percent(found.get("bbox")),
                    source_text=found.get("source_text") or "",
                    confidence=float(found.get("confidence") or 0.0)))
            views[position] = view
    return [views[k] for k in sorted(views)]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{v}" for v in value.values() if v is not None)
    return str(value)


def _percent(box: Any) -> tuple[float, float, float, float] | None:
    if not (isinstance(box, list | tuple) and len(box) == 4):
        return None
    x0, y0, x1, y1 = (float(v) * 100 for v in box)
    pad = 0.4  # a little air around the text
    return (round(max(0.0, x0 - pad), 2), round(max(0.0, y0 - pad), 2),
            round(x1 - x0 + 2 * pad, 2), round(y1 - y0 + 2 * pad, 2))
