"""The CSV column mapping, kept as data: flat batch columns to the fields of the case schema."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from caseworker.domain.case import Case, IndividualRole, SubjectType
from caseworker.intake.problems import BatchInvalid, FieldProblem, error_message

#: A place in the case JSON: keys and list positions from the case (or one individual) down.
Path = tuple[str | int, ...]

#: Separates the items of a list cell: `GB;IE`, `director;beneficial_owner`.
LIST_SEPARATOR = ";"
#: A CSV row carries individuals `individual_1_*` up to `individual_<MAX_INDIVIDUALS>_*`.
MAX_INDIVIDUALS = 9
#: `metadata_<key>` columns become `metadata[<key>]`.
METADATA_PREFIX = "metadata_"

_COUNTRY = "an ISO 3166-1 alpha-2 country code such as GB"
_COUNTRIES = "ISO 3166-1 alpha-2 country codes separated by ';' such as GB;IE"
_ADDRESS = "address_*"
_INDIVIDUAL_GROUP = "individual_<n>_*"


@dataclass(frozen=True, slots=True)
class Column:
    """One CSV column: its header, the case field its cell fills, and what the cell holds.

    A column with a `group` (`address_*`) is required only when another column of the group
    is filled in: an address needs a first line, a city and a country.
    """

    name: str
    path: Path
    format: str
    is_list: bool = False
    required: bool = False
    group: str | None = None


def _subject(name: str, format: str, *, is_list: bool = False) -> Column:
    return Column(name, ("subject", name), format, is_list=is_list)


def _address(name: str, format: str, *, required: bool = False) -> Column:
    return Column(f"address_{name}", ("subject", "addresses", 0, name), format,
                  required=required, group=_ADDRESS)


def _individual(name: str, key: str, format: str, *, is_list: bool = False,
                required: bool = False) -> Column:
    return Column(name, (key,), format, is_list=is_list, required=required,
                  group=_INDIVIDUAL_GROUP)


#: The columns of the case and its subject, in the order the docs list them.
CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_id", ("id",), "your id for the case, unique in the batch (1-200 characters)",
           required=True),
    Column("legal_name", ("subject", "legal_name"), "the registered legal name", required=True),
    Column("subject_type", ("subject", "type"),
           " or ".join(f"`{t}`" for t in SubjectType) + f" (default `{SubjectType.business}`)"),
    _subject("trading_name", "the trading name, if it differs"),
    _subject("registration_number", "the company registration number"),
    _subject("tax_id", "the tax or VAT number"),
    _subject("jurisdiction", "where the subject is registered: an ISO 3166-1 alpha-2 code (GB) "
             "or an ISO 3166-2 code (US-DE, GB-SCT)"),
    _subject("incorporation_date", "a date: YYYY-MM-DD"),
    _subject("legal_form", "free text, e.g. private limited company"),
    _subject("website", "a URL"),
    _subject("industry", "free text"),
    _subject("mcc", "an ISO 18245 merchant category code: four digits such as 5734"),
    _subject("description", "free text: what the business does"),
    Column("email", ("subject", "contact", "email"), "an email address such as ops@example.com"),
    Column("phone", ("subject", "contact", "phone"), "a phone number"),
    _subject("countries_of_operation", _COUNTRIES, is_list=True),
    _subject("date_of_birth", "for a person subject: YYYY, YYYY-MM or YYYY-MM-DD"),
    _subject("nationalities", f"for a person subject: {_COUNTRIES}", is_list=True),
    _address("line1", "the registered address: first line", required=True),
    _address("line2", "second line"),
    _address("city", "city", required=True),
    _address("region", "region, state or county"),
    _address("postal_code", "postal code"),
    _address("country", _COUNTRY, required=True),
)

#: The columns of one individual, `individual_<n>_<name>`; paths are below the individual.
INDIVIDUAL_COLUMNS: tuple[Column, ...] = (
    _individual("name", "full_name", "the full name", required=True),
    _individual("roles", "roles", "roles separated by ';', at least one: "
                + ", ".join(f"`{r}`" for r in IndividualRole), is_list=True, required=True),
    _individual("dob", "date_of_birth", "the date of birth: YYYY, YYYY-MM or YYYY-MM-DD"),
    _individual("nationalities", "nationalities", _COUNTRIES, is_list=True),
    _individual("residence", "country_of_residence", f"the country of residence: {_COUNTRY}"),
    _individual("ownership", "ownership_percentage", "the percentage owned, 0-100: 25 or 12.5"),
)

# Where a value in the case came from: the header, its column and the group it is in.
_Source = tuple[str, Column, str | None]

_BY_NAME = {column.name: column for column in CASE_COLUMNS}
_INDIVIDUAL_BY_NAME = {column.name: column for column in INDIVIDUAL_COLUMNS}
_INDIVIDUAL = re.compile(r"^individual_(\d+)_(.+)$")


def individual_header(n: int, column: Column) -> str:
    """Return the header of an individual's column: `individual_2_dob`."""
    return f"individual_{n}_{column.name}"


def check_header(header: Sequence[str]) -> None:
    """Raise `BatchInvalid` naming every column that is unknown, repeated, unnamed or missing."""
    problems = []
    seen: set[str] = set()
    for position, name in enumerate(header, 1):
        if not name:
            problems.append(f"column {position} has no name")
        elif name in seen:
            problems.append(f"column '{name}' appears twice")
        elif (unknown := _unknown(name)) is not None:
            problems.append(unknown)
        seen.add(name)
    problems += [f"required column '{c.name}' is missing"
                 for c in CASE_COLUMNS if c.required and not c.group and c.name not in seen]
    if problems:
        hint = " (columns must be separated by commas)" if any(";" in n for n in header) else ""
        raise BatchInvalid(f"the CSV header is invalid: {'; '.join(problems)}{hint}")


def _unknown(name: str) -> str | None:
    """Say why a header is not a known column, or None when it is one."""
    if name in _BY_NAME or (name.startswith(METADATA_PREFIX) and name != METADATA_PREFIX):
        return None
    if found := _INDIVIDUAL.match(name):
        if found.group(2) not in _INDIVIDUAL_BY_NAME:
            known = ", ".join(_INDIVIDUAL_BY_NAME)
            return f"unknown column '{name}' (an individual's columns are {known})"
        if found.group(1) not in {str(n) for n in range(1, MAX_INDIVIDUALS + 1)}:
            return f"unknown column '{name}' (individuals are numbered 1-{MAX_INDIVIDUALS})"
        return None
    return f"unknown column '{name}'"


def case_from_cells(cells: Mapping[str, str]) -> Case | list[FieldProblem]:
    """Build the case from one row's cells (header to text) and validate it with `Case`.

    Blank cells are absent. Individuals take the next place in `associated_individuals`
    whatever their number, so `individual_2_*` alone is the first. Returns the problems,
    each naming its column, when the case is invalid.
    """
    data: dict[str, Any] = {"subject": {}}
    # Where each column's value goes, kept even for blank cells so that a required field
    # left blank is reported under its column.
    origin: dict[Path, _Source] = {}
    for column in CASE_COLUMNS:
        origin[column.path] = (column.name, column, column.group)
        _put(data, column.path, _read(column, cells.get(column.name)))
    individuals: list[dict[str, Any]] = []
    for n in range(1, MAX_INDIVIDUALS + 1):
        values = {c: _read(c, cells.get(individual_header(n, c))) for c in INDIVIDUAL_COLUMNS}
        if all(v is None for v in values.values()):
            continue
        person: dict[str, Any] = {}
        for column, value in values.items():
            place = ("associated_individuals", len(individuals), *column.path)
            group = _INDIVIDUAL_GROUP.replace("<n>", str(n))
            origin[place] = (individual_header(n, column), column, group)
            _put(person, column.path, value)
        individuals.append(person)
    if individuals:
        data["associated_individuals"] = individuals
    metadata = {name.removeprefix(METADATA_PREFIX): value.strip()
                for name, value in cells.items()
                if name.startswith(METADATA_PREFIX) and value and value.strip()}
    if metadata:
        data["metadata"] = metadata
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        return [_problem(item, origin) for item in exc.errors()]


def _read(column: Column, cell: str | None) -> str | list[str] | None:
    """Return a cell's value: trimmed text, a list for a list column, None when blank."""
    text = (cell or "").strip()
    if not text:
        return None
    if column.is_list:
        return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()] or None
    return text


def _put(target: dict[str, Any], path: Path, value: object) -> None:
    """Set `value` at `path` in the nested dicts and lists, creating them; skip None."""
    if value is None:
        return
    node: Any = target
    for key, below in pairwise(path):
        if isinstance(key, int):
            while len(node) <= key:
                node.append({})
            node = node[key]
        else:
            node = node.setdefault(key, [] if isinstance(below, int) else {})
    node[path[-1]] = value


def _problem(item: ErrorDetails, origin: Mapping[Path, _Source]) -> FieldProblem:
    """Translate one pydantic error into a problem named by the column it came from."""
    loc = tuple(item["loc"])
    for size in range(len(loc), 0, -1):
        if (found := origin.get(loc[:size])) is None:
            continue
        header, column, group = found
        message = error_message(item, value_format=column.format)
        if item["type"] == "missing":
            message = (f"required when any {group} column is filled in" if group
                       else "required, and the cell is blank")
        rest = loc[size:]
        if len(rest) == 1 and isinstance(rest[0], int):
            message = f"item {rest[0] + 1}: {message}"
        return FieldProblem(field=header, message=message)
    return FieldProblem(field=".".join(str(p) for p in loc), message=error_message(item))


def markdown_table() -> str:
    """Return the column mapping as the Markdown table `docs/batch.md` holds."""
    lines = ["| Column | Case field | Required | Value |", "|---|---|---|---|"]
    rows = [(c.name, ".".join(str(p) for p in c.path), c) for c in CASE_COLUMNS]
    rows += [(f"individual_<n>_{c.name}", ".".join(["associated_individuals[]", *map(str, c.path)]),
              c) for c in INDIVIDUAL_COLUMNS]
    for name, path, column in rows:
        required = (f"with any `{column.group}`" if column.group else "yes"
                    ) if column.required else ""
        value = column.format[:1].upper() + column.format[1:]
        lines.append(f"| `{name}` | `{path}` | {required} | {value} |")
    lines.append(f"| `{METADATA_PREFIX}<key>` | `metadata.<key>` |  | Free text |")
    return "\n".join(lines) + "\n"
