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


_current = ProcessIdentity(name=f"client-{socket.gethostname()}-{os.getpid()}", pid=os.getpid())


def current() -> ProcessIdentity:
    return _current


def become_worker(prefix: str = "worker") -> ProcessIdentity:
    """Name this process as a new worker (called after fork or at worker start)."""
    global _current
    _current = ProcessIdentity(
        name=f"{prefix}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
        pid=os.getpid(),
    )
    return _current
