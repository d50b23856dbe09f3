"""Batch routes: a CSV or JSONL upload becomes one job per valid row and one error per bad row."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, UploadFile
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from caseworker.agents.coordinator import submit
from caseworker.api import idempotency
from caseworker.api.context import Service
from caseworker.api.credentials import ApiKey
from caseworker.api.deps import Reader, ServiceDep, Submitter
from caseworker.api.intake_guard import path_problems
from caseworker.domain.job import JobStatus
from caseworker.exceptions import NotFound, PayloadTooLarge
from caseworker.intake.batch import ParsedRow, RowError, batch_format, parse_batch
from caseworker.intake.problems import FieldProblem
from caseworker.intake.results_csv import BatchResultRow, results_csv
from caseworker.runtime import keys
from caseworker.runtime.connection import as_text
from caseworker.runtime.store import JobStore

router = APIRouter(prefix="/v1", tags=["batches"])


class BatchRow(BaseModel):
    """One input row: the job it started, or why it could not start one."""

    row: int
    line: int
    case_id: str | None
    job_id: str | None = None
    status: JobStatus | None = Field(default=None, description="The job's status, now")
    errors: list[FieldProblem] = Field(default_factory=list)


class BatchView(BaseModel):
    batch_id: str
    agent: str
    filename: str | None
    format: str
    created_at: dt.datetime
    rows: int
    jobs: int
    row_errors: int
    job_status: dict[str, int] = Field(default_factory=dict,
                                       description="Jobs per status (on GET only)")
    recommendations: dict[str, int] = Field(default_factory=dict)
    links: dict[str, str]


class BatchRowsPage(BaseModel):
    items: list[BatchRow]
    next_offset: int | None


def _links(batch_id: str) -> dict[str, str]:
    base = f"/v1/batches/{batch_id}"
    return {"self": base, "rows": f"{base}/rows", "results": f"{base}/results.csv"}


async def _read_upload(upload: UploadFile, limit: int) -> bytes:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the upload is larger than the limit of {limit} bytes")
    return data


def _create(svc: Service, key: ApiKey, agent: str, data: bytes, *, filename: str | None,
            content_type: str | None) -> dict[str, Any]:
    """Parse the file, start a job per valid row and store every row's outcome, in order."""
    definition = svc.catalog.definition(agent)
    fmt = batch_format(filename, content_type)
    parsed = parse_batch(data, format=fmt, max_rows=svc.settings.max_batch_rows)
    batch_id = uuid.uuid4().hex
    entries: list[BatchRow] = []
    for entry in parsed.rows:
        if isinstance(entry, RowError):
            entries.append(BatchRow(row=entry.row, line=entry.line, case_id=entry.case_id,
                                    errors=entry.errors))
            continue
        entries.append(_start_row(svc, key, definition, entry, batch_id))
    created = dt.datetime.now(dt.UTC)
    jobs = sum(1 for e in entries if e.job_id)
    view = BatchView(batch_id=batch_id, agent=agent, filename=filename, format=fmt,
                     created_at=created, rows=len(entries), jobs=jobs,
                     row_errors=len(entries) - jobs, links=_links(batch_id))
    pipe = svc.conn.pipeline(transaction=True)
    pipe.hset(keys.batch(batch_id), mapping={
        "tenant": key.tenant, "view": view.model_dump_json(),
    })
    if entries:
        pipe.rpush(keys.batch_rows(batch_id), *(e.model_dump_json() for e in entries))
    pipe.zadd(keys.tenant_batches(key.tenant), {batch_id: created.timestamp()})
    pipe.execute()
    return view.model_dump(mode="json")


def _start_row(svc: Service, key: ApiKey, definition: Any, entry: ParsedRow,
               batch_id: str) -> BatchRow:
    if refused := path_problems(entry.case, svc.settings):
        errors = [FieldProblem(field=p.check_id or "", message=p.message) for p in refused]
        return BatchRow(row=entry.row, line=entry.line, case_id=entry.case.id, errors=errors)
    metadata = {**entry.case.metadata, "batch_id": batch_id, "batch_row": str(entry.row)}
    try:
        job_id = submit(svc.conn, definition, entry.case, tenant=key.tenant, metadata=metadata)
    except Exception as exc:  # one row that cannot start never costs the rest of the batch
        problem = FieldProblem(field="(row)", message=f"could not start a job: {exc}")
        return BatchRow(row=entry.row, line=entry.line, case_id=entry.case.id, errors=[problem])
    return BatchRow(row=entry.row, line=entry.line, case_id=entry.case.id, job_id=job_id)


@router.post("/batches", status_code=202, response_model=BatchView)
async def create_batch(
    svc: ServiceDep, key: Submitter,
    file: Annotated[UploadFile, File(description="CSV (see docs/batch.md) or JSONL of cases")],
    agent: Annotated[str, Form(min_length=1)],
    idem: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> BatchView:
    """Start one job per row of a CSV or JSONL file; bad rows become row errors, never aborts."""
    data = await _read_upload(file, svc.settings.max_upload_bytes)

    def create() -> dict[str, Any]:
        return _create(svc, key, agent, data, filename=file.filename,
                       content_type=file.content_type)

    if idem is None:
        answer = await asyncio.to_thread(create)
    else:
        print_ = idempotency.fingerprint(
            "batch", {"agent": agent, "sha256": hashlib.sha256(data).hexdigest()})
        answer = await asyncio.to_thread(
            idempotency.once, svc.conn, tenant=key.tenant, key=idem, print_=print_,
            ttl=svc.settings.idempotency_ttl, create=create)
    return BatchView.model_validate(answer)


def _batch(svc: Service, key: ApiKey, batch_id: str) -> BatchView:
    tenant, view = svc.conn.hmget(keys.batch(batch_id), ["tenant", "view"])
    if tenant is None or view is None or as_text(tenant) != key.tenant:
        raise NotFound(f"no batch '{batch_id}'")
    return BatchView.model_validate_json(view)


def _rows(svc: Service, batch_id: str, start: int = 0, stop: int = -1) -> list[BatchRow]:
    raw = svc.conn.lrange(keys.batch_rows(batch_id), start, stop)
    rows = [BatchRow.model_validate_json(r) for r in raw]
    pipe = svc.conn.pipeline(transaction=False)
    with_jobs = [r for r in rows if r.job_id]
    for row in with_jobs:
        pipe.hget(keys.job(str(row.job_id)), "status")
    for row, status in zip(with_jobs, pipe.execute(), strict=True):
        row.status = JobStatus(as_text(status)) if status else None
    return rows


@router.get("/batches/{batch_id}", response_model=BatchView)
def get_batch(batch_id: str, svc: ServiceDep, key: Reader) -> BatchView:
    """Get a batch's counts: rows, jobs started, row errors, jobs per status and decision."""
    view = _batch(svc, key, batch_id)
    rows = _rows(svc, batch_id)
    pipe = svc.conn.pipeline(transaction=False)
    for row in rows:
        if row.job_id:
            pipe.hget(keys.job(row.job_id), "recommendation")
    recommendations = Counter(as_text(r) for r in pipe.execute() if r)
    view.job_status = dict(Counter(r.status.value for r in rows if r.status))
    view.recommendations = dict(recommendations)
    return view


@router.get("/batches/{batch_id}/rows", response_model=BatchRowsPage)
def batch_rows(
    batch_id: str, svc: ServiceDep, key: Reader,
    offset: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> BatchRowsPage:
    """List a batch's rows in input order: each row's job and status, or its errors."""
    view = _batch(svc, key, batch_id)
    rows = _rows(svc, batch_id, offset, offset + limit - 1)
    following = offset + len(rows)
    return BatchRowsPage(items=rows, next_offset=following if following < view.rows else None)


@router.get("/batches/{batch_id}/results.csv", response_class=PlainTextResponse,
            responses={200: {"content": {"text/csv": {}}}})
def batch_results(batch_id: str, svc: ServiceDep, key: Reader) -> PlainTextResponse:
    """Export a batch's results as CSV: one line per input row, in order."""
    _batch(svc, key, batch_id)
    store = JobStore(svc.conn)
    results: list[BatchResultRow] = []
    for row in _rows(svc, batch_id):
        if row.job_id:
            results.append(BatchResultRow.for_job(row.row, store.get(row.job_id,
                                                                     with_results=False)))
        else:
            error = RowError(row=row.row, line=row.line, case_id=row.case_id, errors=row.errors)
            results.append(BatchResultRow.for_row_error(error))
    return PlainTextResponse(
        results_csv(results), media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'})


@router.get("/batches", response_model=list[BatchView])
def list_batches(
    svc: ServiceDep, key: Reader, limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[BatchView]:
    """List the tenant's batches, newest first."""
    found: list[bytes] = svc.conn.zrevrange(  # type: ignore[assignment]
        keys.tenant_batches(key.tenant), 0, limit - 1)
    ids = [as_text(b) for b in found]
    pipe = svc.conn.pipeline(transaction=False)
    for batch_id in ids:
        pipe.hget(keys.batch(batch_id), "view")
    return [BatchView.model_validate_json(v) for v in pipe.execute() if v]
