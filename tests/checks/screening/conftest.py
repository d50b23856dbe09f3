"""Fixtures for the screening tests: where the shared, real sanctions list files are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def sanctions_dir() -> Path:
    """The shared sanctions files: `../shared/data/sanctions`, or $CASEWORKER_SHARED_DATA."""
    override = os.environ.get("CASEWORKER_SHARED_DATA")
    folder = Path(override) if override else PROJECT_ROOT.parent / "shared" / "data" / "sanctions"
    if not folder.is_dir():
        pytest.skip(f"shared sanctions data not found at {folder} (set CASEWORKER_SHARED_DATA)")
    return folder
