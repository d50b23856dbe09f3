"""Check PEAR's labels: run every case through the KYB agent (rules model), list disagreements.

    python benchmarks/pear/check_labels.py --dataset DIR [--workers 2] [--out FILE]
    python benchmarks/pear/check_labels.py --cases 40 [--seed S]   # generate a sample first
    python benchmarks/pear/check_labels.py --quick                  # 12 generated cases

Runs in this process's own runtime, the way the example tests do: an embedded Redis, local
worker processes (LocalWorkers), every case submitted at once and each job's result read from
the store. Prints, per family, how many decisions and check statuses agree with the labels,
then every disagreement with the facts behind its label. A disagreement is not a verdict on
either side: the label may be wrong (a generator bug) or the system (a defect); read the
facts. Exits 1 when a job does not finish; disagreements alone exit 0 (--strict: 1).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from generate import SEED, generate  # noqa: E402
from pear_families import FAMILIES, SEVERITY  # noqa: E402

from caseworker.agents.coordinator import submit  # noqa: E402
from caseworker.eval.dataset import Dataset, LabelledCase, load_dataset  # noqa: E402
from caseworker.runtime.connection import connect  # noqa: E402
from caseworker.runtime.local import LocalRuntime  # noqa: E402
from caseworker.runtime.store import JobStore  # noqa: E402
from caseworker.runtime.worker import sweep  # noqa: E402
from caseworker.sop.agent import AgentDefinition, load_agent  # noqa: E402
from caseworker.tools.registry import default_registry  # noqa: E402

AGENT = ROOT / "agents" / "kyb"
POLL_SECONDS = 0.2


@dataclass
class Outcome:
    """One case as the system decided it, beside its label."""

    case_id: str
    family: str
    variant: str
    expected: str
    decision: str | None  # None: the job did not complete
    checks: dict[str, str]  # check id -> status
    wrong_checks: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (label, got)

    @property
    def agrees(self) -> bool:
        return self.decision == self.expected


def rules_only(definition: AgentDefinition) -> AgentDefinition:
    """The agent, its checks compared with pear_families.SEVERITY, and no model but the rules."""
    severities = {c.id: c.severity.value for c in definition.plan.checks}
    if severities != SEVERITY:
        raise SystemExit(f"the agent's checks differ from PEAR's: {severities} != {SEVERITY}")
    models = [m.model for m in definition.spec.model]
    if models != ["rules"]:
        raise SystemExit(f"{AGENT}: the model chain is {models}, not [rules]")
    return definition


def run(dataset: Dataset, *, workers: int, timeout: float) -> tuple[list[Outcome], float]:
    """Run every case; the outcomes (in dataset order) and the wall time in seconds."""
    definition = rules_only(load_agent(AGENT, default_registry()).definition)
    with tempfile.TemporaryDirectory(prefix="pear-check-") as tmp, \
            LocalRuntime(None, Path(tmp), workers) as runtime:
        conn = connect(runtime.url)
        store = JobStore(conn)
        started = time.perf_counter()
        jobs = {c.id: submit(conn, definition, c.case) for c in dataset.cases}
        pending = dict(jobs)
        next_sweep = time.monotonic() + 5
        while pending and time.perf_counter() - started < timeout:
            pending = {c: j for c, j in pending.items() if not store.status(j).finished}
            if time.monotonic() >= next_sweep:
                sweep(conn)
                next_sweep = time.monotonic() + 5
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        outcomes = [outcome(c, store, jobs[c.id]) for c in dataset.cases]
    return outcomes, wall


def outcome(labelled: LabelledCase, store: JobStore, job_id: str) -> Outcome:
    job = store.get(job_id)
    checks = {c: r.status.value for c, r in job.results.items()}
    wrong = {c: (s.value, checks.get(c, "-")) for c, s in labelled.expected.checks.items()
             if checks.get(c) != s.value}
    return Outcome(labelled.id, labelled.family, labelled.variant or "",
                   labelled.expected.decision.value,
                   job.recommendation.value if job.recommendation else None, checks, wrong)


def table(outcomes: list[Outcome]) -> str:
    rows = [["family", "cases", "decisions", "checks", "stricter", "more lenient"]]
    strict = {"approve": 0, "review": 1, "reject": 2}
    families = [f for f in FAMILIES if any(o.family == f for o in outcomes)]
    for family in [*families, "all"]:
        group = [o for o in outcomes if family in ("all", o.family)]
        labelled = sum(o.decision is not None and not o.wrong_checks for o in group)
        stricter = sum(strict.get(o.decision or "", -1) > strict[o.expected] for o in group)
        lenient = sum(-1 < strict.get(o.decision or "", -1) < strict[o.expected] for o in group)
        rows.append([family, str(len(group)),
                     f"{sum(o.agrees for o in group)}/{len(group)}",
                     f"{labelled}/{len(group)}", str(stricter), str(lenient)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def disagreements(outcomes: list[Outcome], dataset: Dataset) -> str:
    facts = {c.id: c.facts for c in dataset.cases}
    by_family: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if not o.agrees or o.wrong_checks:
            by_family[o.family].append(o)
    lines = []
    for family, group in by_family.items():
        lines.append(f"\n== {family}: {len(group)} disagreement(s); by variant "
                     f"{dict(Counter(o.variant for o in group))}")
        for o in group:
            checks = ", ".join(f"{c} {want}->{got}" for c, (want, got) in o.wrong_checks.items())
            lines.append(f"{o.case_id} [{o.variant}] label {o.expected}, system "
                         f"{o.decision or 'unfinished'}; {checks or 'checks agree'}")
            lines += [f"    - {fact}" for fact in facts[o.case_id][:3]]
    return "\n".join(lines)


def summary(dataset: Dataset, outcomes: list[Outcome], *, wall: float, workers: int,
            ) -> dict[str, Any]:
    """The results file: the dataset, agreement per family and every disagreement."""
    families = {}
    for family in dict.fromkeys(o.family for o in outcomes):
        group = [o for o in outcomes if o.family == family]
        families[family] = {
            "cases": len(group),
            "decisions_agree": sum(o.agrees for o in group),
            "checks_agree": sum(o.decision is not None and not o.wrong_checks for o in group),
        }
    return {
        "benchmark": "PEAR label check: every case through agents/kyb with the rules model",
        "dataset": dataset.name, "version": dataset.version, "seed": dataset.seed,
        "as_of": dataset.as_of.isoformat() if dataset.as_of else None,
        "cases": len(outcomes), "workers": workers, "wall_s": round(wall, 1),
        "families": families,
        "disagreements": [
            {"case_id": o.case_id, "family": o.family, "variant": o.variant,
             "label": o.expected, "system": o.decision,
             "checks": {c: {"label": want, "system": got}
                        for c, (want, got) in o.wrong_checks.items()}}
            for o in outcomes if not o.agrees or o.wrong_checks
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, help="a dataset directory (else one is generated)")
    parser.add_argument("--cases", type=int, default=320, help="cases to generate")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds for every job")
    parser.add_argument("--out", type=Path, help="write agreement and disagreements as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any disagreement")
    parser.add_argument("--quick", action="store_true", help="12 generated cases")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pear-") as tmp:
        if args.dataset:
            dataset, errors = load_dataset(args.dataset)
            if errors:
                print("\n".join(str(e) for e in errors), file=sys.stderr)
                return 1
        else:
            cases = 12 if args.quick else args.cases
            dataset, _ = generate(Path(tmp), seed=args.seed, cases=cases, as_of=args.as_of)
        outcomes, wall = run(dataset, workers=args.workers, timeout=args.timeout)
        print(table(outcomes))
        print(f"\n{len(outcomes)} cases in {wall:.1f} s with {args.workers} workers "
              f"({wall / max(len(outcomes), 1):.2f} s per case)")
        print(disagreements(outcomes, dataset))
        if args.out:
            results = summary(dataset, outcomes, wall=wall, workers=args.workers)
            args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    unfinished = [o.case_id for o in outcomes if o.decision is None]
    if unfinished:
        print(f"\n{len(unfinished)} job(s) did not finish: {unfinished[:10]}", file=sys.stderr)
        return 1
    return 1 if args.strict and any(not o.agrees or o.wrong_checks for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
