"""Reports: a job's decision, provenance and each check's result and evidence (JSON, Markdown)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import redis

from caseworker.agents.narrative import evidence_index
from caseworker.domain.results import CheckResult
from caseworker.runtime import audit, scratchpad
from caseworker.runtime.store import JobStore
from caseworker.sop.agent import AgentDefinition

SCREENING_TOOLS = "screening."


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
        "provenance": provenance(conn, job_id, definition),
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


def provenance(conn: redis.Redis, job_id: str, definition: AgentDefinition) -> dict[str, Any]:
    """Pin what produced the job: SOP and spec (hashes of their bytes), models, lists, release.

    A hash is None for a job stored before hashes were pinned.
    """
    plan, spec = definition.plan, definition.spec
    return {
        "sop": {
            "title": plan.title, "version": plan.version,
            "sha256": plan.sop_sha256 or None, "source": plan.source,
        },
        "agent": {
            "name": spec.name, "sha256": definition.spec_sha256 or None,
            "spec": spec.model_dump(mode="json"),
        },
        "models": [entry.label for entry in spec.model],
        "lists": list_pins(conn, job_id),
        "caseworker": _caseworker_version(),
    }


def list_pins(conn: redis.Redis, job_id: str) -> list[dict[str, Any]]:
    """List the screening lists the job's tool calls quoted, from its audit trail.

    Each screening output carries `list_dates` (source -> list date); the tool records no
    snapshot id, so a pin is the source and its list date, with the checks that used it.
    """
    pins: dict[tuple[str, str | None], set[str]] = {}
    for record in _tool_calls(conn, job_id):
        tool, output = record.payload.get("tool"), record.payload.get("output")
        if not (isinstance(tool, str) and tool.startswith(SCREENING_TOOLS)
                and isinstance(output, dict) and isinstance(output.get("list_dates"), dict)):
            continue
        for source, date in output["list_dates"].items():
            pins.setdefault((str(source), date), set()).add(record.check_id or "")
    return [
        {"source": source, "list_date": date, "checks": sorted(checks - {""})}
        for (source, date), checks in sorted(pins.items(), key=lambda item: str(item[0]))
    ]


def _tool_calls(conn: redis.Redis, job_id: str) -> list[audit.AuditRecord]:
    try:
        records = audit.records(conn, job_id)
    except ValueError:  # an unreadable record: the report's audit block says BROKEN
        return []
    return [r for r in records if r.kind == "tool.call"]


def _caseworker_version() -> str | None:
    try:
        return version("caseworker")
    except PackageNotFoundError:
        return None


def format_cost(value: float | None) -> str:
    """Dollars to four places, or why the cost is unknown."""
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


def _pin(value: str | None) -> str:
    return f"`{value}`" if value else "not recorded"


def _list_pin(pin: dict[str, Any]) -> str:
    checks = ", ".join(pin["checks"]) or "—"
    return f"{pin['source']} (list date {pin['list_date'] or 'undated'}; checks: {checks})"


def provenance_lines(pins: dict[str, Any]) -> list[str]:
    """Render the provenance block as Markdown list items."""
    sop, agent = pins["sop"], pins["agent"]
    lists = "; ".join(_list_pin(p) for p in pins["lists"]) or "none (the job screened no list)"
    return [
        f"- SOP: {sop['title']} · version {_pin(sop['version'])} · sha256 {_pin(sop['sha256'])}",
        f"- Agent spec: `{agent['name']}` · sha256 {_pin(agent['sha256'])}",
        f"- Model chain: {' → '.join(pins['models'])}",
        f"- Sanctions lists: {lists}",
        f"- caseworker: {_pin(pins['caseworker'])}",
    ]


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
        f"Cost: {format_cost(report['usage']['cost_usd'])}",
        f"- Audit trail: {trail['records']} records, "
        f"{'verified' if trail['ok'] else 'BROKEN'}, head `{trail['head_hash']}`",
        "",
        "## Provenance",
        "",
        *provenance_lines(report["provenance"]),
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
