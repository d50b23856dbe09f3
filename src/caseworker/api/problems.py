"""RFC 9457 problem details: one mapping from caseworker's exceptions to HTTP answers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from caseworker.exceptions import CaseworkerError, RateLimited
from caseworker.logs import get_logger

log = get_logger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://caseworker.dev/problems/"


class FieldError(BaseModel):
    """One invalid field of a request: where (dotted path) and what is wrong."""

    field: str
    message: str


class ProblemDetail(BaseModel):
    """An error answer (RFC 9457), with caseworker's stable `code` and per-field errors."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str
    errors: list[FieldError] = []


def problem(
    request: Request, status: int, code: str, detail: str, *,
    errors: list[FieldError] | None = None, headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build a problem+json response for `request`."""
    body = ProblemDetail(
        type=TYPE_BASE + code, title=code.replace("_", " ").capitalize(), status=status,
        detail=detail, instance=request.url.path, code=code, errors=errors or [],
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        media_type=MEDIA_TYPE, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def caseworker_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CaseworkerError)
    errors = [FieldError(field=p.check_id or p.file or "", message=p.message)
              for p in exc.problems]
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if exc.status >= 500:
        log.error("request failed path=%s code=%s error=%s", request.url.path, exc.code, exc)
    return problem(request, exc.status, exc.code, exc.message, errors=errors, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [FieldError(field=_field(e["loc"]), message=e["msg"]) for e in exc.errors()]
    fields = ", ".join(e.field for e in errors[:5])
    return problem(request, 422, "request_invalid", f"the request is invalid: {fields}",
                   errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
        exc.status_code, "http_error")
    return problem(request, exc.status_code, code, str(exc.detail),
                   headers=dict(exc.headers) if exc.headers else None)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error path=%s", request.url.path)
    return problem(request, 500, "internal_error",
                   f"an unexpected error occurred ({type(exc).__name__}); it has been logged")


def install(app: FastAPI) -> None:
    """Answer every error of `app` as application/problem+json."""
    app.add_exception_handler(CaseworkerError, caseworker_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
