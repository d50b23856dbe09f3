"""PEAR's world: businesses, people, addresses and the policy and list facts labels rest on.

Everything a scenario draws comes from here: company and person names, addresses and
registration numbers per jurisdiction, business activities, the country and industry policy
(read from the data files the risk tools read) and the sanctions lists (the shared offline
copies, loaded with the project's loaders). Names of "clean" parties are kept away from every
listed name with an independent fuzzy look-up (rapidfuzz over the listed names, not the
screening engine), so that a clean party is clean by the facts, not by what the engine says.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from random import Random
from typing import Any

import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

HERE = Path(__file__).resolve().parent
BENCHMARKS = HERE.parent
sys.path.insert(0, str(BENCHMARKS / "documents"))
sys.path.insert(0, str(BENCHMARKS))

import corpus  # noqa: E402
from case_documents import CaseAddress, CaseCompany, printed_lines  # noqa: E402, F401 (re-exported)
from screening_corpus import load_lists, name_key, natural, shared_dir  # noqa: E402
from screening_families import COMMON  # noqa: E402

from caseworker.checks.screening.entity import EntityType, ListedEntity, ListInfo  # noqa: E402
from caseworker.domain.case import (  # noqa: E402
    Address,
    AddressType,
    AssociatedEntity,
    AssociatedIndividual,
    Contact,
    IndividualRole,
    Subject,
)

pick = corpus.pick

# --------------------------------------------------------------------------- policy


def _data(name: str) -> dict[str, Any]:
    text = (files("caseworker.checks.risk") / "data" / name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@dataclass(frozen=True)
class CountryPolicy:
    """Country levels and reasons as `countries.yaml` states them."""

    names: dict[str, str]
    prohibited: dict[str, str]  # code -> why (list labels)
    high: dict[str, str]

    @classmethod
    def load(cls) -> CountryPolicy:
        data = _data("countries.yaml")
        lists = {lst["id"]: lst for lst in data["lists"]}
        levels: dict[str, dict[str, list[str]]] = {"prohibited": {}, "high": {}}
        for level in ("prohibited", "high"):
            for list_id in data["policy"][level]:
                for code in lists[list_id]["countries"]:
                    levels[level].setdefault(code, []).append(lists[list_id]["label"])
        high = {c: r for c, r in levels["high"].items() if c not in levels["prohibited"]}
        return cls(
            names=data["names"],
            prohibited={c: " and ".join(r) for c, r in levels["prohibited"].items()},
            high={c: " and ".join(r) for c, r in high.items()},
        )

    def level(self, code: str) -> str:
        if code in self.prohibited:
            return "prohibited"
        return "high" if code in self.high else "standard"

    def why(self, code: str) -> str:
        name = self.names.get(code, code)
        reason = self.prohibited.get(code) or self.high.get(code) or "no list"
        return f"{name} ({code}: {self.level(code)}, {reason})"


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    level: str
    keywords: tuple[str, ...]
    mccs: dict[str, str]
    exclude: tuple[str, ...]


def load_categories() -> list[Category]:
    return [
        Category(c["id"], c["label"], c["level"], tuple(c.get("keywords") or ()),
                 dict(c.get("mccs") or {}), tuple(c.get("exclude") or ()))
        for c in _data("industries.yaml")["categories"]
    ]


def mentions(text: str, phrase: str) -> bool:
    """Whether `text` has `phrase` as whole words (a space or hyphen either way, plural s)."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    body = r"[\s\-]+".join(words)
    return re.search(rf"(?<!\w){body}(?:e?s)?(?!\w)", text, re.I) is not None


# --------------------------------------------------------------------------- activities


@dataclass(frozen=True)
class Activity:
    description: str
    industry: str
    mcc: str
    tails: tuple[str, ...]  # company-name words that fit it


# fmt: off
ACTIVITIES: tuple[Activity, ...] = (
    Activity("Accounting and invoicing software sold as a monthly subscription to small "
             "businesses.", "Software as a service", "5734", ("Software", "Systems", "Labs")),
    Activity("Wholesale distribution of hand tools, fasteners and workshop equipment to hardware "
             "retailers and machine shops.", "Wholesale of hardware and industrial supplies",
             "5085", ("Engineering", "Trading", "Supplies")),
    Activity("Bakery producing bread, cakes and pastries for cafes and supermarkets in the "
             "region.", "Manufacture of bakery products", "5462", ("Foods", "Bakery")),
    Activity("Road freight, warehousing and last-mile delivery for manufacturers and online "
             "retailers.", "Freight transport by road", "4214", ("Logistics", "Freight")),
    Activity("Interior design and office fit-out services for commercial landlords and "
             "tenants.", "Interior design", "7399", ("Interiors", "Design")),
    Activity("Management consultancy on operations and supply-chain planning for mid-sized "
             "manufacturers.", "Management consultancy", "8742", ("Consulting", "Advisory")),
    Activity("Craft brewery selling bottled and draught beer to pubs, restaurants and "
             "independent shops.", "Brewing", "5921", ("Brewing", "Ales")),
    Activity("Design and manufacture of robotic arms and conveyors for food packaging lines.",
             "Manufacture of industrial machinery", "5065", ("Robotics", "Engineering")),
    Activity("Marketing analytics dashboards for e-commerce brands, sold by annual licence.",
             "Software publishing", "7372", ("Analytics", "Digital", "Labs")),
    Activity("Online store selling enamelled cookware, kitchen utensils and table linen to "
             "households.", "E-commerce retail of household goods", "5719",
             ("Kitchen", "Home", "Goods")),
    Activity("Textile mill weaving upholstery and curtain fabrics for furniture makers.",
             "Manufacture of textiles", "5131", ("Textiles", "Weaving")),
    Activity("Maintenance and repair of engines and deck machinery on commercial vessels.",
             "Marine engineering", "7699", ("Marine", "Engineering")),
    Activity("Physiotherapy and sports rehabilitation clinics for private patients and sports "
             "clubs.", "Physiotherapy services", "8099", ("Health", "Clinics")),
    Activity("Architectural practice designing schools, libraries and other public "
             "buildings.", "Architecture", "8911", ("Architects", "Studio", "Design")),
    Activity("Installation and servicing of rooftop solar panels and heat pumps for homes and "
             "small businesses.", "Renewable energy installation", "1731", ("Energy", "Solar")),
    Activity("Production of corporate videos, training films and product animations.",
             "Video production", "7829", ("Media", "Films", "Studio")),
)
# fmt: on

# --------------------------------------------------------------------------- places

SAFE_COUNTRIES = ("GB", "IE", "DE", "NL", "FR", "BE", "ES", "IT", "AT", "DK", "SE", "FI", "PT",
                  "LU", "CH", "NO", "US", "CA")

NL_PLACES = (("Utrecht", "3511"), ("Amsterdam", "1017"), ("Rotterdam", "3011"),
             ("Eindhoven", "5611"), ("Den Haag", "2511"), ("Groningen", "9711"))
NL_STREETS = ("Zuiderkade", "Oudegracht", "Keizersgracht", "Industrieweg", "Stationsplein",
              "Hoogstraat", "Kerkstraat", "Havenweg", "Marktplein", "Beursplein")
FR_PLACES = (("Lyon", "69002"), ("Paris", "75011"), ("Bordeaux", "33000"), ("Lille", "59000"),
             ("Nantes", "44000"), ("Toulouse", "31000"), ("Marseille", "13001"))
FR_STREETS = ("rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "rue Pasteur",
              "boulevard Voltaire", "rue du Commerce", "quai Saint-Antoine", "rue des Halles")
BE_PLACES = (("Antwerpen", "2000"), ("Gent", "9000"), ("Brussel", "1000"), ("Leuven", "3000"),
             ("Brugge", "8000"), ("Mechelen", "2800"))
BE_STREETS = ("Meir", "Kouter", "Veldstraat", "Bondgenotenlaan", "Steenstraat", "Havenlaan",
              "Kattendijkdok-Westkaai", "Korenmarkt", "Nationalestraat")
# Places for companies of higher-risk jurisdictions (a registry extract prints "postcode city").
OTHER_PLACES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "BG": (("Sofia", "1000", ("Vitosha Boulevard", "Graf Ignatiev Street", "Rakovski Street")),
           ("Plovdiv", "4000", ("Knyaz Alexander I Street", "Ivan Vazov Street"))),
    "MC": (("Monaco", "98000", ("Boulevard des Moulins", "Avenue de la Costa",
                                "Boulevard Princesse Charlotte")),),
    "AE": (("Dubai", "00000", ("Sheikh Zayed Road", "Al Wasl Road", "Baniyas Road")),),
    "IR": (("Tehran", "15875", ("Vali Asr Street", "Enghelab Street", "Motahari Street")),
           ("Isfahan", "81465", ("Chaharbagh Street", "Hakim Nezami Street"))),
    "MM": (("Yangon", "11181", ("Pyay Road", "Bogyoke Aung San Road", "Strand Road")),),
    "CY": (("Limassol", "3036", ("Makariou III Avenue", "Griva Digeni Avenue")),
           ("Nicosia", "1066", ("Stasikratous Street", "Themistokli Dervi Avenue"))),
}
# Registry wording for jurisdictions the documents corpus has no layout for.
EXTRA_REGISTRIES: dict[str, dict[str, Any]] = {
    "BG": {
        "header": ("Registry Agency", "Commercial Register and Register of Non-Profit Legal "
                   "Entities"),
        "color": "#eef0e6", "title": ("Extract from the Commercial Register", "Company Details"),
        "name": ("Company name", "Legal name"), "number": ("UIC", "Registration number"),
        "date": ("Date of registration", "Date of incorporation"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Legal form", "Limited liability company (EOOD)"), ("Status", "Active"),
                 ("Scope of activity", "{activity}")),
    },
    "MC": {
        "header": ("Répertoire du Commerce et de l'Industrie", "Principality of Monaco"),
        "color": "#f6eaea", "title": ("Extract of registration", "Company Details"),
        "name": ("Company name", "Legal name"), "number": ("RCI number", "Registration number"),
        "date": ("Date of registration", "Date of incorporation"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Legal form", "Société à responsabilité limitée (SARL)"), ("Status", "Active"),
                 ("Activity", "{activity}")),
    },
    "IR": {
        "header": ("State Organization for Registration of Deeds and Properties",
                   "Islamic Republic of Iran"),
        "color": "#eaf2ec", "title": ("Company registration extract", "Company Details"),
        "name": ("Company name", "Legal name"),
        "number": ("Registration number", "Registered number"),
        "date": ("Date of registration", "Date of incorporation"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Legal form", "Private joint stock company"), ("Status", "Active"),
                 ("Activity", "{activity}")),
    },
    "MM": {
        "header": ("Directorate of Investment and Company Administration", "Myanmar Companies "
                   "Online"),
        "color": "#f3efe2", "title": ("Company extract", "Company Details"),
        "name": ("Company name", "Legal name"),
        "number": ("Registration number", "Company registration number"),
        "date": ("Date of registration", "Date of incorporation"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Company type", "Private company limited by shares"), ("Status", "Alive"),
                 ("Principal activity", "{activity}")),
    },
}
corpus.REGISTRIES.update({k: v for k, v in EXTRA_REGISTRIES.items() if k not in corpus.REGISTRIES})


@dataclass(frozen=True)
class Jurisdiction:
    code: str  # the case's jurisdiction: GB, US-DE, ...
    suffix: str  # appended to the company name
    legal_form: str
    tld: str


JURISDICTIONS: dict[str, Jurisdiction] = {
    j.code: j
    for j in (
        Jurisdiction("GB", " Ltd", "private limited company", "co.uk"),
        Jurisdiction("IE", " Limited", "private company limited by shares", "ie"),
        Jurisdiction("DE", " GmbH", "Gesellschaft mit beschränkter Haftung (GmbH)", "de"),
        Jurisdiction("NL", " B.V.", "besloten vennootschap (B.V.)", "nl"),
        Jurisdiction("FR", " SAS", "société par actions simplifiée (SAS)", "fr"),
        Jurisdiction("US-DE", ", Inc.", "Delaware corporation", "com"),
        Jurisdiction("BE", " BV", "besloten vennootschap (BV)", "be"),
        Jurisdiction("CY", " Ltd", "private company limited by shares", "com.cy"),
        Jurisdiction("AE", " LLC", "limited liability company", "ae"),
        Jurisdiction("BG", " EOOD", "limited liability company (EOOD)", "bg"),
        Jurisdiction("MC", " SARL", "société à responsabilité limitée (SARL)", "mc"),
        Jurisdiction("IR", " PJSC", "private joint stock company", "ir"),
        Jurisdiction("MM", " Company Limited", "private company limited by shares", "com.mm"),
    )
}
CLEAN_JURISDICTIONS = ("GB", "IE", "DE", "NL", "FR", "US-DE", "BE")


def registration_number(rng: Random, jurisdiction: str, incorporated: date) -> str:
    match jurisdiction:
        case "GB":
            return corpus.company_number(rng, "GB", incorporated)
        case "IE":
            return str(rng.randint(100000, 760000))
        case "DE":
            return f"HRB {rng.randint(10000, 299999)}"
        case "NL":
            return str(rng.randint(50000000, 89999999))
        case "FR":
            return str(rng.randint(300000000, 999999999))
        case "US-DE":
            return str(rng.randint(2000000, 7999999))
        case "BE":
            return f"0{rng.randint(400000000, 899999999)}"
        case "CY":
            return f"HE{rng.randint(100000, 449999)}"
        case "BG":
            return str(rng.randint(100000000, 209999999))
        case _:
            return str(rng.randint(10000, 999999))


def _street_number(rng: Random) -> str:
    return str(rng.randint(1, 180))


def make_address(rng: Random, country: str, kind: AddressType = AddressType.registered) -> Address:
    """A business address in `country`, written as the applicant gives it."""
    if country in ("GB", "US", "IE", "DE"):
        a = corpus.make_address(rng, country, business=True)
        line1 = f"{a.street} {a.number}" if country == "DE" else f"{a.number} {a.street}"
        line2 = a.unit if country in ("US", "GB") and a.unit else None
        return Address(type=kind, line1=line1, line2=line2, city=a.city,
                       region=a.region or None, postal_code=a.postcode, country=country)
    if country == "NL":
        city, prefix = pick(rng, NL_PLACES)
        postcode = f"{prefix} {pick(rng, corpus.LETTERS)}{pick(rng, corpus.LETTERS)}"
        line1 = f"{pick(rng, NL_STREETS)} {_street_number(rng)}"
    elif country == "FR":
        city, postcode = pick(rng, FR_PLACES)
        line1 = f"{_street_number(rng)} {pick(rng, FR_STREETS)}"
    elif country == "BE":
        city, postcode = pick(rng, BE_PLACES)
        line1 = f"{pick(rng, BE_STREETS)} {_street_number(rng)}"
    elif country in OTHER_PLACES:
        city, postcode, streets = pick(rng, OTHER_PLACES[country])
        line1 = f"{_street_number(rng)} {pick(rng, streets)}"
    else:
        raise ValueError(f"no addresses for {country}")
    return Address(type=kind, line1=line1, city=city, postal_code=postcode, country=country)


def delaware_office(rng: Random) -> Address:
    """A registered agent's office in Delaware, the registered address of a Delaware company."""
    _, (number, street, city, zipcode, building, unit) = pick(rng, corpus.DELAWARE_AGENTS)
    return Address(type=AddressType.registered, line1=f"{number} {street}",
                   line2=unit or building or None, city=city, region="DE", postal_code=zipcode,
                   country="US")


def other_address(rng: Random, address: Address) -> Address:
    """The same street, another house number (a different address by the SOP's test)."""
    number = re.search(r"\d+", address.line1)
    old = number.group() if number else "1"
    new = str(int(old) + pick(rng, (2, 3, 10, 11, 20)))
    line1 = address.line1.replace(old, new, 1) if number else f"{new} {address.line1}"
    return address.model_copy(update={"line1": line1})


# --------------------------------------------------------------------------- people

# fmt: off
EXTRA_FIRST: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "NL": (("Daan", "Bram", "Joris", "Maarten", "Thijs", "Sander", "Ruben"),
           ("Sanne", "Lotte", "Femke", "Eva", "Anouk", "Marloes", "Iris")),
    "BE": (("Wouter", "Pieter", "Jef", "Koen", "Bart", "Stijn"),
           ("Anke", "Lien", "Elke", "Sofie", "Griet", "Nele")),
    "IR": (("Dariush", "Kaveh", "Babak", "Farhad", "Kourosh", "Siavash"),
           ("Shirin", "Parisa", "Niloufar", "Roya", "Golnar", "Mahsa")),
    "RU": (("Dmitri", "Sergei", "Andrei", "Pavel", "Konstantin", "Mikhail"),
           ("Olga", "Natalia", "Irina", "Yelena", "Tatiana", "Svetlana")),
    "BY": (("Aliaksandr", "Siarhei", "Uladzimir"), ("Volha", "Nasta", "Hanna")),
    "VE": (("Andrés", "Luis", "Gustavo", "Ricardo"), ("Andreína", "Mariela", "Yusmary")),
    "CU": (("Yoandri", "Osmany", "Yasiel", "Reinier"), ("Yaima", "Daylin", "Yanelis")),
    "MM": (("Aung", "Zaw", "Thura", "Kyaw"), ("Hnin", "Thandar", "Ei", "Nilar")),
    "KE": (("Brian", "Kevin", "Dennis", "Collins"), ("Wanjiru", "Achieng", "Njeri", "Akinyi")),
    "VN": (("Minh", "Quang", "Tuan", "Khanh"), ("Thao", "Ngoc", "Trang", "Phuong")),
    "BG": (("Georgi", "Ivaylo", "Stoyan", "Nikolay"), ("Desislava", "Radostina", "Milena")),
    "MC": (("Louis", "Stéphane", "Pierre"), ("Charlotte", "Camille", "Élodie")),
    "LB": (("Karim", "Elie", "Charbel", "Ziad"), ("Nadine", "Rania", "Maya", "Carine")),
    "AE": (("Rashid", "Hamdan", "Saeed"), ("Mariam", "Shamma", "Latifa")),
}
EXTRA_LAST: dict[str, tuple[str, ...]] = {
    "NL": ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
           "Hoekstra", "van Dijk", "Dekker", "Brouwer"),
    "BE": ("Peeters", "Janssens", "Maes", "Jacobs", "Willems", "Claes", "Goossens", "Wouters",
           "Verhoeven", "De Smet"),
    "IR": ("Farahani", "Golestani", "Navabi", "Esfahani", "Tabrizi", "Shirazi", "Mahdavi"),
    "RU": ("Sokolov", "Lebedev", "Kuznetsov", "Morozov", "Volkov", "Pavlov", "Orlov"),
    "BY": ("Kavaliou", "Savitski", "Hrynkevich"),
    "VE": ("Rondón", "Guzmán", "Briceño", "Colmenares"),
    "CU": ("Valdés", "Hernández", "Cárdenas", "Quintana"),
    "MM": ("Kyaw Moe", "Min Thu", "Htet Aung", "Myint Oo"),
    "KE": ("Otieno", "Kamau", "Wanjala", "Chebet", "Mutua"),
    "VN": ("Tran Duc", "Pham Van", "Le Thi", "Vo Hoang"),
    "BG": ("Dimitrov", "Georgieva", "Petkov", "Stoyanova"),
    "MC": ("Boisson", "Médecin", "Gastaud"),
    "LB": ("Haddad", "Khoury", "Nassar", "Sfeir", "Gemayel"),
    "AE": ("Al Suwaidi", "Al Falasi", "Al Ketbi"),
}
# fmt: on


def name_pools(nationality: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(first names, family names) for people of `nationality`; British ones otherwise."""
    if nationality in EXTRA_FIRST:
        male, female = EXTRA_FIRST[nationality]
        return male + female, EXTRA_LAST[nationality]
    key = nationality if nationality in corpus.FIRST else "GB"
    male, female = corpus.FIRST[key]
    return male + female, corpus.LAST[key]


def birth_date(rng: Random, as_of: date) -> date:
    return corpus.random_date(rng, date(1955, 1, 1), date(as_of.year - 25, 12, 31))


# --------------------------------------------------------------------------- the lists


def printable(text: str) -> bool:
    """Whether the standard PDF fonts can draw `text` (WinAnsi, i.e. cp1252)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def is_latin(text: str) -> bool:
    return all(not ch.isalpha() or ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")
               for ch in text)


SOURCE_LABEL = {"ofac_sdn": "OFAC SDN", "ofac_cons": "OFAC Consolidated", "un": "UN Security "
                "Council Consolidated", "eu": "EU", "uk": "UK"}


@dataclass
class Lists:
    """The shared sanctions lists, as facts: who is listed, under which names, born when."""

    entities: list[ListedEntity]
    infos: list[ListInfo]
    _persons: list[str] = field(default_factory=list)
    _person_owner: list[int] = field(default_factory=list)
    _companies: list[str] = field(default_factory=list)
    _company_owner: list[int] = field(default_factory=list)

    @classmethod
    def load(cls) -> Lists:
        entities, infos, _ = load_lists()
        lists = cls(entities, infos)
        for pos, e in enumerate(entities):
            names, owners = ((lists._persons, lists._person_owner)
                             if e.type == EntityType.person
                             else (lists._companies, lists._company_owner))
            for nm in e.names:
                names.append(default_process(natural(nm, e.type)))
                owners.append(pos)
        return lists

    @cached_property
    def keys(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for pos, e in enumerate(self.entities):
            for nm in e.names:
                out.setdefault(name_key(nm.full), []).append(pos)
        return out

    def similar(self, text: str, *, person: bool, cutoff: float = 80) -> list[ListedEntity]:
        """Listed persons (or organisations) whose name is like `text` (token sort ratio)."""
        names, owners = ((self._persons, self._person_owner) if person
                         else (self._companies, self._company_owner))
        found = process.extract(default_process(text), names, scorer=fuzz.token_sort_ratio,
                                score_cutoff=cutoff, limit=50, processor=None)
        return [self.entities[owners[i]] for _, _, i in found]

    def clear(self, text: str, *, person: bool) -> bool:
        """Whether no listed name is like `text`, by the fuzzy test or by its words."""
        return not self.similar(text, person=person, cutoff=75) and name_key(text) not in self.keys

    def files(self) -> dict[str, Any]:
        return {
            info.source: {"list_date": info.list_date.isoformat() if info.list_date else None,
                          "entities": info.entities, "files": info.files}
            for info in self.infos
        }

    @staticmethod
    def folder() -> Path:
        return shared_dir()


def full_dob(entity: ListedEntity) -> date | None:
    """The one exact date of birth of a listed person, or None (several, partial, approximate)."""
    if len(entity.birth_dates) != 1:
        return None
    born = entity.birth_dates[0]
    return born.date if born.date and not born.approximate else None


def listed_years(entities: Sequence[ListedEntity]) -> set[int]:
    years: set[int] = set()
    for e in entities:
        for bd in e.birth_dates:
            lo = bd.year_from or (bd.date.year if bd.date else bd.year)
            hi = bd.year_to or lo
            if lo and hi:
                years.update(range(lo - 1, hi + 2))
    return years


def listing(entity: ListedEntity) -> str:
    """How a fact names a listed entry: list, primary name, entry id."""
    return f"the {SOURCE_LABEL.get(entity.source, entity.source)} list as " \
           f"'{entity.primary_name}' (entry {entity.source_id})"


def common_cultures() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Frequent given and family names by culture (benchmarks/screening_families.py)."""
    return COMMON


# --------------------------------------------------------------------------- parties


@dataclass
class Business:
    """A business being drawn: the case's subject and parties, before documents."""

    subject: Subject
    individuals: list[AssociatedIndividual]
    entities: list[AssociatedEntity]
    activity: Activity

    @property
    def country(self) -> str:
        return (self.subject.jurisdiction or "GB")[:2]


@dataclass
class World:
    """The generator's facts and their random draws."""

    as_of: date
    countries: CountryPolicy
    categories: list[Category]
    lists: Lists
    cache: dict[str, Any] = field(default_factory=dict)  # what scenarios derive once

    @classmethod
    def load(cls, as_of: date) -> World:
        return cls(as_of, CountryPolicy.load(), load_categories(), Lists.load())

    @cached_property
    def activities(self) -> list[Activity]:
        """The activities the industry policy rates standard (all of ACTIVITIES, checked)."""
        return [a for a in ACTIVITIES if self.standard_activity(a)]

    @property
    def common(self) -> dict[str, tuple[list[str], list[str], list[str]]]:
        return common_cultures()

    def standard_activity(self, activity: Activity) -> bool:
        text = f"{activity.description} {activity.industry}"
        return not any(
            any(mentions(text, k) for k in c.keywords) or activity.mcc in c.mccs
            for c in self.categories
        )

    def person_name(self, rng: Random, nationality: str) -> str:
        firsts, lasts = name_pools(nationality)
        for _ in range(50):
            name = f"{pick(rng, firsts)} {pick(rng, lasts)}"
            if self.lists.clear(name, person=True):
                return name
        raise RuntimeError(f"no clear {nationality} name")

    def person(self, rng: Random, nationality: str, roles: list[IndividualRole],
               pct: float | None = None, residence: str | None = None) -> AssociatedIndividual:
        return AssociatedIndividual(
            full_name=self.person_name(rng, nationality), roles=roles,
            date_of_birth=birth_date(rng, self.as_of), nationalities=[nationality],
            country_of_residence=residence or nationality, ownership_percentage=pct)

    def company_name(self, rng: Random, activity: Activity, suffix: str) -> str:
        for _ in range(50):
            base = f"{pick(rng, corpus.COMPANY_HEADS)} {pick(rng, activity.tails)}"
            name = base + suffix
            if self.lists.clear(base, person=False):
                return name
        raise RuntimeError("no clear company name")

    def business(self, rng: Random, jurisdiction: str, *, people_from: str | None = None,
                 activity: Activity | None = None) -> Business:
        """A clean business of `jurisdiction`: standard activity, people, two or three years old."""
        j = JURISDICTIONS[jurisdiction]
        country = jurisdiction[:2]
        activity = activity or pick(rng, self.activities)
        legal = self.company_name(rng, activity, j.suffix)
        incorporated = self.as_of - timedelta(days=rng.randint(2 * 365, 18 * 365))
        slug = re.sub(r"[^a-z0-9]+", "", legal.rsplit(j.suffix, 1)[0].casefold())
        if jurisdiction == "US-DE":
            addresses = [delaware_office(rng), make_address(rng, "US", AddressType.operating)]
        else:
            addresses = [make_address(rng, country)]
        home = people_from or ("US" if country == "US" else country)
        operations = [country, *rng.sample([c for c in SAFE_COUNTRIES if c != country],
                                           rng.randint(0, 2))]
        subject = Subject(
            legal_name=legal, trading_name=legal.rsplit(j.suffix, 1)[0],
            registration_number=registration_number(rng, jurisdiction, incorporated),
            jurisdiction=jurisdiction, incorporation_date=incorporated, legal_form=j.legal_form,
            addresses=addresses, countries_of_operation=operations,
            website=f"https://www.{slug}.{j.tld}", description=activity.description,
            industry=activity.industry, mcc=activity.mcc,
            contact=Contact(email=f"accounts@{slug}.{j.tld}"),
        )
        split = pick(rng, ((100,), (60, 40), (50, 50), (75, 25), (40, 35, 25), (70, 30)))
        people = []
        for i, pct in enumerate(split):
            roles = [IndividualRole.director, IndividualRole.beneficial_owner]
            if i > 0 and rng.random() < 0.3:
                roles = [IndividualRole.beneficial_owner]
            people.append(self.person(rng, home, roles, float(pct)))
        if rng.random() < 0.3:
            people.append(self.person(rng, home, [IndividualRole.officer,
                                                  IndividualRole.authorised_signatory]))
        return Business(subject, people, [], activity)
