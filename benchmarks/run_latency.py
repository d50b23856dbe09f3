"""Wall time of `caseworker run` on an example case: process start, embedded Redis, workers, report.

Usage: python benchmarks/run_latency.py [--runs N] [--case PATH]
Prints the figures and writes them to benchmarks/results/run_latency.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "run_latency.json"


def one_run(case: Path, data_dir: Path, out: Path) -> tuple[float, int]:
    env = {**os.environ, "CASEWORKER_DATA_DIR": str(data_dir)}
    env.pop("REDIS_URL", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "caseworker", "run", str(ROOT / "agents" / "kyb"), str(case),
         "--out", str(out), "--quiet"],
        env=env, capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 10, 20):
        raise SystemExit(f"caseworker run failed ({done.returncode}): {done.stderr}")
    return elapsed, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--case", type=Path,
                        default=ROOT / "examples" / "cases" / "uk-saas-clean.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        data_dir, out = Path(tmp) / "data", Path(tmp) / "out"
        one_run(args.case, data_dir, out)  # warm the OS file cache; not counted
        timings = []
        for n in range(args.runs):
            elapsed, code = one_run(args.case, data_dir, out)
            timings.append(elapsed)
            print(f"run {n + 1:2d}: {elapsed:.3f} s (exit {code})")
    figures = {
        "benchmark": "caseworker run (embedded Redis, 2 local workers, every KYB check, reports)",
        "case": str(args.case.relative_to(ROOT)),
        "runs": args.runs,
        "min_s": round(min(timings), 3),
        "median_s": round(statistics.median(timings), 3),
        "p90_s": round(sorted(timings)[max(0, int(len(timings) * 0.9) - 1)], 3),
        "max_s": round(max(timings), 3),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
