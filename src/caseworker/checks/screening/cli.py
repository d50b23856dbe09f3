"""`caseworker lists …` and `caseworker screen`: list management and screening from the shell."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from caseworker.checks.screening.engine import Party, Screener, ScreeningResult
from caseworker.checks.screening.entity import EntityType
from caseworker.checks.screening.matcher import MatchStatus
from caseworker.domain.dates import DateOfBirth, PartialDate
from caseworker.domain.jurisdictions import country_code, jurisdiction_code

lists_app = typer.Typer(help="Download and inspect sanctions lists.", no_args_is_help=True)


@lists_app.command("update")
def lists_update(
    source: Annotated[list[str] | None, typer.Option(help="Only these sources")] = None,
) -> None:
    """Download the official lists (conditional requests), verify them, switch atomically."""
    from caseworker.checks.screening.lists import update

    report = update(source)
    for item in report.sources:
        detail = item.error or f"{item.entities} entities, list date {item.list_date or '—'}"
        typer.echo(f"{item.source}: {item.outcome.value} ({detail})")
    if not report.ok:
        raise typer.Exit(3)


@lists_app.command("status")
def lists_status() -> None:
    """Show which lists screening uses, where from, and how old they are."""
    from caseworker.checks.screening.lists import find_lists, load_found
    from caseworker.checks.screening.service import lists_location

    directory = lists_location()
    found = find_lists(directory)
    if not found:
        typer.echo(f"no lists in {directory}; run `caseworker lists update`", err=True)
        raise typer.Exit(3)
    typer.echo(f"lists in {directory}")
    for item in found:
        _, info = load_found(item)
        typer.echo(f"  {info.source}: {info.entities} entities, {info.names} names, "
                   f"list date {info.list_date or 'not stated'}")


#: Columns a batch CSV may have (header names, any case); only `full_name` is required.
BATCH_COLUMNS = ("full_name", "date_of_birth", "nationality", "type")

Warning = dict[str, str]  # field, value, reason


@dataclass
class BatchRow:
    """One data row of a batch CSV: what can be screened of it, and what was left out."""

    row: int  # data rows counted from 0
    line: int  # the line of the CSV it starts on, counted from 1 (the header is line 1)
    values: dict[str, str]
    party: Party | None = None
    warnings: list[Warning] = field(default_factory=list)
    error: str | None = None


_DOB: TypeAdapter[PartialDate] = TypeAdapter(DateOfBirth)


def _warn(column: str, value: str, reason: str) -> Warning:
    return {"field": column, "value": value, "reason": reason}


def _reason(error: ValidationError) -> str:
    return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())


def _batch_row(row: BatchRow) -> BatchRow:
    """Fill `party` from the row's valid fields, a warning for each ignored one, or `error`."""
    values, warnings = row.values, row.warnings
    kind = EntityType.unknown
    if raw := values.get("type", "").strip():
        try:
            kind = EntityType(raw.lower())
        except ValueError:
            warnings.append(_warn("type", raw, f"'{raw}' is not one of "
                                  f"{', '.join(EntityType)}; screened as unknown"))
    dob: PartialDate | None = None
    if raw := values.get("date_of_birth", "").strip():
        try:
            dob = _DOB.validate_python(raw)
        except ValidationError as exc:
            warnings.append(_warn("date_of_birth", raw, _reason(exc)))
    countries: list[str] = []
    for part in re.split(r"[;,]", values.get("nationality", "")):
        if part.strip():
            try:
                countries.append(country_code(part))
            except ValueError as exc:
                warnings.append(_warn("nationality", part.strip(), str(exc)))
    name = values.get("full_name", "").strip()
    if not name:
        row.error = "full_name is empty: nothing to screen"
        return row
    try:
        row.party = Party(name=name, type=kind, date_of_birth=dob, countries=countries)
    except ValidationError as exc:
        row.error = _reason(exc)
    return row


def _read_batch(path: Path) -> list[BatchRow]:
    """Read a batch CSV into rows; only a file that cannot be read at all is refused."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise typer.BadParameter(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded); save it as UTF-8"
        ) from exc
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[BatchRow] = []
    end = 0
    try:
        for values in reader:
            start, end = end + 1, reader.line_num
            if not values:  # a blank line is no row
                continue
            if header is None:
                header = [h.strip().lower() for h in values]
                continue
            cells = dict(zip(header, values, strict=False))
            row = BatchRow(row=len(rows), line=start, values=cells)
            if len(values) > len(header):
                row.warnings.append(_warn("(row)", ",".join(values[len(header):]),
                                          f"{len(values)} values for {len(header)} columns; "
                                          "the extra values are ignored"))
            rows.append(_batch_row(row))
    except csv.Error as exc:
        raise typer.BadParameter(f"{path} line {reader.line_num} is not CSV: {exc}") from exc
    if header is None or "full_name" not in header:
        raise typer.BadParameter(
            f"{path} needs a header row with at least full_name "
            f"(columns: {', '.join(BATCH_COLUMNS)})"
        )
    return rows


def _row(result: ScreeningResult, index: int) -> dict[str, Any]:
    return {
        "row": index,
        "query": result.query.model_dump(mode="json", exclude_none=True),
        "status": result.status.value,
        "hits": [{"list": h.source, "entity_id": h.entity_id, "matched_name": h.matched_name,
                  "caption": h.caption, "score": round(h.score, 4), "explanation": h.explanation}
                 for h in result.hits],
        "list_dates": {s: d.isoformat() if d else None for s, d in result.list_dates.items()},
    }


def _echo_hits(result: ScreeningResult) -> None:
    for hit in result.hits:
        typer.echo(f"  {hit.score:.2f} {hit.status.value:8s} {hit.entity_id} {hit.matched_name}")


def _screen_batch(engine: Screener, rows: list[BatchRow], *, as_json: bool) -> tuple[bool, bool]:
    """Screen every row in order, one output row each; return (any hit, any row error)."""
    any_hit = any_error = False
    for item in rows:
        result: ScreeningResult | None = None
        if item.party is not None:
            try:
                result = engine.screen(item.party)
            except Exception as exc:  # one row's failure must not lose the others
                item.error = f"screening failed: {type(exc).__name__}: {exc}"
        if result is None:
            any_error = True
            out: dict[str, Any] = {"row": item.row, "status": "error",
                                   "error": item.error, "input": item.values, "hits": []}
        else:
            any_hit |= result.status is MatchStatus.hit
            out = _row(result, item.row)
        out = {"row": item.row, "line": item.line, **out, "warnings": item.warnings}
        if as_json:
            sys.stdout.write(json.dumps(out, default=str, ensure_ascii=False) + "\n")
            continue
        label = " ".join((item.party.name if item.party else item.values.get("full_name", ""))
                         .split())
        detail = f"error: {item.error}" if result is None else result.status.value
        typer.echo(f"row {item.row} (line {item.line}) {label or '(no name)'}: {detail}")
        for warning in item.warnings:
            typer.echo(f"  warning: {warning['field']} '{warning['value']}' ignored: "
                       f"{warning['reason']}")
        if result is not None:
            _echo_hits(result)
    return any_hit, any_error


def screen(
    *,
    name: Annotated[str | None, typer.Option(help="Name to screen")] = None,
    type: Annotated[str, typer.Option(help="person, entity or unknown")] = "unknown",
    dob: Annotated[str | None, typer.Option(help="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    country: Annotated[list[str] | None, typer.Option(
        help="ISO country code(s), e.g. GB (a subdivision such as US-DE counts as US)")] = None,
    batch: Annotated[Path | None, typer.Option(
        help="UTF-8 CSV with a header: full_name[,date_of_birth,nationality,type]; "
        "nationality may list codes split by ;")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per query")] = False,
) -> None:
    """Screen a name (or a CSV batch) against the sanctions lists.

    A batch gives one result per data row, in input order, with `row` and `line`.

    A bad date, type or country is left out and named in the row's `warnings`;
    a row with no name gets `status: error` and its reason.

    Exit codes: 0 nothing hit; 1 something hit; 2 unusable options or file
    (not UTF-8, no full_name header); 3 no hit, but a row could not be screened.
    """
    from caseworker.checks.screening.service import screener

    if (name is None) == (batch is None):
        raise typer.BadParameter("give either --name or --batch")
    if batch is not None:
        rows = _read_batch(batch)
        any_hit, any_error = _screen_batch(screener(), rows, as_json=as_json)
        if any_hit or any_error:
            raise typer.Exit(1 if any_hit else 3)
        return
    try:
        party = Party(name=(name or "").strip(), type=EntityType(type), date_of_birth=dob,
                      countries=[jurisdiction_code(c) for c in country or []])
    except ValidationError as exc:
        raise typer.BadParameter(_reason(exc)) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    result = screener().screen(party)
    if as_json:
        sys.stdout.write(json.dumps({**_row(result, 0), "warnings": []}, default=str) + "\n")
    else:
        typer.echo(f"{party.name}: {result.status.value}")
        _echo_hits(result)
    if result.status is MatchStatus.hit:
        raise typer.Exit(1)
