"""PEAR: generate the labelled dataset, run `caseworker eval` on it, keep the figures.

    python benchmarks/pear/run.py [--cases 320] [--seed S] [--llm] [--gate] [--write-baseline]
    python benchmarks/pear/run.py --quick   # 16 cases, rules only: half a minute

Configurations: the `rules` model, and with `--llm` also a scripted analyst served by a local
OpenAI-compatible server (tests/fixtures/openai_server.py: it concludes every check `pass`,
so the guardrail and rules decide; it measures the LLM path's cost in tokens and its latency,
not a real model's judgement). Results go to benchmarks/results/pear/ (results.json,
summary.md, report.html; a quick run's and a gate's to a temporary folder). `--gate` fails
(exit 1) on any false approval or an accuracy below benchmarks/results/pear.baseline.json;
`--write-baseline` writes that file from the run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from generate import CASES, SEED, generate, report  # noqa: E402

QUICK_CASES = 16  # two of each family


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--llm", action="store_true", help="add the local scripted analyst")
    parser.add_argument("--gate", action="store_true", help="fail below the baseline")
    parser.add_argument("--write-baseline", action="store_true")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES} cases")
    args = parser.parse_args(argv)
    cases = QUICK_CASES if args.quick else args.cases
    baseline = RESULTS / "pear.baseline.json"
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pear-")))
        # A quick run and a gate leave the committed results alone: their figures go to a
        # temporary folder.
        out = folder / "results" if args.quick or args.gate else RESULTS / "pear"
        started = time.perf_counter()
        _, unverified = generate(folder, seed=args.seed, cases=cases, as_of=args.as_of)
        print(f"generated {cases} cases in {time.perf_counter() - started:.1f} s", flush=True)
        if report(unverified):
            return 1
        models = ["rules"]
        if args.llm:
            from tests.fixtures.analyst import analyst
            from tests.fixtures.openai_server import responder, run_openai_server

            server = stack.enter_context(run_openai_server())
            server.always(responder(analyst))
            models.append(f"analyst@{server.base_url}")
        command = [sys.executable, "-m", "caseworker", "eval", str(folder),
                   "--agent", str(ROOT / "agents" / "kyb"), "--workers", str(args.workers),
                   "--concurrency", str(args.concurrency), "--out", str(out)]
        for model in models:
            command += ["--model", model]
        if args.write_baseline:
            command += ["--write-baseline", str(baseline)]
        elif args.gate:
            command += ["--baseline", str(baseline)]
        return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
