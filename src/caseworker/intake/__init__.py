"""Batch intake: CSV and JSONL uploads read into cases row by row, and the results CSV."""

from caseworker.intake.batch import (
    BatchFormat,
    BatchParse,
    ParsedRow,
    RowError,
    batch_format,
    parse_batch,
)
from caseworker.intake.problems import WHOLE_ROW, BatchInvalid, FieldProblem
from caseworker.intake.results_csv import BatchResultRow, results_csv

__all__ = [
    "WHOLE_ROW",
    "BatchFormat",
    "BatchInvalid",
    "BatchParse",
    "BatchResultRow",
    "FieldProblem",
    "ParsedRow",
    "RowError",
    "batch_format",
    "parse_batch",
    "results_csv",
]
