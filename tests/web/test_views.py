"""The dashboard's view logic without a server: graph layout, node states, list queries, colours."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import redis

from caseworker.domain.events import EventType, JobEvent
from caseworker.runtime import keys
from caseworker.sop.agent import load_agent
from caseworker.tools.registry import default_registry
from caseworker.web.cases import CaseQuery, export_rows, query_cases
from caseworker.web.graph import (
    GAP_X,
    GAP_Y,
    MAX_COLUMNS,
    NODE_HEIGHT,
    NODE_WIDTH,
    ROWS_PER_COLUMN,
    layout,
)
from caseworker.web.live import NodeState, advance, nodes_at

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "src" / "caseworker" / "web" / "static" / "dashboard.css"


def test_graph_columns_follow_dependencies() -> None:
    plan = load_agent(ROOT / "tests" / "fixtures" / "agents" / "dashboard",
                      default_registry()).definition.plan
    placed = {n.check_id: (n.column, n.row) for n in layout(plan).nodes}
    assert placed == {"intake": (0, 0), "registry": (1, 0), "people": (1, 1), "decide": (2, 0)}
    edges = {(e.source.check_id, e.target.check_id) for e in layout(plan).edges}
    assert edges == {("intake", "registry"), ("intake", "people"), ("registry", "decide"),
                     ("people", "decide")}


def test_a_wide_level_spreads_over_columns() -> None:
    plan = load_agent(ROOT / "agents" / "kyb", default_registry()).definition.plan
    graph = layout(plan)
    assert len(graph.nodes) == len(plan.checks) == 8
    assert max(n.row for n in graph.nodes) == ROWS_PER_COLUMN - 1
    assert graph.columns == 2 and not graph.edges


def _event(type_: EventType, **data: object) -> JobEvent:
    return JobEvent(id="1-0", job_id="j", type=type_, ts=dt.datetime.now(dt.UTC),
                    check_id="c", worker="worker-a", data=dict(data))


def test_a_node_follows_its_checks_events() -> None:
    node = NodeState("c", "A check", "pending")
    node = advance(node, _event(EventType.check_queued, attempt=1))
    assert node.state == "queued"
    node = advance(node, _event(EventType.check_started, attempt=1))
    assert (node.state, node.worker) == ("running", "worker-a")
    node = advance(node, _event(EventType.tool_called, tool="registry.lookup"))
    assert node.detail == "calling registry.lookup"
    node = advance(node, _event(EventType.check_retrying, reason="worker_lost"))
    assert (node.state, node.detail) == ("retrying", "worker lost")
    node = advance(node, _event(EventType.check_completed, status="review", answer="A hit.",
                                attempts=2))
    assert (node.state, node.label, node.attempt) == ("review", "needs review", 2)
    assert advance(node, _event(EventType.job_cancelled)) == node  # a final node stays
    assert advance(node, _event(EventType.model_request)) == node


def _job(conn: redis.Redis, tenant: str, job_id: str, when: dt.datetime, **fields: str) -> None:
    conn.hset(keys.job(job_id), mapping={"case_id": job_id.replace("j", "case-"),
                                         "agent": "kyb", "created_at": when.isoformat(),
                                         **fields})
    conn.zadd(keys.tenant_jobs(tenant), {job_id: when.timestamp()})


def test_list_filters_counts_sorts_and_needs_my_review(conn: redis.Redis) -> None:
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    _job(conn, "acme", "j1", now, subject="Zeta Ltd", status="complete",
         recommendation="review")
    _job(conn, "acme", "j2", now + dt.timedelta(days=1), subject="Alpha GmbH",
         status="complete", recommendation="reject", review_state="awaiting_second_approval",
         reviewers=json.dumps(["alice (k1)"]), approvers=json.dumps(["alice (k1)"]))
    _job(conn, "acme", "j3", now + dt.timedelta(days=2), subject="Mid BV", status="running")
    _job(conn, "other", "j4", now, subject="Other Co", status="complete",
         recommendation="review")
    page = query_cases(conn, "acme", CaseQuery(), "bob (k2)")
    assert [r.job_id for r in page.rows] == ["j3", "j2", "j1"]  # newest first
    assert page.counts["complete"] == 2 and page.counts["running"] == 1
    by_name = query_cases(conn, "acme", CaseQuery(sort="subject", order="asc"), "bob (k2)")
    assert [r.subject for r in by_name.rows] == ["Alpha GmbH", "Mid BV", "Zeta Ltd"]
    mine = query_cases(conn, "acme", CaseQuery(mine=True), "bob (k2)")
    assert [r.job_id for r in mine.rows] == ["j2", "j1"]
    alices = query_cases(conn, "acme", CaseQuery(mine=True), "alice (k1)")
    assert [r.job_id for r in alices.rows] == ["j1"]  # she already approved j2: four eyes
    assert [r.job_id for r in query_cases(conn, "acme", CaseQuery(reviewer="alice (k1)"),
                                          "x").rows] == ["j2"]
    dated = query_cases(conn, "acme", CaseQuery(since=dt.date(2026, 12, 2),
                                                until=dt.date(2026, 12, 2)), "x")
    assert [r.job_id for r in dated.rows] == ["j2"]
    searched = query_cases(conn, "acme", CaseQuery(q="zeta", status="complete"), "x")
    assert [r.job_id for r in searched.rows] == ["j1"]
    assert searched.counts["running"] == 0  # the counts follow every filter but the status
    paged = query_cases(conn, "acme", CaseQuery(per_page=5, page=9), "x")
    assert (paged.page, paged.pages, len(paged.rows)) == (1, 1, 3)
    exported = export_rows(conn, "acme", CaseQuery(), "x", "jsonl").splitlines()
    assert [json.loads(line)["job_id"] for line in exported] == ["j3", "j2", "j1"]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_state_colour_meets_wcag_aa_on_its_background() -> None:
    palette = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", CSS.read_text()))
    pairs = [("ink", "bg"), ("ink", "panel"), ("muted", "panel"), ("muted", "bg"),
             ("link", "panel")]
    pairs += [(state, f"{state}-bg") for state in ("pass", "review", "fail", "error", "run",
                                                   "idle")]
    for text, background in pairs:
        ratio = _contrast(palette[text], palette[background])
        assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"


def test_the_stylesheet_places_nodes_where_the_edges_are_drawn() -> None:
    """The graph's edges come from graph.py's sizes; dashboard.css must place nodes the same."""
    css = CSS.read_text()
    lefts = {int(n): int(px) for n, px in re.findall(r"\.col-(\d+) \{ left: (\d+)(?:px)?; \}", css)}
    tops = {int(n): int(px) for n, px in re.findall(r"\.row-(\d+) \{ top: (\d+)(?:px)?; \}", css)}
    assert sorted(lefts) == list(range(MAX_COLUMNS))
    assert sorted(tops) == list(range(ROWS_PER_COLUMN))
    assert all(left == n * (NODE_WIDTH + GAP_X) for n, left in lefts.items())
    assert all(top == n * (NODE_HEIGHT + GAP_Y) for n, top in tops.items())
    assert f".slot {{ position: absolute; width: {NODE_WIDTH}px; height: {NODE_HEIGHT}px; }}" in css


def test_a_resumed_stream_starts_from_what_the_page_had() -> None:
    history = [_event(EventType.check_queued, attempt=1), _event(EventType.check_started)]
    nodes = nodes_at({"c": "A check", "d": "Another"}, history)
    assert nodes["c"].state == "running" and nodes["d"].state == "pending"
