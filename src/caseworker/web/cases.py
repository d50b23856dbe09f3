"""The case list: a tenant's jobs as rows, filtered, searched, counted, sorted and paged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

import redis
from pydantic import BaseModel, Field

from caseworker.domain.job import JobStatus
from caseworker.runtime import keys
from caseworker.runtime.connection import as_text

MAX_ROWS = 5_000  # newest jobs a list looks at; past it, the page says so
FIELDS = ["case_id", "subject", "agent", "status", "recommendation", "created_at",
          "review_state", "reviewers", "approvers"]
OPEN_REVIEW = ("awaiting_review", "awaiting_second_approval", "info_requested")
EXPORT_FIELDS = ["job_id", "case_id", "subject", "agent", "status", "recommendation",
                 "created_at", "review_state", "reviewers"]
# A cell a spreadsheet would run as a formula (OWASP's CSV injection list) is quoted as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Sort = Literal["created", "case", "subject", "status", "recommendation", "review"]


@dataclass(frozen=True)
class CaseRow:
    job_id: str
    case_id: str
    subject: str
    agent: str
    status: str
    recommendation: str | None
    created_at: dt.datetime
    review_state: str | None
    reviewers: tuple[str, ...]
    approvers: tuple[str, ...]

    def needs_review_by(self, reviewer: str) -> bool:
        """Say whether the rules sent the job to a person, it is open, and `reviewer` may act."""
        return (self.recommendation in ("review", "reject")
                and self.review_state in OPEN_REVIEW and reviewer not in self.approvers)

    def export(self) -> dict[str, str]:
        return {
            "job_id": self.job_id, "case_id": self.case_id, "subject": self.subject,
            "agent": self.agent, "status": self.status,
            "recommendation": self.recommendation or "", "created_at": self.created_at.isoformat(),
            "review_state": self.review_state or "", "reviewers": "; ".join(self.reviewers),
        }


class CaseQuery(BaseModel):
    """What the list shows: filters, search, order and page (the page's query string)."""

    status: JobStatus | None = None
    recommendation: Literal["approve", "review", "reject"] | None = None
    agent: str | None = Field(default=None, max_length=100)
    since: dt.date | None = None
    until: dt.date | None = None
    reviewer: str | None = Field(default=None, max_length=200)
    mine: bool = False
    q: str = Field(default="", max_length=200)
    sort: Sort = "created"
    order: Literal["asc", "desc"] = "desc"
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=25, ge=5, le=200)

    def link(self, **changes: Any) -> str:
        """Return the query string with `changes`, leaving out what is unset."""
        values = self.model_copy(update=changes).model_dump(mode="json")
        defaults = CaseQuery().model_dump(mode="json")
        return urlencode({k: ("true" if v is True else v) for k, v in values.items()
                          if v not in (None, "", False) and (v != defaults[k] or k == "page")})


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int  # rows matching every filter
    counts: dict[str, int]  # per status, over rows matching every filter but the status
    page: int
    pages: int
    scanned: int
    truncated: bool  # the tenant has more jobs than one list looks at
    agents: list[str]
    reviewers: list[str]


def load_rows(conn: redis.Redis, tenant: str, limit: int = MAX_ROWS) -> tuple[list[CaseRow], bool]:
    """Return the tenant's newest `limit` jobs as rows, and whether older ones were left."""
    ids = [as_text(i) for i in conn.zrevrange(keys.tenant_jobs(tenant), 0, limit)]  # type: ignore[arg-type]
    truncated = len(ids) > limit
    ids = ids[:limit]
    pipe = conn.pipeline(transaction=False)
    for job_id in ids:
        pipe.hmget(keys.job(job_id), FIELDS)
    rows = []
    for job_id, values in zip(ids, pipe.execute(), strict=True):
        f = dict(zip(FIELDS, (as_text(v) if v is not None else None for v in values),
                     strict=True))
        if f["created_at"] is None or f["status"] is None:
            continue  # deleted while we read
        state = f["review_state"] or ("awaiting_review" if f["status"] == "complete" else None)
        rows.append(CaseRow(
            job_id=job_id, case_id=f["case_id"] or "", subject=f["subject"] or "",
            agent=f["agent"] or "", status=f["status"], recommendation=f["recommendation"],
            created_at=dt.datetime.fromisoformat(f["created_at"]), review_state=state,
            reviewers=tuple(json.loads(f["reviewers"] or "[]")),
            approvers=tuple(json.loads(f["approvers"] or "[]")),
        ))
    return rows, truncated


def _matches(row: CaseRow, query: CaseQuery, me: str, *, with_status: bool) -> bool:
    day = row.created_at.date()
    needle = query.q.strip().casefold()
    return all((
        not with_status or query.status is None or row.status == query.status.value,
        query.recommendation is None or row.recommendation == query.recommendation,
        not query.agent or row.agent == query.agent,
        query.since is None or day >= query.since,
        query.until is None or day <= query.until,
        not query.reviewer or query.reviewer in row.reviewers,
        not query.mine or row.needs_review_by(me),
        not needle or needle in row.case_id.casefold() or needle in row.subject.casefold()
        or row.job_id.startswith(needle),
    ))


def _sort_key(sort: Sort) -> object:
    keys_by: dict[str, object] = {
        "created": lambda r: r.created_at,
        "case": lambda r: r.case_id.casefold(),
        "subject": lambda r: r.subject.casefold(),
        "status": lambda r: r.status,
        "recommendation": lambda r: r.recommendation or "",
        "review": lambda r: r.review_state or "",
    }
    return keys_by[sort]


def query_cases(conn: redis.Redis, tenant: str, query: CaseQuery, me: str) -> CasePage:
    """Answer one view of the case list for reviewer `me`."""
    rows, truncated = load_rows(conn, tenant)
    unfiltered_status = [r for r in rows if _matches(r, query, me, with_status=False)]
    counts = {s.value: 0 for s in JobStatus}
    for row in unfiltered_status:
        counts[row.status] = counts.get(row.status, 0) + 1
    matched = [r for r in unfiltered_status
               if query.status is None or r.status == query.status.value]
    matched.sort(key=_sort_key(query.sort), reverse=query.order == "desc")  # type: ignore[arg-type]
    pages = max(1, -(-len(matched) // query.per_page))
    page = min(query.page, pages)
    start = (page - 1) * query.per_page
    return CasePage(
        rows=matched[start:start + query.per_page], total=len(matched), counts=counts,
        page=page, pages=pages, scanned=len(rows), truncated=truncated,
        agents=sorted({r.agent for r in rows}),
        reviewers=sorted({name for r in rows for name in r.reviewers}),
    )


def export_rows(
    conn: redis.Redis, tenant: str, query: CaseQuery, me: str,
    fmt: Literal["csv", "jsonl"],
) -> str:
    """Every row the query matches (all pages), as CSV or JSON Lines."""
    rows, _ = load_rows(conn, tenant)
    matched = [r for r in rows if _matches(r, query, me, with_status=True)]
    matched.sort(key=_sort_key(query.sort), reverse=query.order == "desc")  # type: ignore[arg-type]
    if fmt == "jsonl":
        return "".join(json.dumps(r.export()) + "\n" for r in matched)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in matched:
        writer.writerow({k: _cell(v) for k, v in row.export().items()})
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value
