"""The evaluation's HTML report: one self-contained page with its charts drawn as inline SVG."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from caseworker.eval.metrics import DECISIONS, Summary
from caseworker.eval.report import cost, pct, secs

COLOURS = ["#0b57d0", "#c2410c", "#116329", "#6e1a8a", "#7a4b00"]  # one per configuration

_env = Environment(loader=PackageLoader("caseworker.eval", "templates"), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _shade(count: int, top: int, diagonal: bool) -> str:
    """Colour a confusion cell: green on the diagonal, red off it, deeper as it holds more."""
    if not count:
        return "#ffffff"
    depth = 0.15 + 0.6 * count / max(top, 1)
    red, green, blue = (17, 99, 41) if diagonal else (163, 22, 29)
    mix = [round(255 - (255 - c) * depth) for c in (red, green, blue)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def render_html(summaries: list[Summary], *, dataset: str, agent: str, split: str) -> str:
    """Render every configuration's figures as one HTML page, no script, nothing external."""
    checks = sorted({c.check_id for s in summaries for c in s.per_check})
    return _env.get_template("report.html.j2").render(
        summaries=summaries, dataset=dataset, agent=agent, split=split, labels=DECISIONS,
        checks=checks, colours=COLOURS, pct=pct, secs=secs, cost=cost, shade=_shade)
