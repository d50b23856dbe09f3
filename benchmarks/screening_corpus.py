"""Shared corpus for the screening benchmarks: the real lists, perturbed positives, negatives.

Everything is generated from a fixed seed, so two runs (and the quality and speed scripts)
see the same names. Nothing is downloaded: the lists are the shared offline copies
(`../shared/data/sanctions`, or $CASEWORKER_SHARED_DATA), the negatives come from the
name and company-word lists below.
"""

from __future__ import annotations

import csv
import os
import random
import time
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from caseworker.checks.screening.entity import EntityType, ListedEntity, ListedName, ListInfo
from caseworker.checks.screening.lists import find_lists, load_found
from caseworker.checks.screening.normalize import normalize_name

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SEED = 20260227


def shared_dir() -> Path:
    """The shared sanctions files: `../shared/data/sanctions`, or $CASEWORKER_SHARED_DATA."""
    override = os.environ.get("CASEWORKER_SHARED_DATA")
    return Path(override) if override else ROOT.parent / "shared" / "data" / "sanctions"


def load_lists(directory: Path | None = None) -> tuple[list[ListedEntity], list[ListInfo], float]:
    """Every list in the shared folder through the project's own loaders; (entities, infos, s)."""
    directory = directory or shared_dir()
    started = time.perf_counter()
    entities: list[ListedEntity] = []
    infos: list[ListInfo] = []
    for found in find_lists(directory):
        loaded, info = load_found(found)
        entities.extend(loaded)
        infos.append(info)
    if not entities:
        raise SystemExit(f"no sanctions lists found in {directory} (set CASEWORKER_SHARED_DATA)")
    return entities, infos, time.perf_counter() - started


def name_key(text: str) -> str:
    """Order-free normalised form of a name: equal keys mean 'the same name'."""
    return " ".join(sorted(normalize_name(text).tokens))


def natural(name: ListedName, kind: EntityType) -> str:
    """A listed name as a user would type it: OFAC's `LAST, First` becomes `First Last`."""
    full = name.full
    if kind == EntityType.person and full.count(",") == 1:
        last, first = (p.strip() for p in full.split(","))
        if last and first:
            return f"{first} {last}"
    return full


def recase(rng: random.Random, text: str) -> str:
    """Users type names in any case: title case mostly, sometimes upper or lower."""
    r = rng.random()
    if r < 0.6:
        return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())
    if r < 0.8:
        return text.upper()
    return text.lower()


# --- positives ----------------------------------------------------------------------------

KEYBOARD = {
    c: n
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i, c in enumerate(row)
    for n in [row[max(0, i - 1) : i] + row[i + 1 : i + 2]]
}
# Transliteration variants seen across lists and KYB forms (Arabic, Persian, Russian, Chinese,
# Korean, Turkish...): (listed spelling, variant). Applied once, to one token.
TRANSLIT = [
    ("mohammed", "muhammad"),
    ("mohammad", "mohamed"),
    ("muhammad", "mohammed"),
    ("mohamed", "mohamad"),
    ("ahmed", "ahmad"),
    ("ahmad", "ahmed"),
    ("hussein", "husayn"),
    ("husain", "hussein"),
    ("hassan", "hasan"),
    ("yusuf", "youssef"),
    ("yousef", "yusuf"),
    ("abdul", "abdel"),
    ("abdel", "abd al"),
    ("abd al", "abdul"),
    ("abdullah", "abdallah"),
    ("osama", "usama"),
    ("omar", "umar"),
    ("khalid", "khaled"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("aa", "a"),
    ("kh", "h"),
    ("q", "k"),
    ("dh", "z"),
    ("j", "dj"),
    ("sh", "ch"),
    ("ch", "tch"),
    ("zh", "j"),
    ("ii", "iy"),
    ("iy", "y"),
    ("yu", "iu"),
    ("ya", "ia"),
    ("ev", "yev"),
    ("ph", "f"),
    ("w", "v"),
    ("c", "k"),
    ("x", "ks"),
    ("y", "i"),
    ("ei", "ey"),
    ("ie", "y"),
]
# Arabic romanisation variants (ou/u, ee/i, al-/el-, dh/d/z), for names of Arabic origin only.
ARABIC_TRANSLIT = [
    ("al-", "el-"),
    ("u", "ou"),
    ("i", "ee"),
    ("d", "dh"),
    ("z", "dh"),
    ("dh", "d"),
    ("ou", "u"),
    ("ee", "i"),
]
ARABIC_COUNTRIES = frozenset({
    "AE", "BH", "DZ", "EG", "IQ", "JO", "KW", "LB", "LY", "MA", "OM", "PS", "QA", "SA", "SD",
    "SO", "SY", "TN", "YE", "IR", "AF", "PK",
})
ARABIC_MARKERS = frozenset({
    "al", "el", "abd", "abdul", "abu", "bin", "ibn", "muhammad", "mohammed", "ahmad", "ahmed",
})
LEGAL_SWAPS = [
    ("limited", "ltd"),
    ("ltd", "limited"),
    ("company", "co"),
    ("co.", "company"),
    ("corporation", "corp"),
    ("incorporated", "inc"),
    ("llc", "l.l.c."),
    ("sa", "s.a."),
    ("s.a.", "sa"),
]
LEGAL_ADD = ["Ltd", "LLC", "Inc", "Co. Ltd", "S.A.", "GmbH", "FZE", "JSC"]

PERSON_KINDS = (
    "typo",
    "transposition",
    "reorder",
    "drop_middle",
    "abbrev_middle",
    "translit",
    "alias",
)
ENTITY_KINDS = ("typo", "transposition", "reorder", "translit", "alias", "legal_form")


@dataclass
class Query:
    """One benchmark query and what it should (or should not) find."""

    text: str
    kind: str  # perturbation kind, "negative", "cross_script", "original_script"
    expected: int | None = None  # entity position (None for negatives)
    base: str = ""  # the listed name the query was made from
    accept: frozenset[int] = field(default_factory=frozenset)  # entity positions that count
    group: str = ""  # person/entity, locale, source...
    type: str = "unknown"  # what the case says the party is: person, entity or unknown
    dob: str | None = None  # the date of birth the case gives (YYYY, YYYY-MM or YYYY-MM-DD)
    countries: tuple[str, ...] = ()  # nationality / countries the case gives


def _longest(rng: random.Random, tokens: list[str]) -> int:
    return max(range(len(tokens)), key=lambda k: len(tokens[k]) + rng.random() * 3)


def _typo(rng: random.Random, tokens: list[str]) -> bool:
    i = _longest(rng, tokens)
    t = tokens[i]
    if len(t) < 4:
        return False
    p = rng.randrange(1, len(t))
    op = rng.choice(("sub", "ins", "del"))
    c = t[p].lower()
    near = KEYBOARD.get(c) or "aeiou"
    if op == "sub":
        t = t[:p] + rng.choice(near) + t[p + 1 :]
    elif op == "ins":
        t = t[:p] + rng.choice(near) + t[p:]
    else:
        t = t[:p] + t[p + 1 :]
    tokens[i] = t
    return True


def _transpose(rng: random.Random, tokens: list[str]) -> bool:
    i = _longest(rng, tokens)
    t = tokens[i]
    if len(t) < 4:
        return False
    p = rng.randrange(1, len(t) - 1)
    if t[p] == t[p + 1]:
        return False
    tokens[i] = t[:p] + t[p + 1] + t[p] + t[p + 2 :]
    return True


def arabic_origin(entity: ListedEntity, text: str) -> bool:
    """A name of Arabic (or Persian, Afghan, Pakistani) origin, by nationality or name words."""
    words = set(text.lower().replace("-", " ").replace(",", " ").split())
    return bool(set(entity.nationalities) & ARABIC_COUNTRIES or words & ARABIC_MARKERS)


def _translit(rng: random.Random, text: str, arabic: bool = False) -> str | None:
    low = text.lower()
    if arabic and rng.random() < 0.5:
        def clean(a: str, i: int) -> bool:  # "i" in "teir" is no place for "ee"
            around = low[i - 1 : i] + low[i + len(a) : i + len(a) + 1]
            return len(a) > 1 or not set(around) & set("aeiouy")

        spots = [(a, b, i) for a, b in ARABIC_TRANSLIT for i in range(len(low))
                 if low.startswith(a, i) and clean(a, i)]
        if spots:
            a, b, i = rng.choice(spots)
            return low[:i] + b + low[i + len(a) :]
    options = [(a, b) for a, b in TRANSLIT if a in low]
    if not options:
        return None
    a, b = rng.choice(options[:6] if rng.random() < 0.7 else options)  # whole names first
    starts = [i for i in range(len(low)) if low.startswith(a, i)]
    i = rng.choice(starts)
    return low[:i] + b + low[i + len(a) :]


def _legal_form(rng: random.Random, text: str) -> str | None:
    low = text.lower().replace(",", " ")
    words = low.split()
    for a, b in rng.sample(LEGAL_SWAPS, len(LEGAL_SWAPS)):
        if a in words:
            words[words.index(a)] = b
            return " ".join(words)
    if len(words) >= 2 and rng.random() < 0.5:
        return f"{low} {rng.choice(LEGAL_ADD)}"
    return None


def perturb(rng: random.Random, entity: ListedEntity, base: ListedName, kind: str) -> str | None:
    """Apply one perturbation of `kind` to a listed name; None if it does not apply."""
    person = entity.type == EntityType.person
    text = natural(base, entity.type)
    tokens = text.replace(",", " ").split()
    if kind == "typo":
        ok = _typo(rng, tokens)
    elif kind == "transposition":
        ok = _transpose(rng, tokens)
    elif kind == "reorder":
        if len(tokens) < 2:
            return None
        if person:  # family name first, without the comma
            tokens = tokens[-1:] + tokens[:-1]
        else:
            i, j = rng.sample(range(len(tokens)), 2)
            tokens[i], tokens[j] = tokens[j], tokens[i]
        ok = True
    elif kind == "drop_middle":
        if not person or len(tokens) < 3:
            return None
        tokens.pop(rng.randrange(1, len(tokens) - 1))
        ok = True
    elif kind == "abbrev_middle":
        if not person or len(tokens) < 3:
            return None
        i = rng.randrange(1, len(tokens) - 1)
        tokens[i] = tokens[i][0] + ("." if rng.random() < 0.7 else "")
        ok = True
    elif kind == "translit":
        return _translit(rng, text, arabic_origin(entity, text))
    elif kind == "legal_form":
        return _legal_form(rng, text)
    else:
        raise ValueError(kind)
    return " ".join(tokens) if ok else None


def is_latin(name: ListedName) -> bool:
    """A name written in Latin letters only (mixed-script aliases are not bases)."""
    return name.script in (None, "Latn") and all(
        not ch.isalpha() or ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")
        for ch in name.full
    )


def positives(entities: Sequence[ListedEntity], n: int, seed: int = SEED) -> list[Query]:
    """`n` perturbed listed names (persons and entities of OFAC SDN, OFAC Consolidated, UN)."""
    rng = random.Random(seed)
    by_key = name_index(entities)
    share = {"ofac_sdn": 0.6, "un": 0.27, "ofac_cons": 0.13}
    pools: dict[str, list[int]] = defaultdict(list)
    for pos, e in enumerate(entities):
        if e.source in share and e.type in (EntityType.person, EntityType.entity):
            pools[e.source].append(pos)
    out: list[Query] = []
    for source, part in share.items():
        pool = pools.get(source, [])
        want = min(len(pool), round(n * part))
        for pos in rng.sample(pool, want):
            e = entities[pos]
            strong = [nm for nm in e.names[1:] if nm.quality.value == "strong" and is_latin(nm)]
            kinds = list(PERSON_KINDS if e.type == EntityType.person else ENTITY_KINDS)
            if not strong:
                kinds.remove("alias")
            rng.shuffle(kinds)
            for kind in kinds:
                if kind == "alias":
                    base = rng.choice(strong)
                    text: str | None = natural(base, e.type)
                else:
                    candidates = [e.names[0], *strong] if is_latin(e.names[0]) else strong
                    if not candidates:
                        break
                    base = candidates[0] if rng.random() < 0.7 else rng.choice(candidates)
                    text = perturb(rng, e, base, kind)
                if text and name_key(text):
                    out.append(
                        Query(
                            text=recase(rng, text),
                            kind=kind,
                            expected=pos,
                            base=base.full,
                            accept=frozenset({pos} | by_key.get(name_key(base.full), set())),
                            group=f"{e.source}/{e.type.value}",
                        )
                    )
                    break
    return out


def name_index(entities: Sequence[ListedEntity]) -> dict[str, set[int]]:
    """Name key -> positions of the entities listing that name (for 'the same name' credit)."""
    out: dict[str, set[int]] = defaultdict(set)
    for pos, e in enumerate(entities):
        for nm in e.names:
            out[name_key(nm.full)].add(pos)
    return out


# --- cross-script -------------------------------------------------------------------------


def cross_script_pairs(directory: Path | None = None) -> list[tuple[str, str, float, str]]:
    """(query, expected, min score, description) from the shared `cross_script_pairs.csv`."""
    path = (directory or shared_dir()) / "cross_script_pairs.csv"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader(line for line in fh if line.strip() and not line.startswith("#")):
            if len(row) >= 3:
                rows.append((row[0].strip(), row[1].strip(), float(row[2]), ",".join(row[3:])))
    return rows


def latin_only(entities: Sequence[ListedEntity]) -> list[ListedEntity]:
    """The entities without their original-script names (to screen original script against)."""
    out = []
    for e in entities:
        names = [n for n in e.names if is_latin(n)]
        out.append(e if len(names) == len(e.names) else e.model_copy(update={"names": names}))
    return out


def cross_script_set(
    entities: Sequence[ListedEntity], directory: Path | None = None
) -> tuple[list[ListedEntity], list[Query]]:
    """Lists without original-script names plus the pairs' expected names as entities.

    Queries: the pairs' non-Latin names (expected: their Latin pair, added as a listed
    person) and every UN original-script name (expected: its UN entity, now only Latin).
    """
    base = latin_only(entities)
    by_key = name_index(base)
    extra: list[ListedEntity] = []
    queries: list[Query] = []
    for i, (query, expected, minimum, desc) in enumerate(cross_script_pairs(directory)):
        pos = len(base) + len(extra)
        extra.append(
            ListedEntity(
                id=f"xs:{i}",
                source="cross_script",
                source_id=str(i),
                type=EntityType.person,
                names=[ListedName(full=expected)],
                topics=["sanction"],
            )
        )
        queries.append(
            Query(
                text=query,
                kind="cross_script",
                expected=pos,
                base=expected,
                accept=frozenset({pos} | by_key.get(name_key(expected), set())),
                group=f"min={minimum:.2f} {desc}",
            )
        )
    for pos, e in enumerate(entities):
        if e.source != "un":
            continue
        for nm in e.names:
            if not is_latin(nm):
                queries.append(
                    Query(
                        text=nm.full,
                        kind="original_script",
                        expected=pos,
                        base=e.names[0].full,
                        accept=frozenset({pos}),
                        group=nm.script or "?",
                    )
                )
    return base + extra, queries


# --- negatives ----------------------------------------------------------------------------


def _w(text: str) -> list[str]:
    return text.split()


# Per locale: first names, family names. Common names, not taken from any list.
PEOPLE: dict[str, tuple[list[str], list[str]]] = {
    "en": (
        _w(
            "James John Robert Michael William David Richard Joseph Thomas Charles Mary "
            "Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Emily Olivia "
            "Sophie Daniel Matthew Andrew Oliver Harry George Amelia Chloe Grace Ethan Noah"
        ),
        _w(
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas "
            "Moore Jackson White Harris Clark Lewis Robinson Walker Young Allen Wright Scott "
            "Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans "
            "Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper"
        ),
    ),
    "es": (
        _w(
            "Carlos Jose Juan Luis Miguel Pedro Antonio Manuel Jorge Francisco Javier Alejandro "
            "Diego Pablo Sergio Andres Maria Carmen Ana Isabel Laura Lucia Marta Elena Rosa "
            "Paula Sofia Valentina Camila Gabriela Fernando Ricardo Raul Alberto"
        ),
        _w(
            "Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres "
            "Flores Rivera Gomez Diaz Reyes Morales Cruz Ortiz Gutierrez Chavez Ramos Ruiz "
            "Alvarez Mendoza Castillo Jimenez Moreno Romero Herrera Medina Aguilar Vargas "
            "Castro Navarro Dominguez Serrano Blanco Molina Delgado Suarez"
        ),
    ),
    "de": (
        _w(
            "Hans Peter Klaus Jurgen Stefan Thomas Wolfgang Michael Andreas Markus Frank "
            "Matthias Tobias Lukas Jonas Felix Maximilian Sabine Petra Claudia Monika Ursula "
            "Anja Katrin Julia Lena Hannah Lea Anna Birgit Heike Dieter Uwe"
        ),
        _w(
            "Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
            "Schafer Koch Bauer Richter Klein Wolf Schroder Neumann Schwarz Zimmermann Braun "
            "Kruger Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann Kohler "
            "Herrmann Konig Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Moller"
        ),
    ),
    "fr": (
        _w(
            "Pierre Jean Michel Philippe Francois Luc Nicolas Julien Antoine Olivier Laurent "
            "Sebastien Guillaume Mathieu Thierry Christophe Marie Nathalie Isabelle Sylvie "
            "Catherine Sophie Camille Juliette Manon Chloe Ines Amelie Celine Aurelie"
        ),
        _w(
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
            "Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel "
            "Girard Andre Mercier Dupont Lambert Bonnet Francois Martinez Legrand Garnier "
            "Faure Rousseau Blanc Guerin Muller Henry Roussel Nicolas Perrin Morin Mathieu"
        ),
    ),
    "it": (
        _w(
            "Marco Luca Giuseppe Giovanni Paolo Francesco Alessandro Andrea Matteo Lorenzo "
            "Stefano Roberto Giulia Francesca Chiara Sara Martina Valentina Elena Alessia "
            "Federica Silvia"
        ),
        _w(
            "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno "
            "Gallo Conti DeLuca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri "
            "Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone"
        ),
    ),
    "ar": (
        _w(
            "Ahmed Omar Youssef Ibrahim Khalid Hassan Hussein Tariq Bilal Samir Karim Nabil "
            "Walid Faisal Hamza Ziad Rami Fadi Majid Sami Adel Amr Tamer Fatima Aisha Zainab "
            "Leila Nadia Rania Mariam Yasmin Huda Salma Noura Dalia Hiba Lina Rasha"
        ),
        _w(
            "Haddad Khoury Nasser Saleh Mansour Hamdan Aziz Farouk Barakat Darwish Haddadin "
            "Qasim Sabbagh Tannous Zaki Najjar Shami Halabi Masri Jaber Kanaan Rahal Sultan "
            "Badawi Ghanem Ayoub Hijazi Karam Attar Sayegh Awad Bishara Daher Fakhoury Nassar"
        ),
    ),
    "ru": (
        _w(
            "Sergei Andrei Dmitri Alexei Nikolai Pavel Mikhail Igor Oleg Yuri Vladislav "
            "Konstantin Maxim Artem Roman Denis Anton Evgeny Olga Natalia Irina Tatiana "
            "Svetlana Elena Anastasia Ekaterina Marina Yulia Ksenia Daria Polina Vera"
        ),
        _w(
            "Smirnov Kuznetsov Popov Vasiliev Sokolov Mikhailov Novikov Fedorov Morozov "
            "Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov "
            "Andreev Makarov Zakharov Zaitsev Soloviev Borisov Yakovlev Grigoriev Romanov "
            "Vorobiev Sergeev Frolov Gusev Titov Kiselev Belov Komarov Zhukov Baranov"
        ),
    ),
    "zh": (
        _w(
            "Wei Fang Lei Jun Hui Ying Min Jing Li Na Qiang Yong Jie Tao Ming Chao Xiuying "
            "Xiaoming Jianguo Haiyan Yan Ping Gang Hong Yu Lin Hao Xin Yi Zihan Yuxuan Haoran"
        ),
        _w(
            "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin "
            "Luo Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan "
            "Pan Jiang Cai Yu Du Ye Cheng Su Wei Lu Ding Ren Shen Yao"
        ),
    ),
    "in": (
        _w(
            "Raj Amit Priya Sunil Anil Vikram Deepak Arjun Rahul Sanjay Rakesh Suresh Ramesh "
            "Vijay Ajay Rohit Manish Nikhil Pooja Neha Anjali Kavita Sunita Divya Meera "
            "Lakshmi Aarav Vivaan Ananya Ishaan Kiran"
        ),
        _w(
            "Patel Sharma Singh Gupta Kumar Mehta Reddy Nair Iyer Rao Joshi Desai Shah "
            "Verma Mishra Agarwal Bose Chatterjee Banerjee Mukherjee Das Pillai Menon Kapoor "
            "Malhotra Chopra Bhat Kulkarni Jain Srinivasan Krishnan Pandey Yadav Saxena"
        ),
    ),
    "tr": (
        _w(
            "Mehmet Mustafa Emre Burak Can Murat Hakan Serkan Onur Cem Kemal Selim Ayse "
            "Zeynep Elif Fatma Emine Hatice Merve Esra Ozlem Derya"
        ),
        _w(
            "Yilmaz Kaya Demir Sahin Celik Yildiz Yildirim Ozturk Aydin Ozdemir Arslan "
            "Dogan Kilic Aslan Cetin Kara Koc Kurt Ozkan Simsek Polat Erdogan Korkmaz"
        ),
    ),
    "jp_kr": (
        _w(
            "Hiroshi Takashi Kenji Yuki Akira Haruto Sakura Yui Daiki Sota Naoki Minho Jisoo "
            "Seojun Jiwoo Hyun Sungmin Yejin Soyeon Donghyun"
        ),
        _w(
            "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato "
            "Yoshida Yamada Sasaki Matsumoto Inoue Kimura Hayashi Shimizu Lee Park Choi "
            "Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon"
        ),
    ),
}
COMPANY_WORDS: dict[str, tuple[list[str], list[str], list[str]]] = {
    # (distinctive words, activity words, legal forms)
    "en": (
        _w(
            "Harbor Valley Summit Riverside Oakwood Meridian Pinnacle Evergreen Bluewater "
            "Ironbridge Redwood Silverline Northgate Brightstone Clearview Westfield Ashford "
            "Kingsway Highland Lakeside Cobalt Granite Horizon Maple Falcon"
        ),
        _w(
            "Logistics Consulting Software Foods Engineering Builders Analytics Partners "
            "Healthcare Textiles Furniture Media Robotics Farms Plastics Packaging Dental "
            "Bakery Printing Motors Outfitters Landscaping Brewing Studios"
        ),
        ["Ltd", "Limited", "LLC", "Inc.", "PLC", "LLP", "Corp."],
    ),
    "es": (
        _w(
            "Sol Luna Horizonte Aurora Montana Rio Valle Puerto Palmera Cielo Estrella "
            "Girasol Olivo Mirador Alameda Brisa Cumbre Coral"
        ),
        _w(
            "Construcciones Inversiones Distribuciones Alimentos Transportes Consultores "
            "Servicios Agricola Textiles Muebles Ingenieria Comercial Farmaceutica"
        ),
        ["S.A.", "S.L.", "S.A. de C.V.", "Ltda.", "S.R.L."],
    ),
    "de": (
        _w(
            "Alpen Nordlicht Rheintal Sonnenberg Lindenhof Eichen Bergmann Falkenstein "
            "Waldblick Seeblick Elbufer Morgenrot Hafen Kranich Silberbach"
        ),
        _w(
            "Maschinenbau Logistik Bau Elektrotechnik Immobilien Handel Software Beratung "
            "Feinkost Druckerei Metallbau Moebel Verpackung Autohaus Gartenbau"
        ),
        ["GmbH", "AG", "KG", "GmbH & Co. KG", "UG"],
    ),
    "fr": (
        _w(
            "Soleil Etoile Horizon Lumiere Riviere Montagne Oceane Azur Mistral Cigale "
            "Provence Bocage Lavande Ardoise Chateau"
        ),
        _w(
            "Boulangerie Transports Conseil Batiment Informatique Distribution Immobilier "
            "Logistique Menuiserie Imprimerie Cosmetiques Vins Jardins Electricite"
        ),
        ["SARL", "SAS", "S.A.", "SASU", "EURL"],
    ),
    "ar": (
        _w(
            "Rawabi Zahra Yasmin Waha Sahara Qamar Najma Bustan Nakheel Murjan Lulu Rimal "
            "Dana Sarab Noor Fajr Hilal"
        ),
        _w(
            "Contracting Trading Foodstuff Catering Perfumes Electronics Tailoring Cleaning "
            "Furniture Tourism Printing Textiles Spare Parts"
        ),
        ["LLC", "FZE", "FZCO", "W.L.L.", "Est."],
    ),
    "ru": (
        _w(
            "Severnaya Zarya Volna Rassvet Berezka Raduga Sibirskiy Uralskiy Vostok Yantar "
            "Kedr Sokol Iskra Zvezda Lesnoy"
        ),
        _w("Stroy Torg Trans Agro Les Mebel Tekstil Avto Kholod Servis Energo Proekt Snab"),
        ["OOO", "AO", "PAO", "ZAO", "IP"],
    ),
    "zh": (
        _w(
            "Hongda Jinfeng Xinyuan Huamei Tianrui Dongsheng Hengtai Ruixiang Fuyuan "
            "Longxing Baoli Jiahe Shengda Minghui Kaiyuan"
        ),
        _w(
            "Electronics Textile Machinery Ceramics Packaging Furniture Toys Hardware "
            "Garments Lighting Bearings Cables"
        ),
        ["Co., Ltd.", "Co. Ltd", "Limited", "Trading Co., Ltd."],
    ),
    "in": (
        _w(
            "Shree Ganesh Lakshmi Sai Krishna Om Sri Balaji Surya Ganga Annapurna Kaveri "
            "Himalaya Vishal Shakti"
        ),
        _w(
            "Textiles Pharma Agro Steels Polymers Exports Infotech Builders Spices Jewellers "
            "Motors Foods Chemicals"
        ),
        ["Pvt. Ltd.", "Private Limited", "Ltd.", "LLP"],
    ),
}
CITIES = _w("Shenzhen Ningbo Dongguan Guangzhou Hangzhou Suzhou Xiamen Foshan Qingdao")
PATRONYMICS = _w("Ivanovich Petrovich Sergeevich Andreevna Nikolaevna Alekseevich")


def _person(rng: random.Random, locale: str) -> str:
    first, last = PEOPLE[locale]
    r = rng.random()
    if locale == "es" and r < 0.5:
        return f"{rng.choice(first)} {rng.choice(last)} {rng.choice(last)}"
    if locale == "ru" and r < 0.35:
        return f"{rng.choice(first)} {rng.choice(PATRONYMICS)} {rng.choice(last)}"
    if locale == "ar" and r < 0.4:
        return f"{rng.choice(first)} {rng.choice(first[:28])} {rng.choice(last)}"
    if locale in ("en", "de", "fr", "it", "in") and r < 0.25:
        return f"{rng.choice(first)} {rng.choice(first)} {rng.choice(last)}"
    if locale == "zh" and r < 0.5:
        return f"{rng.choice(last)} {rng.choice(first)}"  # family name first
    return f"{rng.choice(first)} {rng.choice(last)}"


def _company(rng: random.Random, locale: str) -> str:
    words, trades, forms = COMPANY_WORDS[locale]
    r = rng.random()
    if locale == "zh":
        head = rng.choice(CITIES) if r < 0.5 else rng.choice(words)
        return f"{head} {rng.choice(words)} {rng.choice(trades)} {rng.choice(forms)}"
    if locale in PEOPLE and r < 0.3:  # a family-name company: "Schneider Logistik GmbH"
        return f"{rng.choice(PEOPLE[locale][1])} {rng.choice(trades)} {rng.choice(forms)}"
    if r < 0.5:
        return f"{rng.choice(words)} {rng.choice(words)} {rng.choice(trades)} {rng.choice(forms)}"
    return f"{rng.choice(words)} {rng.choice(trades)} {rng.choice(forms)}"


def listed_person_parts(entities: Sequence[ListedEntity]) -> dict[str, list[frozenset[str]]]:
    """Token -> token sets of the listed person names that contain it."""
    out: dict[str, list[frozenset[str]]] = defaultdict(list)
    for e in entities:
        if e.type != EntityType.person:
            continue
        for nm in e.names:
            tokens = frozenset(normalize_name(nm.full, kind=EntityType.person).tokens)
            for t in tokens:
                out[t].append(tokens)
    return out


def is_part_of_listed(key: str, parts: dict[str, list[frozenset[str]]]) -> bool:
    """Every token of `key` (two or more) is in one listed person's name."""
    tokens = frozenset(key.split())
    if len(tokens) < 2:
        return False
    rarest = min(tokens, key=lambda t: len(parts.get(t, ())))
    return any(tokens <= listed for listed in parts.get(rarest, ()))


# Candidate negatives left out because they are a listed person's name with parts left out
# ("Denis Gusev" for "GUSEV, Denis Igorevich"): the positives' `drop_middle` perturbation makes
# exactly such names, so they are ambiguous by construction, not negatives.
excluded_parts: list[str] = []


def negatives(
    entities: Sequence[ListedEntity], n: int, seed: int = SEED + 1, company_share: float = 0.3
) -> list[Query]:
    """`n` realistic names in several locales that are not listed.

    Not listed means: no listed name has the same normalised tokens, and (for persons) no listed
    person's name contains all of its tokens (see `excluded_parts`).
    """
    rng = random.Random(seed)
    listed = set(name_index(entities))
    partial = listed_person_parts(entities)
    people = list(PEOPLE)
    companies = list(COMPANY_WORDS)
    seen: set[str] = set()
    out: list[Query] = []
    while len(out) < n:
        if rng.random() < company_share:
            locale = rng.choice(companies)
            text, group = _company(rng, locale), f"company/{locale}"
        else:
            locale = rng.choice(people)
            text, group = _person(rng, locale), f"person/{locale}"
        key = name_key(text)
        if not key or key in listed or key in seen:
            continue
        if group.startswith("person/") and is_part_of_listed(key, partial):
            excluded_parts.append(text)  # a listed name with parts left out: not a negative
            continue
        seen.add(key)
        kind = "person" if group.startswith("person/") else "entity"
        out.append(Query(text=recase(rng, text), kind="negative", group=group, type=kind))
    return out
