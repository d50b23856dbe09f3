"""A batch upload (CSV or JSONL) read into one parsed case or one row error per data row."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal, assert_never

from pydantic import BaseModel, Field, ValidationError

from caseworker.domain.case import Case
from caseworker.intake.csv_columns import case_from_cells, check_header
from caseworker.intake.problems import WHOLE_ROW, BatchInvalid, FieldProblem, error_message

BatchFormat = Literal["csv", "jsonl"]

_CSV_TYPES = {"text/csv", "application/csv", "text/x-csv", "application/x-csv",
              "text/comma-separated-values"}
_JSONL_TYPES = {"application/jsonl", "application/x-jsonlines", "application/jsonlines",
                "application/x-ndjson", "application/ndjson", "text/jsonl"}
# Types that say nothing of the format: clients send them for any file, and browsers on
# Windows send a .csv as Excel's type.
_GENERIC_TYPES = {"application/octet-stream", "binary/octet-stream", "text/plain",
                  "application/json", "application/vnd.ms-excel"}
_EXTENSIONS: dict[str, BatchFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

_ROW = "1-based number of the data row; the CSV header and blank rows or lines are not counted"
_LINE = "1-based line of the file the row starts on, counting the CSV header and blank lines"


class ParsedRow(BaseModel):
    """A data row that is a valid case."""

    row: int = Field(description=_ROW)
    line: int = Field(description=_LINE)
    case: Case


class RowError(BaseModel):
    """A data row that is not a valid case, with every problem found in it."""

    row: int = Field(description=_ROW)
    line: int = Field(description=_LINE)
    case_id: str | None = Field(default=None, description="The row's case id, if it has one")
    errors: list[FieldProblem] = Field(min_length=1)


class BatchParse(BaseModel):
    """A batch read row by row: exactly one entry per data row, in the file's order."""

    rows: list[ParsedRow | RowError]

    @property
    def parsed(self) -> list[ParsedRow]:
        """Return the rows that are valid cases."""
        return [r for r in self.rows if isinstance(r, ParsedRow)]

    @property
    def row_errors(self) -> list[RowError]:
        """Return the rows that are not."""
        return [r for r in self.rows if isinstance(r, RowError)]


@dataclass(frozen=True, slots=True)
class _Row:
    """One data row as read, before duplicate case ids are looked for."""

    row: int
    line: int
    case_id: str | None
    id_field: str  # the column or JSON key the case id is in
    outcome: Case | list[FieldProblem]


def parse_batch(data: bytes, *, format: BatchFormat, max_rows: int) -> BatchParse:
    """Read a batch file into one `ParsedRow` or `RowError` per data row, in order.

    A bad row becomes a `RowError` and never stops the batch; a case id seen on an earlier
    row is an error on the later one. Blank CSV rows (every cell blank) and blank JSONL lines
    are skipped and not counted. Raises `BatchInvalid` when the file as a whole cannot be
    read: empty, not UTF-8, a CSV header with unknown or missing columns, over `max_rows`.
    """
    text = _decode(data)
    if not text.strip():
        raise BatchInvalid("the file is empty")
    match format:
        case "csv":
            rows = _csv_rows(text, max_rows)
        case "jsonl":
            rows = _jsonl_rows(text, max_rows)
        case _:
            assert_never(format)
    return BatchParse(rows=_entries(rows))


def batch_format(filename: str | None, content_type: str | None) -> BatchFormat:
    """Tell a batch's format from its content type, or from its file name when that is generic.

    Raises `BatchInvalid` when neither says CSV or JSONL.
    """
    media = (content_type or "").partition(";")[0].strip().lower()
    if media in _CSV_TYPES:
        return "csv"
    if media in _JSONL_TYPES:
        return "jsonl"
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if media and media not in _GENERIC_TYPES:
        raise BatchInvalid(f"unsupported content type '{media}': send text/csv or "
                           "application/jsonl (one case JSON per line)")
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise BatchInvalid(f"cannot tell the format of {filename or 'the upload'!r} "
                       f"({media or 'no content type'}): send a .csv or .jsonl file, or the "
                       "content type text/csv or application/jsonl (one case JSON per line)")


def _decode(data: bytes) -> str:
    """Decode UTF-8 text (a byte-order mark is dropped), or raise `BatchInvalid` saying where."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BatchInvalid(f"the file is not UTF-8 text: byte 0x{data[exc.start]:02x} on line "
                           f"{line} is not UTF-8; save the file as UTF-8") from None
    if "\x00" in text:
        # UTF-16 text of ASCII characters decodes as UTF-8, with a NUL after each character.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise BatchInvalid(f"the file is not UTF-8 text: line {line} holds a NUL character "
                           "(is it UTF-16?); save the file as UTF-8")
    return text


def _too_many(max_rows: int) -> BatchInvalid:
    return BatchInvalid(f"the batch has more than {max_rows} rows, the most one batch may "
                        "have: split it into smaller batches")


def _csv_rows(text: str, max_rows: int) -> list[_Row]:
    """Read the CSV header and records, then each record into a case."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
                check_header(header)
                continue
            records.append((line, cells))
            if len(records) > max_rows:
                raise _too_many(max_rows)
    except csv.Error as exc:
        raise BatchInvalid(f"the CSV cannot be read at line {reader.line_num}: {exc}") from None
    if header is None:
        raise BatchInvalid("the file is empty: every cell is blank")
    if not records:
        raise BatchInvalid("the CSV has a header but no rows")
    return [_csv_row(row, line, header, cells)
            for row, (line, cells) in enumerate(records, 1)]


def _csv_row(row: int, line: int, header: list[str], cells: list[str]) -> _Row:
    extra = [cell for cell in cells[len(header):] if cell.strip()]
    named = dict(zip(header, cells, strict=False))  # a short row's missing cells are blank
    case_id = named.get("case_id", "").strip() or None
    outcome: Case | list[FieldProblem]
    if extra:
        message = f"the row has {len(cells)} cells but the header only {len(header)} columns"
        outcome = [FieldProblem(field=WHOLE_ROW, message=message)]
    else:
        outcome = case_from_cells(named)
    return _Row(row, line, case_id, "case_id", outcome)


def _jsonl_rows(text: str, max_rows: int) -> list[_Row]:
    """Split JSONL into its non-blank lines, then read each line into a case."""
    # Split on \n only: str.splitlines would also split on U+2028, which JSON text may hold.
    lines = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    if len(lines) > max_rows:
        raise _too_many(max_rows)
    return [_jsonl_row(row, line, body) for row, (line, body) in enumerate(lines, 1)]


def _jsonl_row(row: int, line: int, body: str) -> _Row:
    def failed(message: str, case_id: str | None = None) -> _Row:
        return _Row(row, line, case_id, "id", [FieldProblem(field=WHOLE_ROW, message=message)])

    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        return failed(f"not JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return failed("not a case: the JSON is nested too deeply")
    if not isinstance(data, dict):
        return failed(f"a JSON {_json_type(data)}, not a case object")
    raw_id = data.get("id")
    case_id = (raw_id.strip() or None) if isinstance(raw_id, str) else None
    try:
        return _Row(row, line, case_id, "id", Case.model_validate(data))
    except ValidationError as exc:
        problems = [FieldProblem(field=".".join(str(p) for p in item["loc"]) or WHOLE_ROW,
                                 message=error_message(item)) for item in exc.errors()]
        return _Row(row, line, case_id, "id", problems)


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "number"


def _entries(rows: Iterable[_Row]) -> list[ParsedRow | RowError]:
    """Turn rows into entries, making a case id seen on an earlier row an error."""
    first: dict[str, int] = {}
    entries: list[ParsedRow | RowError] = []
    for r in rows:
        problems = [] if isinstance(r.outcome, Case) else list(r.outcome)
        if r.case_id is not None and r.case_id in first:
            problems.append(FieldProblem(
                field=r.id_field,
                message=f"duplicate case id '{r.case_id}': row {first[r.case_id]} has it already"))
        elif r.case_id is not None:
            first[r.case_id] = r.row
        if problems or not isinstance(r.outcome, Case):
            entries.append(RowError(row=r.row, line=r.line, case_id=r.case_id, errors=problems))
        else:
            entries.append(ParsedRow(row=r.row, line=r.line, case=r.outcome))
    return entries
