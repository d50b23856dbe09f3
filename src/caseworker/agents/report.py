"""Reports: a job's decision and each check's result, evidence and scratchpad (JSON or Markdown)."""

from __future__ import annotations

from typing import Any

import redis

from caseworker.agents.narrative import evidence_index
from caseworker.domain.results import CheckResult
from caseworker.runtime import audit, scratchpad
from caseworker.runtime.store import JobStore


def build_report(conn: redis.Redis, job_id: str) -> dict[str, Any]:
    """Build the full report of a finished (or running) job as JSON-ready data."""
    store = JobStore(conn)
    job = store.get(job_id)
    definition = store.definition(job_id)
    case = store.case(job_id)
    checks = []
    for check in definition.plan.checks:
        result = job.results.get(check.id)
        checks.append({
            "check_id": check.id,
            "title": check.title,
            "severity": check.severity.value,
            "after": list(check.after),
            "result": result.model_dump(mode="json") if result else None,
            "scratchpad": scratchpad.read(conn, job_id, check.id),
        })
    return {
        "job_id": job.id,
        "agent": job.agent,
        "sop": definition.plan.title,
        "case_id": case.id,
        "subject": case.subject.legal_name,
        "status": job.status.value,
        "recommendation": job.recommendation.value if job.recommendation else None,
        "decision_reason": job.decision_reason,
        "summary": job.summary,
        "summary_by": job.summary_by,
        "evidence_index": {
            label: cited.evidence.id
            for label, cited in evidence_index(definition.plan, job.results).items()
        },
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "models": sorted({r.model for r in job.results.values() if r.model}),
        "usage": store.usage(job_id).model_dump(),
        "audit": audit.verify(conn, job_id).model_dump(),
        "checks": checks,
    }


def _cost(value: float | None) -> str:
    return "unknown (no price for a model)" if value is None else f"${value:.4f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _check_section(entry: dict[str, Any], labels: dict[str, str]) -> list[str]:
    lines = [f"### {entry['check_id']} — {entry['title']}", ""]
    if entry["result"] is None:
        return [*lines, "_No result._", ""]
    result = CheckResult.model_validate(entry["result"])
    lines += [
        f"**Status:** {result.status.value} · **Severity:** {result.severity.value} · "
        f"**Model:** {result.model or '—'} · **Attempts:** {result.attempts}",
        "",
        result.answer,
        "",
    ]
    if result.explanation:
        lines += [result.explanation, ""]
    if result.rule_outcome:
        outcome = result.rule_outcome
        detail = outcome.matched or outcome.error or "no condition matched"
        lines += [f"Rule outcome: **{outcome.status.value}** ({_cell(detail)})", ""]
    for alert in result.alerts:
        lines.append(f"> **{alert.level.value.upper()} {alert.code}:** {alert.message}")
    if result.alerts:
        lines.append("")
    if result.audit_records:
        lines += [f"Audit records: {', '.join(str(s) for s in result.audit_records)} "
                  f"(verdict: {result.audit_records[-1]})", ""]
    if result.evidence:
        lines += ["| Ref | Evidence | Source | Value |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {labels.get(e.id, '')} | {e.id} | {_cell(e.source)} | {_cell(e.quote)[:300]} |"
            for e in result.evidence
        ]
        lines.append("")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """Render a report a compliance analyst can read top to bottom."""
    recommendation = (report["recommendation"] or "none").upper()
    trail = report["audit"]
    lines = [
        f"# {report['sop']}: {report['subject']}",
        "",
        f"**Recommendation: {recommendation}** — {report['decision_reason'] or ''}",
        "",
        f"- Case: `{report['case_id']}` · Job: `{report['job_id']}` · Agent: `{report['agent']}`",
        f"- Status: {report['status']} · Started: {report['started_at']} · "
        f"Finished: {report['finished_at']}",
        f"- Models: {', '.join(report['models']) or '—'} · Tokens: "
        f"{report['usage']['input_tokens']} in, {report['usage']['output_tokens']} out · "
        f"Cost: {_cost(report['usage']['cost_usd'])}",
        f"- Audit trail: {trail['records']} records, "
        f"{'verified' if trail['ok'] else 'BROKEN'}, head `{trail['head_hash']}`",
        "",
        "## Summary",
        "",
        *(report["summary"] or "").splitlines(),
        "",
        f"_Written by: {report['summary_by'] or '—'}_",
        "",
        "| Check | Severity | Status | Answer |",
        "| --- | --- | --- | --- |",
    ]
    for entry in report["checks"]:
        result = entry["result"] or {}
        lines.append(
            f"| {entry['check_id']} | {entry['severity']} | {result.get('status', '—')} | "
            f"{_cell(result.get('answer', ''))} |"
        )
    lines += ["", "## Checks", ""]
    labels = {evidence_id: label for label, evidence_id in report["evidence_index"].items()}
    for entry in report["checks"]:
        lines += _check_section(entry, labels)
    return "\n".join(lines).rstrip() + "\n"
