"""The live job view's state: what each check's node shows, from the store and from events."""

from __future__ import annotations

from dataclasses import dataclass, replace

from caseworker.domain.events import EventType, JobEvent
from caseworker.domain.job import CheckState, Job

# What a node says it is doing, and the words a screen reader hears for it.
LABELS = {
    "pending": "waiting", "queued": "queued",
    "running": "running", "retrying": "retrying", "pass": "passed",
    "review": "needs review", "fail": "failed", "error": "error", "cancelled": "cancelled",
}
FINAL = ("pass", "review", "fail", "error", "cancelled")


@dataclass(frozen=True)
class NodeState:
    check_id: str
    title: str
    state: str  # a LABELS key
    worker: str | None = None
    detail: str = ""  # the last tool called, the answer, or the error
    attempt: int | None = None

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def final(self) -> bool:
        return self.state in FINAL


def current_nodes(
    job: Job, titles: dict[str, str], running: dict[str, str],
) -> dict[str, NodeState]:
    """Return each check's node as the store has it now (`running`: check -> worker)."""
    nodes = {}
    for check_id, title in titles.items():
        result = job.results.get(check_id)
        state = job.checks.get(check_id, CheckState.pending)
        if result is not None:
            nodes[check_id] = NodeState(check_id, title, result.status.value,
                                        detail=result.answer, attempt=result.attempts)
        else:
            nodes[check_id] = NodeState(check_id, title, state.value if state != CheckState.done
                                        else "pass", worker=running.get(check_id))
    return nodes


def nodes_at(titles: dict[str, str], history: list[JobEvent]) -> dict[str, NodeState]:
    """Return each check's node as a page that received `history` (every event so far) shows it.

    A stream that resumes compares what comes next with this, not with the store's present,
    which may already be ahead of the page.
    """
    nodes = {check_id: NodeState(check_id, title, "pending") for check_id, title in titles.items()}
    for event in history:
        if event.check_id in nodes:
            nodes[event.check_id] = advance(nodes[event.check_id], event)
    return nodes


def advance(node: NodeState, event: JobEvent) -> NodeState:
    """Return the node after one of its check's events (others leave it as it was)."""
    data = event.data
    match event.type:
        case EventType.check_queued:
            return replace(node, state="queued", attempt=data.get("attempt"), detail="")
        case EventType.check_started:
            return replace(node, state="running", worker=event.worker,
                           attempt=data.get("attempt", node.attempt), detail="")
        case EventType.tool_called:
            return replace(node, state="running", worker=event.worker or node.worker,
                           detail=f"calling {data.get('tool', 'a tool')}")
        case EventType.check_retrying:
            reason = str(data.get("reason", "")).replace("_", " ")
            return replace(node, state="retrying", detail=reason)
        case EventType.check_completed:
            return replace(node, state=str(data.get("status", "pass")),
                           detail=str(data.get("answer", "")),
                           attempt=data.get("attempts", node.attempt))
        case EventType.check_failed:
            return replace(node, state="error", detail=str(data.get("answer", "")),
                           attempt=data.get("attempts", node.attempt))
        case EventType.job_cancelled:
            return node if node.final else replace(node, state="cancelled")
    return node
