"""PEAR: write the labelled KYB benchmark dataset (cases, documents, labels, facts) from a seed.

    python benchmarks/pear/generate.py --seed 20261206 --out DIR [--cases N] [--as-of DATE]
    python benchmarks/pear/generate.py --quick   # 12 cases, twice: checks they verify, same bytes

Writes DIR/dataset.jsonl (caseworker.eval.dataset: a header, then one labelled case per line)
and DIR/documents/<case id>/*.pdf. Case i (from 0) belongs to family i mod 8 (pear_families.py:
clean, sanctions, common_name, country_risk, industry_risk, documents, missing_data, injection)
and is drawn from its own seed, so `--cases 40` is the first 40 cases of the full set and the
same seed and `--as-of` give the same bytes. One case in four of each family is `holdout`: in
each run of four, the one a hash of the family and the run's number picks (`holdout`), never
drawing order. PEP namesakes are not generated: /work/shared/data holds no PEP list.

Dates are relative to `--as-of` (default: today, recorded in the header): proofs of address are
issued 3 to 30 days before it, so the labels hold for `valid_until` (as_of + 60 days); stale
ones 130 to 330 days before. The screening lists are the shared offline copies; the header
records their dates and file digests. Every document drawn without a planted problem is read,
extracted (rules), verified and inspected as the documents checks do: a wrong value or a
tampering signal is a generator bug (exit 1); a field the rules do not find is a reading
limitation of the system, listed (header `rules_misread`) and kept as drawn.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pear_documents import Dates, check_document, plant, render  # noqa: E402
from pear_families import FAMILIES, Context, as_case, decide, statuses  # noqa: E402
from pear_world import World, corpus  # noqa: E402

from caseworker.domain.case import Case, Document  # noqa: E402
from caseworker.domain.plan import Recommendation  # noqa: E402
from caseworker.eval.dataset import (  # noqa: E402
    Dataset,
    Expected,
    LabelledCase,
    load_dataset,
    write_dataset,
)

SEED = 20261206
CASES = 320
VALID_DAYS = 60  # the freshest bill is 30 days old at as_of: fresh for 60 more days
VERSION = "1"


@dataclass(frozen=True)
class Misread:
    """A document drawn without a problem that the documents checks do not verify.

    A field the rules do not find (`missing:*`) is a reading limitation of the system, kept
    in the dataset (the label says what the document shows); a wrong value or a tampering
    signal (`mismatch:*`, `stale`, `warning:*`, `critical:*`) would be a generator bug.
    """

    case_id: str
    file: str
    problems: list[str]

    @property
    def generator_bug(self) -> bool:
        return any(not p.startswith("missing:") for p in self.problems)


def holdout(family: str, n: int) -> bool:
    """One case in four of each family: in every run of four, the one a hash picks.

    The hash is of the family and the run's number, so a case's split never depends on how
    many cases are drawn, nor on drawing order.
    """
    chosen = int(hashlib.sha256(f"{family}:{n // 4}".encode()).hexdigest()[:8], 16) % 4
    return n % 4 == chosen


def make_case(world: World, seed: int, index: int, out: Path,
              ) -> tuple[LabelledCase, list[Misread]]:
    """Draw case `index`, write its documents under `out`; the clean ones the rules misread."""
    names = list(FAMILIES)
    family, n = names[index % len(names)], index // len(names)
    rng = Random(corpus.derive_seed(seed, "case", index))
    dates = Dates.draw(rng, world.as_of)
    scenario = FAMILIES[family](Context(world, rng, dates), n)
    case_id = f"pear-{index + 1:04d}"
    draft = as_case(scenario.business)
    documents, facts, misread = [], list(scenario.facts), []
    for j, spec in enumerate(scenario.documents, start=1):
        planted, fact = plant(draft, spec, rng, dates)
        facts.append(fact)
        relative = f"documents/{case_id}/{j}-{spec.kind.replace('_', '-')}.pdf"
        data, _ = render(draft, planted, seed=corpus.derive_seed(seed, case_id, j), dates=dates)
        if planted.check and planted.problem is None and planted.source is None:
            reading = check_document(data, spec.kind, draft, world.as_of)
            if not reading.verified or reading.problems:
                misread.append(Misread(case_id, relative, reading.problems or ["not verified"]))
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        documents.append(Document(type=spec.kind, path=relative, mime_type="application/pdf"))
    case = Case.model_validate({**draft.model_dump(mode="json", exclude_none=True),
                                "id": case_id,
                                "documents": [d.model_dump(exclude_none=True) for d in documents]})
    checks = statuses(scenario)
    expected = Expected(decision=Recommendation(decide(checks)),
                        checks={c: s for c, s in checks.items() if s is not None})
    labelled = LabelledCase(id=case_id, family=family, variant=scenario.variant,
                            split="holdout" if holdout(family, n) else "dev", case=case,
                            expected=expected, facts=facts)
    return labelled, misread


def generate(out: Path, *, seed: int, cases: int, as_of: date, world: World | None = None,
             ) -> tuple[Dataset, list[Misread]]:
    """Write the dataset to `out`; return it as read back, and the clean documents misread."""
    world = world or World.load(as_of)
    out.mkdir(parents=True, exist_ok=True)
    labelled, misread = [], []
    for index in range(cases):
        case, bad = make_case(world, seed, index, out)
        labelled.append(case)
        misread += bad
    meta = {
        "generator": "benchmarks/pear/generate.py",
        "valid_until": (as_of + timedelta(days=VALID_DAYS)).isoformat(),
        "families": dict(Counter(c.family for c in labelled)),
        "splits": dict(Counter(c.split for c in labelled)),
        "rules_misread": [f"{m.file}: {', '.join(m.problems)}" for m in misread],
        "lists": world.lists.files(),
        "not_generated": "PEP namesakes: the shared data holds no PEP list",
    }
    dataset = Dataset(name="pear", version=VERSION, seed=seed, as_of=as_of, meta=meta,
                      cases=labelled, base_dir=out)
    write_dataset(dataset, out)
    loaded, errors = load_dataset(out)  # as a reader sees it: document paths made absolute
    if errors:
        raise RuntimeError(f"the dataset written does not load: {errors[:3]}")
    return loaded, misread


def digest(directory: Path) -> str:
    """One hash over every file under `directory` (names and bytes)."""
    h = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def summary(dataset: Dataset) -> str:
    rows = Counter((c.family, c.expected.decision.value) for c in dataset.cases)
    held = sum(c.split == "holdout" for c in dataset.cases)
    lines = [f"{len(dataset.cases)} cases (holdout {held}), as of {dataset.as_of}, "
             f"seed {dataset.seed}"]
    for family in FAMILIES:
        counts = {d: rows[(family, d)] for d in ("approve", "review", "reject")
                  if rows[(family, d)]}
        total = sum(counts.values())
        if total:
            lines.append(f"  {family:14s} {total:4d}  " +
                         "  ".join(f"{d} {n}" for d, n in counts.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, help="the dataset directory to write")
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today(),
                        help="the date labels are made for (default today)")
    parser.add_argument("--quick", action="store_true",
                        help="12 cases, twice in temporary folders: verify and compare bytes")
    args = parser.parse_args(argv)
    if args.quick:
        return quick(args.seed, args.as_of)
    if args.out is None:
        parser.error("--out is required (or --quick)")
    started = time.perf_counter()
    dataset, misread = generate(args.out, seed=args.seed, cases=args.cases, as_of=args.as_of)
    print(summary(dataset))
    print(f"written to {args.out} in {time.perf_counter() - started:.1f} s")
    return report(misread)


def report(misread: list[Misread]) -> int:
    """Print the clean documents the checks do not verify; 1 if one looks like a generator bug."""
    bugs = [m for m in misread if m.generator_bug]
    for m in misread:
        kind = "GENERATOR BUG?" if m.generator_bug else "rules misread"
        print(f"{kind} {m.file}: {', '.join(m.problems)}",
              file=sys.stderr if m.generator_bug else sys.stdout)
    if bugs:
        print(f"{len(bugs)} document(s) drawn without a problem show a wrong value or a "
              "tampering signal", file=sys.stderr)
    return 1 if bugs else 0


def quick(seed: int, as_of: date) -> int:
    started = time.perf_counter()
    world = World.load(as_of)
    with tempfile.TemporaryDirectory(prefix="pear-") as tmp:
        first, second = Path(tmp) / "a", Path(tmp) / "b"
        dataset, misread = generate(first, seed=seed, cases=12, as_of=as_of, world=world)
        generate(second, seed=seed, cases=12, as_of=as_of, world=world)
        same = digest(first) == digest(second)
    print(summary(dataset))
    print(f"generated twice in {time.perf_counter() - started:.1f} s: "
          f"{'same bytes' if same else 'DIFFERENT BYTES'}")
    return report(misread) or (0 if same else 1)


if __name__ == "__main__":
    sys.exit(main())
