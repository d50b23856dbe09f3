"""`caseworker lists …` and `caseworker screen`: list management and screening from the shell."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from caseworker.checks.screening.engine import Party, ScreeningResult
from caseworker.checks.screening.entity import EntityType

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


def _row(result: ScreeningResult, index: int) -> dict[str, Any]:
    return {
        "row": index,
        "query": result.query.model_dump(exclude_none=True),
        "status": result.status.value,
        "hits": [{"list": h.source, "entity_id": h.entity_id, "matched_name": h.matched_name,
                  "caption": h.caption, "score": round(h.score, 4), "explanation": h.explanation}
                 for h in result.hits],
        "list_dates": {s: d.isoformat() if d else None for s, d in result.list_dates.items()},
    }


def _batch_parties(path: Path) -> list[Party]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "full_name" not in reader.fieldnames:
            raise typer.BadParameter(f"{path} needs a header row with at least full_name")
        parties = []
        for line, row in enumerate(reader, start=2):
            try:
                parties.append(Party(
                    name=row["full_name"],
                    type=EntityType(row.get("type") or "unknown"),
                    date_of_birth=row.get("date_of_birth") or None,
                    countries=[c for c in (row.get("nationality") or "").split(";") if c],
                ))
            except (ValidationError, ValueError) as exc:
                raise typer.BadParameter(f"{path} line {line}: {exc}") from exc
    return parties


def screen(
    *,
    name: Annotated[str | None, typer.Option(help="Name to screen")] = None,
    type: Annotated[str, typer.Option(help="person, entity or unknown")] = "unknown",
    dob: Annotated[str | None, typer.Option(help="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    country: Annotated[list[str] | None, typer.Option(help="ISO country code(s)")] = None,
    batch: Annotated[Path | None, typer.Option(help="CSV with full_name[,date_of_birth,"
                                                    "nationality,type]")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per query")] = False,
) -> None:
    """Screen a name (or a CSV batch) against the sanctions lists; exit 1 if anything hits."""
    from caseworker.checks.screening.service import screener

    if (name is None) == (batch is None):
        raise typer.BadParameter("give either --name or --batch")
    try:
        parties = _batch_parties(batch) if batch else [
            Party(name=name or "", type=EntityType(type), date_of_birth=dob,
                  countries=country or [])]
    except (ValidationError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    engine = screener()
    any_hit = False
    for index, party in enumerate(parties):
        result = engine.screen(party)
        any_hit |= result.status.value == "hit"
        if as_json:
            sys.stdout.write(json.dumps(_row(result, index), default=str) + "\n")
        else:
            typer.echo(f"{party.name}: {result.status.value}")
            for hit in result.hits:
                typer.echo(f"  {hit.score:.2f} {hit.status.value:8s} {hit.entity_id} "
                           f"{hit.matched_name}")
    if any_hit and not as_json:
        raise typer.Exit(1)
