"""Wall time of `caseworker run` on an example case: process start, embedded Redis, workers, report.

A run that exits with anything but a decision, or leaves no complete report with a result for
every check, stops the benchmark with a non-zero exit.

Usage: python benchmarks/run_latency.py [--runs N] [--case PATH] [--quick] [--out FILE]
Prints the figures and writes them to benchmarks/results/run_latency.json (`--quick`: one run,
no warm-up, written only with `--out`).
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
    check_report(out, case)
    return elapsed, done.returncode


def check_report(out: Path, case: Path) -> None:
    """The newest report for the case must be complete, with a non-error result per check."""
    reports = sorted(out.glob(f"{case.stem}-*.json"), key=lambda p: p.stat().st_mtime)
    if not reports:
        raise SystemExit(f"caseworker run wrote no report under {out}")
    report = json.loads(reports[-1].read_text())
    broken = [c["check_id"] for c in report["checks"]
              if not c.get("result") or c["result"]["status"] == "error"]
    if report["status"] != "complete" or not report["checks"] or broken:
        raise SystemExit(f"{reports[-1].name}: status {report['status']}, "
                         f"{len(report['checks'])} checks, without a result: {broken}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--case", type=Path,
                        default=ROOT / "examples" / "cases" / "uk-saas-clean.json")
    parser.add_argument("--quick", action="store_true",
                        help="one run, no warm-up; writes nothing unless --out")
    parser.add_argument("--out", type=Path, help=f"results file (default {RESULTS.name})")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    results: Path | None = args.out or (None if args.quick else RESULTS)
    args.case = args.case.resolve()
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        data_dir, out = Path(tmp) / "data", Path(tmp) / "out"
        if not args.quick:
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
        "quick": args.quick,
        "min_s": round(min(timings), 3),
        "median_s": round(statistics.median(timings), 3),
        "p90_s": round(sorted(timings)[max(0, int(len(timings) * 0.9) - 1)], 3),
        "max_s": round(max(timings), 3),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, indent=2))
    if results is not None:
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
