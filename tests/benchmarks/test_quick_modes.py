"""Every benchmark has a quick mode (CI runs them all with benchmarks/quick.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.fixtures.benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parents[2]
quick = load_benchmark("quick.py", "benchmarks_quick")
SCRIPTS = [str(p.relative_to(ROOT)) for p in quick.scripts()]


def declares_quick(path: Path) -> bool:
    """Whether the script's parser has a `--quick` option (`….add_argument("--quick", …)`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "add_argument"
        and any(isinstance(a, ast.Constant) and a.value == "--quick" for a in node.args)
        for node in ast.walk(tree)
    )


def test_discovery_finds_benchmarks_and_skips_corpora() -> None:
    assert {
        "benchmarks/context_tokens.py",
        "benchmarks/run_latency.py",
        "benchmarks/screening_speed.py",
        "benchmarks/screening_quality.py",
        "benchmarks/documents/run.py",
    } <= set(SCRIPTS)
    assert not {
        "benchmarks/quick.py",
        "benchmarks/screening_corpus.py",
        "benchmarks/documents/corpus.py",
    } & set(SCRIPTS)
    assert quick.is_corpus(Path("benchmarks/documents/corpus_unseen.py"))
    assert not quick.is_corpus(Path("benchmarks/corpora_speed.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_declares_quick(script: str) -> None:
    assert declares_quick(ROOT / script), f"{script} has no --quick option"


def test_main_guard_is_what_makes_a_script() -> None:
    def guarded(source: str) -> bool:
        return any(quick.is_main_guard(n) for n in ast.parse(source).body)

    assert guarded('if __name__ == "__main__":\n    pass')
    assert guarded('if "__main__" == __name__:\n    pass')
    assert not guarded('if __name__ == "other":\n    pass')
    assert not guarded("def main() -> None:\n    pass")


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("import argparse\nargparse.ArgumentParser().parse_args()", "does not support --quick"),
        ("import sys\nsys.exit(3)", "exit 3"),
        ("raise RuntimeError('broken')", "exit 1"),
        (
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('--quick', "
            "action='store_true')\nassert p.parse_args().quick",
            None,
        ),
    ],
)
def test_runner_reports_each_way_a_quick_mode_ends(
    tmp_path: Path,
    source: str,
    problem: str | None,
) -> None:
    script = tmp_path / "bench.py"
    script.write_text(source)
    assert quick.run(script, timeout=60).problem == problem
