"""Labelled case datasets: one JSON line per case in `dataset.jsonl`, documents beside it.

A dataset is a directory::

    dataset.jsonl   line 1, the header: {"dataset": name, "version": "1", "seed": 7 or null,
                    "as_of": "2026-12-06" or null, "meta": {...}}; then one LabelledCase per
                    line: {"id", "family", "variant", "split", "case", "expected", "facts"}
    documents/...   the cases' files; a document `path` is relative to the directory

The header is optional (without one the dataset is named after its directory, version "").
`as_of` is the date the labels were made for: date-relative facts (a proof of address no
older than three months, a company incorporated under 180 days ago) hold from it. A line that
fails validation is a `RowError` (its line number, its case id when readable, and a message
naming the field) and the other lines still load. Case ids are unique, each labelled case's
id is its case's id, and document paths stay inside the directory: they are resolved to
absolute paths on load, so workers can read them, and made relative again on write.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from caseworker.domain.case import Case
from caseworker.domain.plan import Recommendation
from caseworker.domain.results import CheckStatus
from caseworker.validation import describe_validation_error

__all__ = [
    "DATASET_FILE",
    "Dataset",
    "Expected",
    "LabelledCase",
    "RowError",
    "Split",
    "load_dataset",
    "write_dataset",
]

DATASET_FILE = "dataset.jsonl"

Split = Literal["dev", "holdout"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Expected(_Strict):
    """What the label asserts: the decision, and the statuses of the checks it names."""

    decision: Recommendation
    checks: dict[str, CheckStatus] = Field(
        default_factory=dict, description="Check id -> status; checks left out are not asserted"
    )


class LabelledCase(_Strict):
    """One case with its label and the facts that justify it."""

    id: str = Field(min_length=1)
    family: str = Field(min_length=1, description="The scenario family, e.g. sanctions")
    variant: str | None = Field(default=None, description="The scenario within the family")
    split: Split
    case: Case
    expected: Expected
    facts: list[str] = Field(min_length=1, description="One sentence per fact behind the label")

    @model_validator(mode="after")
    def _same_id(self) -> LabelledCase:
        if self.case.id != self.id:
            raise ValueError(f"case.id '{self.case.id}' differs from id '{self.id}'")
        return self


class _Header(_Strict):
    dataset: str = Field(min_length=1)
    version: str = ""
    seed: int | None = None
    as_of: dt.date | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class Dataset(BaseModel):
    """A named, versioned set of labelled cases whose documents live under `base_dir`."""

    name: str
    version: str = ""
    seed: int | None = None
    as_of: dt.date | None = Field(default=None, description="The date the labels hold at")
    meta: dict[str, Any] = Field(default_factory=dict, description="More header fields")
    cases: list[LabelledCase] = Field(default_factory=list)
    base_dir: Path


@dataclass(frozen=True)
class RowError:
    """A line of `dataset.jsonl` that did not load, and why."""

    line: int
    case_id: str | None
    message: str

    def __str__(self) -> str:
        who = f" ({self.case_id})" if self.case_id else ""
        return f"line {self.line}{who}: {self.message}"


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(p.message for p in describe_validation_error(exc))


def _resolve_documents(case: Case, directory: Path) -> str | None:
    """Make the case's document paths absolute under `directory`; a problem, if any."""
    root = directory.resolve()
    for i, document in enumerate(case.documents):
        if not document.path:
            continue
        path = Path(document.path)
        where = f"field 'case.documents.{i}.path'"
        if path.is_absolute():
            return f"{where}: '{document.path}' must be relative to the dataset directory"
        resolved = (root / path).resolve()
        if not resolved.is_relative_to(root):
            return f"{where}: '{document.path}' leaves the dataset directory"
        if not resolved.is_file():
            return f"{where}: no file '{document.path}' in the dataset directory"
        document.path = str(resolved)
    return None


def _json_object(text: str, number: int) -> dict[str, Any] | RowError:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return RowError(number, None, f"not valid JSON: {exc}")
    if not isinstance(data, dict):
        return RowError(number, None, f"a line must be a JSON object, got {type(data).__name__}")
    return data


def _labelled(data: dict[str, Any], number: int, directory: Path) -> LabelledCase | RowError:
    raw_id = data.get("id")
    case_id = raw_id if isinstance(raw_id, str) and raw_id else None
    try:
        labelled = LabelledCase.model_validate(data)
    except ValidationError as exc:
        return RowError(number, case_id, _validation_message(exc))
    problem = _resolve_documents(labelled.case, directory)
    return RowError(number, case_id, problem) if problem else labelled


def load_dataset(path: Path) -> tuple[Dataset, list[RowError]]:
    """Read a dataset directory (or its `dataset.jsonl`): the cases that load, the rows that fail.

    Raises OSError when the file cannot be read; every problem inside it is a `RowError`.
    """
    file = path / DATASET_FILE if path.is_dir() else path
    directory = file.resolve().parent
    header = _Header(dataset=directory.name)
    cases: list[LabelledCase] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            data = _json_object(line, number)
            if isinstance(data, dict) and number == 1 and "dataset" in data:
                try:
                    header = _Header.model_validate(data)
                except ValidationError as exc:
                    errors.append(RowError(1, None, f"header: {_validation_message(exc)}"))
                continue
            row = data if isinstance(data, RowError) else _labelled(data, number, directory)
            if isinstance(row, RowError):
                errors.append(row)
            elif row.id in seen:
                message = f"duplicate id '{row.id}' (first on line {seen[row.id]})"
                errors.append(RowError(number, row.id, message))
            else:
                seen[row.id] = number
                cases.append(row)
    dataset = Dataset(
        name=header.dataset,
        version=header.version,
        seed=header.seed,
        as_of=header.as_of,
        meta=header.meta,
        cases=cases,
        base_dir=directory,
    )
    return dataset, errors


def _relative_copy(labelled: LabelledCase, base: Path, directory: Path) -> dict[str, Any]:
    """Dump the case with document paths relative to `base`, copying files to `directory`."""
    data = labelled.model_dump(mode="json", exclude_none=True)
    for document in data["case"].get("documents", []):
        if not document.get("path"):
            continue
        source = Path(document["path"])
        source = source if source.is_absolute() else base / source
        try:
            relative = source.resolve().relative_to(base)
        except ValueError as exc:
            raise ValueError(
                f"{labelled.id}: document '{source}' is outside the dataset's base_dir {base}"
            ) from exc
        target = directory / relative
        if target.resolve() != source.resolve():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        document["path"] = relative.as_posix()
    return data


def write_dataset(dataset: Dataset, directory: Path) -> Path:
    """Write the dataset to `directory`: header and cases in `dataset.jsonl`, and its documents.

    Documents are taken from under `dataset.base_dir` and copied when `directory` is another
    place; a document outside `base_dir` is a ValueError. Returns the `dataset.jsonl` path.
    """
    directory.mkdir(parents=True, exist_ok=True)
    base = dataset.base_dir.resolve()
    header = _Header(
        dataset=dataset.name,
        version=dataset.version,
        seed=dataset.seed,
        as_of=dataset.as_of,
        meta=dataset.meta,
    )
    lines = [header.model_dump_json()]
    for labelled in dataset.cases:
        data = _relative_copy(labelled, base, directory)
        lines.append(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    file = directory / DATASET_FILE
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return file
