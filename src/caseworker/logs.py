"""Structured key=value logging shared by the CLI, workers and the runtime."""

from __future__ import annotations

import logging
import os

FORMAT = "%(asctime)s %(levelname)s %(name)s pid=%(process)d %(message)s"


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


def configure(level: str | None = None) -> None:
    """Log to stderr at `level` (default from CASEWORKER_LOG_LEVEL, else WARNING)."""
    logging.basicConfig(
        level=(level or os.environ.get("CASEWORKER_LOG_LEVEL", "WARNING")).upper(),
        format=FORMAT,
    )
