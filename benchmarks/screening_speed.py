"""Screening speed against all shared lists: index build, cache load, latency, QPS, memory.

- build: parse every shared list (the project's loaders), `ScreeningIndex.build`, and a cold
  `build_screener(directory, cache)` (parse + index + write the cache);
- load: `build_screener` with a warm cache and `ScreeningIndex.load`, each in a fresh process
  (what a worker pays at start-up), plus the same in-process;
- queries: 5,000 mixed queries (perturbed listed names, exact listed names, non-listed names
  in several locales; see screening_corpus.py), single thread, on the screener loaded from
  the warm cache: p50/p90/p99 latency and queries per second;
- memory: peak RSS (`resource.getrusage`) of the serving process after imports, after the
  cache load and after the queries.

No lists, no names indexed, or queries that find nothing stop the benchmark with a non-zero
exit; the speed targets are reported, not enforced.

Usage: python benchmarks/screening_speed.py [--quick] [--queries N] [--out FILE]
Prints the figures and writes benchmarks/results/screening_speed.json (`--quick`: 300 queries,
one fresh-process load, written only with `--out`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screening_corpus as corpus

RESULT_FILE = corpus.RESULTS / "screening_speed.json"
P50_TARGET_MS = 2.0
LOAD_TARGET_S = 1.0


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    `resource.getrusage(...).ru_maxrss` (KiB on Linux) is preserved across execve, so a child
    started from a large parent would report the parent's peak; on Linux the kernel's
    per-process high-water mark (VmHWM, reset by execve) is used instead when available.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def getrusage_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def child(args: argparse.Namespace) -> None:
    """Fresh process: load the warm cache (or the index), then optionally run the queries."""
    after_import: float
    from caseworker.checks.screening.engine import Party
    from caseworker.checks.screening.index import ScreeningIndex
    from caseworker.checks.screening.service import build_screener

    after_import = rss_mb()
    out: dict[str, Any] = {"rss_after_import_mb": after_import}
    if args.child == "index":
        t0 = time.perf_counter()
        ScreeningIndex.load(args.cache)
        out["load_s"] = time.perf_counter() - t0
        out["rss_after_load_mb"] = rss_mb()
        print(json.dumps(out))
        return
    t0 = time.perf_counter()
    screener = build_screener(Path(args.lists), Path(args.cache))
    out["load_s"] = time.perf_counter() - t0
    out["rss_after_load_mb"] = rss_mb()
    if args.queries_file:
        queries = json.loads(Path(args.queries_file).read_text(encoding="utf-8"))
        parties = [Party(name=q) for q in queries]
        t0 = time.perf_counter()
        first = screener.screen(parties[0])
        out["first_query_ms"] = (time.perf_counter() - t0) * 1000
        del first
        for p in parties[:50]:  # warm-up: lazy caches, branch predictors, allocator
            screener.screen(p)
        times = []
        hits = 0
        started = time.perf_counter()
        for p in parties:
            t0 = time.perf_counter()
            res = screener.screen(p)
            times.append(time.perf_counter() - t0)
            hits += bool(res.hits)
        wall = time.perf_counter() - started
        ms = np.asarray(times) * 1000
        out.update(
            queries=len(parties),
            with_hits=hits,
            p50_ms=float(np.percentile(ms, 50)),
            p90_ms=float(np.percentile(ms, 90)),
            p99_ms=float(np.percentile(ms, 99)),
            max_ms=float(ms.max()),
            mean_ms=float(ms.mean()),
            qps=len(parties) / wall,
            rss_after_queries_mb=rss_mb(),
        )
    print(json.dumps(out))


def spawn(*extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed: {done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def mixed_queries(entities: list[Any], n: int) -> tuple[list[str], dict[str, int]]:
    rng = random.Random(corpus.SEED + 2)
    n_pos, n_exact = round(n * 0.4), round(n * 0.2)
    pos = [q.text for q in corpus.positives(entities, n_pos, seed=corpus.SEED + 3)]
    exact = []
    for e in rng.sample(entities, n_exact):
        exact.append(corpus.natural(rng.choice(e.names), e.type))
    neg = [
        q.text for q in corpus.negatives(entities, n - len(pos) - len(exact), seed=corpus.SEED + 4)
    ]
    queries = pos + exact + neg
    rng.shuffle(queries)
    return queries, {"perturbed": len(pos), "exact": len(exact), "negative": len(neg)}


def main() -> None:  # noqa: PLR0915
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="300 queries, one load repeat; writes nothing unless --out")
    ap.add_argument("--queries", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3, help="fresh-process cache loads")
    ap.add_argument("--out", help=f"results file (default {RESULT_FILE.name})")
    ap.add_argument("--child", choices=("screener", "index"), help=argparse.SUPPRESS)
    ap.add_argument("--lists", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    ap.add_argument("--queries-file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    if args.quick:
        args.queries, args.repeats = 300, 1
    if args.out is None and not args.quick:
        args.out = str(RESULT_FILE)

    from caseworker.checks.screening.engine import Screener
    from caseworker.checks.screening.index import ScreeningIndex
    from caseworker.checks.screening.service import build_screener

    directory = corpus.shared_dir()
    entities, infos, parse_s = corpus.load_lists(directory)
    t0 = time.perf_counter()
    index = ScreeningIndex.build(entities)
    index_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    Screener(entities, infos, index=index)
    screener_s = time.perf_counter() - t0
    print(
        f"lists: {', '.join(f'{i.source}={i.entities}' for i in infos)}; {len(entities)} "
        f"entities, {index.size} names, {len(index.vocab)} tokens, {len(index.key_ids)} keys"
    )
    print(f"parse lists            {parse_s:8.2f} s")
    print(f"ScreeningIndex.build   {index_s:8.2f} s")
    print(f"Screener(..., index)   {screener_s:8.2f} s")
    if not entities or not index.size:
        raise SystemExit(f"no listed names to screen against in {directory}")

    queries, mix = mixed_queries(entities, args.queries)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "screener.pickle"
        index_file = Path(tmp) / "index.pkl"
        t0 = time.perf_counter()
        build_screener(directory, cache)
        cold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        index.save(index_file)
        save_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_screener(directory, cache)
        warm_inproc_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ScreeningIndex.load(index_file)
        index_load_inproc_s = time.perf_counter() - t0
        print(
            f"build_screener (cold)  {cold_s:8.2f} s  (parse + index + write cache, "
            f"{cache.stat().st_size / 1e6:.1f} MB)"
        )
        print(f"build_screener (warm)  {warm_inproc_s:8.3f} s  in-process")
        print(f"ScreeningIndex.save    {save_s:8.3f} s  ({index_file.stat().st_size / 1e6:.1f} MB)")
        print(f"ScreeningIndex.load    {index_load_inproc_s:8.3f} s  in-process")
        loads = [
            spawn("--child", "screener", "--lists", str(directory), "--cache", str(cache))
            for _ in range(args.repeats)
        ]
        index_loads = [
            spawn("--child", "index", "--cache", str(index_file)) for _ in range(args.repeats)
        ]
        warm_fresh = min(x["load_s"] for x in loads)
        index_fresh = min(x["load_s"] for x in index_loads)
        each = ", ".join(f"{x['load_s']:.3f}" for x in loads)
        print(
            f"build_screener (warm)  {warm_fresh:8.3f} s  fresh process (best of "
            f"{args.repeats}: {each})"
        )
        print(
            f"ScreeningIndex.load    {index_fresh:8.3f} s  fresh process (best of {args.repeats})"
        )
        qfile = Path(tmp) / "queries.json"
        qfile.write_text(json.dumps(queries), encoding="utf-8")
        serve = spawn(
            "--child",
            "screener",
            "--lists",
            str(directory),
            "--cache",
            str(cache),
            "--queries-file",
            str(qfile),
        )
        results.update(
            cache_bytes=cache.stat().st_size,
            index_bytes=index_file.stat().st_size,
        )

    print(f"\n{serve['queries']} mixed queries ({mix}), single thread, screener from warm cache:")
    print(
        f"  p50 {serve['p50_ms']:.3f} ms   p90 {serve['p90_ms']:.3f} ms   "
        f"p99 {serve['p99_ms']:.3f} ms   max {serve['max_ms']:.1f} ms   "
        f"mean {serve['mean_ms']:.3f} ms"
    )
    print(
        f"  {serve['qps']:.0f} queries/s; first query {serve['first_query_ms']:.1f} ms; "
        f"{serve['with_hits']} queries with hits"
    )
    print(
        f"  peak RSS: {serve['rss_after_import_mb']:.0f} MB after imports, "
        f"{serve['rss_after_load_mb']:.0f} MB after cache load, "
        f"{serve['rss_after_queries_mb']:.0f} MB after queries"
    )
    print(
        f"  (building process peak RSS {rss_mb():.0f} MB; getrusage ru_maxrss "
        f"{getrusage_mb():.0f} MB)"
    )

    checks = {
        "p50_le_2ms": {
            "ok": serve["p50_ms"] <= P50_TARGET_MS,
            "detail": f"{serve['p50_ms']:.3f} ms",
        },
        "cached_load_le_1s": {
            "ok": warm_fresh <= LOAD_TARGET_S,
            "detail": f"build_screener warm cache {warm_fresh:.3f} s "
            f"(fresh process), ScreeningIndex.load "
            f"{index_fresh:.3f} s",
        },
    }
    if serve["queries"] != len(queries) or not 0 < serve["with_hits"] < len(queries):
        raise SystemExit(f"{serve['with_hits']} of {serve['queries']} queries hit (sent "
                         f"{len(queries)}, {mix['negative']} of them non-listed names)")

    print("\n== Done-when checks ==")
    for name, c in checks.items():
        print(f"  [{'PASS' if c['ok'] else 'FAIL'}] {name}: {c['detail']}")

    results = {
        "benchmark": "screening speed against all shared lists",
        "quick": args.quick,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "lists": [i.model_dump(mode="json", exclude={"files"}) for i in infos],
        "entities": len(entities),
        "names": index.size,
        "vocab": len(index.vocab),
        "keys": len(index.key_ids),
        "parse_lists_s": round(parse_s, 3),
        "index_build_s": round(index_s, 3),
        "screener_init_s": round(screener_s, 3),
        "build_screener_cold_s": round(cold_s, 3),
        "build_screener_warm_inprocess_s": round(warm_inproc_s, 4),
        "build_screener_warm_fresh_process_s": [round(x["load_s"], 4) for x in loads],
        "index_save_s": round(save_s, 4),
        "index_load_inprocess_s": round(index_load_inproc_s, 4),
        "index_load_fresh_process_s": [round(x["load_s"], 4) for x in index_loads],
        **results,
        "query_mix": mix,
        "serving": {k: round(v, 4) if isinstance(v, float) else v for k, v in serve.items()},
        "builder_peak_rss_mb": round(rss_mb(), 1),
        "builder_getrusage_maxrss_mb": round(getrusage_mb(), 1),
        "targets": checks,
    }
    if args.out is not None:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
        print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
