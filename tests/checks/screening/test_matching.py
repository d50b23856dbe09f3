"""The matching engine: normalisation, blocking index, scoring, features, explanations."""

from __future__ import annotations

import csv
import datetime as dt
import os
import pickle
from pathlib import Path

import pytest

from caseworker.checks.screening.commonness import capped_weight
from caseworker.checks.screening.engine import Party, Screener
from caseworker.checks.screening.entity import (
    BirthDate,
    EntityType,
    Identifier,
    ListedEntity,
    ListedName,
    ListInfo,
    NameQuality,
)
from caseworker.checks.screening.index import ScreeningIndex, StaleIndexError
from caseworker.checks.screening.matcher import HIT_THRESHOLD, POSSIBLE_THRESHOLD, MatchStatus
from caseworker.checks.screening.normalize import (
    normalize_name,
    opening_voicing,
    skeleton,
    variant_key,
)
from caseworker.checks.screening.pinyin import family_syllables, syllables

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _sanctions_dir() -> Path:
    override = os.environ.get("CASEWORKER_SHARED_DATA")
    return Path(override) if override else PROJECT_ROOT.parent / "shared" / "data" / "sanctions"


def person(pid: str, *names: str, **kw: object) -> ListedEntity:
    listed = [ListedName(full=n) for n in names]
    return ListedEntity.model_validate(
        {
            "id": f"t:{pid}",
            "source": "t",
            "source_id": pid,
            "type": EntityType.person,
            "names": listed,
            "topics": ["sanction"],
            **kw,
        }
    )


def company(pid: str, *names: str, **kw: object) -> ListedEntity:
    e = person(pid, *names, **kw)
    return e.model_copy(update={"type": EntityType.entity})


ENTITIES = [
    person(
        "putin",
        "PUTIN, Vladimir Vladimirovich",
        birth_dates=[BirthDate(date=dt.date(1952, 10, 7), year=1952)],
        nationalities=["RU"],
        topics=["pep"],
    ),
    person(
        "bashir",
        "Omar Hassan Ahmad al-Bashir",
        birth_dates=[BirthDate(year=1944)],
        nationalities=["SD"],
    ),
    person("kim", "Kim Jong Un", birth_dates=[BirthDate(year_from=1983, year_to=1984)]),
    person(
        "smith", "John Michael Smith", identifiers=[Identifier(type="passport", value="X 1234-567")]
    ),
    person("abu", "Abdul Rahman Yasin"),
    company("rosneft", "Rosneft Oil Company PJSC", countries=["RU"]),
    company("acme", "ACME Trading L.L.C."),
    ListedEntity(
        id="t:weak",
        source="t",
        source_id="weak",
        type=EntityType.person,
        names=[
            ListedName(full="Ahmed Kamal Salim"),
            ListedName(full="Abu Hamza", quality=NameQuality.weak),
        ],
        topics=["sanction"],
    ),
]
LISTS = [
    ListInfo(
        source="t",
        publisher="Test",
        list_date=dt.date(2026, 1, 31),
        entities=len(ENTITIES),
        names=9,
    )
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(ENTITIES, LISTS)


def score(screener: Screener, name: str, eid: str, **kw: object) -> float:
    hit = screener.compare(Party.model_validate({"name": name, **kw}), f"t:{eid}")
    assert hit is not None
    return hit.score


# --- normalisation -------------------------------------------------------------------------


def test_normalise_diacritics_case_punctuation() -> None:
    n = normalize_name("Dr. José MÜLLER-Lüdenscheidt", kind=EntityType.person)
    assert n.tokens == ("jose", "muller", "ludenscheidt")
    assert "dr" in n.removed


def test_normalise_legal_forms_and_variants() -> None:
    assert normalize_name("ACME Trading L.L.C.", kind=EntityType.entity).tokens == (
        "acme",
        "trading",
    )
    assert normalize_name('OOO "Romashka"', kind=EntityType.entity).tokens == ("romashka",)
    assert normalize_name("Grupo S.A. de C.V.", kind=EntityType.entity).tokens == ("grupo",)
    assert normalize_name("Public Joint Stock Company Gazprom", kind=EntityType.entity).tokens == (
        "gazprom",
    )
    # persons keep everything; a name made only of legal forms keeps its tokens
    assert normalize_name("Ahmad Ltd", kind=EntityType.person).tokens == ("ahmad", "ltd")
    assert normalize_name("Co", kind=EntityType.entity).tokens == ("co",)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Stock Joint Public Company Transneft", ("transneft",)),  # reordered
        ("VTB Bank Armenia Company Joint Stock Closed", ("vtb", "bank", "armenia")),
        ("Ltd Liability Company Kirishiavtoservis", ("kirishiavtoservis",)),  # abbreviated
        ("VTB Real Estate Limited Liabliity Company", ("vtb", "real", "estate")),  # typo
        ("Bushra Ship Management Private Ltd", ("bushra", "ship", "management")),
        ("OJSK RN Holding", ("rn", "holding")),  # a misspelt legal form at an end
        ("Smilewallet, Llk", ("smilewallet",)),  # ... its c written k
        ("Kraslesinvest Kjsc", ("kraslesinvest",)),
        ("Koti Korp", ("koti",)),
        ("Bm Proekt, Ou", ("bm", "proekt")),  # OOO romanised, or the Estonian OÜ
        # ... but not a name one letter from a form, nor business words on their own
        ("Corn Trading Corp", ("corn", "trading")),
        ("Public Commercial Bank", ("public", "commercial", "bank")),
    ],
)
def test_normalise_legal_forms_in_any_order(text: str, tokens: tuple[str, ...]) -> None:
    assert normalize_name(text, kind=EntityType.entity).tokens == tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("MEGA GROUP S.R..L", ("mega", "group")),  # a dot doubled
        ("Irasco S.rl.", ("irasco",)),  # dots misplaced in a form
        ("R D I S.a", ("r", "d", "i")),
        ("J.P. Morgan", ("jp", "morgan")),  # dotted initials that are no form stay a word
        ("L.GR. E.U.", ("l", "gr", "eu")),
    ],
)
def test_normalise_dotted_legal_forms(text: str, tokens: tuple[str, ...]) -> None:
    assert normalize_name(text, kind=EntityType.entity).tokens == tokens


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("doori", "duri"), ("yusuf", "yousouf"),  # Arabic
        ("iurii", "yuriy"), ("ianukovych", "yanukovich"), ("sayed", "saied"),  # y and i
        ("cimex", "kimex"), ("cjsc", "kjsc"), ("qasim", "kasim"),  # c, k and q
        ("wladimir", "vladimir"), ("alexei", "aleksei"), ("josephine", "josefine"),
    ],
)
def test_romanisation_variants_share_a_key(a: str, b: str) -> None:
    assert variant_key(a) == variant_key(b)


def test_romanisation_variants_keep_other_sounds_apart() -> None:
    assert variant_key("chang") != variant_key("kang")  # "ch" is not "k"
    assert variant_key("chang") != variant_key("khang")
    assert variant_key("yusuf") != variant_key("yosef")


def test_skeleton_keeps_digraphs_apart() -> None:
    assert skeleton("shaikh") == skeleton("chaikh") == "x"
    assert skeleton("agha") != skeleton("cho")  # Arabic ghayn is not a hushing sound
    assert skeleton("mohammed") == skeleton("muhamad") == "mhmt"


def test_normalise_honorifics_and_last_first() -> None:
    n = normalize_name("Sheikh Mohammed bin Rashid al-Maktoum", kind=EntityType.person)
    assert n.tokens == ("mohammed", "bin", "rashid", "al", "maktoum")
    n = normalize_name("PUTIN, Vladimir Vladimirovich", kind=EntityType.person)
    assert n.tokens == ("vladimir", "vladimirovich", "putin") and n.last_first
    assert not normalize_name("Acme, Inc.", kind=EntityType.entity).last_first


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Владимир Путин", ("vladimir", "putin")),
        ("محمد علي", ("mhmd", "ly")),
        ("习近平", ("xi", "jin", "ping")),
        ("김정은", ("gim", "jeong", "eun")),
    ],
)
def test_transliteration(text: str, tokens: tuple[str, ...]) -> None:
    n = normalize_name(text)
    assert n.tokens == tokens and n.transliterated
    assert n.abjad == text.startswith("م")


# --- name scoring --------------------------------------------------------------------------


def test_exact_and_reordered(screener: Screener) -> None:
    assert score(screener, "Vladimir Vladimirovich Putin", "putin") == 1.0
    assert score(screener, "Putin Vladimir", "putin") >= HIT_THRESHOLD - 0.1
    # Every token common ("john", "michael", "smith"): a little short of 1.0 on the name alone.
    assert score(screener, "Smith, John Michael", "smith") >= 0.95


def test_typos_transpositions(screener: Screener) -> None:
    assert score(screener, "Vladimir Puttin", "putin") >= POSSIBLE_THRESHOLD
    assert score(screener, "Vladimri Putin", "putin") >= POSSIBLE_THRESHOLD
    assert score(screener, "Omar Hasan Ahmed al Bashir", "bashir") >= HIT_THRESHOLD


def test_two_letters_swapped_in_a_short_name_still_match() -> None:
    listed = [company("r", "RAHAT LTD."), company("i", "IRISL"), company("k", "KAVE, S.A."),
              company("o", "ORION TRADING LTD.")]
    local = Screener(listed, LISTS)
    for query, eid in (("RAHTA LTD.", "r"), ("IIRSL", "i"), ("Kvae S.a.", "k")):
        hit = local.compare(Party(name=query, type=EntityType.entity), f"t:{eid}")
        assert hit is not None and hit.score >= POSSIBLE_THRESHOLD, (query, hit)
    # a swap keeps every letter; another letter in its place is more likely another name
    swapped = local.compare(Party(name="RAHTA LTD.", type=EntityType.entity), "t:r")
    other = local.compare(Party(name="RAHIT LTD.", type=EntityType.entity), "t:r")
    assert swapped is not None and other is not None and other.score < swapped.score


def test_dropped_middle_name_and_initials(screener: Screener) -> None:
    assert score(screener, "John Smith", "smith") >= POSSIBLE_THRESHOLD
    assert score(screener, "J. M. Smith", "smith") >= POSSIBLE_THRESHOLD
    assert score(screener, "John M. Smith", "smith") >= HIT_THRESHOLD
    # the query's extra token counts more than the listing's extra token
    assert score(screener, "John Michael Peter Smith", "smith") < 1.0
    # a missing patronymic weighs less than another missing name
    assert score(screener, "Vladimir Putin", "putin") > score(screener, "John Smith", "smith")


def test_partial_and_inexact_compound(screener: Screener) -> None:
    exact_part = score(screener, "John Smith", "smith")
    inexact_part = score(screener, "John Smyth", "smith")
    assert inexact_part < exact_part - 0.05


def test_cross_script_queries(screener: Screener) -> None:
    assert score(screener, "Владимир Путин", "putin") >= POSSIBLE_THRESHOLD
    assert score(screener, "김정은", "kim") >= POSSIBLE_THRESHOLD


def test_company_legal_forms_ignored(screener: Screener) -> None:
    assert score(screener, "Rosneft Oil Co.", "rosneft", type="entity") >= HIT_THRESHOLD
    assert score(screener, "Acme Trading LLC", "acme") == 1.0


def test_weak_alias_scored_down(screener: Screener) -> None:
    result = screener.screen(Party(name="Abu Hamza"))
    hit = next(h for h in result.hits if h.entity_id == "t:weak")
    assert hit.name_quality == NameQuality.weak
    assert POSSIBLE_THRESHOLD <= hit.score < HIT_THRESHOLD
    assert hit.explanation["alias_quality"] == "weak"


def test_unrelated_names_are_clear(screener: Screener) -> None:
    for name in ("Maria Gonzalez", "Peter Johansson", "Blue River Foods Ltd"):
        assert screener.screen(Party(name=name)).status == MatchStatus.clear


# --- secondary features --------------------------------------------------------------------


def test_birth_date_adjustments(screener: Screener) -> None:
    base = score(screener, "Vladimir Putin", "putin")
    assert score(screener, "Vladimir Putin", "putin", date_of_birth="1952-10-07") > base
    assert score(screener, "Vladimir Putin", "putin", date_of_birth="1952") > base
    assert score(screener, "Vladimir Putin", "putin", date_of_birth="1990") < base - 0.2
    assert score(screener, "Kim Jong Un", "kim", date_of_birth="1984") == 1.0
    assert score(screener, "Kim Jong Un", "kim", date_of_birth="1960") < 0.8


def test_country_type_and_identifier(screener: Screener) -> None:
    base = score(screener, "Rosnefts Oil", "rosneft")
    assert base < 1.0
    assert score(screener, "Rosnefts Oil", "rosneft", countries=["ru"]) > base
    assert score(screener, "Rosnefts Oil", "rosneft", countries=["FR"]) < base
    assert score(screener, "Rosnefts Oil", "rosneft", type="person") < base - 0.1
    result = screener.screen(Party(name="Jon Smithers", identifiers=["x1234567"]))
    assert result.hits[0].entity_id == "t:smith" and result.hits[0].score >= 0.98
    assert result.hits[0].explanation["identifier_match"] is True


def test_explanation_and_result(screener: Screener) -> None:
    result = screener.screen(Party(name="Putin, Vladimir", date_of_birth="1952"), limit=3)
    assert result.status in (MatchStatus.hit, MatchStatus.possible)
    hit = result.hits[0]
    why = hit.explanation
    assert {a["query"]: a["listed"] for a in why["alignment"]} == {
        "vladimir": "vladimir",
        "putin": "putin",
    }
    assert all(0 <= a["similarity"] <= 1 and "phonetic" in a for a in why["alignment"])
    assert why["unmatched_listed"] == ["vladimirovich"]
    assert why["adjustments"][0]["feature"] == "dob" and why["adjustments"][0]["delta"] > 0
    assert {"name_score", "phonetic_agreement", "final_score"} <= set(why)
    assert result.list_dates == {"t": dt.date(2026, 1, 31)} and result.lists == LISTS
    assert result.query.name == "Putin, Vladimir"


def test_topics_filter(screener: Screener) -> None:
    assert screener.screen(Party(name="Vladimir Putin"), topics={"pep"}).hits
    assert not screener.screen(Party(name="Vladimir Putin"), topics={"sanction"}).hits


# --- index ---------------------------------------------------------------------------------


def _many(n: int) -> list[ListedEntity]:
    first = ["anna", "boris", "carla", "dmitri", "elena", "farid", "gustav", "hana", "ivan", "jun"]
    last = ["kovac", "lindqvist", "moreau", "nakamura", "okafor", "petrov", "quispe", "rossi"]
    return [
        person(str(i), f"{first[i % 10]} {last[(i // 10) % 8]} {chr(97 + i % 26)}x{i}yz{i % 97}")
        for i in range(n)
    ]


def test_candidates_are_a_small_share() -> None:
    entities = _many(3000)
    index = ScreeningIndex.build(entities)
    name = entities[1234].primary_name.replace("x", "xx")  # with a typo
    cands = index.candidates(normalize_name(name))
    assert 0 < len(cands) <= 200 < index.size
    assert index.name_entity[cands[0]] == 1234


def test_index_save_load_and_stale(tmp_path: Path) -> None:
    entities = _many(50)
    path = tmp_path / "index.pkl"
    built = ScreeningIndex.build(entities)
    built.save(path)
    loaded = ScreeningIndex.load(path, checksum=built.checksum)
    q = normalize_name("anna kovac")
    assert loaded.candidates(q).tolist() == built.candidates(q).tolist()
    changed = [*entities[:-1], person("new", "Someone Else")]
    with pytest.raises(StaleIndexError):
        ScreeningIndex.load(path, checksum=ScreeningIndex.build(changed).checksum)
    rebuilt = ScreeningIndex.load_or_build(path, changed)
    assert rebuilt.entity_ids[-1] == "t:new"
    assert ScreeningIndex.load(path, checksum=rebuilt.checksum).entity_ids[-1] == "t:new"
    state = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps({**state, "version": -1}))
    with pytest.raises(StaleIndexError):
        ScreeningIndex.load(path)


# --- the shared cross-script pairs ---------------------------------------------------------


def _pairs() -> list[tuple[str, str, float, str]]:
    path = _sanctions_dir() / "cross_script_pairs.csv"
    if not path.is_file():
        return []
    lines = [
        ln
        for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    return [(r[0], r[1], float(r[2]), r[3]) for r in csv.reader(lines)]


# Kanji/hanja read in Japanese or Korean: anyascii gives the Mandarin reading, and without a
# reading dictionary "山田太郎" cannot become "Yamada Taro" (see the engine's open problems).
KNOWN_GAPS = {"金正恩", "山田太郎", "田中花子"}


@pytest.mark.parametrize(
    ("query", "expected", "min_score"),
    [
        pytest.param(
            q,
            e,
            m,
            id=f"{q}->{e}",
            marks=[pytest.mark.xfail(reason="needs a kanji/hanja reading table", strict=True)]
            if q in KNOWN_GAPS
            else [],
        )
        for q, e, m, _ in _pairs()
    ]
    or [pytest.param("", "", 0.0, marks=pytest.mark.skip(reason="cross_script_pairs.csv absent"))],
)
def test_cross_script_pairs(query: str, expected: str, min_score: float) -> None:
    entities = [person("x", expected), person("y", "Someone Unrelated")]
    got = Screener(entities, []).compare(Party(name=query), "t:x")
    # The pairs measure transliteration similarity; how common a name is ("Mohamed Ali") is a
    # separate, explained adjustment of the score, so it is added back here.
    assert got is not None, query
    similarity = got.score + got.explanation["commonness_penalty"]
    assert similarity >= min_score, got.explanation


def test_substituted_name_costs_more_than_an_omitted_one(screener: Screener) -> None:
    omitted = score(screener, "Abdul Rahman", "abu")
    substituted = screener.compare(Party(name="Abdul Rahman Karimi"), "t:abu")
    # "karimi" in place of "yasin" is another family name, not one left out
    assert substituted is None or substituted.score < omitted - 0.3


def test_listed_initial_confirms_only_a_letter() -> None:
    listed = [person("nasr", "NASR, Samir M."), person("full", "NASR, Samir Mariam")]
    local = Screener(listed, LISTS)
    initial = local.compare(Party(name="Samir Mariam Nasr"), "t:nasr")
    full = local.compare(Party(name="Samir Mariam Nasr"), "t:full")
    assert initial is not None and full is not None
    assert initial.score < full.score - 0.05


def test_abjad_skeletons_must_start_alike() -> None:
    listed = [person("g", "Georges Hanna"), person("n", "Narges Hanna")]
    local = Screener(listed, LISTS)
    other = local.compare(Party(name="نرگس حنا"), "t:g")
    same = local.compare(Party(name="نرگس حنا"), "t:n")
    assert same is not None and same.score >= POSSIBLE_THRESHOLD
    assert other is None or other.score < same.score - 0.1


def test_another_known_name_is_not_a_slip() -> None:
    listed = [person("r", "GUPTA, Rajesh"), person("m", "SHARMA, Ramesh")]
    local = Screener(listed, LISTS)
    known = local.compare(Party(name="Ramesh Gupta"), "t:r")
    slip = local.compare(Party(name="Rayesh Gupta"), "t:r")  # the same edit, no name
    assert known is not None and slip is not None
    assert known.score < slip.score


def test_another_common_name_earns_little_of_the_score() -> None:
    # "sami" and "samir" are both frequent given names: Sami Hijazi is not Samir Hijazi, while
    # a slip that makes no common name ("samri", a swap; "samiz") still finds him. (Hijazi is
    # on several listed names, as in the real lists: the given name is half the evidence.)
    family = [person(g, f"HIJAZI, {g}") for g in ("Ali", "Omar", "Adel")]
    local = Screener([person("s", "HIJAZI, Samir"), *family], LISTS)
    other = local.compare(Party(name="Sami Hijazi"), "t:s")
    assert other is None or other.score < POSSIBLE_THRESHOLD
    assert other is None or any(a["other_name"] for a in other.explanation["alignment"])
    for slip in ("Samri Hijazi", "Samiz Hijazi"):
        got = local.compare(Party(name=slip), "t:s")
        assert got is not None and got.score >= POSSIBLE_THRESHOLD, slip


@pytest.mark.parametrize(
    ("listed", "other", "same"),
    [
        # "hernandez" is a common name, and a slip seldom changes a first letter
        ("FERNANDEZ CASTRO, Fernando Alberto", "Alberto Hernandez Castro",
         "Alberto Fernandes Castro"),
        # 小明 and 建明 share a syllable: "xiaoming" is no slip of "jianming", "kianming" may be
        ("CAO, Jianming", "Cao Xiaoming", "Cao Kianming"),
        # Metaphone drops vowels: "emre" and "emrah" share a key, two letters apart in five,
        # while romanisations of one name share it and stay alike ("youssef"/"yusuf")
        ("ERDOGAN, Emrah", "Emre Erdogan", "Emrah Erdogen"),
        ("MATUQ, Yusuf", "Emre Matuq", "Youssef Matuq"),
    ],
)
def test_another_name_is_not_a_slip_or_a_variant(listed: str, other: str, same: str) -> None:
    local = Screener([person("x", listed)], LISTS)
    not_it = local.compare(Party(name=other), "t:x")
    assert not_it is None or not_it.score < POSSIBLE_THRESHOLD, not_it
    got = local.compare(Party(name=same), "t:x")
    assert got is not None and got.score >= POSSIBLE_THRESHOLD, same


def test_one_chinese_family_name_for_another_is_another_family() -> None:
    # 郑 zheng and 张 zhang sound alike to Metaphone; a slip that makes no family name is a slip
    assert {"zheng", "zhang", "guo", "gao"} <= family_syllables()
    local = Screener([person("z", "WEI, Zhang"), person("g", "GAO, Yan")], LISTS)
    for query, listed in (("Zheng Wei", "t:z"), ("Guo Yan", "t:g")):
        other = local.compare(Party(name=query), listed)
        assert other is None or other.score < POSSIBLE_THRESHOLD, query
    slip = local.compare(Party(name="Zhamg Wei"), "t:z")
    assert slip is not None and slip.score >= POSSIBLE_THRESHOLD


def test_family_name_left_out_costs_more_than_a_middle_name() -> None:
    local = Screener([person("l", "QARADAWI, Kamil Fayez")], LISTS)
    middle = local.compare(Party(name="Kamil Qaradawi"), "t:l")
    family = local.compare(Party(name="Kamil Fayez"), "t:l")
    assert middle is not None
    assert family is None or family.score < middle.score - 0.1


def test_arabic_article_is_a_token_of_its_own() -> None:
    # "التميمي" is al-Tamimi: the article weighs as a particle, not in the name's skeleton
    assert normalize_name("خالد التميمي").tokens == ("khld", "al", "tmymy")
    assert normalize_name("الله").tokens == ("llh",)  # Allah is not al + "lh"
    local = Screener([person("t", "AL-TAMIMI, Khalid")], LISTS)
    got = local.compare(Party(name="خالد التميمي"), "t:t")
    assert got is not None and got.score >= POSSIBLE_THRESHOLD


def test_abjad_name_keeps_words_that_spell_a_title() -> None:
    # عمر (Omar) is "mr" without its vowels; only a Latin "Mr" is a title
    assert normalize_name("عمر فاروق").tokens[0] == "mr"
    assert normalize_name("Mr Omar Farouk").tokens == ("omar", "farouk")


def test_long_vowel_in_the_romanisation_only_is_another_name() -> None:
    # "mahmoudi" writes its long u (محمودی); محمدی is Mohammadi
    listed = [person("a", "MAHMOUDI, Karim"), person("b", "MOHAMMADI, Karim")]
    local = Screener(listed, LISTS)
    other = local.compare(Party(name="کریم محمدی"), "t:a")
    same = local.compare(Party(name="کریم محمدی"), "t:b")
    assert same is not None and same.score >= POSSIBLE_THRESHOLD
    assert other is None or other.score < same.score - 0.1


def test_an_abjad_name_opening_with_a_glide_is_another_name() -> None:
    # و and ي open "wasim" and "yasser" as consonants: سامي is Sami, سارة is Sarah
    listed = [person("w", "AL-SA'ID, Wasim"), person("s", "AL-SAYYID, Sami"),
              person("y", "MANSOUR, Yasser Daoud"), person("m", "MANSOUR, Sarah")]
    local = Screener(listed, LISTS)
    for query, same, other in (("سامي السيد", "s", "w"), ("سارة منصور", "m", "y")):
        got = local.compare(Party(name=query), f"t:{same}")
        not_it = local.compare(Party(name=query), f"t:{other}")
        assert got is not None and got.score >= POSSIBLE_THRESHOLD, query
        assert not_it is None or not_it.score < POSSIBLE_THRESHOLD, (query, not_it)
    # ... while one whose romanisation drops an initial alef (أيمن "ymn") is "ayman"
    ayman = Screener([person("a", "HASAN, Ayman")], LISTS).compare(Party(name="أيمن حسن"), "t:a")
    assert ayman is not None and ayman.score >= POSSIBLE_THRESHOLD


def test_opening_voicing() -> None:
    assert opening_voicing("tyby") == "-" and opening_voicing("diaby") == "+"
    assert opening_voicing("dhyb") == opening_voicing("omar") == ""


@pytest.mark.parametrize(
    ("query", "other", "same"),
    [
        # حسینی (Hosseini) writes two long vowels; "hassaan" has neither
        ("حسین حسینی", "HUSSEIN, Hassaan", "HOSSEINI, Hossein"),
        # العتيبي (al-Utaybi) opens with ت, a t: not "al-Diaby", though skeletons fold d and t
        ("عمر العتيبي", "AL-DIABY, Omar", "AL-OTAIBI, Omar"),
    ],
)
def test_an_abjad_name_writes_what_tells_it_apart(query: str, other: str, same: str) -> None:
    local = Screener([person("o", other), person("s", same)], LISTS)
    got = local.compare(Party(name=query), "t:s")
    not_it = local.compare(Party(name=query), "t:o")
    assert got is not None and got.score >= POSSIBLE_THRESHOLD
    assert not_it is None or not_it.score < POSSIBLE_THRESHOLD


def test_an_abjad_name_split_alike_must_agree_part_by_part() -> None:
    # حسن العتيبي (hsn al tyby) and "Hossein Taeb" agree letter for letter once joined, but are
    # split alike and "tyby" is not "taeb"; "bd al mnan" and "abdul manan" are split otherwise
    listed = [person("t", "TAEB, Hossein"), person("y", "TAYEB, Hassan"),
              person("a", "ABDUL MANAN AGHA")]
    local = Screener(listed, LISTS)
    other = local.compare(Party(name="حسن العتيبي"), "t:t")
    assert other is None or other.score < POSSIBLE_THRESHOLD
    for query, same in (("حسن الطيب", "t:y"), ("عبد المنان آغا", "t:a")):
        got = local.compare(Party(name=query), same)
        assert got is not None and got.score >= POSSIBLE_THRESHOLD, query


def test_a_skeleton_alone_never_makes_two_tokens_equal() -> None:
    # सिंह (Singh) read letter by letter is "simh", one skeleton with "samih"; "anis" is on
    # a dozen listed names, as in the real lists, and "anil" is another common name
    assert normalize_name("अनिल सिंह").tokens == ("anil", "simh")
    others = [person(f"n{i}", f"ANIS, Given{'abcdefghijkl'[i]}") for i in range(12)]
    local = Screener([person("a", "ANIS, Samih"), *others], LISTS)
    got = local.compare(Party(name="अनिल सिंह"), "t:a")
    assert got is None or got.score < POSSIBLE_THRESHOLD


def test_spelling_variant_of_a_common_name_is_as_common() -> None:
    assert capped_weight("abdoullah", 1.0) == capped_weight("abdullah", 1.0) < 0.5
    assert capped_weight("youssouf", 1.0) == capped_weight("yusuf", 1.0) < 0.5


def test_chinese_characters_read_as_other_syllables_are_another_name() -> None:
    # 王志强 is wang zhi qiang: "WANG, Zhiqing" (志清) has another second character
    assert syllables("zhiqing") == ("zhi", "qing") and syllables("keung") is None
    listed = [person("q", "WANG Zhiqing"), person("s", "WANG Zhiqiang")]
    local = Screener(listed, LISTS)
    other = local.compare(Party(name="王志强"), "t:q")
    same = local.compare(Party(name="王志强"), "t:s")
    assert same is not None and same.score >= HIT_THRESHOLD
    assert other is not None and other.score < POSSIBLE_THRESHOLD
    assert other.explanation["other_chinese_name"] is True
