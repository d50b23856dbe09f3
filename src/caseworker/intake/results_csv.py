"""The batch results CSV: one line per batch row, in order, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from caseworker.domain.job import Job, JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.intake.batch import RowError

#: The columns of the results CSV, in order.
RESULT_COLUMNS = ("row", "case_id", "status", "job_id", "recommendation", "decision_reason",
                  "error")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class BatchResultRow(BaseModel):
    """One batch row's outcome: its job (status, recommendation), or `error` for a row error."""

    row: int = Field(description="The batch row number, as in `RowError.row`")
    case_id: str | None = None
    status: JobStatus | Literal["error"]
    job_id: str | None = None
    recommendation: Recommendation | None = None
    decision_reason: str | None = None
    error: str | None = None

    @classmethod
    def for_row_error(cls, error: RowError) -> BatchResultRow:
        """Return the result of a row that is not a valid case: its problems in one cell."""
        text = "; ".join(f"{p.field}: {p.message}" for p in error.errors)
        return cls(row=error.row, case_id=error.case_id, status="error", error=text)

    @classmethod
    def for_job(cls, row: int, job: Job) -> BatchResultRow:
        """Return the result of the row that `job` runs, as the job stands."""
        return cls(row=row, case_id=job.case_id, status=job.status, job_id=job.id,
                   recommendation=job.recommendation, decision_reason=job.decision_reason,
                   error=job.error)


def results_csv(rows: Iterable[BatchResultRow]) -> str:
    """Write the results CSV: a header, then one line per row in the order given.

    Text that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, a tab or a
    carriage return) is written with a leading `'`, so it shows as text.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    for result in rows:
        writer.writerow([_cell(getattr(result, name)) for name in RESULT_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text
