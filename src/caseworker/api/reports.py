"""The report route: one job's report as JSON, Markdown, HTML or PDF (negotiated or `?format=`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from caseworker.agents.report import build_report, render_markdown
from caseworker.agents.report_html import render_html
from caseworker.agents.report_pdf import render_pdf
from caseworker.api.deps import Reader, ServiceDep, tenant_job
from caseworker.exceptions import ServiceError

router = APIRouter(prefix="/v1", tags=["reports"])
Format = Literal["json", "md", "html", "pdf"]
MEDIA: dict[Format, str] = {
    "json": "application/json", "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8", "pdf": "application/pdf",
}
_ACCEPTED: dict[str, Format] = {
    "application/json": "json", "text/markdown": "md", "text/html": "html",
    "application/pdf": "pdf", "*/*": "json", "application/*": "json", "text/*": "md",
}


class NotAcceptable(ServiceError):
    """No representation the client accepts."""

    code = "not_acceptable"
    status = 406


def negotiate(accept: str | None) -> Format:
    """Pick the format from an Accept header, by q-value then order; JSON when absent."""
    if not accept:
        return "json"
    choices: list[tuple[float, int, Format]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media.lower() in _ACCEPTED and quality > 0:
            choices.append((-quality, position, _ACCEPTED[media.lower()]))
    if not choices:
        raise NotAcceptable(f"no report format matches Accept: {accept}; offered: "
                            "application/json, text/markdown, text/html, application/pdf")
    return min(choices)[2]


@router.get(
    "/jobs/{job_id}/report",
    responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()},
                     "description": "The report; every format pins what produced it"}},
)
def get_report(
    job_id: str, svc: ServiceDep, key: Reader,
    format: Annotated[Format | None, Query(description="Overrides the Accept header")] = None,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Get a job's report: decision, every check's evidence, the audit head and provenance."""
    job = tenant_job(svc, key, job_id)
    chosen = format or negotiate(accept)
    report = build_report(svc.conn, job.id)
    filename = f"{job.case_id}-{job.id[:8]}.{chosen}"
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "Vary": "Accept"}
    if chosen == "json":
        return JSONResponse(report, headers=headers)
    if chosen == "md":
        return Response(render_markdown(report), media_type=MEDIA["md"], headers=headers)
    if chosen == "html":
        return Response(render_html(report), media_type=MEDIA["html"], headers=headers)
    return Response(render_pdf(report), media_type=MEDIA["pdf"], headers=headers)
