"""Quick matching benchmark: recall on perturbed listed names, false positives, latency.

Reads the OFAC SDN CSVs directly (not through the loaders) plus synthetic fillers up to ~30k
names. Run: `python benchmarks/screening_quick.py [n_queries]`.
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from caseworker.checks.screening.engine import Party, Screener
from caseworker.checks.screening.entity import EntityType, ListedEntity, ListedName, NameQuality
from caseworker.checks.screening.index import ScreeningIndex
from caseworker.checks.screening.matcher import HIT_THRESHOLD, POSSIBLE_THRESHOLD


def _words(text: str) -> list[str]:
    return text.split()


DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sanctions"
FIRST = _words(
    "james john robert michael william david richard joseph thomas charles mary patricia "
    "jennifer linda elizabeth barbara susan jessica sarah karen anna maria elena olga natalia "
    "irina sergei andrei dmitri alexei nikolai pavel mikhail igor oleg yuri hans peter klaus "
    "jurgen stefan pierre jean michel philippe francois luc marco luca giuseppe giovanni paolo "
    "carlos jose juan luis miguel pedro antonio manuel jorge ahmed omar yusuf ibrahim khalid "
    "hassan hussein tariq bilal fatima aisha zainab leila samir karim nadia rania wei fang lei "
    "jun hui ying chen min hiroshi takashi kenji yuki akira haruto sakura minho jisoo seojun "
    "raj amit priya sunil anil vikram deepak arjun kwame kofi ama chinedu emeka ngozi tunde olu "
    "mehmet mustafa emre ayse zeynep can burak ali reza mahmoud mehdi farhad parisa sina arash "
    "lars erik anders sven johan nils ingrid astrid piotr tomasz katarzyna agnieszka jan pavel "
    "vaclav "
)
LAST = _words(
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez "
    "gonzalez wilson anderson taylor moore jackson martin lee thompson white harris clark lewis "
    "robinson walker young allen king wright scott green baker adams nelson hill campbell "
    "mitchell roberts carter phillips evans turner torres parker collins edwards stewart morris "
    "murphy cook rogers morgan peterson cooper reed bailey bell gomez kelly howard ward cox "
    "diaz richardson wood watson brooks bennett gray james reyes cruz hughes price myers long "
    "foster sanders ross morales powell sullivan russell ortiz jenkins gutierrez perry butler "
    "barnes fisher henderson coleman simmons patterson jordan reynolds hamilton graham kim "
    "wallace muller schmidt schneider fischer weber meyer wagner becker schulz hoffmann dubois "
    "moreau laurent bernard rossi russo ferrari esposito bianchi romano colombo ivanova "
    "smirnova kuznetsova popova sokolova lebedeva kowalski nowak wisniewski wojcik kaminski "
    "lewandowski yilmaz kaya demir sahin celik yildiz nakamura tanaka watanabe suzuki takahashi "
    "sato patel sharma singh gupta kumar mehta reddy nair okafor adeyemi mensah owusu boateng "
    "diallo johansson karlsson nilsson eriksson larsson olsen hansen jensen nielsen novak "
    "horvat dvorak svoboda zhang liu yang huang zhao zhou xu sun zhu gao lin he guo luo "
)
WORDS = _words(
    "global alpha omega northern southern pacific atlantic green blue river mountain star sun "
    "united general national consolidated advanced precision digital logistics marine energy "
    "solutions systems partners ventures capital industries resources foods textiles software "
    "consulting engineering medical pharma agri metals mining shipping freight aviation "
)
FORMS = ["Ltd", "LLC", "GmbH", "Inc.", "S.A.", "B.V.", "Corp", "PLC", "AG", "OOO"]
VARIANTS = [
    ("mohammed", "muhammad"),
    ("mohammad", "mohamed"),
    ("ou", "u"),
    ("y", "i"),
    ("ks", "x"),
    ("kh", "h"),
    ("j", "dj"),
    ("ei", "ey"),
    ("sh", "ch"),
    ("ph", "f"),
    ("v", "w"),
    ("aa", "a"),
    ("ie", "y"),
    ("ee", "i"),
    ("c", "k"),
    ("q", "k"),
    ("dh", "z"),
    ("abdul", "abd al"),
]


def load_sdn() -> list[ListedEntity]:
    """OFAC SDN with aliases, straight from the legacy CSVs (good enough for a benchmark)."""
    entities: dict[str, ListedEntity] = {}
    kinds = {
        "individual": EntityType.person,
        "vessel": EntityType.vessel,
        "aircraft": EntityType.aircraft,
    }
    with (DATA / "ofac_sdn_2021_sdn.csv").open(encoding="latin-1") as fh:
        for row in csv.reader(fh):
            if len(row) < 3:
                continue
            kind = kinds.get(row[2].strip(), EntityType.entity)
            entities[row[0]] = ListedEntity(
                id=f"ofac:{row[0]}",
                source="ofac_sdn",
                source_id=row[0],
                type=kind,
                names=[ListedName(full=row[1])],
                topics=["sanction"],
            )
    with (DATA / "ofac_sdn_2021_alt.csv").open(encoding="latin-1") as fh:
        for row in csv.reader(fh):
            if len(row) >= 4 and row[0] in entities:
                q = NameQuality.weak if row[2].strip() == "fka" else NameQuality.strong
                entities[row[0]].names.append(ListedName(full=row[3], quality=q))
    return list(entities.values())


def fillers(rng: random.Random, n_names: int) -> list[ListedEntity]:
    out = []
    for i in range(n_names):
        parts = [rng.choice(FIRST).title(), rng.choice(FIRST).title(), f"Zz{i:05d}x"]
        out.append(
            ListedEntity(
                id=f"fill:{i}",
                source="fill",
                source_id=str(i),
                type=EntityType.person,
                names=[ListedName(full=" ".join(parts))],
                topics=["pep"],
            )
        )
    return out


def perturb(rng: random.Random, name: str, person: bool) -> tuple[str, str]:
    tokens = name.replace(",", " ").split()
    kind = rng.choice(["typo", "transpose", "reorder", "drop", "initial", "variant", "case"])
    if kind in ("drop", "initial") and not person:
        kind = "typo"
    if kind == "reorder" and len(tokens) > 1:
        rng.shuffle(tokens)
    elif kind == "drop" and len(tokens) > 2:
        tokens.pop(rng.randrange(1, len(tokens) - 1))
    elif kind == "initial" and len(tokens) > 2:
        i = rng.randrange(1, len(tokens) - 1)
        tokens[i] = tokens[i][0] + "."
    elif kind == "variant":
        low = " ".join(tokens).lower()
        for a, b in rng.sample(VARIANTS, len(VARIANTS)):
            if a in low:
                return kind, low.replace(a, b, 1)
        kind = "typo"
    if kind in ("typo", "transpose"):
        i = max(range(len(tokens)), key=lambda k: len(tokens[k]) + rng.random())
        t = tokens[i]
        if len(t) > 3:
            p = rng.randrange(1, len(t) - 1)
            if kind == "transpose":
                t = t[:p] + t[p + 1] + t[p] + t[p + 2 :]
            else:
                t = t[:p] + rng.choice("aeioulnrst") + t[p + 1 :]
        tokens[i] = t
    return kind, " ".join(tokens)


def main() -> None:  # noqa: PLR0915
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = random.Random(7)
    listed = load_sdn()
    n_names = sum(len(e.names) for e in listed)
    entities = listed + fillers(rng, max(0, 30000 - n_names))
    t0 = time.perf_counter()
    index = ScreeningIndex.build(entities)
    build = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.pkl"
        index.save(path)
        t0 = time.perf_counter()
        ScreeningIndex.load(path)
        load = time.perf_counter() - t0
        size = path.stat().st_size
    screener = Screener(entities, [], index=index)
    print(
        f"names={index.size} vocab={len(index.vocab)} keys={len(index.key_ids)} "
        f"build={build:.2f}s load={load * 1000:.0f}ms cache={size / 1e6:.1f}MB"
    )
    people = [e for e in listed if e.type == EntityType.person]
    positives = []
    for e in rng.sample(listed, n):
        name = rng.choice(e.names).full
        kind, query = (
            perturb(rng, name, e.type == EntityType.person)
            if rng.random() < 0.85
            else ("alias", name)
        )
        positives.append((e, kind, query, e in people))
    times: list[float] = []
    missed: dict[str, list[str]] = {}
    found = hits = 0
    pos_scores: list[float] = []
    neg_scores: list[float] = []
    cand_sizes = []
    for e, kind, query, _ in positives:
        t0 = time.perf_counter()
        res = screener.screen(Party(name=query))
        times.append(time.perf_counter() - t0)
        score = next((h.score for h in res.hits if h.entity_id == e.id), 0.0)
        pos_scores.append(score)
        found += score >= POSSIBLE_THRESHOLD
        hits += score >= HIT_THRESHOLD
        if score < POSSIBLE_THRESHOLD:
            missed.setdefault(kind, []).append(f"{query!r} <- {e.names[0].full!r} ({score})")
    for _, _, query, _ in positives[:300]:
        from caseworker.checks.screening.normalize import normalize_name

        cand_sizes.append(len(index.candidates(normalize_name(query, kind=None))))
    print(
        f"recall@possible={found / n:.4f} recall@hit={hits / n:.4f} "
        f"candidates median={statistics.median(cand_sizes)} max={max(cand_sizes)}"
    )
    for kind, items in sorted(missed.items()):
        print(f"  missed {kind}: {len(items)}")
        for item in items[:14]:
            print("     ", item)
    fp = fp_hit = 0
    negatives = []
    listed_names = {
        " ".join(sorted(n.full.lower().replace(",", "").split())) for e in listed for n in e.names
    }
    while len(negatives) < n:
        if rng.random() < 0.8:
            q = f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}"
            if rng.random() < 0.3:
                q = f"{rng.choice(FIRST).title()} {q}"
        else:
            q = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {rng.choice(FORMS)}"
        if " ".join(sorted(q.lower().split())) not in listed_names:
            negatives.append(q)
    examples = []
    for q in negatives:
        t0 = time.perf_counter()
        res = screener.screen(Party(name=q))
        times.append(time.perf_counter() - t0)
        listed_hits = [h for h in res.hits if not h.entity_id.startswith("fill:")]
        neg_scores.append(listed_hits[0].score if listed_hits else 0.0)
        if listed_hits:
            fp += 1
            fp_hit += listed_hits[0].status == "hit"
            examples.append(f"{q!r} -> {listed_hits[0].matched_name!r} {listed_hits[0].score}")
    print(f"fp_rate@possible={fp / n:.4f} fp_rate@hit={fp_hit / n:.4f}")
    for ex in examples[:15]:
        print("     ", ex)
    for t in (0.70, 0.72, 0.74, 0.75, 0.76, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90):
        rec = sum(x >= t for x in pos_scores) / len(pos_scores)
        fpr = sum(x >= t for x in neg_scores) / len(neg_scores)
        people = [
            x
            for x, q in zip(neg_scores, negatives, strict=True)
            if q.count(" ") < 3 and not any(q.endswith(f) for f in FORMS)
        ]
        fpp = sum(x >= t for x in people) / len(people)
        print(f"  threshold {t:.2f}: recall={rec:.4f} fpr={fpr:.4f} fpr_people={fpp:.4f}")
    times.sort()
    print(
        f"latency p50={times[len(times) // 2] * 1000:.2f}ms "
        f"p99={times[int(len(times) * 0.99)] * 1000:.2f}ms"
    )


if __name__ == "__main__":
    main()
