"""HTML reports: one self-contained, printable document from a report, every value escaped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from caseworker.agents.report import format_cost
from caseworker.domain.results import CheckResult, Evidence

TEMPLATE = "report.html.j2"
STEP_DETAIL_CHARS = 300  # an observation can hold a whole tool output (the JSON has it)
_STEP_TEXT_KEYS = ("text", "message", "code")

_env = Environment(
    loader=PackageLoader("caseworker.agents", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Cited:
    label: str
    evidence: Evidence


@dataclass(frozen=True)
class Step:
    kind: str
    tool: str | None
    detail: str


@dataclass(frozen=True)
class CheckView:
    id: str
    title: str
    severity: str
    after: list[str]
    result: CheckResult | None
    evidence: list[Cited]
    steps: list[Step]


def render_html(report: dict[str, Any]) -> str:
    """Render a report (from `build_report`) as one HTML5 document: inline CSS, no scripts."""
    return _env.get_template(TEMPLATE).render(report=report, checks=check_views(report),
                                              cost=format_cost)


def check_views(report: dict[str, Any]) -> list[CheckView]:
    """Each check of a report with its cited evidence and scratchpad steps, for a template."""
    labels = {evidence_id: label for label, evidence_id in report["evidence_index"].items()}
    return [_check_view(entry, labels) for entry in report["checks"]]


def _check_view(entry: dict[str, Any], labels: dict[str, str]) -> CheckView:
    result = CheckResult.model_validate(entry["result"]) if entry["result"] else None
    evidence = [Cited(labels.get(e.id, ""), e) for e in result.evidence] if result else []
    return CheckView(
        id=entry["check_id"], title=entry["title"], severity=entry["severity"],
        after=list(entry["after"]), result=result, evidence=evidence,
        steps=[_step(item) for item in entry["scratchpad"]],
    )


def _step(entry: dict[str, Any]) -> Step:
    """Show one scratchpad entry: its kind, its tool, and its text or data (shortened)."""
    rest = {k: v for k, v in entry.items() if k not in ("kind", "tool")}
    texts = [str(rest.pop(k)) for k in _STEP_TEXT_KEYS if k in rest]
    if rest:
        data = next(iter(rest.values())) if len(rest) == 1 else rest  # `args`, `content`
        texts.append(json.dumps(data, default=str, ensure_ascii=False, sort_keys=True))
    detail = " · ".join(texts)
    if len(detail) > STEP_DETAIL_CHARS:
        detail = detail[:STEP_DETAIL_CHARS] + "…"
    tool = entry.get("tool")
    return Step(kind=str(entry.get("kind", "step")), tool=str(tool) if tool else None,
                detail=detail)
