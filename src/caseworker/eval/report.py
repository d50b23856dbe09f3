"""The evaluation's Markdown summary: configurations side by side, for a pull request."""

from __future__ import annotations

from caseworker.eval.metrics import DECISIONS, Summary

MISSES_SHOWN = 25


def pct(value: float | None) -> str:
    """Format a ratio as a percentage (— when there was nothing to count)."""
    return "—" if value is None else f"{value:.1%}"


def secs(value: float | None) -> str:
    """Format seconds to the hundredth."""
    return "—" if value is None else f"{value:.2f} s"


def cost(value: float | None) -> str:
    """Format dollars, or say the price of a model was unknown."""
    return "unknown" if value is None else f"${value:.4f}"


def _ids(ids: list[str]) -> str:
    return f"**{len(ids)}**" + (f" ({', '.join(ids[:8])}{' …' if len(ids) > 8 else ''})"
                                if ids else "")


def render_markdown(summaries: list[Summary], *, dataset: str, agent: str, split: str) -> str:
    """Render every configuration's figures side by side, then each one's confusion and misses."""
    names = [s.configuration for s in summaries]
    head = "| | " + " | ".join(f"`{n}`" for n in names) + " |"
    rule = "| --- |" + " --- |" * len(names)
    rows = [
        ("cases", [str(s.cases) for s in summaries]),
        ("completed", [str(s.completed) for s in summaries]),
        ("decision accuracy", [pct(s.accuracy) for s in summaries]),
        ("false approvals", [_ids(s.false_approvals) for s in summaries]),
        ("false rejections", [_ids(s.false_rejections) for s in summaries]),
        ("more lenient than expected", [_ids(s.more_lenient) for s in summaries]),
        ("tokens in / out", [f"{s.input_tokens} / {s.output_tokens}" for s in summaries]),
        ("cost", [cost(s.cost_usd) for s in summaries]),
        ("latency p50 / p95", [f"{secs(s.latency_p50_s)} / {secs(s.latency_p95_s)}"
                               for s in summaries]),
        ("processing p50", [secs(s.processing_p50_s) for s in summaries]),
        ("throughput", [f"{s.cases_per_s:.2f} cases/s" for s in summaries]),
    ]
    lines = [f"# PEAR evaluation: `{dataset}` ({split}), agent `{agent}`", "", head, rule]
    lines += [f"| {label} | " + " | ".join(values) + " |" for label, values in rows]
    checks = sorted({c.check_id for s in summaries for c in s.per_check})
    if checks:
        lines += ["", "## Checks: accuracy · flag precision · flag recall", "",
                  "| check | " + " | ".join(f"`{n}`" for n in names) + " |",
                  "| --- |" + " --- |" * len(names)]
        for check_id in checks:
            cells = []
            for s in summaries:
                found = next((c for c in s.per_check if c.check_id == check_id), None)
                cells.append("—" if found is None else
                             f"{pct(found.accuracy)} · {pct(found.flag_precision)} · "
                             f"{pct(found.flag_recall)} (n={found.asserted})")
            lines.append(f"| {check_id} | " + " | ".join(cells) + " |")
    for s in summaries:
        lines += ["", f"## `{s.configuration}`", "", "Decisions (rows expected, columns actual):",
                  "", "| expected \\ actual | " + " | ".join(DECISIONS) + " |",
                  "| --- |" + " --- |" * len(DECISIONS)]
        for label, row in zip(DECISIONS, s.confusion, strict=True):
            if label != "none" or any(row):
                lines.append(f"| {label} | " + " | ".join(str(n) for n in row) + " |")
        families = ", ".join(f"{f} {v['correct']}/{v['cases']}" for f, v in s.by_family.items())
        lines += ["", f"By family: {families}."]
        if s.misses:
            lines += ["", f"Misses ({len(s.misses)}; the first {MISSES_SHOWN}):", ""]
            for miss in s.misses[:MISSES_SHOWN]:
                detail = "; ".join(f"{c} {v}" for c, v in miss.checks.items())
                lines.append(f"- `{miss.case_id}` ({miss.family}): {miss.expected} → "
                             f"{miss.actual}" + (f"; {detail}" if detail else "")
                             + (f"; error: {miss.error}" if miss.error else "")
                             + (f" — {' '.join(miss.facts)}" if miss.facts else ""))
    return "\n".join(lines) + "\n"
