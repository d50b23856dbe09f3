"""Documents made by the benchmark corpus generator (benchmarks/documents/corpus.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CORPUS_DIR = Path(__file__).resolve().parents[3] / "benchmarks" / "documents"


@pytest.fixture(scope="session")
def corpus() -> ModuleType:
    sys.path.insert(0, str(CORPUS_DIR))
    try:
        import corpus as module
    finally:
        sys.path.remove(str(CORPUS_DIR))
    return module


@pytest.fixture(scope="session")
def text_pdfs(corpus: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """One clean and one mismatching text-layer PDF per layout, and stale proofs of address."""
    out = tmp_path_factory.mktemp("documents")
    corpus.generate(
        out, seed=11, per_layout=1, renderings=("pdf",), variants=("clean", "mismatch", "stale")
    )
    entries: list[dict[str, Any]] = json.loads((out / "manifest.json").read_text())
    for entry in entries:
        entry["path"] = out / entry["file"]
    return entries
