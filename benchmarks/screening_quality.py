"""Screening quality: the engine against two peers on the same names and the same lists.

Evaluation set (fixed seed, see screening_corpus.py): listed names of OFAC SDN, OFAC
Consolidated and UN (persons and entities, primary names and strong aliases) with one
perturbation each (typo, transposition, token reorder, dropped or abbreviated middle name,
transliteration variant, alias, legal form), realistic non-listed names in several locales,
and the cross-script pairs of the shared folder plus the UN original-script names.

Rows, all on the same queries and lists:
- engine: `Screener.screen` at its default thresholds (possible 0.75, hit 0.90);
- rapidfuzz: what a user would otherwise write, `rapidfuzz.process.extractOne` with
  `fuzz.token_sort_ratio` over every listed name and alias (default_process'd once);
- nomenklatura: OpenSanctions' `logic-v2` scorer (yente's default, threshold 0.70), fed the
  candidate entities our blocking index returns for the query (measured as a scorer).

A positive is found when the expected entity (or an entity listing the very same name) scores
at or above the threshold; a negative is a false positive when anything does.

Usage: python benchmarks/screening_quality.py [--quick] [--positives N] [--negatives N]
       [--no-nomenklatura]
Prints the tables and writes benchmarks/results/screening_quality.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screening_corpus as corpus
import screening_families as families

from caseworker.checks.screening.engine import Party, Screener
from caseworker.checks.screening.entity import EntityType, ListedEntity
from caseworker.checks.screening.matcher import HIT_THRESHOLD, POSSIBLE_THRESHOLD
from caseworker.checks.screening.normalize import normalize_name

RESULT_FILE = corpus.RESULTS / "screening_quality.json"
RAPIDFUZZ_DEFAULT = 0.85  # a common default cut-off for token_sort_ratio (85/100)
NOMENKLATURA_THRESHOLD = 0.70  # yente's default match threshold for logic-v2
SWEEP_FLOOR = 0.40


@dataclass
class Run:
    """One matcher's answers: per query, entity position -> score, and the latency."""

    name: str
    scores: list[dict[int, float]] = field(default_factory=list)
    top: list[tuple[str, float]] = field(default_factory=list)  # best (name, score) per query
    seconds: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q)) if values else float("nan")


# --- the three matchers ---------------------------------------------------------------------


def party_of(q: corpus.Query, *, facts: bool = True) -> Party:
    """The party a case would screen: the name, and (with `facts`) its type, DOB and countries."""
    if not facts:
        return Party(name=q.text)
    return Party(name=q.text, type=EntityType(q.type), date_of_birth=q.dob,
                 countries=list(q.countries))


def run_engine(
    screener: Screener, queries: Sequence[corpus.Query], label: str = "engine", *,
    facts: bool = True,
) -> Run:
    pos_of = {eid: i for i, eid in enumerate(screener.index.entity_ids)}
    run = Run(label)
    for q in queries:
        party = party_of(q, facts=facts)
        t0 = time.perf_counter()
        res = screener.screen(party)
        run.seconds.append(time.perf_counter() - t0)
        run.scores.append({pos_of[h.entity_id]: h.score for h in res.hits})
        run.top.append((res.hits[0].matched_name, res.hits[0].score) if res.hits else ("", 0.0))
    return run


class RapidFuzzPeer:
    """`extractOne(query, all_names, scorer=token_sort_ratio)` over every listed name."""

    def __init__(self, entities: Sequence[ListedEntity]) -> None:
        self.names: list[str] = []
        self.owner: list[int] = []
        for pos, e in enumerate(entities):
            for nm in e.names:
                self.names.append(nm.full)
                self.owner.append(pos)
        self.choices = [default_process(n) for n in self.names]

    def run(self, queries: Sequence[corpus.Query]) -> Run:
        run = Run("rapidfuzz")
        for q in queries:
            t0 = time.perf_counter()
            best = process.extractOne(
                default_process(q.text),
                self.choices,
                scorer=fuzz.token_sort_ratio,
                processor=None,
            )
            run.seconds.append(time.perf_counter() - t0)
            if best is None:
                run.scores.append({})
                run.top.append(("", 0.0))
                continue
            _, score, idx = best
            run.scores.append({self.owner[idx]: score / 100.0})
            run.top.append((self.names[idx], score / 100.0))
        return run


class NomenklaturaPeer:
    """nomenklatura's logic-v2 over FtM entities, fed the engine's blocking candidates."""

    def __init__(self, entities: Sequence[ListedEntity], screener: Screener, prefix: str) -> None:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig

        algorithm = get_algorithm("logic-v2")
        if algorithm is None:
            raise RuntimeError("nomenklatura has no logic-v2 algorithm")
        self.algorithm = algorithm
        self.config = ScoringConfig.defaults()
        self.model = model
        self.entities = entities
        self.screener = screener
        self.prefix = prefix
        self._proxies: dict[int, Any] = {}
        self._queries = 0

    def proxy(self, pos: int) -> Any:
        if pos in self._proxies:
            return self._proxies[pos]
        e = self.entities[pos]
        schema = {
            EntityType.person: "Person",
            EntityType.entity: "Organization",
            EntityType.vessel: "Vessel",
            EntityType.aircraft: "Airplane",
        }.get(e.type, "LegalEntity")
        p = self.model.make_entity(schema)
        p.id = f"{self.prefix}-{e.id}"
        for i, nm in enumerate(e.names):
            text = corpus.natural(nm, e.type)
            prop = "name" if i == 0 else "weakAlias" if nm.quality.value == "weak" else "alias"
            p.add(prop, text, quiet=True)
        if schema == "Person":
            for bd in e.birth_dates:
                value = bd.date.isoformat() if bd.date else str(bd.year) if bd.year else None
                if value:
                    p.add("birthDate", value, quiet=True)
            for c in e.nationalities:
                p.add("nationality", c.lower(), quiet=True)
        for c in e.countries:
            p.add("country", c.lower(), quiet=True)
        self._proxies[pos] = p
        return p

    def query_proxy(self, q: corpus.Query) -> Any:
        """The query as an FtM entity, with the same case facts the engine gets."""
        self._queries += 1
        schema = {"person": "Person", "entity": "Organization"}.get(q.type, "LegalEntity")
        p = self.model.make_entity(schema)
        p.id = f"{self.prefix}-q{self._queries}"
        p.add("name", q.text, quiet=True)
        if schema == "Person":
            if q.dob:
                p.add("birthDate", q.dob, quiet=True)
            for c in q.countries:
                p.add("nationality", c.lower(), quiet=True)
        return p

    def candidates(self, text: str) -> list[int]:
        index = self.screener.index
        names = index.candidates(normalize_name(text, kind=EntityType.unknown))
        return list(dict.fromkeys(int(index.name_entity[n]) for n in names.tolist()))

    def warm(self) -> float:
        t0 = time.perf_counter()
        warm = corpus.Query(text="Warm Up", kind="negative")
        self.algorithm.compare(self.query_proxy(warm), self.proxy(0), self.config)
        return time.perf_counter() - t0

    def _score(self, queries: Sequence[corpus.Query]) -> list[tuple[Any, ...]]:
        out = []
        for q in queries:
            t0 = time.perf_counter()
            cands = self.candidates(q.text)
            t1 = time.perf_counter()
            qp = self.query_proxy(q)
            scores = {
                pos: float(self.algorithm.compare(qp, self.proxy(pos), self.config).score)
                for pos in cands
            }
            t2 = time.perf_counter()
            out.append((scores, t2 - t0, t2 - t1, len(cands)))
        return out

    def run(
        self, queries: Sequence[corpus.Query], label: str = "nomenklatura", workers: int = 1
    ) -> Run:
        """Score every query; `workers` > 1 forks that many processes (each query is still
        scored on one core; only the wall time of the benchmark shrinks)."""
        if workers > 1 and len(queries) >= 50 and "fork" in mp.get_all_start_methods():
            global _PEER  # noqa: PLW0603 - inherited by the forked workers
            _PEER = self
            chunks = [list(range(i, len(queries), workers)) for i in range(workers)]
            with mp.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_score_chunk, [[queries[i] for i in c] for c in chunks])
            answers: list[tuple[Any, ...]] = [()] * len(queries)
            for chunk, part in zip(chunks, parts, strict=True):
                for i, a in zip(chunk, part, strict=True):
                    answers[i] = a
        else:
            answers = self._score(queries)
        run = Run(label)
        for scores, total, _, _ in answers:
            run.seconds.append(total)
            run.scores.append(scores)
            if scores:
                best = max(scores, key=lambda k: scores[k])
                run.top.append((self.entities[best].names[0].full, scores[best]))
            else:
                run.top.append(("", 0.0))
        scoring = [a[2] for a in answers]
        sizes = [a[3] for a in answers]
        run.extra = {
            "scoring_p50_ms": round(pct(scoring, 50), 3),
            "scoring_p99_ms": round(pct(scoring, 99), 3),
            "candidate_entities_median": statistics.median(sizes) if sizes else 0,
            "candidate_entities_max": max(sizes, default=0),
            "worker_processes": workers,
        }
        return run


_PEER: NomenklaturaPeer | None = None


def _score_chunk(queries: list[corpus.Query]) -> list[tuple[Any, ...]]:
    assert _PEER is not None
    return _PEER._score(queries)


# --- metrics --------------------------------------------------------------------------------


def found_score(scores: dict[int, float], q: corpus.Query) -> float:
    return max((s for p, s in scores.items() if p in q.accept), default=0.0)


def metrics(
    run: Run, queries: Sequence[corpus.Query], possible: float, hit: float | None = None
) -> dict[str, Any]:
    pos = [(q, s) for q, s in zip(queries, run.scores, strict=True) if q.expected is not None]
    neg = [s for q, s in zip(queries, run.scores, strict=True) if q.expected is None]
    found = sum(found_score(s, q) >= possible for q, s in pos)
    found_hit = sum(found_score(s, q) >= hit for q, s in pos) if hit is not None else None
    alerted_pos = sum(max(s.values(), default=0.0) >= possible for _, s in pos)
    fp = sum(max(s.values(), default=0.0) >= possible for s in neg)
    out: dict[str, Any] = {
        "threshold": possible,
        "positives": len(pos),
        "negatives": len(neg),
        "recall": found / len(pos) if pos else float("nan"),
        "false_positive_rate": fp / len(neg) if neg else float("nan"),
        "precision": found / (alerted_pos + fp) if (alerted_pos + fp) else float("nan"),
        "false_positives": fp,
        "misses": len(pos) - found,
    }
    if hit is not None:
        out["hit_threshold"] = hit
        out["recall_hit"] = found_hit / len(pos) if pos else float("nan")
        out["false_positive_rate_hit"] = (
            sum(max(s.values(), default=0.0) >= hit for s in neg) / len(neg) if neg else 0.0
        )
    out["f1"] = (
        2 * out["precision"] * out["recall"] / (out["precision"] + out["recall"])
        if out["precision"] + out["recall"] > 0
        else 0.0
    )
    return out


def sweep(run: Run, queries: Sequence[corpus.Query], thresholds: Sequence[float]) -> list[dict]:
    return [metrics(run, queries, t) for t in thresholds]


def matched_fpr(
    run: Run, queries: Sequence[corpus.Query], target_fpr: float, grid: Sequence[float]
) -> dict[str, Any]:
    """The lowest threshold at which `run`'s false-positive rate is <= target (its best recall)."""
    for t in grid:
        m = metrics(run, queries, t)
        if m["false_positive_rate"] <= target_fpr + 1e-12:
            return m
    return metrics(run, queries, grid[-1])


def by_kind(
    run: Run, queries: Sequence[corpus.Query], possible: float, hit: float
) -> dict[str, dict[str, float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for q, s in zip(queries, run.scores, strict=True):
        if q.expected is not None:
            groups[q.kind].append(found_score(s, q))
    return {
        k: {
            "n": len(v),
            "recall": sum(x >= possible for x in v) / len(v),
            "recall_hit": sum(x >= hit for x in v) / len(v),
        }
        for k, v in sorted(groups.items())
    }


def fpr_by_group(run: Run, queries: Sequence[corpus.Query], threshold: float) -> dict[str, Any]:
    groups: dict[str, list[bool]] = defaultdict(list)
    for q, s in zip(queries, run.scores, strict=True):
        if q.expected is None:
            groups[q.group].append(max(s.values(), default=0.0) >= threshold)
    return {k: {"n": len(v), "fpr": sum(v) / len(v)} for k, v in sorted(groups.items())}


# --- reporting ------------------------------------------------------------------------------


def fmt_row(label: str, m: dict[str, Any], run: Run, note: str = "") -> str:
    hit = m.get("recall_hit")
    return (
        f"{label:<34} {m['threshold']:>5.2f} {m['recall'] * 100:>8.2f}% "
        f"{(hit * 100 if hit is not None else float('nan')):>8.2f}% "
        f"{m['false_positive_rate'] * 100:>7.2f}% {m['precision'] * 100:>8.2f}% "
        f"{pct(run.seconds, 50):>8.3f} {pct(run.seconds, 99):>8.3f}  {note}"
    )


HEADER = (
    f"{'matcher':<34} {'thr':>5} {'recall':>9} {'rec@hit':>9} {'FPR':>8} {'precision':>9} "
    f"{'p50 ms':>8} {'p99 ms':>8}"
)


def examples(
    run: Run,
    queries: Sequence[corpus.Query],
    entities: Sequence[ListedEntity],
    threshold: float,
    *,
    screener: Screener | None = None,
    per_kind: int = 6,
) -> dict[str, list[dict[str, Any]]]:
    """Missed positives (by kind) and false positives, with what was expected and what came."""
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    fps: list[dict[str, Any]] = []
    for q, s, top in zip(queries, run.scores, run.top, strict=True):
        if q.expected is not None:
            got = found_score(s, q)
            if got < threshold and len(misses[q.kind]) < per_kind:
                item: dict[str, Any] = {
                    "query": q.text,
                    "expected": q.base,
                    "expected_primary": entities[q.expected].names[0].full,
                    "expected_score": round(got, 4),
                    "got": top[0],
                    "got_score": round(top[1], 4),
                }
                if screener is not None and got == 0.0:
                    why = screener.compare(party_of(q), entities[q.expected].id)
                    item["expected_score"] = round(why.score, 4) if why else None
                misses[q.kind].append(item)
        elif max(s.values(), default=0.0) >= threshold and len(fps) < 40:
            fps.append({"query": q.text, "group": q.group, "got": top[0], "score": top[1]})
    return {"misses": dict(misses), "false_positives": fps}


def main() -> None:  # noqa: PLR0915
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick", action="store_true",
        help="300 positives, 400+150+100 negatives, no nomenklatura; exits 1 below sanity floors",
    )
    ap.add_argument("--positives", type=int, default=1500)
    ap.add_argument("--negatives", type=int, default=2000, help="names in ten locales")
    ap.add_argument("--common", type=int, default=1000, help="common-name negatives with facts")
    ap.add_argument("--script", type=int, default=500, help="original-script negatives")
    ap.add_argument("--facts-share", type=float, default=0.6,
                    help="share of person positives given the listing's DOB and nationality")
    ap.add_argument("--no-nomenklatura", action="store_true")
    ap.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes for the (slow) nomenklatura row; latency is per query",
    )
    ap.add_argument(
        "--seed",
        type=int,
        default=corpus.SEED,
        help="corpus seed (the default set is the one the thresholds were tuned on; "
        "another seed is a held-out check)",
    )
    ap.add_argument("--out", default=str(RESULT_FILE))
    args = ap.parse_args()
    if args.quick:
        args.positives, args.negatives, args.common, args.script = 300, 400, 150, 100
        args.no_nomenklatura = True
        if args.out == str(RESULT_FILE):
            args.out = str(RESULT_FILE.with_suffix(".quick.json"))

    started = time.perf_counter()
    entities, infos, load_s = corpus.load_lists()
    t0 = time.perf_counter()
    screener = Screener(entities, infos)
    build_s = time.perf_counter() - t0
    print(
        f"lists: {', '.join(f'{i.source}={i.entities}' for i in infos)}; "
        f"{len(entities)} entities, {screener.index.size} names "
        f"(load {load_s:.1f}s, index {build_s:.1f}s)"
    )
    pos = families.with_case_facts(
        corpus.positives(entities, args.positives, seed=args.seed),
        entities, args.facts_share, seed=args.seed + 2,
    )
    neg_names = corpus.negatives(entities, args.negatives, seed=args.seed + 1)
    neg_common = families.common_name_negatives(entities, args.common, seed=args.seed + 3)
    neg_script = families.original_script_negatives(entities, args.script, seed=args.seed + 4)
    neg = neg_names + neg_common + neg_script
    queries = pos + neg
    print(
        f"queries: {len(pos)} perturbed positives "
        f"({sum(q.group.endswith('+facts') for q in pos)} with the listing's DOB/nationality), "
        f"{len(neg)} negatives: {len(neg_names)} names in ten locales, {len(neg_common)} common "
        f"names with differing DOB/nationality, {len(neg_script)} original-script names "
        f"(seed {args.seed}; left out as listed names: {len(corpus.excluded_parts)} with parts "
        f"left out, {len(families.excluded_script)} in another script, "
        f"{len(families.excluded_factless)} whose listing gives no DOB or nationality to differ)"
    )

    # Engine: timed at the defaults, then again with a low floor for the threshold sweep.
    engine = run_engine(screener, queries)
    engine_names = run_engine(screener, queries, "engine (name only)", facts=False)
    low = Screener(entities, infos, index=screener.index, possible_threshold=SWEEP_FLOOR)
    engine_low = run_engine(low, queries, "engine (floor)")
    rf = RapidFuzzPeer(entities)
    rf_run = rf.run(queries)

    nk_run: Run | None = None
    nk_error: str | None = None
    nk_warm = 0.0
    if not args.no_nomenklatura:
        try:
            nk = NomenklaturaPeer(entities, screener, "main")
            nk_warm = nk.warm()
            nk_run = nk.run(queries, workers=args.workers)
        except Exception as exc:  # reported, not hidden: the other rows still run
            nk_error = f"{type(exc).__name__}: {exc}"
    else:
        nk_error = "skipped (--no-nomenklatura)"

    m_engine = metrics(engine, queries, POSSIBLE_THRESHOLD, HIT_THRESHOLD)
    m_engine_low = metrics(engine_low, queries, POSSIBLE_THRESHOLD, HIT_THRESHOLD)
    if (m_engine["recall"], m_engine["false_positive_rate"]) != (
        m_engine_low["recall"],
        m_engine_low["false_positive_rate"],
    ):
        print("WARNING: engine figures differ between the default and the low-floor pass")
    grid = [round(x, 2) for x in np.arange(0.50, 1.001, 0.01)]
    m_rf = metrics(rf_run, queries, RAPIDFUZZ_DEFAULT, 0.95)
    rf_sweep = sweep(rf_run, queries, grid)
    rf_best = max(rf_sweep, key=lambda m: m["f1"])
    rf_match = matched_fpr(rf_run, queries, m_engine["false_positive_rate"], grid)
    m_engine_names = metrics(engine_names, queries, POSSIBLE_THRESHOLD, HIT_THRESHOLD)
    rows = [
        ("engine (default thresholds)", m_engine, engine, "possible 0.75 / hit 0.90; case facts"),
        ("engine, name only", m_engine_names, engine_names, "type, DOB and countries withheld"),
    ]
    rows.append(
        (
            f"rapidfuzz token_sort_ratio @{RAPIDFUZZ_DEFAULT:.2f}",
            m_rf,
            rf_run,
            "common default; 'rec@hit' at 0.95",
        )
    )
    rows.append(
        (
            f"rapidfuzz @best-F1 {rf_best['threshold']:.2f}",
            metrics(rf_run, queries, rf_best["threshold"], 0.95),
            rf_run,
            "best F1 in sweep",
        )
    )
    rows.append(
        (
            f"rapidfuzz @FPR<=engine {rf_match['threshold']:.2f}",
            metrics(rf_run, queries, rf_match["threshold"], 0.95),
            rf_run,
            "lowest thr with FPR <= engine's",
        )
    )
    eng_match = matched_fpr(engine_low, queries, m_rf["false_positive_rate"], grid)
    rows.append(
        (
            f"engine @FPR<=rapidfuzz@0.85 {eng_match['threshold']:.2f}",
            metrics(engine_low, queries, eng_match["threshold"], HIT_THRESHOLD),
            engine,
            "engine threshold lowered/raised to the peer's FPR",
        )
    )
    m_nk = nk_sweep = nk_match = None
    if nk_run is not None:
        m_nk = metrics(nk_run, queries, NOMENKLATURA_THRESHOLD, HIT_THRESHOLD)
        nk_sweep = sweep(nk_run, queries, grid)
        nk_match = matched_fpr(nk_run, queries, m_engine["false_positive_rate"], grid)
        rows.append(
            (
                "nomenklatura logic-v2 @0.70",
                m_nk,
                nk_run,
                f"yente default; scoring-only p50 {nk_run.extra['scoring_p50_ms']:.2f} ms",
            )
        )
        rows.append(
            (
                f"nomenklatura @FPR<=engine {nk_match['threshold']:.2f}",
                metrics(nk_run, queries, nk_match["threshold"], HIT_THRESHOLD),
                nk_run,
                "lowest thr with FPR <= engine's",
            )
        )

    print("\n== Perturbed positives and negatives (same queries, same lists) ==")
    print("   positives found = expected entity (or one listing the same name) >= threshold;")
    print("   FPR = negatives with any match >= threshold; precision over all alerts")
    print(HEADER)
    for label, m, run, note in rows:
        print(fmt_row(label, m, run, note))
    if nk_error:
        print(f"nomenklatura logic-v2: NOT RUN - {nk_error}")
    elif nk_run is not None:
        print(
            f"   nomenklatura: {nk_run.extra['candidate_entities_median']} candidate entities "
            f"per query (median, max {nk_run.extra['candidate_entities_max']}) from the "
            f"engine's blocking index; p50/p99 include blocking; first-call warm-up "
            f"{nk_warm:.1f}s excluded; run in {args.workers} forked process(es)"
        )

    eng_sweep = sweep(
        engine_low,
        queries,
        [0.60, 0.65, 0.70, 0.72, 0.75, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90, 0.95],
    )
    print("\n== Engine across thresholds ==")
    print(f"{'threshold':>9} {'recall':>8} {'FPR':>7} {'precision':>9} {'F1':>6}")
    for m in eng_sweep:
        print(
            f"{m['threshold']:>9.2f} {m['recall'] * 100:>7.2f}% "
            f"{m['false_positive_rate'] * 100:>6.2f}% {m['precision'] * 100:>8.2f}% "
            f"{m['f1']:>6.3f}"
        )
    print("\n== Peers across thresholds (recall / FPR) ==")
    show = [0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.88, 0.90, 0.95, 1.0]
    print(f"{'threshold':>9} {'rapidfuzz':>18} {'nomenklatura':>18}")
    for t in show:
        r = metrics(rf_run, queries, t)
        n = metrics(nk_run, queries, t) if nk_run is not None else None
        nk_cell = (
            f"{n['recall'] * 100:6.2f}% / {n['false_positive_rate'] * 100:5.2f}%" if n else "-"
        )
        print(
            f"{t:>9.2f} {r['recall'] * 100:>8.2f}% / {r['false_positive_rate'] * 100:5.2f}% "
            f"{nk_cell:>18}"
        )

    kinds = {
        "engine": by_kind(engine, queries, POSSIBLE_THRESHOLD, HIT_THRESHOLD),
        "rapidfuzz": by_kind(rf_run, queries, RAPIDFUZZ_DEFAULT, 0.95),
    }
    if nk_run is not None:
        kinds["nomenklatura"] = by_kind(nk_run, queries, NOMENKLATURA_THRESHOLD, HIT_THRESHOLD)
    print("\n== Recall by perturbation kind (possible / hit; peers at their own thresholds) ==")
    print(f"{'kind':<15} {'n':>5} {'engine':>17} {'rapidfuzz@0.85':>17} {'nomenklatura':>17}")
    for kind, e in kinds["engine"].items():
        cells = []
        for name in ("engine", "rapidfuzz", "nomenklatura"):
            k = kinds.get(name, {}).get(kind)
            cells.append(f"{k['recall'] * 100:6.1f}% / {k['recall_hit'] * 100:5.1f}%" if k else "-")
        print(f"{kind:<15} {e['n']:>5} {cells[0]:>17} {cells[1]:>17} {cells[2]:>17}")

    groups = fpr_by_group(engine, queries, POSSIBLE_THRESHOLD)
    print("\n== Engine false-positive rate by negative group ==")
    print("  " + "  ".join(f"{g}={v['fpr'] * 100:.1f}%({v['n']})" for g, v in groups.items()))
    family_runs = [("engine", engine, POSSIBLE_THRESHOLD), ("engine, name only", engine_names,
                   POSSIBLE_THRESHOLD), ("rapidfuzz@0.85", rf_run, RAPIDFUZZ_DEFAULT)]
    if nk_run is not None:
        family_runs.append(("nomenklatura@0.70", nk_run, NOMENKLATURA_THRESHOLD))
    families_fpr = {label: fpr_by_family(run, queries, thr) for label, run, thr in family_runs}
    recall_facts = {label: recall_by_facts(run, queries, thr) for label, run, thr in family_runs}
    print("\n== False-positive rate by negative family ==")
    print(f"{'matcher':<20} " + " ".join(f"{f:>22}" for f in FAMILIES))
    for label, fams in families_fpr.items():
        cells = [f"{fams[f]['fpr'] * 100:6.2f}% ({fams[f]['fp']}/{fams[f]['n']})" for f in FAMILIES]
        print(f"{label:<20} " + " ".join(f"{c:>22}" for c in cells))
    print("\n== Recall by what the positive carries ==")
    for label, rec in recall_facts.items():
        print(f"  {label:<20} " + "  ".join(
            f"{k}: {v['recall'] * 100:.2f}% ({v['n']})" for k, v in rec.items()))

    # Cross-script: lists without original-script names plus the pairs' Latin names.
    xs_entities, xs_queries = corpus.cross_script_set(entities)
    xs_screener = Screener(xs_entities, infos)
    xs_engine = run_engine(xs_screener, xs_queries)
    xs_rf = RapidFuzzPeer(xs_entities).run(xs_queries)
    xs_nk = None
    if nk_run is not None:
        xs_nk = NomenklaturaPeer(xs_entities, xs_screener, "xs").run(
            xs_queries, workers=args.workers
        )
    print("\n== Cross-script (lists without original-script names + the pairs' Latin names) ==")
    print(f"{'set':<16} {'n':>4} {'engine':>17} {'rapidfuzz@0.85':>17} {'nomenklatura@0.70':>18}")
    xs_summary: dict[str, Any] = {}
    for kind in ("cross_script", "original_script"):
        idx = [i for i, q in enumerate(xs_queries) if q.kind == kind]
        qs = [xs_queries[i] for i in idx]
        cells = []
        summary = {}
        for name, run, thr, hit in (
            ("engine", xs_engine, POSSIBLE_THRESHOLD, HIT_THRESHOLD),
            ("rapidfuzz", xs_rf, RAPIDFUZZ_DEFAULT, 0.95),
            ("nomenklatura", xs_nk, NOMENKLATURA_THRESHOLD, HIT_THRESHOLD),
        ):
            if run is None:
                cells.append("-")
                continue
            sub = Run(
                name,
                [run.scores[i] for i in idx],
                [run.top[i] for i in idx],
                [run.seconds[i] for i in idx],
            )
            m = metrics(sub, qs, thr, hit)
            summary[name] = {"recall": m["recall"], "recall_hit": m["recall_hit"], "threshold": thr}
            cells.append(f"{m['recall'] * 100:6.1f}% / {m['recall_hit'] * 100:5.1f}%")
        xs_summary[kind] = {"n": len(qs), **summary}
        print(f"{kind:<16} {len(qs):>4} {cells[0]:>17} {cells[1]:>17} {cells[2]:>18}")
    pairs = []
    print(f"\n{'query':<18} {'expected':<18} {'min':>5} {'engine':>7} {'rfuzz':>6} {'nomen':>6}")
    for i, q in enumerate(xs_queries):
        if q.kind != "cross_script":
            continue
        row = {
            "query": q.text,
            "expected": q.base,
            "min_score": float(q.group.split()[0][4:]),
            "engine": round(found_score(xs_engine.scores[i], q), 4),
            "rapidfuzz": round(found_score(xs_rf.scores[i], q), 4),
            "nomenklatura": round(found_score(xs_nk.scores[i], q), 4) if xs_nk else None,
            "engine_top": xs_engine.top[i],
        }
        pairs.append(row)
        nk_cell = f"{row['nomenklatura']:.2f}" if xs_nk else "-"
        print(
            f"{q.text:<18} {q.base:<18} {row['min_score']:>5.2f} {row['engine']:>7.2f} "
            f"{row['rapidfuzz']:>6.2f} {nk_cell:>6}"
        )
    xs_examples = examples(
        xs_engine, xs_queries, xs_entities, POSSIBLE_THRESHOLD, screener=xs_screener, per_kind=10
    )

    ex = examples(engine, queries, entities, POSSIBLE_THRESHOLD, screener=screener)
    print("\n== Engine misses (query -> expected | got) ==")
    for kind, items in ex["misses"].items():
        k = kinds["engine"][kind]
        print(f"  {kind}: {k['n'] - round(k['recall'] * k['n'])} of {k['n']} missed")
        for it in items[:6]:
            print(
                f"    {it['query']!r} -> {it['expected']!r} ({it['expected_score']}) | "
                f"{it['got']!r} {it['got_score']}"
            )
    print(f"== Engine false positives ({m_engine['false_positives']}) ==")
    for it in ex["false_positives"][:15]:
        print(f"    {it['query']!r} [{it['group']}] -> {it['got']!r} {it['score']}")

    verdict = targets(
        m_engine=m_engine,
        m_rf=m_rf,
        rf_match=rf_match,
        rf_run=rf_run,
        m_nk=m_nk,
        nk_match=nk_match,
        nk_run=nk_run,
        engine=engine,
    )
    print("\n== Done-when checks ==")
    for line in verdict["lines"]:
        print("  " + line)

    out = {
        "benchmark": "screening quality: engine vs rapidfuzz vs nomenklatura logic-v2",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "seed": args.seed,
        "negatives_left_out_as_partial_listed_names": list(corpus.excluded_parts),
        "negatives_left_out_as_script_listed_names": list(families.excluded_script),
        "negatives_left_out_as_factless_listed_names": list(families.excluded_factless),
        "lists": [i.model_dump(mode="json", exclude={"files"}) for i in infos],
        "entities": len(entities),
        "names": screener.index.size,
        "queries": {
            "positives": len(pos),
            "negatives": len(neg),
            "positive_kinds": dict(Counter(q.kind for q in pos)),
            "positive_groups": dict(Counter(q.group for q in pos)),
            "negative_groups": dict(Counter(q.group for q in neg)),
        },
        "rows": [
            {
                "matcher": label,
                "note": note,
                **_rounded(m),
                "p50_ms": round(pct(run.seconds, 50), 3),
                "p99_ms": round(pct(run.seconds, 99), 3),
                **({"extra": run.extra} if run.extra else {}),
            }
            for label, m, run, note in rows
        ],
        "nomenklatura_error": nk_error,
        "engine_sweep": [_rounded(m) for m in eng_sweep],
        "rapidfuzz_sweep": [_rounded(m) for m in rf_sweep],
        "nomenklatura_sweep": [_rounded(m) for m in nk_sweep] if nk_sweep else None,
        "recall_by_kind": kinds,
        "engine_fpr_by_group": groups,
        "fpr_by_family": families_fpr,
        "recall_by_facts": recall_facts,
        "strength_of_found_positives": strength_counts(screener, queries),
        "cross_script": {"summary": xs_summary, "pairs": pairs, "engine_misses": xs_examples},
        "engine_examples": ex,
        "targets": verdict["checks"],
        "runtime_s": round(time.perf_counter() - started, 1),
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=2, ensure_ascii=False, default=str)
    print(f"\nwrote {args.out} ({out['runtime_s']}s)")
    print("strength of the best hit:", out["strength_of_found_positives"])
    if args.quick and (m_engine["recall"] < 0.9 or m_engine["false_positive_rate"] > 0.05):
        raise SystemExit("quick run below its sanity floors (recall 90%, FPR 5%): broken?")


FAMILIES = ("names", "common", "script")


def _family(q: corpus.Query) -> str:
    head = q.group.split("/")[0]
    return {"common": "common", "script": "script"}.get(head, "names")


def fpr_by_family(run: Run, queries: Sequence[corpus.Query], threshold: float) -> dict[str, Any]:
    """False positives per negative family: names in ten locales, common names, scripts."""
    out: dict[str, Any] = {}
    for fam in FAMILIES:
        alerts = [max(s.values(), default=0.0) >= threshold
                  for q, s in zip(queries, run.scores, strict=True)
                  if q.expected is None and _family(q) == fam]
        out[fam] = {"n": len(alerts), "fp": sum(alerts),
                    "fpr": sum(alerts) / len(alerts) if alerts else 0.0}
    return out


def recall_by_facts(run: Run, queries: Sequence[corpus.Query], threshold: float) -> dict[str, Any]:
    """Recall of positives given the listing's DOB/nationality, and of those given none."""
    out: dict[str, Any] = {}
    for label, want in (("with facts", True), ("name and type only", False)):
        found = [found_score(s, q) >= threshold for q, s in zip(queries, run.scores, strict=True)
                 if q.expected is not None and q.group.endswith("+facts") == want]
        out[label] = {"n": len(found), "recall": sum(found) / len(found) if found else 0.0}
    return out


def strength_counts(screener: Screener, queries: Sequence[corpus.Query]) -> dict[str, Any]:
    """How strong the best hit is on each positive and each alerted negative."""
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    for q in queries:
        hits = screener.screen(party_of(q)).hits
        if q.expected is not None:
            mine = [h for h in hits if h.entity_id in {screener.entities[p].id for p in q.accept}]
            pos[mine[0].strength.value if mine else "missed"] += 1
        elif hits:
            neg[hits[0].strength.value] += 1
    return {"positives": dict(pos), "negatives_alerted": dict(neg)}


def _rounded(m: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 5) if isinstance(v, float) else v for k, v in m.items()}


def targets(
    *,
    m_engine: dict[str, Any],
    m_rf: dict[str, Any],
    rf_match: dict[str, Any],
    rf_run: Run,
    m_nk: dict[str, Any] | None,
    nk_match: dict[str, Any] | None,
    nk_run: Run | None,
    engine: Run,
) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    lines: list[str] = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks[name] = {"ok": ok, "detail": detail}
        lines.append(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}")

    check(
        "recall >= 99% (possible)", m_engine["recall"] >= 0.99, f"{m_engine['recall'] * 100:.2f}%"
    )
    check(
        "FPR <= 0.1% (possible)",
        m_engine["false_positive_rate"] <= 0.001,
        f"{m_engine['false_positive_rate'] * 100:.2f}% "
        f"({m_engine['false_positives']} of {m_engine['negatives']})",
    )
    e50 = pct(engine.seconds, 50)
    peers: list[tuple[str, dict[str, Any], dict[str, Any] | None, Run]] = [
        ("rapidfuzz", m_rf, rf_match, rf_run)
    ]
    if m_nk is not None and nk_run is not None:
        peers.append(("nomenklatura", m_nk, nk_match, nk_run))
    for name, m, matched, run in peers:
        at_default = (
            m_engine["recall"] > m["recall"]
            and m_engine["false_positive_rate"] <= m["false_positive_rate"]
        )
        at_matched = matched is not None and m_engine["recall"] > matched["recall"]
        check(
            f"beats {name} (recall, FPR) at its default threshold",
            at_default,
            f"engine {m_engine['recall'] * 100:.2f}%/{m_engine['false_positive_rate'] * 100:.2f}%"
            f" vs {m['recall'] * 100:.2f}%/{m['false_positive_rate'] * 100:.2f}%"
            f" @{m['threshold']:.2f}",
        )
        if matched is not None:
            check(
                f"beats {name} recall at FPR <= engine's",
                at_matched,
                f"{name} {matched['recall'] * 100:.2f}% @{matched['threshold']:.2f} "
                f"(FPR {matched['false_positive_rate'] * 100:.2f}%)",
            )
        check(
            f"p50 below {name}",
            e50 < pct(run.seconds, 50),
            f"{e50:.3f} ms vs {pct(run.seconds, 50):.3f} ms",
        )
    if m_nk is None:
        lines.append("[N/A ] nomenklatura comparison: not run")
    return {"checks": checks, "lines": lines}


if __name__ == "__main__":
    main()
