"""The plan drawn as a graph: each check placed in a column by its depth, with its edges."""

from __future__ import annotations

from dataclasses import dataclass

from caseworker.domain.plan import Plan

NODE_WIDTH = 200  # px; dashboard.css places .col-N / .row-N on the same grid
NODE_HEIGHT = 84
GAP_X = 56
GAP_Y = 16
MAX_COLUMNS = 12  # columns dashboard.css has classes for (rows: ROWS_PER_COLUMN)
ROWS_PER_COLUMN = 4  # a laptop screen's height of nodes


@dataclass(frozen=True)
class Node:
    check_id: str
    title: str
    column: int
    row: int

    @property
    def x(self) -> int:
        return self.column * (NODE_WIDTH + GAP_X)

    @property
    def y(self) -> int:
        return self.row * (NODE_HEIGHT + GAP_Y)


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node

    @property
    def path(self) -> str:
        """An SVG path from the source's right side to the target's left side."""
        x0, y0 = self.source.x + NODE_WIDTH, self.source.y + NODE_HEIGHT // 2
        x1, y1 = self.target.x, self.target.y + NODE_HEIGHT // 2
        bend = (x1 - x0) // 2
        return f"M{x0},{y0} C{x0 + bend},{y0} {x1 - bend},{y1} {x1},{y1}"


@dataclass(frozen=True)
class Layout:
    nodes: list[Node]
    edges: list[Edge]

    @property
    def columns(self) -> int:
        return max((n.column for n in self.nodes), default=0) + 1

    @property
    def rows(self) -> int:
        return max((n.row for n in self.nodes), default=0) + 1

    @property
    def width(self) -> int:
        return self.columns * NODE_WIDTH + (self.columns - 1) * GAP_X

    @property
    def height(self) -> int:
        return self.rows * NODE_HEIGHT + (self.rows - 1) * GAP_Y


def layout(plan: Plan) -> Layout:
    """Place every check: columns by the longest chain of dependencies, rows in plan order.

    A depth with more checks than a column holds spreads over several columns. Past the
    grid's size (very deep plans) nodes share the last column; the page lists every check.
    """
    after = {c.id: c.after for c in plan.checks}
    depth: dict[str, int] = {}

    def depth_of(check_id: str) -> int:  # plans are validated DAGs: this ends
        if check_id not in depth:
            depth[check_id] = 1 + max((depth_of(a) for a in after.get(check_id, ())
                                       if a in after), default=-1)
        return depth[check_id]

    levels: dict[int, list[str]] = {}
    for check in plan.checks:
        levels.setdefault(depth_of(check.id), []).append(check.id)
    titles = {c.id: c.title for c in plan.checks}
    nodes: dict[str, Node] = {}
    column = 0
    for level in sorted(levels):  # checks of one depth never depend on each other
        ids = levels[level]
        for start in range(0, len(ids), ROWS_PER_COLUMN):
            for row, check_id in enumerate(ids[start:start + ROWS_PER_COLUMN]):
                nodes[check_id] = Node(check_id, titles[check_id],
                                       min(column, MAX_COLUMNS - 1), row)
            column += 1
    edges = [Edge(nodes[a], nodes[c.id]) for c in plan.checks for a in c.after if a in nodes]
    return Layout(list(nodes.values()), edges)
