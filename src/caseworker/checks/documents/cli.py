"""`caseworker extract`, `caseworker verify` and `caseworker inspect`: documents from the shell."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from caseworker.checks.documents.schemas import DocumentKind

if TYPE_CHECKING:
    from caseworker.checks.documents.schemas import Extraction

TypeOption = Annotated[
    DocumentKind | None,
    typer.Option("--type", help="incorporation | proof_of_address | ownership (else guessed)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON")]
EXIT_INVALID, EXIT_NOT_VERIFIED, EXIT_SUSPICIOUS = 2, 10, 10


def _fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {file}: {exc.strerror}") from exc


def _extract(file: Path, kind: DocumentKind | None, model: str | None) -> Extraction:
    from caseworker.checks.documents.classify import classify
    from caseworker.checks.documents.errors import DocumentInvalid
    from caseworker.checks.documents.extract_rules import extract_with_rules
    from caseworker.checks.documents.intake import read_document

    try:
        doc = read_document(_read(file), name=file.name)
    except DocumentInvalid as exc:
        raise _fail(exc.message) from exc
    kind = kind or classify(doc)
    if kind is None:
        raise _fail(f"{file.name}: cannot tell the document's type; give --type")
    if model is None or model == "rules":
        return extract_with_rules(doc, kind)
    from caseworker.checks.documents.extract_llm import extract_with_model
    from caseworker.exceptions import CaseworkerError

    try:
        return asyncio.run(extract_with_model(doc, kind, model))
    except CaseworkerError as exc:
        raise _fail(exc.message, 3) from exc


def extract(
    file: Annotated[Path, typer.Argument(help="PDF, PNG, JPEG or TIFF")],
    kind: TypeOption = None,
    model: Annotated[
        str | None, typer.Option(help="Extract with this model instead of the rules")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Extract a document's fields, each with its page, quoted source text and confidence."""
    extraction = _extract(file, kind, model)
    view = extraction.cli_view()
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False))
        return
    typer.echo(f"{file.name}: {view['type']} ({extraction.text_source}, {extraction.extractor})")
    for name, f in view["fields"].items():
        where = f"p{f['page']}" if f["page"] else "--"
        typer.echo(
            f"  {name:20s} {json.dumps(f['value'], ensure_ascii=False)}"
            f"  [{where}, {f['confidence']:.2f}]"
        )


def _attested(case_file: Path, kind: DocumentKind, extraction: Extraction) -> dict[str, Any]:
    from caseworker.checks.documents.attested import attested_for
    from caseworker.domain.case import load_case
    from caseworker.exceptions import CaseInvalid

    try:
        case = load_case(case_file).model_dump(mode="json")
    except CaseInvalid as exc:
        raise _fail(str(exc)) from exc
    return attested_for(
        kind,
        case["subject"],
        case["associated_individuals"],
        case["associated_entities"],
        extraction,
    )


def verify(  # noqa: PLR0917 (a command's options)
    file: Annotated[Path, typer.Argument(help="PDF, PNG, JPEG or TIFF")],
    case: Annotated[Path, typer.Option(help="The case JSON whose data the document must match")],
    kind: TypeOption = None,
    as_of: Annotated[str | None, typer.Option(help="Judge freshness as of YYYY-MM-DD")] = None,
    max_age_days: Annotated[int, typer.Option(help="Oldest acceptable proof of address")] = 90,
    as_json: JsonOption = False,
) -> None:
    """Compare a document with a case's self-attested data, field by field.

    Exits 0 when the document verifies, 10 when a field differs, is missing or it is stale.
    """
    from caseworker.checks.documents.verify import verify as verify_extraction

    try:
        today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError as exc:
        raise _fail(f"--as-of must be YYYY-MM-DD, got {as_of!r}") from exc
    extraction = _extract(file, kind, None)
    attested = _attested(case, extraction.type, extraction)
    result = verify_extraction(extraction, attested, as_of=today, max_age_days=max_age_days)
    view = {
        "type": result.type,
        "verified": result.verified,
        "fields": {
            c.field: {
                "status": c.status,
                "document_value": c.document_value,
                "attested_value": c.attested_value,
                "detail": c.detail,
                "page": c.page,
                "source_text": c.source_text,
            }
            for c in result.checks
        },
        "mismatches": result.mismatches,
        "missing": result.missing,
        "not_applicable": result.not_applicable,
        "profile": result.profile,
        "issue_date": result.issue_date,
        "age_days": result.age_days,
        "stale": result.stale,
    }
    if as_json:
        typer.echo(json.dumps(view, default=str, ensure_ascii=False))
    else:
        typer.echo(f"{file.name}: {'verified' if result.verified else 'NOT verified'}")
        for c in result.checks:
            typer.echo(f"  {c.field:28s} {c.status:16s} {c.detail}")
        if result.stale:
            typer.echo(f"  issued {result.age_days} days ago (limit {max_age_days})")
    if not result.verified:
        raise typer.Exit(EXIT_NOT_VERIFIED)


def inspect(
    file: Annotated[Path, typer.Argument(help="PDF, PNG, JPEG or TIFF")],
    as_json: JsonOption = False,
) -> None:
    """Look for signs of editing in a document file. Exits 10 when something is suspicious."""
    from caseworker.checks.documents.errors import DocumentInvalid
    from caseworker.checks.documents.intake import inspect_file

    try:
        found = inspect_file(_read(file), name=file.name)
    except DocumentInvalid as exc:
        raise _fail(exc.message) from exc
    if as_json:
        typer.echo(found.model_dump_json())
    else:
        typer.echo(f"{file.name}: {'SUSPICIOUS' if found.suspicious else 'no warning'}")
        for s in found.signals:
            typer.echo(f"  {s.severity:8s} {s.code:20s} {s.message}")
    if found.suspicious:
        sys.stdout.flush()
        raise typer.Exit(EXIT_SUSPICIOUS)
