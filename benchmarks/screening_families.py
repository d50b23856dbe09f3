"""Screening benchmark families built for the hardening work, never used to tune the engine.

- **Case facts on positives.** A listed person who applies gives their own date of birth and
  nationality: a share of the perturbed positives carries the listing's DOB (at the precision
  listed) and a listed nationality, as a case would.
- **Common-name negatives.** Frequent given names and surnames from many cultures (written here,
  independently of the engine's shipped table `common_names.yaml`, and covering cultures that
  table does not), each with a real-looking date of birth and a nationality that differ from
  every listed person with a similar name (rapidfuzz over the listed names, not the engine).
- **Original-script negatives.** Person names written in Han, Kana, Hangul, Arabic, Persian,
  Cyrillic, Greek, Hebrew and Devanagari script, screened as a case would (type person, and
  DOB and nationality on about half), none of them a listed name.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from anyascii import anyascii
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from screening_corpus import Query, is_latin, name_index, name_key, natural, recase

from caseworker.checks.screening.entity import EntityType, ListedEntity


def _w(text: str) -> list[str]:
    return text.split()


# culture: (given names, family names, nationalities)
COMMON: dict[str, tuple[list[str], list[str], list[str]]] = {
    "pakistani": (
        _w("Muhammad Mohammad Ali Ahmed Usman Bilal Imran Asif Tariq Zahid Naveed Shahid "
           "Faisal Kamran Adnan Ayesha Fatima Sana Hina Amina"),
        _w("Khan Ahmed Hussain Shah Malik Butt Qureshi Chaudhry Iqbal Raza Akhtar Anwar "
           "Sheikh Mirza Baig Abbasi"),
        ["PK", "GB", "AE"],
    ),
    "bangladeshi": (
        _w("Mohammed Abdul Md Rafiq Kamal Jamal Shafiq Nasrin Roksana Salma Fahim Tanvir"),
        _w("Rahman Islam Hossain Uddin Ahmed Alam Miah Chowdhury Sarkar Begum Akter Haque"),
        ["BD", "GB"],
    ),
    "egyptian": (
        _w("Mohamed Ahmed Mahmoud Mostafa Hassan Ali Omar Khaled Tamer Amr Sherif Hany "
           "Mona Heba Nour Yasmin Dina"),
        _w("Mohamed Ahmed Hassan Ali Ibrahim Mahmoud Abdelrahman Fathy Gamal Saad Salem "
           "Mansour Farag Said"),
        ["EG", "SA", "AE"],
    ),
    "gulf": (
        _w("Abdullah Abdulaziz Abdulrahman Fahad Faisal Saud Khalid Sultan Nasser Turki "
           "Nawaf Majed Noura Hessa Reem Lulwa"),
        _w("Al-Otaibi Al-Harbi Al-Ghamdi Al-Qahtani Al-Dosari Al-Mutairi Al-Shehri Al-Zahrani "
           "Al-Anazi Al-Shammari Al-Subaie Al-Maktoum Al-Mansoori Al-Nuaimi"),
        ["SA", "AE", "QA", "KW"],
    ),
    "iranian": (
        _w("Mohammad Ali Reza Hossein Mehdi Amir Hamid Saeed Majid Zahra Fatemeh Maryam "
           "Narges Leila Shirin"),
        _w("Mohammadi Hosseini Ahmadi Rezaei Karimi Moradi Jafari Rahimi Kazemi Sadeghi "
           "Hashemi Ghorbani Ebrahimi Nazari"),
        ["IR", "DE", "GB", "CA"],
    ),
    "afghan_somali": (
        _w("Ahmad Mohammad Abdul Gul Zalmai Farid Ahmed Abdi Abdirahman Hassan Hawa Fadumo "
           "Asha Halima"),
        _w("Rahimi Popal Safi Hamidi Noori Ahmadzai Mohamed Ali Hassan Abdullahi Warsame "
           "Farah Osman Yusuf"),
        ["AF", "SO", "GB", "US", "NO"],
    ),
    "nigerian_west_african": (
        _w("Ibrahim Musa Abubakar Usman Aliyu Yusuf Chinedu Emeka Oluwaseun Adebayo Ngozi "
           "Amina Fatima Aisha Moussa Mamadou Ousmane Aminata"),
        _w("Bello Abubakar Ibrahim Mohammed Okafor Okeke Adeyemi Ogunleye Eze Nwosu Diallo "
           "Traore Coulibaly Keita Toure Kone Camara Bah Sow"),
        ["NG", "SN", "ML", "GN", "GB", "FR"],
    ),
    "east_african": (
        _w("John Peter Joseph David Daniel James Grace Mary Esther Faith Tesfaye Haile "
           "Mulugeta Abebe Tigist"),
        _w("Mwangi Otieno Kamau Ochieng Njoroge Wanjiku Kiprop Mutua Tesfaye Girma Bekele "
           "Alemu Tadesse Hailu"),
        ["KE", "ET", "TZ", "UG"],
    ),
    "chinese": (
        _w("Wei Fang Jing Lei Min Jun Yan Ping Hui Yong Jie Tao Ming Xin Hong Hua Lin"),
        _w("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin"),
        ["CN", "SG", "MY", "US", "CA"],
    ),
    "korean": (
        _w("Min-jun Seo-yeon Ji-hoon Ji-min Hyun-woo Young-ho Sung-min Eun-ji Soo-jin "
           "Jae-won Dong-hyun"),
        _w("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin"),
        ["KR", "US"],
    ),
    "vietnamese": (
        _w("Van Minh Duc Anh Thanh Hung Tuan Dung Linh Huong Lan Mai Thu Hoa"),
        _w("Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong Ly"),
        ["VN", "US", "AU", "FR"],
    ),
    "indonesian_malay": (
        _w("Muhammad Ahmad Budi Agus Hendra Siti Nur Dewi Sri Ahmad Rizal Abdul Aziz Nurul"),
        _w("Santoso Wijaya Saputra Hidayat Kusuma Pratama Abdullah Ibrahim Hassan Rahman "
           "Ismail Yusof"),
        ["ID", "MY", "SG"],
    ),
    "filipino_latam": (
        _w("Jose Juan Maria Luis Carlos Miguel Antonio Manuel Ana Rosa Mark John Michael"),
        _w("Santos Reyes Cruz Garcia Bautista Mendoza Torres Gonzalez Rodriguez Lopez "
           "Hernandez Martinez Perez Silva"),
        ["PH", "MX", "CO", "BR", "ES", "US"],
    ),
    "russian_ukrainian": (
        _w("Sergey Aleksandr Dmitry Andrey Alexey Ivan Vladimir Nikolay Olga Elena Natalia "
           "Tatiana Irina Oleksandr Andriy"),
        _w("Ivanov Smirnov Kuznetsov Popov Petrov Sokolov Volkov Morozov Novikov Kozlov "
           "Shevchenko Kovalenko Bondarenko Tkachenko"),
        ["RU", "UA", "KZ", "BY", "DE", "IL"],
    ),
    "english_irish": (
        _w("John James David Michael Robert William Paul Mark Sarah Mary Emma Patrick Sean"),
        _w("Smith Jones Williams Brown Taylor Davies Evans Wilson Murphy Kelly O'Brien "
           "Walsh Byrne Ryan"),
        ["GB", "IE", "US", "AU", "CA"],
    ),
}

# Original-script names: (script label, given names, family names, family name first,
# nationalities). Not a romanisation anywhere: what a registry in that country publishes.
SCRIPTED: list[tuple[str, list[str], list[str], bool, list[str]]] = [
    ("Hani/ja", _w("太郎 一郎 健 翔 大輔 拓也 直樹 和也 花子 美咲 陽子 恵子 "
                   "裕子 由美 健太 翔太 蓮 結衣"),
     _w("佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 "
        "林 斎藤 清水 池田 橋本 阿部 石川 前田 藤田 後藤"), True, ["JP"]),
    ("Kana", _w("タロウ ハナコ ケンタ ユイ ショウ ミサキ ヒロシ アキラ"),
     _w("サトウ スズキ タナカ ヤマダ ワタナベ イトウ ナカムラ コバヤシ"), True, ["JP"]),
    ("Hani/zh", _w("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 "
                   "秀英 华 平 刚 建华 建国 志强 海燕 晓明"),
     _w("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐"), True,
     ["CN", "SG", "TW"]),
    ("Hang", _w("민준 서연 지훈 지민 서준 하은 도윤 수빈 예준 "
                "지우 현우 민서 지호 유진 성민 영희 철수"),
     _w("김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송"), True, ["KR"]),
    ("Arab", _w("محمد أحمد علي حسن حسين عمر خالد يوسف إبراهيم عبدالله فاطمة عائشة مريم زينب "
                "نور سارة ليلى طارق سامي كريم"),
     _w("العلي الحسن السيد الخطيب النجار حداد منصور سليمان عباس الشامي المصري التميمي "
        "الزهراني العتيبي الحربي الغامدي"), False, ["SA", "EG", "JO", "AE", "MA"]),
    ("Arab/fa", _w("رضا مهدی امیر حسین زهرا مریم علی محمد فاطمه نرگس"),
     _w("محمدی حسینی رضایی احمدی کریمی موسوی جعفری رحیمی"), False, ["IR"]),
    ("Cyrl", _w("Иван Сергей Алексей Дмитрий Андрей Ольга Наталья Елена Татьяна Олександр "
                "Андрій Ірина"),
     _w("Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров "
        "Шевченко Коваленко Бондаренко"), False, ["RU", "UA", "BG", "RS"]),
    ("Grek", _w("Γιώργος Νίκος Δημήτρης Κώστας Γιάννης Μαρία Ελένη Κατερίνα"),
     _w("Παπαδόπουλος Παπαδάκης Γεωργίου Οικονόμου Νικολάου Αντωνίου"), False, ["GR", "CY"]),
    ("Hebr", _w("דוד משה יוסף אברהם שרה רחל מיכל נועה"),
     _w("כהן לוי מזרחי פרץ ביטון אברהם פרידמן"), False, ["IL"]),
    ("Deva", _w("राजेश सुनील अमित प्रिया अनिल पूजा विजय सुरेश"),
     _w("शर्मा वर्मा गुप्ता सिंह पटेल यादव"), False, ["IN", "NP"]),
]


def _listed_years(entity: ListedEntity) -> set[int]:
    years: set[int] = set()
    for bd in entity.birth_dates:
        lo = bd.year_from or (bd.date.year if bd.date else bd.year)
        hi = bd.year_to or lo
        if lo and hi:
            years.update(range(lo - (1 if bd.approximate else 0), hi + 1 + bd.approximate))
    return years


class ListedPersons:
    """Listed persons' names for rapidfuzz look-ups (independent of the engine's matcher)."""

    def __init__(self, entities: Sequence[ListedEntity]) -> None:
        self.entities = entities
        self.names: list[str] = []
        self.owner: list[int] = []
        for pos, e in enumerate(entities):
            if e.type != EntityType.person:
                continue
            for nm in e.names:
                self.names.append(default_process(natural(nm, e.type)))
                self.owner.append(pos)

    def similar(self, text: str, cutoff: float = 80) -> list[ListedEntity]:
        found = process.extract(
            default_process(text), self.names, scorer=fuzz.token_sort_ratio,
            score_cutoff=cutoff, limit=50, processor=None,
        )
        return [self.entities[self.owner[i]] for _, _, i in found]


def _dob(rng: random.Random, avoid: set[int]) -> str | None:
    """A date of birth 1945-2003 at least two years from every year in `avoid`."""
    for _ in range(30):
        day = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(59 * 365))
        if all(abs(day.year - y) >= 2 for y in avoid):
            r = rng.random()
            return day.isoformat() if r < 0.7 else day.isoformat()[:7] if r < 0.85 else str(
                day.year)
    return None


def _facts(
    rng: random.Random, text: str, nationalities: list[str], persons: ListedPersons
) -> tuple[str, tuple[str, ...]] | None:
    """A DOB and nationality that differ from every similar listed person, or None."""
    similar = persons.similar(text)
    if any(not e.birth_dates and not e.nationalities for e in similar):
        excluded_factless.append(text)  # a listed name with no DOB or nationality to differ
        return None
    years = set().union(*(_listed_years(e) for e in similar)) if similar else set()
    listed = {c for e in similar for c in e.nationalities}
    allowed = [c for c in nationalities if c not in listed]
    dob = _dob(rng, years)
    if not allowed or dob is None:
        return None
    return dob, (rng.choice(allowed),)


def common_name_negatives(
    entities: Sequence[ListedEntity], n: int, seed: int, persons: ListedPersons | None = None
) -> list[Query]:
    """`n` common names with DOBs and nationalities that differ from similar listings."""
    rng = random.Random(seed)
    persons = persons or ListedPersons(entities)
    listed = set(name_index(entities))
    seen: set[str] = set()
    out: list[Query] = []
    cultures = list(COMMON)
    while len(out) < n:
        culture = rng.choice(cultures)
        given, family, nations = COMMON[culture]
        parts = [rng.choice(given), rng.choice(family)]
        if rng.random() < 0.3:
            parts.insert(1, rng.choice(given))
        text = " ".join(parts)
        key = name_key(text)
        if not key or key in listed or key in seen:
            continue
        facts = _facts(rng, text, nations, persons)
        if facts is None:
            continue
        seen.add(key)
        dob, countries = facts
        out.append(Query(text=recase(rng, text), kind="negative", group=f"common/{culture}",
                         type="person", dob=dob, countries=countries))
    return out


_NOT_LETTER = re.compile(r"[^a-z]+")
_VOWELS = re.compile(r"[aeiouyw'`]+")
_FOLD = str.maketrans("cqzg", "kksk")


def consonant_key(text: str) -> frozenset[str]:
    """Consonants of each word, romanised ("عبدالله الحسن" ~ "Abdallah Al-Hasan").

    The benchmark's own, deliberately crude notion of "the same name in another script": a
    name whose words have the consonants of a listed person's words is that name, not a
    negative.
    """
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in text)
    # Syllable by syllable for Han, Kana and Hangul: "김현우" is "gim hyeon u", as "Kim Hyon U".
    words = [w for w in _NOT_LETTER.split(romanise(text).lower()) if w not in ("", "al", "el")]
    if arabic:  # the article is written joined: "الحسن" is "lhsn"
        words = [w[1:] if w.startswith("l") and len(w) >= 4 else w for w in words]
    folded = (_VOWELS.sub("", w).translate(_FOLD) for w in words)
    keys = {re.sub(r"(.)\1+", r"\1", w) for w in folded}
    return frozenset(k for k in keys if k)


_SYLLABIC = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")


def romanise(text: str) -> str:
    """anyascii, with a space around each Han, Kana or Hangul character ("张磊" -> "zhang lei")."""
    return " ".join("".join(f" {anyascii(ch)} " if _SYLLABIC.match(ch) else anyascii(ch)
                            for ch in text).split())


class ListedConsonants:
    """Listed persons by the consonant keys of their names (see `consonant_key`)."""

    def __init__(self, entities: Sequence[ListedEntity]) -> None:
        self.entities = entities
        self.by_word: dict[str, list[tuple[frozenset[str], int]]] = defaultdict(list)
        for pos, e in enumerate(entities):
            if e.type != EntityType.person:
                continue
            for nm in e.names:
                key = consonant_key(natural(nm, e.type))
                for word in key:
                    self.by_word[word].append((key, pos))

    def same_name(self, text: str, persons: ListedPersons) -> list[ListedEntity]:
        """Listed persons whose name holds every consonant word of `text` (two or more), or
        whose name its anyascii romanisation is close to (rapidfuzz, not the engine)."""
        key = consonant_key(text)
        found: list[ListedEntity] = []
        if len(key) >= 2:
            rarest = min(key, key=lambda w: len(self.by_word.get(w, ())))
            found = [self.entities[p] for k, p in self.by_word.get(rarest, ()) if key <= k]
        return found + persons.similar(romanise(text), cutoff=80)


def original_script_negatives(
    entities: Sequence[ListedEntity], n: int, seed: int
) -> list[Query]:
    """`n` person names in original scripts, none of them listed; half with DOB/nationality.

    A name with the consonants of a listed person's name is no negative without facts; with
    facts, its DOB and nationality differ from every such listing.
    """
    rng = random.Random(seed)
    listed_raw = {nm.full.replace(" ", "") for e in entities for nm in e.names if not is_latin(nm)}
    consonants = ListedConsonants(entities)
    persons = ListedPersons(entities)
    seen: set[str] = set()
    out: list[Query] = []
    tries = 0
    while len(out) < n and tries < n * 50:
        tries += 1
        script, given, family, family_first, nations = rng.choice(SCRIPTED)
        g, f = rng.choice(given), rng.choice(family)
        joined = script.startswith(("Hani", "Hang")) and rng.random() < 0.5
        text = (f + g if joined else f"{f} {g}") if family_first else f"{g} {f}"
        if text in seen or text.replace(" ", "") in listed_raw:
            continue
        seen.add(text)
        same = consonants.same_name(text, persons)
        with_facts = rng.random() < 0.5
        if not with_facts and same:
            excluded_script.append(text)
            continue
        if any(not e.birth_dates and not e.nationalities for e in same):
            excluded_factless.append(text)
            continue
        years = set().union(*(_listed_years(e) for e in same)) if same else set()
        allowed = [c for c in nations if c not in {c for e in same for c in e.nationalities}]
        dob = _dob(rng, years) if with_facts else None
        if with_facts and (dob is None or not allowed):
            continue
        out.append(Query(text=text, kind="negative", group=f"script/{script}", type="person",
                         dob=dob, countries=(rng.choice(allowed),) if with_facts else ()))
    return out


# Original-script candidates left out: with no facts, they are a listed name in another script.
excluded_script: list[str] = []
# Candidates left out because a listing with their name gives no DOB or nationality: nothing
# can differ from it, so they are that listed name, not negatives.
excluded_factless: list[str] = []


def with_case_facts(
    queries: Sequence[Query], entities: Sequence[ListedEntity], share: float, seed: int
) -> list[Query]:
    """Positives as applicants give them: the type always, the listing's DOB and nationality
    on `share` of them (at the precision the list gives; nothing when it gives none)."""
    rng = random.Random(seed)
    out = []
    for q in queries:
        if q.expected is None:
            out.append(q)
            continue
        e = entities[q.expected]
        kind = "person" if e.type == EntityType.person else "entity"
        if rng.random() >= share or e.type != EntityType.person:
            out.append(replace(q, type=kind))
            continue
        dob = None
        for bd in e.birth_dates:
            if bd.date and not bd.approximate:
                dob = bd.date.isoformat()
                break
            if bd.year and not bd.approximate and not bd.year_from:
                dob = str(bd.year)
        countries = tuple(e.nationalities[:1])
        out.append(replace(q, type=kind, dob=dob, countries=countries, group=q.group + "+facts"))
    return out
