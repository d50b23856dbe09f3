"""The batch results CSV: one line per row in order, with formula cells defused."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from caseworker.domain.job import Job, JobStatus
from caseworker.domain.plan import Recommendation
from caseworker.intake import BatchResultRow, FieldProblem, RowError, results_csv


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_one_line_per_row_in_order() -> None:
    job = Job(id="job-1", agent="kyb", case_id="acme-1", status=JobStatus.complete,
              created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
              recommendation=Recommendation.review, decision_reason="high-risk country")
    error = RowError(row=2, line=3, case_id="acme-2", errors=[
        FieldProblem(field="mcc", message="'12a': expected four digits"),
        FieldProblem(field="case_id", message="duplicate case id 'acme-2': row 1 has it already"),
    ])
    rows = [BatchResultRow.for_job(1, job), BatchResultRow.for_row_error(error),
            BatchResultRow(row=3, case_id="acme-3", status=JobStatus.queued, job_id="job-3")]

    assert read(results_csv(rows)) == [
        ["row", "case_id", "status", "job_id", "recommendation", "decision_reason", "error"],
        ["1", "acme-1", "complete", "job-1", "review", "high-risk country", ""],
        ["2", "acme-2", "error", "", "", "",
         "mcc: '12a': expected four digits; case_id: duplicate case id 'acme-2': "
         "row 1 has it already"],
        ["3", "acme-3", "queued", "job-3", "", "", ""],
    ]


@pytest.mark.parametrize("payload", [
    "=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
])
def test_formula_cells_are_escaped(payload: str) -> None:
    row = BatchResultRow(row=1, case_id=payload, status="error", error=payload)
    [_, line] = read(results_csv([row]))
    assert line[1] == line[6] == f"'{payload}"


def test_ordinary_cells_are_left_alone() -> None:
    row = BatchResultRow(row=1, case_id="a=b", status="error", error="it's 50% - fine")
    [_, line] = read(results_csv([row]))
    assert (line[1], line[6]) == ("a=b", "it's 50% - fine")
