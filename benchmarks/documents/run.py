"""Documents benchmark: field accuracy of the deterministic extractor, and verification errors.

Two corpora, reported apart: `seen` (corpus.py, the layouts the extractor was written against)
and `unseen` (corpus_unseen.py, layouts written from scratch with other wording, fonts, field
order and line breaks), the latter at its tuning seed and at a held-out seed nobody looked at
while fixing the extractor. Each corpus is generated (text-layer PDFs and scan-like images,
clean / mismatching / stale / tampered variants with ground truth), read through intake (text
layer or OCR), extracted with the rules extractor and verified against the manifest's
self-attested values. Reports, per corpus:

- field accuracy per document type, rendering and field (text-layer PDF vs scan-like images);
- verification misses (a planted mismatch not reported) and false alarms (a mismatch or a
  missing field reported on a clean document), and inspection results on the tampered PDFs.

Usage: python benchmarks/documents/run.py [--per-layout N] [--work DIR] [--workers N] [--quick]

The full run writes benchmarks/results/documents.json. `--quick` (one document per layout as
text PDFs, one scan per corpus; well under a minute) prints the same tables, writes
benchmarks/results/documents.quick.json and exits 1 if a file crashes or an overall accuracy
falls below its floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from math import nan
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus
import corpus_unseen
from report import evaluate, summarise

ROOT = Path(__file__).resolve().parents[2]
RESULT_FILE = ROOT / "benchmarks" / "results" / "documents.json"
QUICK_FILE = ROOT / "benchmarks" / "results" / "documents.quick.json"
TUNING_SEED, UNSEEN_SEED, HELD_OUT_SEED = 7, 21, 1013
QUICK_FLOORS = {"text_pdf": 95.0, "scan": 85.0}  # overall field accuracy, per corpus


@dataclass(frozen=True)
class Corpus:
    """One corpus to measure: its generator module, its seed and a scan layout for --quick."""

    name: str
    module: ModuleType
    seed: int
    quick_scan: str


def corpora(args: argparse.Namespace) -> list[Corpus]:
    out = [
        Corpus("seen", corpus, args.seed, "bank_statement"),
        Corpus("unseen", corpus_unseen, args.unseen_seed, "delaware_sentence"),
    ]
    if not args.quick:
        out.append(Corpus("unseen_held_out", corpus_unseen, args.held_out_seed, ""))
    return out


def generate(c: Corpus, root: Path, args: argparse.Namespace) -> list[tuple[Path, dict[str, Any]]]:
    """Generate (or reuse) the corpus's files; (directory, entry) for each."""
    plans: list[tuple[Path, dict[str, Any]]]
    if args.quick:
        plans = [
            (
                root / f"{c.name}-s{c.seed}-quick-pdf",
                {"per_layout": 1, "renderings": ("pdf",), "variants": ("clean", "mismatch")},
            ),
            (
                root / f"{c.name}-s{c.seed}-quick-scan",
                {
                    "per_layout": 1,
                    "renderings": ("png",),
                    "variants": ("clean",),
                    "layouts": (c.quick_scan,),
                },
            ),
        ]
    else:
        plans = [(root / f"{c.name}-s{c.seed}-p{args.per_layout}", {"per_layout": args.per_layout})]
    out: list[tuple[Path, dict[str, Any]]] = []
    for directory, options in plans:
        manifest = directory / "manifest.json"
        if manifest.exists():
            entries = json.loads(manifest.read_text(encoding="utf-8"))
        else:
            entries = c.module.generate(directory, seed=c.seed, workers=args.workers, **options)
        out += [(directory, e) for e in entries]
    return out


def _safe_evaluate(entry: dict[str, Any], directory: str) -> dict[str, Any]:
    try:
        return evaluate(entry, directory)
    except Exception:  # a crash is a finding of the benchmark, reported and counted
        return {"file": entry["file"], "crash": traceback.format_exc(limit=6)}


def measure(c: Corpus, root: Path, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    files = generate(c, root, args)
    made = time.perf_counter() - started
    entries = [e for _, e in files]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(
            pool.map(
                _safe_evaluate,
                entries,
                [str(d) for d, _ in files],
                chunksize=2 if args.quick else 1,
            )
        )
    print(f"\n######## corpus {c.name} (seed {c.seed}): {len(entries)} files, made in {made:.0f}s")
    summary = summarise(entries, results, show_errors=args.show_errors)
    summary["seed"] = c.seed
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--per-layout", type=int, default=3)
    ap.add_argument("--seed", type=int, default=TUNING_SEED, help="seen corpus seed")
    ap.add_argument("--unseen-seed", type=int, default=UNSEEN_SEED, help="unseen corpus seed")
    ap.add_argument("--held-out-seed", type=int, default=HELD_OUT_SEED)
    ap.add_argument("--work", type=Path, help="where corpora are generated (reused if present)")
    ap.add_argument("--only", default="", help="comma-separated corpus names to run")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--show-errors", type=int, default=25)
    ap.add_argument("--quick", action="store_true", help="a small run with floors (exit 1)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    started = time.perf_counter()
    root = args.work or Path(tempfile.mkdtemp(prefix="caseworker-docs-"))
    selected = [c for c in corpora(args) if not args.only or c.name in args.only.split(",")]
    results = {c.name: measure(c, root, args) for c in selected}
    failures: list[str] = []
    print("\n######## summary")
    for name, s in results.items():
        acc = {k: nan if v is None else v for k, v in s["field_accuracy"].items()}
        print(
            f"{name:16s} text PDF {acc['overall.text_pdf']:6.2f}%  scan {acc['overall.scan']:6.2f}%"
            f"   lowest field {s['lowest_field']}   crashes {len(s['crashes'])}"
            f"   false alarms {s['verification']['false_alarms']}/{s['verification']['clean']}"
            f"   missed {s['verification']['missed']}/{s['verification']['planted']}"
        )
        failures += [f"{name}: crash in {f}" for f in s["crashes"]]
        if args.quick:
            failures += [
                f"{name}: {group} accuracy {acc[f'overall.{group}']:.2f}% < floor {floor}%"
                for group, floor in QUICK_FLOORS.items()
                if not acc[f"overall.{group}"] >= floor
            ]
    payload = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}",
        "quick": args.quick,
        "corpora": results,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = args.out or (QUICK_FILE if args.quick else RESULT_FILE)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {out} ({payload['seconds']}s)")
    for line in failures:
        print(f"FAIL {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
