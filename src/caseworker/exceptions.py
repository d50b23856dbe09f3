"""The one exception hierarchy: authoring mistakes, runtime failures and control-flow signals."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located authoring problem: which file, line and check it concerns, and what is wrong."""

    message: str
    file: str | None = None
    line: int | None = None
    check_id: str | None = None

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        check = f" [check {self.check_id}]" if self.check_id else ""
        return f"{where}{check}: {self.message}" if where or check else self.message


class CaseworkerError(Exception):
    """Root of every error caseworker raises on purpose.

    `code` is stable and machine-readable, `status` is the HTTP status the API answers with,
    and `retryable` tells the runtime whether trying again may succeed.
    """

    code = "caseworker_error"
    status = 500
    retryable = False

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *(f"  - {p}" for p in self.problems)])


# --- authoring mistakes: the input is wrong, trying again will not help -----------------


class AuthoringError(CaseworkerError):
    """Something a person wrote (case, SOP, spec) is invalid."""

    code = "invalid_input"
    status = 422


class CaseInvalid(AuthoringError):
    """The case JSON does not match the case schema."""

    code = "case_invalid"


class SOPInvalid(AuthoringError):
    """The SOP Markdown cannot be turned into a valid plan."""

    code = "sop_invalid"


class SpecInvalid(AuthoringError):
    """The agent spec YAML is invalid."""

    code = "spec_invalid"


class RuleInvalid(AuthoringError):
    """A CEL rule or decision-policy expression does not compile."""

    code = "rule_invalid"


class ConfigurationError(CaseworkerError):
    """The installation or settings cannot do what was asked (missing extra, bad URL)."""

    code = "configuration_error"
    status = 500


# --- runtime failures -------------------------------------------------------------------


class RuntimeFailure(CaseworkerError):
    """Something failed while running a job."""

    code = "runtime_failure"


class JobNotFound(RuntimeFailure):
    """No job with that id exists."""

    code = "job_not_found"
    status = 404


class JobFailed(RuntimeFailure):
    """A job ended failed, or did not finish in the time allowed."""

    code = "job_failed"


class MemoryAccessDenied(RuntimeFailure):
    """A check read a memory key it did not declare in `reads`."""

    code = "memory_access_denied"
    status = 403


class ToolNotFound(RuntimeFailure):
    """A tool name is not in the registry."""

    code = "tool_not_found"
    status = 404


class ToolNotAllowed(RuntimeFailure):
    """A tool was called that is outside the check's allowlist."""

    code = "tool_not_allowed"
    status = 403


class ToolInputInvalid(RuntimeFailure):
    """Tool arguments failed validation; a model can correct them and try again."""

    code = "tool_input_invalid"
    status = 422


class ToolUnavailable(RuntimeFailure):
    """A tool's backing service or data is unavailable; retry, then degrade to review."""

    code = "tool_unavailable"
    status = 503
    retryable = True


class ModelUnavailable(RuntimeFailure):
    """A model provider cannot be reached or refused the request; fail over."""

    code = "model_unavailable"
    status = 503
    retryable = True


class ModelOutputInvalid(RuntimeFailure):
    """A model's output stayed invalid after self-correction."""

    code = "model_output_invalid"
    status = 502


class RuleEvaluationError(RuntimeFailure):
    """A valid rule could not be evaluated on the tool outputs (missing field, wrong type)."""

    code = "rule_evaluation_error"


class BudgetExceeded(RuntimeFailure):
    """A token, cost or step budget was exhausted."""

    code = "budget_exceeded"
    status = 429


class CheckTimeout(RuntimeFailure):
    """A check ran longer than its time limit."""

    code = "check_timeout"
    status = 504
    retryable = True


class JobCancelled(RuntimeFailure):
    """The job was cancelled: the check stops at its next step and writes nothing."""

    code = "job_cancelled"
    status = 409


# --- service: what an API caller did wrong, answered as RFC 9457 problems -----------------


class ServiceError(CaseworkerError):
    """A request the service refuses; `status` is the HTTP status it answers with."""

    code = "bad_request"
    status = 400


class NotFound(ServiceError):
    """No such resource (or it belongs to another tenant: the answer is the same)."""

    code = "not_found"
    status = 404


class Unauthorized(ServiceError):
    """No API key, or an unknown or revoked one."""

    code = "unauthorized"
    status = 401


class Forbidden(ServiceError):
    """The API key lacks the role the route needs."""

    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    """The resource is in a state that does not allow the action (cancel a finished job)."""

    code = "conflict"
    status = 409


class IdempotencyKeyReused(ServiceError):
    """An Idempotency-Key sent again with another request body."""

    code = "idempotency_key_reused"
    status = 422


class PayloadTooLarge(ServiceError):
    """A request body or upload over the configured limit."""

    code = "payload_too_large"
    status = 413


class RateLimited(ServiceError):
    """Too many requests for one API key in the current window."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
