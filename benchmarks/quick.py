"""Run every benchmark's quick mode, so a benchmark that breaks is noticed the day it breaks.

A benchmark is a Python file under `benchmarks/` (at any depth) with an
`if __name__ == "__main__":` guard, except this runner and corpora: files with the word
`corpus` in their name (`corpus.py`, `screening_corpus.py`, `corpus_unseen.py`), which make the
data the benchmarks draw on. Each runs as
`<this interpreter> <script> --quick` from the repository root, one after another; its output is
shown, then one summary line per script with its duration. The exit is non-zero when any quick
mode fails, including a script that has no `--quick` yet.

Usage: python benchmarks/quick.py [--list] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent


def is_main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":`, in either order."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    sides = [node.test.left, *node.test.comparators]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    values = {s.value for s in sides if isinstance(s, ast.Constant)}
    return names == {"__name__"} and values == {"__main__"}


def is_corpus(path: Path) -> bool:
    return "corpus" in path.stem.split("_")


def scripts() -> list[Path]:
    """Every benchmark script, in a stable order."""
    found = []
    for path in sorted(BENCHMARKS.rglob("*.py")):
        if path.resolve() == Path(__file__).resolve() or is_corpus(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if any(is_main_guard(node) for node in tree.body):
            found.append(path)
    return found


@dataclass(frozen=True)
class Outcome:
    """How one quick mode went."""

    script: Path
    seconds: float
    problem: str | None  # None: it passed

    @property
    def name(self) -> str:
        return str(self.script.relative_to(ROOT))


def run(script: Path, timeout: float) -> Outcome:
    """Run one script's quick mode, showing its output; say what went wrong, if anything."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(script), "--quick"], cwd=ROOT, capture_output=True,
            text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(script, time.perf_counter() - started, f"timed out after {timeout:.0f} s")
    seconds = time.perf_counter() - started
    print(done.stdout, end="")
    print(done.stderr, end="", file=sys.stderr)
    if done.returncode == 0:
        return Outcome(script, seconds, None)
    if done.returncode == 2 and "unrecognized arguments: --quick" in done.stderr:
        return Outcome(script, seconds, "does not support --quick")
    return Outcome(script, seconds, f"exit {done.returncode}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    parser.add_argument("--timeout", type=float, default=600, help="per script (default 600 s)")
    args = parser.parse_args()
    found = scripts()
    if args.list:
        print("\n".join(str(p.relative_to(ROOT)) for p in found))
        return 0
    if not found:
        print(f"no benchmark scripts under {BENCHMARKS}", file=sys.stderr)
        return 1
    outcomes = []
    for script in found:
        print(f"== {script.relative_to(ROOT)} --quick", flush=True)
        outcomes.append(run(script, args.timeout))
        sys.stdout.flush()
    print("\n== quick modes")
    for o in outcomes:
        print(f"{'ok  ' if o.problem is None else 'FAIL'} {o.name:36s} {o.seconds:7.1f} s"
              + (f"  {o.problem}" if o.problem else ""))
    failed = [o for o in outcomes if o.problem is not None]
    print(f"{len(outcomes) - len(failed)} of {len(outcomes)} quick modes passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
