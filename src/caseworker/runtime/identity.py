"""Who this process is (a named worker, the CLI), stamped on every event it emits."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessIdentity:
    name: str
    pid: int


@dataclass
class _Holder:
    """The one mutable slot for this process's identity (replaced when it becomes a worker)."""

    identity: ProcessIdentity


_state = _Holder(
    ProcessIdentity(name=f"client-{socket.gethostname()}-{os.getpid()}", pid=os.getpid()),
)


def current() -> ProcessIdentity:
    return _state.identity


def become_worker(prefix: str = "worker") -> ProcessIdentity:
    """Name this process as a new worker (called after fork or at worker start)."""
    _state.identity = ProcessIdentity(
        name=f"{prefix}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
        pid=os.getpid(),
    )
    return _state.identity
