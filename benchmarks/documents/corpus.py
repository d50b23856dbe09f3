"""Synthetic KYB documents (certificates, proofs of address, ownership registers) with known truth.

Every document is drawn with reportlab from structured facts, so its ground truth is exact; the
case's self-attested data is written from the same facts the way a customer would type them.
Variants plant one known problem each (a mismatch with the case, a stale date or a tampering
signal) and the manifest records what was planted. Nothing is downloaded; everything derives
from `--seed`, so a corpus is byte-for-byte reproducible.

    python benchmarks/documents/corpus.py --out /tmp/kyb-docs [--seed 7] [--per-layout 3]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any, TypeVar

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFString
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

RENDERINGS: tuple[str, ...] = ("pdf", "scan_pdf", "png", "jpeg", "tiff")
VARIANTS: tuple[str, ...] = ("clean", "mismatch", "tampered", "stale")
TAMPERS: tuple[str, ...] = (
    "editing_software",
    "modified_later",
    "incremental_update",
    "mixed_fonts",
)
AS_OF = date(2026, 11, 1)
SUFFIX = {"pdf": ".pdf", "scan_pdf": "-scan.pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tiff"}

# --------------------------------------------------------------------------- word lists
# Only characters of the standard fonts' WinAnsi encoding (ü, é, ß are fine; ł, ś are not).
# fmt: off

FIRST: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (male, female)
    "GB": (("Oliver", "George", "Harry", "Jack", "Thomas", "James", "William", "Callum", "Rhys"),
           ("Olivia", "Amelia", "Isla", "Emily", "Sophie", "Charlotte", "Grace", "Priya",
            "Eilidh")),
    "US": (("Michael", "David", "Christopher", "Matthew", "Joshua", "Tyler", "Carlos", "Kevin"),
           ("Jennifer", "Jessica", "Ashley", "Sarah", "Amanda", "Megan", "Maria", "Lauren")),
    "IE": (("Sean", "Ciaran", "Conor", "Padraig", "Eoin", "Declan", "Cillian", "Darragh"),
           ("Niamh", "Aoife", "Siobhan", "Orla", "Roisin", "Grainne", "Saoirse", "Clodagh")),
    "DE": (("Lukas", "Felix", "Jonas", "Maximilian", "Stefan", "Andreas", "Jürgen", "Matthias"),
           ("Anna", "Lena", "Hannah", "Katharina", "Julia", "Sabine", "Ursula", "Franziska")),
    "FR": (("Julien", "Antoine", "Mathieu", "Nicolas"), ("Camille", "Chloé", "Manon", "Léa")),
    "ES": (("Javier", "Alejandro", "Pablo", "Sergio"), ("Lucía", "Carmen", "Elena", "Marta")),
    "IN": (("Arjun", "Rohan", "Vikram", "Aditya"), ("Ananya", "Kavya", "Neha", "Divya")),
    "PL": (("Piotr", "Tomasz", "Krzysztof", "Marcin"), ("Katarzyna", "Agnieszka", "Joanna", "Ewa")),
}
LAST: dict[str, tuple[str, ...]] = {
    "GB": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Robinson",
           "Wright", "Thompson", "Evans", "Walker", "Roberts", "Green", "Clarke", "Patel",
           "Khan", "Hughes", "Campbell", "Fraser", "Ahmed", "Morgan", "Bennett", "Harrison"),
    "US": ("Johnson", "Miller", "Davis", "Garcia", "Rodriguez", "Martinez", "Anderson",
           "Thomas", "Moore", "Martin", "Lee", "Harris", "Clark", "Nguyen", "Kim", "Young",
           "Hernandez", "Lopez", "Scott", "Cohen", "Reyes"),
    "IE": ("Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor",
           "O'Neill", "Doyle", "McCarthy", "Gallagher", "Kennedy", "Lynch", "Quinn", "Brennan"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Schröder",
           "Neumann", "Zimmermann", "Krüger"),
    "FR": ("Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Fontaine", "Rousseau"),
    "ES": ("García López", "Fernández", "Martín Ruiz", "Sánchez", "Navarro", "Romero"),
    "IN": ("Mehta", "Sharma", "Iyer", "Reddy", "Nair", "Gupta", "Banerjee"),
    "PL": ("Nowak", "Kowalski", "Lewandowski", "Zielinski", "Mazur", "Wozniak"),
}
SG_SURNAMES = ("Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Chan", "Koh", "Teo", "Yeo")
SG_GIVEN = ("Wei", "Ming", "Hui", "Ling", "Kok", "Leong", "Mei", "Jia", "Boon", "Siew", "Xin")
NATIONALITY = {
    "GB": "British", "US": "American", "IE": "Irish", "DE": "German", "FR": "French",
    "ES": "Spanish", "IN": "Indian", "PL": "Polish", "SG": "Singaporean",
}
RESIDENCE = {
    "GB": "England", "US": "United States", "IE": "Ireland", "DE": "Germany", "FR": "France",
    "ES": "Spain", "IN": "India", "PL": "Poland", "SG": "Singapore",
}
COUNTRY_NAME = {
    "GB": "United Kingdom", "US": "United States", "IE": "Ireland", "DE": "Germany",
    "SG": "Singapore", "FR": "France", "ES": "Spain", "IN": "India", "PL": "Poland",
}
COUNTRY_ATTEST = {  # how a customer types the country, if at all
    "GB": ("GB", "UK", "United Kingdom", ""), "US": ("US", "USA", ""), "IE": ("IE", "Ireland"),
    "DE": ("DE", "Germany", "Deutschland"), "SG": ("SG", ""),
}

COMPANY_HEADS = (
    "Acme", "Northwind", "Bluestone", "Harbour", "Kestrel", "Meridian", "Oakridge", "Silverline",
    "Redwood", "Ironbridge", "Lumen", "Brightwater", "Cobalt", "Summit", "Fernhill", "Granite",
    "Halcyon", "Juniper", "Larkspur", "Pinnacle", "Quayside", "Thistle", "Zenith", "Ashford",
    "Beacon", "Dovetail", "Everett", "Marlow", "Saltire", "Windrush",
)
COMPANY_TAILS = (
    "Widgets", "Logistics", "Software", "Consulting", "Foods", "Engineering", "Analytics",
    "Trading", "Holdings", "Ventures", "Design", "Labs", "Payments", "Robotics", "Systems",
    "Capital", "Interiors", "Media", "Health", "Energy", "Textiles", "Brewing", "Marine", "Digital",
)
LEGAL_SUFFIX = {
    "limited": " Limited", "inc": ", Inc.", "corp": " Corporation", "llc": " LLC",
    "pte": " Pte. Ltd.", "gmbh": " GmbH", "dac": " DAC",
}
ATTEST_SUFFIX = {
    "limited": ("Ltd", "Ltd.", "Limited", "LTD", "Ltd"), "inc": ("Inc", "Inc.", ", Inc."),
    "corp": ("Corp", "Corp.", "Corporation"), "llc": ("LLC", "L.L.C.", ", LLC"),
    "pte": ("Pte Ltd", "Pte. Ltd.", "PTE LTD"), "gmbh": ("GmbH", "GMBH"),
    "dac": ("DAC", "Designated Activity Company"),
}

GB_CITIES = (  # city, postcode districts
    ("London", ("EC1V", "EC2A", "N1", "SE1", "SW11", "W1D", "E14", "WC2H", "NW1")),
    ("Manchester", ("M1", "M4", "M15")), ("Birmingham", ("B1", "B3", "B15")),
    ("Bristol", ("BS1", "BS8")), ("Leeds", ("LS1", "LS6")), ("Cardiff", ("CF10", "CF24")),
    ("Cambridge", ("CB1", "CB2")), ("Oxford", ("OX1", "OX4")), ("Brighton", ("BN1", "BN2")),
    ("Nottingham", ("NG1", "NG7")), ("Reading", ("RG1",)), ("Sheffield", ("S1", "S10")),
    ("Newcastle upon Tyne", ("NE1",)), ("Liverpool", ("L1", "L3")), ("Swansea", ("SA1",)),
)
SCOTTISH_CITIES = (
    ("Edinburgh", ("EH1", "EH3", "EH6")), ("Glasgow", ("G1", "G2", "G12")),
    ("Aberdeen", ("AB10", "AB11")), ("Dundee", ("DD1",)),
)
GB_STREET_NAMES = (
    "High", "Church", "Station", "Victoria", "Park", "Mill", "King", "Queen", "George", "Albert",
    "Market", "Bridge", "Castle", "Manor", "Elm", "Oak", "Willow", "Chapel", "York", "Grosvenor",
    "Cavendish", "Regent", "Brunswick", "Clarendon",
)
GB_STREET_TYPES = (
    "Street", "Road", "Lane", "Avenue", "Place", "Terrace", "Crescent", "Square", "Court", "Way",
    "Gardens", "Close", "Drive",
)
GB_BUILDINGS = (
    "Kingsway House", "The Old Mill", "Waterside Court", "Albion House", "Riverside Works",
    "Bank Chambers", "The Exchange", "Canal Wharf",
)
US_CITIES = (  # city, state, ZIP prefix
    ("New York", "NY", "100"), ("Brooklyn", "NY", "112"), ("San Francisco", "CA", "941"),
    ("Los Angeles", "CA", "900"), ("Austin", "TX", "787"), ("Chicago", "IL", "606"),
    ("Seattle", "WA", "981"), ("Boston", "MA", "021"), ("Denver", "CO", "802"),
    ("Miami", "FL", "331"), ("Atlanta", "GA", "303"), ("Portland", "OR", "972"),
)
US_STREET_NAMES = (
    "Main", "Oak", "Maple", "Washington", "Lake", "Hill", "Park", "Pine", "Cedar", "Elm",
    "Market", "Mission", "Lincoln", "Jefferson", "Madison", "Sunset", "Highland", "Franklin",
)
US_STREET_TYPES = ("Street", "Avenue", "Boulevard", "Drive", "Road", "Lane", "Court", "Place")
IE_PLACES = (  # town or Dublin district, Eircode routing key
    ("Dublin 2", "D02"), ("Dublin 4", "D04"), ("Dublin 1", "D01"), ("Dublin 8", "D08"),
    ("Cork", "T12"), ("Galway", "H91"), ("Limerick", "V94"),
)
IE_STREETS = (
    "Harcourt Street", "Baggot Street Lower", "Merrion Square", "Leeson Street Upper",
    "Fitzwilliam Place", "Patrick Street", "Shop Street", "O'Connell Street",
    "Grand Canal Street", "Pembroke Road", "Dame Street", "Henry Street",
)
DE_CITIES = (  # city, postcode prefix, register court
    ("Berlin", "10", "Charlottenburg"), ("München", "80", "München"), ("Hamburg", "20", "Hamburg"),
    ("Frankfurt am Main", "60", "Frankfurt am Main"), ("Köln", "50", "Köln"),
    ("Stuttgart", "70", "Stuttgart"), ("Düsseldorf", "40", "Düsseldorf"),
    ("Leipzig", "04", "Leipzig"),
)
DE_STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße", "Goethestraße",
    "Lindenallee", "Leopoldstraße", "Friedrichstraße", "Mozartstraße", "Kirchweg", "Bergstraße",
    "Kaiserstraße", "Theresienstraße",
)
SG_STREETS = (  # street, postcode prefix
    ("Anson Road", "079"), ("Robinson Road", "068"), ("Cecil Street", "069"),
    ("Raffles Place", "048"), ("Shenton Way", "068"), ("Orchard Road", "238"),
    ("Cross Street", "048"), ("North Bridge Road", "188"), ("Tanjong Pagar Road", "088"),
)
SG_BUILDINGS = (
    "International Plaza", "OUE Downtown", "Ocean Financial Centre", "Suntec Tower Three",
    "The Central", "Paya Lebar Square", "Solaris",
)
STREET_ABBREV = {
    "Street": "St", "Road": "Rd", "Avenue": "Ave", "Lane": "Ln", "Drive": "Dr", "Place": "Pl",
    "Court": "Ct", "Boulevard": "Blvd", "Crescent": "Cres", "Terrace": "Ter", "Square": "Sq",
    "Gardens": "Gdns", "Close": "Cl", "Lower": "Lwr", "Upper": "Upr", "North": "N",
    "Highway": "Hwy", "Suite": "Ste", "Apartment": "Apt",
}
DELAWARE_AGENTS = (  # agent, registered office: (number, street, city, ZIP, building, unit)
    ("The Corporation Trust Company",
     ("1209", "Orange Street", "Wilmington", "19801", "Corporation Trust Center", "")),
    ("Corporation Service Company", ("251", "Little Falls Drive", "Wilmington", "19808", "", "")),
    ("Registered Agents Legal Services, LLC",
     ("1013", "Centre Road", "Wilmington", "19805", "", "Suite 403S")),
    ("Harvard Business Services, Inc.", ("16192", "Coastal Highway", "Lewes", "19958", "", "")),
    ("A Registered Agent, Inc.", ("8", "The Green", "Dover", "19901", "", "Suite A")),
)
DELAWARE_SECRETARIES = (  # (took office, name)
    (date(1995, 1, 1), "EDWARD J. FREEL"), (date(2001, 1, 16), "HARRIET SMITH WINDSOR"),
    (date(2009, 1, 20), "JEFFREY W. BULLOCK"), (date(2023, 9, 1), "CHARUNI PATIBANDA-SANCHEZ"),
)
REGISTRIES: dict[str, dict[str, Any]] = {  # the registry-extract layout's wording per registry
    "IE": {
        "header": ("Companies Registration Office", "Ireland"), "color": "#e6f0ea",
        "title": ("Company Printout", "Company Details"), "name": ("Company name", "Name"),
        "number": ("Company number", "Registered number", "CRO number"),
        "date": ("Date of incorporation", "Registration date", "Incorporated on"),
        "office": ("Registered office", "Registered office address", "Registered address"),
        "rows": (("Company type", "LTD - Private Company Limited by Shares"),
                 ("Status", "Normal"), ("Principal activity", "{activity}")),
    },
    "SG": {
        "header": ("Accounting and Corporate Regulatory Authority", "Singapore"),
        "color": "#f3e9e4", "title": ("Business Profile (Company)", "Company Information"),
        "name": ("Entity name", "Company name"),
        "number": ("Registration No. (UEN)", "UEN", "Registered number"),
        "date": ("Incorporation date", "Date of incorporation", "Registration date"),
        "office": ("Registered office address", "Registered address", "Registered office"),
        "rows": (("Company type", "Private Company Limited by Shares"),
                 ("Status", "Live Company"), ("Principal activities", "{activity}")),
    },
    "DE": {
        "header": ("Common Register Portal of the German Federal States", "Handelsregister"),
        "color": "#e9ecf5", "title": ("Current printout (English translation)", "Register extract"),
        "name": ("Company (Firma)", "Company name"),
        "number": ("Register number", "Registered number"),
        "date": ("Date of registration", "Date of incorporation", "Registration date"),
        "office": ("Registered seat and business address", "Registered office"),
        "rows": (("Legal form", "Gesellschaft mit beschränkter Haftung"),
                 ("Share capital", "EUR 25,000.00"), ("Object of the company", "{activity}")),
    },
    # Registries the example cases need (examples/cases/documents/generate.py); the random
    # corpus draws only IE, SG and DE, so these change none of its documents.
    "NL": {
        "header": ("Netherlands Chamber of Commerce (Kamer van Koophandel)", "Business Register"),
        "color": "#e8eef6", "title": ("Business Register extract", "Company Details"),
        "name": ("Company name", "Legal name"),
        "number": ("Registration number", "Registered number"),
        "date": ("Date of incorporation", "Registration date"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Legal form", "Besloten vennootschap (B.V.)"), ("Status", "Active"),
                 ("Activities", "{activity}")),
    },
    "BE": {
        "header": ("Crossroads Bank for Enterprises (KBO)", "Federal Public Service Economy"),
        "color": "#f4eee2", "title": ("Public search - Enterprise details", "Company Details"),
        "name": ("Company name", "Legal name"),
        "number": ("Registration number", "Company number"),
        "date": ("Date of incorporation", "Registration date"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Legal form", "Besloten vennootschap (BV)"), ("Status", "Active"),
                 ("Activities", "{activity}")),
    },
    "CY": {
        "header": ("Department of Registrar of Companies and Intellectual Property", "Nicosia"),
        "color": "#eef3e6", "title": ("Certificate of Incorporation", "Company Details"),
        "name": ("Company name", "Name of company"),
        "number": ("Registration number", "Registered number"),
        "date": ("Date of incorporation", "Registration date"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Company type", "Private company limited by shares"),
                 ("Status", "Registered"), ("Principal activity", "{activity}")),
    },
    "AE": {
        "header": ("Department of Economy and Tourism, Dubai, United Arab Emirates",
                   "Commercial Licence"),
        "color": "#f5ede4", "title": ("Commercial Licence details", "Company Details"),
        "name": ("Company name", "Legal name"),
        "number": ("Registration number", "Registered number"),
        "date": ("Registration date", "Date of incorporation"),
        "office": ("Registered office address", "Registered address"),
        "rows": (("Legal type", "Limited Liability Company"), ("Licence status", "Active"),
                 ("Licensed activities", "{activity}")),
    },
    "CA": {
        "header": ("Corporations Canada", "Innovation, Science and Economic Development"),
        "color": "#f6e8e8", "title": ("Corporation information", "Company Details"),
        "name": ("Corporate name", "Company name"),
        "number": ("Registration number", "Company number"),
        "date": ("Date of incorporation", "Incorporation date"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Status", "Active"), ("Business activity", "{activity}")),
    },
    "FR": {
        "header": ("Registre du commerce et des sociétés (RCS)", "Extrait Kbis"),
        "color": "#e9edf4", "title": ("Extract of registration (Kbis)", "Company Details"),
        "name": ("Company name", "Legal name"),
        "number": ("Registration number", "Registered number"),
        "date": ("Registration date", "Date of incorporation"),
        "office": ("Registered office address", "Registered office"),
        "rows": (("Legal form", "Société par actions simplifiée (SAS)"), ("Status", "Active"),
                 ("Activity", "{activity}")),
    },
}
ACTIVITIES = (
    "Development of computer software", "Wholesale of industrial machinery",
    "Management consultancy", "Freight transport by road", "Manufacture of food products",
    "Retail sale via the internet",
)
UTILITIES = {  # issuer, what it supplies
    "GB": (("Brightwell Energy", "energy"), ("Severn Vale Water", "water"),
           ("Ironbridge Power", "energy"), ("Northfield Gas & Electric", "energy")),
    "US": (("Pacific Crest Electric", "energy"), ("Hudson Valley Gas & Electric", "energy"),
           ("Lakeshore Water Utility", "water")),
    "IE": (("Liffey Energy", "energy"), ("Shannon Power", "energy")),
    "DE": (("Stadtwerke Isarland", "energy"), ("Rheinstrom Energie", "energy")),
}
BANKS = {
    "GB": ("Northgate Bank", "Harbour & Lyle Bank", "Ashdown Building Society", "Kingsbridge Bank"),
    "US": ("First Meridian Bank", "Pioneer National Bank", "Cascade Federal Credit Union"),
    "IE": ("Bank of Leinster", "Clontarf Credit Union"),
    "DE": ("Kreissparkasse Hochwald", "Rheinische Handelsbank"),
}
TELECOMS = {
    "GB": ("Skylark Broadband", "Lyra Mobile"), "US": ("Beacon Wireless", "Summit Fiber"),
    "IE": ("Emerald Telecom",), "DE": ("Funkwerk Mobilfunk",),
}
TRANSACTIONS = (  # description, sign
    ("CARD PAYMENT HIGHFIELD STORES", -1), ("CONTACTLESS CORNER CAFE", -1),
    ("STANDING ORDER RENT", -1), ("ONLINE PAYMENT CITY PARKING", -1),
    ("CARD PAYMENT OFFICE SUPPLIES", -1), ("ATM WITHDRAWAL", -1), ("TRANSFER FROM SAVINGS", 1),
    ("BANK CREDIT INVOICE 1042", 1), ("INTEREST PAID", 1),
)
CURRENCY = {"GB": "£", "US": "$", "IE": "€", "DE": "€"}
TAX = {"GB": ("VAT @ 5%", 0.05), "US": ("Taxes and fees", 0.07), "IE": ("VAT @ 9%", 0.09),
       "DE": ("VAT @ 19%", 0.19),
       "FR": ("VAT @ 20%", 0.20), "KE": ("VAT @ 16%", 0.16)}  # FR, KE: the example cases' bills
BRAND_COLORS = ("#0b5394", "#38761d", "#a61c00", "#6a1b9a", "#00838f", "#c15f00", "#1f3a5f")
SPLITS = (  # typical shareholdings, in percent
    (100,), (50, 50), (60, 40), (75, 25), (40, 35, 25), (50, 30, 20), (45, 30, 15, 10),
    (40, 20, 20, 10, 10), (70, 20, 10), (34, 33, 33), (51, 49),
)
EDITORS = (  # (Creator, Producer) an editing tool leaves behind
    ("Adobe Photoshop 24.0 (Windows)", "Adobe Photoshop for Windows -- Image Conversion Plug-in"),
    ("iLovePDF", "iLovePDF"), ("PDFescape Online", "PDFescape Online (www.pdfescape.com)"),
    ("Sejda PDF Desktop", "Sejda PDF Desktop (www.sejda.com)"),
    ("Nitro Pro 13", "Nitro Pro 13 (13.70.2.40)"), ("Smallpdf", "Smallpdf.com"),
)
GENERATORS = (  # (Creator, Producer) of issuers' document systems
    ("JasperReports Library version 6.20.0", "iText 2.1.7 by 1T3XT"),
    ("Apache FOP Version 2.8", "Apache FOP Version 2.8"), ("Crystal Reports", "Powered By Crystal"),
    ("Microsoft Reporting Services 15.0.0.0",
     "Microsoft Reporting Services PDF Rendering Extension 15.0.0.0"),
    ("docgen", "PDFlib+PDI 9.3.1 (Linux (x86_64))"),
    ("ReportLab", "ReportLab PDF Library - www.reportlab.com"),
)
SCANNERS = (  # (Creator, Producer) of scan-to-PDF devices
    ("Canon iR-ADV C5550", "Canon iR-ADV C5550 PDF"), ("HP Scan", "HP Digital Sending Software"),
    ("ScanSnap Manager #iX1600", "ScanSnap Manager"), ("RICOH IM C3000", "RICOH IM C3000"),
)
ORDINAL_WORDS = (
    "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH",
    "ELEVENTH", "TWELFTH", "THIRTEENTH", "FOURTEENTH", "FIFTEENTH", "SIXTEENTH", "SEVENTEENTH",
    "EIGHTEENTH", "NINETEENTH", "TWENTIETH", "TWENTY-FIRST", "TWENTY-SECOND", "TWENTY-THIRD",
    "TWENTY-FOURTH", "TWENTY-FIFTH", "TWENTY-SIXTH", "TWENTY-SEVENTH", "TWENTY-EIGHTH",
    "TWENTY-NINTH", "THIRTIETH", "THIRTY-FIRST",
)
COUNTRY_DATE_STYLES = {
    "GB": ("long", "short", "dmy", "ordinal"), "US": ("us_long", "us_short"),
    "IE": ("long", "dmy", "short"), "DE": ("dmy_dot", "long", "iso"), "SG": ("short", "dmy", "iso"),
}

# fmt: on


# --------------------------------------------------------------------------- values


T = TypeVar("T")


def pick(rng: Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def derive_seed(*parts: object) -> int:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def random_date(rng: Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


DATE_STYLES: dict[str, Callable[[date], str]] = {
    "ordinal": lambda d: f"{ordinal(d.day)} {d:%B} {d.year}",  # 3rd March 2021
    "long": lambda d: f"{d.day} {d:%B} {d.year}",  # 3 March 2021
    "short": lambda d: f"{d:%d %b %Y}",  # 03 Mar 2021
    "dmy": lambda d: f"{d:%d/%m/%Y}",  # 03/03/2021
    "dmy_dot": lambda d: f"{d:%d.%m.%Y}",  # 03.03.2021
    "us_long": lambda d: f"{d:%B} {d.day}, {d.year}",  # March 3, 2021
    "us_short": lambda d: f"{d:%b} {d.day}, {d.year}",  # Mar 3, 2021
    "iso": lambda d: d.isoformat(),  # 2021-03-03
    "words": lambda d: f"THE {ORDINAL_WORDS[d.day - 1]} DAY OF {d:%B}, A.D. {d.year}".upper(),
}


def fmt_date(d: date, style: str) -> str:
    return DATE_STYLES[style](d)


def full_stop(text: str) -> str:
    return text if text.endswith(".") else f"{text}."


def money(amount: float, currency: str) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency}{abs(amount):,.2f}"


def fmt_pct(p: float, decimals: bool) -> str:
    return f"{p:.2f}%" if decimals else f"{p:g}%"


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    title: str
    nationality: str  # ISO country code
    born: date
    family_first: bool = False  # Chinese names: family name first

    @property
    def full(self) -> str:
        return f"{self.last} {self.first}" if self.family_first else f"{self.first} {self.last}"


def make_person(rng: Random, country: str, as_of: date) -> Person:
    born = random_date(rng, date(1950, 1, 1), date(as_of.year - 22, 12, 31))
    female = rng.random() < 0.5
    if country == "SG":
        given = f"{pick(rng, SG_GIVEN)} {pick(rng, SG_GIVEN)}"
        title = pick(rng, ("Ms", "Mdm")) if female else "Mr"
        return Person(given, pick(rng, SG_SURNAMES), title, "SG", born, family_first=True)
    first = pick(rng, FIRST[country][1 if female else 0])
    titles = ("Mrs", "Ms", "Miss", "Dr") if female else ("Mr", "Mr", "Dr")
    title = pick(rng, titles)
    if country == "US":
        title += "."
    return Person(first, pick(rng, LAST[country]), title, country, born)


def other_person(rng: Random, person: Person) -> Person:
    """A person with a name one part away: another first name or another surname."""
    country = person.nationality if person.nationality in LAST else "GB"
    while True:
        if rng.random() < 0.5:
            new = replace(person, last=pick(rng, LAST[country]))
        else:
            new = replace(person, first=pick(rng, FIRST[country][rng.randrange(2)]))
        if new.full != person.full:
            return new


@dataclass(frozen=True)
class Company:
    base: str  # "Acme Widgets"
    form: str  # a LEGAL_SUFFIX key

    def legal(self) -> str:
        return self.base + LEGAL_SUFFIX[self.form]


def make_company(rng: Random, form: str) -> Company:
    roll = rng.random()
    if roll < 0.7:
        base = f"{pick(rng, COMPANY_HEADS)} {pick(rng, COMPANY_TAILS)}"
    elif roll < 0.85:
        names = {"gmbh": LAST["DE"], "pte": SG_SURNAMES}.get(
            form, LAST["US"] if form in ("inc", "corp", "llc") else LAST["GB"]
        )
        base = f"{pick(rng, names)} & {pick(rng, names)}"
    else:
        base = f"{pick(rng, COMPANY_HEADS)} {pick(rng, COMPANY_TAILS)} Group"
    return Company(base, form)


def other_company(rng: Random, company: Company) -> Company:
    """A similar but different name: one word swapped."""
    words = company.base.split()
    swappable = [i for i, word in enumerate(words) if word not in ("&", "Group")]
    while True:
        i = pick(rng, swappable)
        pool = COMPANY_TAILS if words[i] in COMPANY_TAILS else COMPANY_HEADS
        new = " ".join([*words[:i], pick(rng, pool), *words[i + 1 :]])
        if new != company.base:
            return replace(company, base=new)


def attest_company(rng: Random, company: Company) -> str:
    base = company.base
    if "&" in base and rng.random() < 0.3:
        base = base.replace("&", "and")
    base = pick(rng, (base, base, base.upper()))
    suffix = pick(rng, ATTEST_SUFFIX[company.form])
    suffix = suffix.upper() if base.isupper() else suffix
    return base + suffix if suffix.startswith(",") else f"{base} {suffix}"


def attest_person(rng: Random, person: Person) -> str:
    return pick(rng, (person.full, person.full, person.full.upper()))


# --------------------------------------------------------------------------- addresses


@dataclass(frozen=True)
class Address:
    country: str  # ISO code
    number: str
    street: str
    city: str
    postcode: str
    unit: str = ""  # "Flat 3", "Suite 400", "#12-05"
    building: str = ""
    region: str = ""  # US state
    show_country: bool = False

    def lines(self) -> list[str]:
        street = (
            f"{self.street} {self.number}"
            if self.country == "DE"
            else f"{self.number} {self.street}"
        )
        match self.country:
            case "US":
                out = [
                    self.building,
                    street,
                    self.unit,
                    f"{self.city}, {self.region} {self.postcode}",
                ]
            case "DE":
                out = [self.building, street, f"{self.postcode} {self.city}"]
            case "SG":
                out = [street, f"{self.unit} {self.building}".strip(), f"Singapore {self.postcode}"]
            case _:
                out = [self.unit, self.building, street, self.city, self.postcode]
        if self.show_country and self.country != "SG":
            out.append(COUNTRY_NAME[self.country])
        return [line for line in out if line]


LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
EIRCODE_CHARS = "0123456789ACDEFHKNPRTVWXY"


def new_postcode(rng: Random, address: Address) -> str:
    """A postcode in the same area as the address's (another sector or delivery point)."""
    match address.country:
        case "GB":
            outward = address.postcode.split()[0]
            return f"{outward} {rng.randint(1, 9)}{pick(rng, LETTERS)}{pick(rng, LETTERS)}"
        case "IE":
            key = address.postcode.split()[0]
            return f"{key} {''.join(pick(rng, EIRCODE_CHARS) for _ in range(4))}"
        case "US" | "SG" | "DE":
            keep = {"US": 3, "SG": 3, "DE": 2}[address.country]
            size = len(address.postcode)
            rest = "".join(str(rng.randint(0, 9)) for _ in range(size - keep))
            return address.postcode[:keep] + rest
    raise ValueError(address.country)


def make_address(rng: Random, country: str, *, business: bool, scotland: bool = False) -> Address:
    show_country = rng.random() < 0.3
    match country:
        case "GB":
            city, areas = pick(rng, SCOTTISH_CITIES if scotland else GB_CITIES)
            street = f"{pick(rng, GB_STREET_NAMES)} {pick(rng, GB_STREET_TYPES)}"
            unit = building = ""
            roll = rng.random()
            if business and roll < 0.5:
                unit = f"{pick(rng, ('Suite', 'Unit', 'Office'))} {rng.randint(1, 40)}"
                building = pick(rng, GB_BUILDINGS) if roll < 0.25 else ""
            elif not business and roll < 0.3:
                unit = f"Flat {rng.randint(1, 24)}"
            address = Address(
                "GB",
                str(rng.randint(1, 240)),
                street,
                city,
                "",
                unit,
                building,
                show_country=show_country,
            )
            address = replace(address, postcode=f"{pick(rng, areas)} 1AA")
            return replace(address, postcode=new_postcode(rng, address))
        case "US":
            city, state, prefix = pick(rng, US_CITIES)
            street = f"{pick(rng, US_STREET_NAMES)} {pick(rng, US_STREET_TYPES)}"
            if rng.random() < 0.2:
                street = f"{pick(rng, ('N', 'S', 'E', 'W'))} {street}"
            unit = ""
            if rng.random() < 0.45:
                unit = (
                    f"Suite {rng.randint(1, 30)}00"
                    if business
                    else f"Apt {rng.randint(1, 20)}{pick(rng, 'ABCD')}"
                )
            zipcode = f"{prefix}{rng.randint(1, 99):02d}"
            return Address(
                "US",
                str(rng.randint(10, 9800)),
                street,
                city,
                zipcode,
                unit,
                region=state,
                show_country=show_country,
            )
        case "IE":
            city, key = pick(rng, IE_PLACES)
            unit = (
                f"{pick(rng, ('Unit', 'Suite'))} {rng.randint(1, 12)}"
                if business and rng.random() < 0.3
                else ""
            )
            address = Address(
                "IE",
                str(rng.randint(1, 120)),
                pick(rng, IE_STREETS),
                city,
                f"{key} 0000",
                unit,
                show_country=rng.random() < 0.7,
            )
            return replace(address, postcode=new_postcode(rng, address))
        case "DE":
            city, prefix, _ = pick(rng, DE_CITIES)
            number = str(rng.randint(1, 160)) + (pick(rng, "ab") if rng.random() < 0.15 else "")
            plz = prefix + "".join(str(rng.randint(0, 9)) for _ in range(5 - len(prefix)))
            return Address(
                "DE", number, pick(rng, DE_STREETS), city, plz, show_country=rng.random() < 0.6
            )
        case "SG":
            street, prefix = pick(rng, SG_STREETS)
            unit = f"#{rng.randint(2, 40):02d}-{rng.randint(1, 20):02d}"
            postcode = prefix + "".join(str(rng.randint(0, 9)) for _ in range(3))
            return Address(
                "SG",
                str(rng.randint(1, 300)),
                street,
                "Singapore",
                postcode,
                unit,
                pick(rng, SG_BUILDINGS),
            )
    raise ValueError(country)


def abbreviate(text: str, rng: Random) -> str:
    words = [STREET_ABBREV.get(word, word) for word in text.split()]
    out = " ".join(words)
    if "straße" in out:
        out = out.replace("straße", pick(rng, ("str.", "strasse", "str")))
    return out


def attest_address(rng: Random, a: Address) -> str:
    """The address as a customer types it: abbreviations, no commas, postcode and case drift."""
    street = abbreviate(a.street, rng) if rng.random() < 0.75 else a.street
    unit = abbreviate(a.unit, rng) if rng.random() < 0.5 else a.unit
    postcode = a.postcode
    if a.country in ("GB", "IE"):
        postcode = pick(rng, (postcode, postcode.replace(" ", ""), postcode.lower()))
    country = pick(rng, COUNTRY_ATTEST[a.country])
    line1 = f"{street} {a.number}" if a.country == "DE" else f"{a.number} {street}"
    match a.country:
        case "US":
            parts = [
                a.building,
                f"{line1} {unit}".strip(),
                a.city,
                f"{a.region} {postcode}",
                country,
            ]
        case "DE":
            parts = [a.building, line1, f"{postcode} {a.city}", country]
        case "SG":
            parts = [line1, unit, a.building, f"Singapore {postcode}", country]
        case _:
            parts = [unit, a.building, line1, a.city, postcode, country]
    text = pick(rng, (", ", " ", ", ")).join(p for p in parts if p)
    return text.upper() if rng.random() < 0.1 else text


def other_address(rng: Random, a: Address) -> tuple[Address, str]:
    """The same address but for one planted difference: house number, postcode or street."""
    match pick(rng, ("number", "number", "postcode", "street")):
        case "number":
            digits = int(re.sub(r"\D", "", a.number))
            new = str(digits + pick(rng, (1, 2, 3, 10, 11, 20)))
            return replace(a, number=new), f"house number {a.number} -> {new}"
        case "postcode":
            while (postcode := new_postcode(rng, a)) == a.postcode:
                pass
            return replace(a, postcode=postcode), f"postcode {a.postcode} -> {postcode}"
        case _:
            pool = {
                "GB": [f"{n} {a.street.split()[-1]}" for n in GB_STREET_NAMES],
                "US": [f"{n} {a.street.split()[-1]}" for n in US_STREET_NAMES],
                "IE": list(IE_STREETS),
                "DE": list(DE_STREETS),
                "SG": [s for s, _ in SG_STREETS],
            }[a.country]
            street = pick(rng, [s for s in pool if s != a.street])
            return replace(a, street=street), f"street {a.street} -> {street}"


# --------------------------------------------------------------------------- drawing

Part = str | tuple[str, str]  # plain text, or (field key, value) for a ground-truth value

FAMILIES = {
    "Helvetica": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"),
    "Times": ("Times-Roman", "Times-Bold", "Times-Italic"),
    "Courier": ("Courier", "Courier-Bold", "Courier-Oblique"),
}
ODD_FONT = {  # the font an edited value shows up in
    "Helvetica": "Times-Roman",
    "Helvetica-Bold": "Times-Bold",
    "Helvetica-Oblique": "Times-Roman",
    "Times-Roman": "Helvetica",
    "Times-Bold": "Helvetica-Bold",
    "Times-Italic": "Helvetica",
    "Courier": "Helvetica",
    "Courier-Bold": "Helvetica-Bold",
    "Courier-Oblique": "Helvetica",
}


@dataclass(frozen=True)
class Span:
    """Where a ground-truth value was drawn."""

    field: str
    text: str
    x: float
    y: float
    font: str
    size: float
    width: float


class Sheet:
    """A reportlab canvas that records where each ground-truth value was drawn."""

    def __init__(
        self, canvas: Canvas, size: tuple[float, float], family: str, odd_field: str | None = None
    ) -> None:
        self.c = canvas
        self.size = size
        self.width, self.height = size
        self.fonts = FAMILIES[family]
        self.odd_field = odd_field
        self.spans: dict[str, Span] = {}
        self._chars_on: Counter[float] = Counter()  # visible characters per baseline

    def font(self, *, bold: bool = False, italic: bool = False) -> str:
        return self.fonts[1] if bold else self.fonts[2] if italic else self.fonts[0]

    def text(
        self,
        x: float,
        y: float,
        parts: Sequence[Part],
        *,
        size: float = 10,
        bold: bool = False,
        italic: bool = False,
        align: str = "left",
        color: str = "#000000",
        font: str | None = None,
    ) -> float:
        base = font or self.font(bold=bold, italic=italic)
        pieces: list[tuple[str | None, str, str, float, float]] = []
        for part in parts:
            key, text = (None, part) if isinstance(part, str) else part
            face, face_size = base, size
            if key is not None and key == self.odd_field:
                face, face_size = ODD_FONT[base], size + 0.4
            pieces.append((key, text, face, face_size, stringWidth(text, face, face_size)))
        total = sum(p[4] for p in pieces)
        x -= {"left": 0, "center": total / 2, "right": total}[align]
        self.c.setFillColor(HexColor(color))
        for key, text, face, face_size, width in pieces:
            if text:
                self.c.setFont(face, face_size)
                self.c.drawString(x, y, text)
            if key is not None:
                if key in self.spans:
                    raise ValueError(f"layout draws {key!r} twice")
                self.spans[key] = Span(key, text, x, y, face, face_size, width)
            x += width
        self._chars_on[round(y, 1)] += sum(len(p[1].strip()) for p in pieces)
        return total

    def paragraph(
        self,
        x: float,
        y: float,
        width: float,
        parts: Sequence[Part],
        *,
        size: float = 10,
        leading: float | None = None,
        bold: bool = False,
        italic: bool = False,
        align: str = "left",
    ) -> float:
        """Wrap words (values stay whole) into lines of at most `width`; the next line's y."""
        face = self.font(bold=bold, italic=italic)
        tokens: list[tuple[str, str | None, bool]] = []  # text, field, space before
        gap = False
        for part in parts:
            if isinstance(part, str):
                for chunk in re.findall(r"\S+|\s+", part):
                    if chunk.isspace():
                        gap = True
                    else:
                        tokens.append((chunk, None, gap))
                        gap = False
            else:
                tokens.append((part[1], part[0], gap))
                gap = False
        lines: list[list[tuple[str, str | None, bool]]] = [[]]
        used = 0.0
        space = stringWidth(" ", face, size)
        for token in tokens:
            extra = stringWidth(token[0], face, size) + (space if token[2] else 0)
            if lines[-1] and token[2] and used + extra > width:
                lines.append([])
                used = 0.0
                extra -= space
            lines[-1].append(token)
            used += extra
        for line in lines:
            out: list[Part] = []
            buffer = ""
            for i, (text, key, spaced) in enumerate(line):
                buffer += " " if spaced and i else ""
                if key is None:
                    buffer += text
                else:
                    if buffer:
                        out.append(buffer)
                    buffer = ""
                    out.append((key, text))
            if buffer:
                out.append(buffer)
            anchor = x + width / 2 if align == "center" else x
            self.text(anchor, y, out, size=size, bold=bold, italic=italic, align=align)
            y -= leading or size * 1.35
        return y

    def block(
        self,
        x: float,
        y: float,
        key: str,
        lines: Sequence[str],
        *,
        size: float = 10,
        leading: float | None = None,
        bold: bool = False,
    ) -> float:
        """Draw an address block, each line a value `key.i`; the y below it."""
        for i, line in enumerate(lines):
            self.text(x, y, [(f"{key}.{i}", line)], size=size, bold=bold)
            y -= leading or size * 1.3
        return y

    def rule(
        self, x0: float, x1: float, y: float, *, width: float = 0.5, color: str = "#808080"
    ) -> None:
        self.c.setStrokeColor(HexColor(color))
        self.c.setLineWidth(width)
        self.c.line(x0, y, x1, y)

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: str | None = None,
        stroke: str | None = "#808080",
        width: float = 0.6,
    ) -> None:
        if fill:
            self.c.setFillColor(HexColor(fill))
        if stroke:
            self.c.setStrokeColor(HexColor(stroke))
        self.c.setLineWidth(width)
        self.c.rect(x, y, w, h, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def shares_line(self, key: str) -> bool:
        span = self.spans[key]
        return self._chars_on[round(span.y, 1)] > len(span.text.strip())


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Incorporation:
    company: Company
    number: str
    incorporated: date
    jurisdiction: str  # "GB", "US-DE", "IE", "SG", "DE"
    office: Address
    authority: str
    date_style: str
    family: str
    name_upper: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        legal = self.company.legal()
        return legal.upper() if self.name_upper else legal

    @property
    def country(self) -> str:
        return self.jurisdiction[:2]


@dataclass(frozen=True)
class ProofOfAddress:
    person: Person | None  # the account holder: a person, or else the company
    company: Company | None
    address: Address
    issued: date
    issuer: str
    upper: bool
    date_style: str
    family: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        name = self.person.full if self.person else self.company.legal() if self.company else ""
        return name.upper() if self.upper else name

    @property
    def salutation(self) -> str:
        if self.person is None:
            return ""
        return (self.person.title.upper() if self.upper else self.person.title) + " "

    @property
    def country(self) -> str:
        return self.address.country


@dataclass(frozen=True)
class Owner:
    person: Person | None  # a person, or else a corporate owner
    company: Company | None
    shares: int
    percentage: float
    role: str  # "shareholder", "director", "person with significant control"
    notified: date

    def name(self, upper: bool) -> str:
        name = self.person.full if self.person else self.company.legal() if self.company else ""
        return name.upper() if upper else name


@dataclass(frozen=True)
class Ownership:
    company: Company
    number: str
    country: str
    as_at: date
    owners: tuple[Owner, ...]
    total_shares: int
    upper: bool
    date_style: str
    family: str
    extra: dict[str, Any] = field(default_factory=dict)


Facts = Incorporation | ProofOfAddress | Ownership


def truth_of(facts: Facts) -> dict[str, Any]:
    """The ground truth: the values as the document prints them (dates as ISO)."""
    match facts:
        case Incorporation():
            return {
                "registered_name": facts.name,
                "company_number": facts.number,
                "incorporation_date": facts.incorporated.isoformat(),
                "jurisdiction": facts.jurisdiction,
                "registered_office": ", ".join(facts.office.lines()),
                "issuing_authority": facts.authority,
            }
        case ProofOfAddress():
            return {
                "name": facts.name,
                "address": ", ".join(address_lines(facts)),
                "issue_date": facts.issued.isoformat(),
                "issuer": facts.issuer,
            }
        case Ownership():
            return {
                "owners": [
                    {"name": o.name(facts.upper), "percentage": o.percentage, "role": o.role}
                    for o in facts.owners
                ]
            }


def address_lines(facts: ProofOfAddress) -> list[str]:
    lines = facts.address.lines()
    return [line.upper() for line in lines] if facts.upper else lines


def attest_number(rng: Random, number: str) -> str:
    """A company number as typed: leading zeros dropped, spaces, case."""
    roll = rng.random()
    if number.startswith("0") and number.isdigit() and roll < 0.4:
        return number.lstrip("0")
    if number[:2].isalpha() and roll < 0.6:
        head, tail = re.match(r"([A-Za-z]+)\s*(.*)", number).groups()  # type: ignore[union-attr]
        return pick(rng, (f"{head.lower()} {tail}", f"{head}{tail}", f"{head.lower()}{tail}"))
    if number.isdigit() and len(number) == 8 and roll < 0.55:
        return f"{number[:4]} {number[4:]}"
    return number.lower() if roll < 0.7 else number


def attest(rng: Random, facts: Facts) -> dict[str, Any]:
    """What the case claims, typed the way a customer would, from (possibly other) facts."""
    match facts:
        case Incorporation():
            jurisdiction = {
                "GB": ("GB", "gb", "United Kingdom"),
                "US-DE": ("US-DE",),
                "IE": ("IE", "Ireland"),
                "SG": ("SG", "Singapore"),
                "DE": ("DE", "Germany"),
            }[facts.jurisdiction]
            return {
                "registered_name": attest_company(rng, facts.company),
                "company_number": attest_number(rng, facts.number),
                "incorporation_date": facts.incorporated.isoformat(),
                "jurisdiction": pick(rng, jurisdiction),
                "registered_office": attest_address(rng, facts.office),
                "issuing_authority": facts.authority,
            }
        case ProofOfAddress():
            name = (
                attest_person(rng, facts.person)
                if facts.person
                else attest_company(rng, facts.company)
                if facts.company
                else ""
            )
            return {
                "name": name,
                "address": attest_address(rng, facts.address),
                "issue_date": facts.issued.isoformat(),
                "issuer": facts.issuer,
            }
        case Ownership():
            owners = [
                {
                    "name": (
                        attest_person(rng, o.person)
                        if o.person
                        else attest_company(rng, o.company)
                        if o.company
                        else ""
                    ),
                    "percentage": int(o.percentage) if o.percentage.is_integer() else o.percentage,
                    "role": o.role,
                }
                for o in facts.owners
            ]
            shuffled = rng.sample(owners, len(owners))
            return {"owners": shuffled if shuffled != owners else owners[::-1]}


# --------------------------------------------------------------------------- planted changes


def other_number(rng: Random, number: str) -> str:
    """The company number with one digit changed."""
    positions = [i for i, ch in enumerate(number) if ch.isdigit() and i > 0]
    while True:
        i = pick(rng, positions)
        new = number[:i] + str(rng.randint(0, 9)) + number[i + 1 :]
        if new != number:
            return new


def band(p: float) -> str:
    """The PSC register's band for a shareholding."""
    if p >= 75:
        return "75% or more"
    if p > 50:
        return "more than 50% but less than 75%"
    return "more than 25% but not more than 50%"


def plant_mismatch(rng: Random, facts: Facts, as_of: date) -> tuple[Facts, str, str]:
    """The case's side, differing from the document in one field: (facts, field, detail)."""
    match facts:
        case Incorporation():
            key = pick(
                rng,
                ("registered_name", "company_number", "incorporation_date", "registered_office"),
            )
            if key == "registered_name":
                company = other_company(rng, facts.company)
                return (
                    replace(facts, company=company),
                    key,
                    f"{facts.company.legal()} -> {company.legal()}",
                )
            if key == "company_number":
                number = other_number(rng, facts.number)
                return replace(facts, number=number), key, f"{facts.number} -> {number}"
            if key == "incorporation_date":
                if rng.random() < 0.5:
                    delta = timedelta(days=pick(rng, (-1, 1)) * rng.randint(1, 20))
                    new = facts.incorporated + delta
                else:
                    new = facts.incorporated.replace(
                        year=facts.incorporated.year - rng.randint(1, 3),
                        day=min(facts.incorporated.day, 28),
                    )
                return replace(facts, incorporated=new), key, f"{facts.incorporated} -> {new}"
            office, detail = other_address(rng, facts.office)
            return replace(facts, office=office), key, detail
        case ProofOfAddress():
            key = pick(rng, ("name", "address", "address", "issue_date"))
            if key == "name":
                if facts.person:
                    person = other_person(rng, facts.person)
                    return (
                        replace(facts, person=person),
                        key,
                        f"{facts.person.full} -> {person.full}",
                    )
                company = other_company(rng, facts.company)  # type: ignore[arg-type]
                return replace(facts, company=company), key, f"{facts.name} -> {company.legal()}"
            if key == "issue_date":
                room = (as_of - facts.issued).days
                days = rng.randint(2, 25)
                new = facts.issued + timedelta(
                    days=days if days < room and rng.random() < 0.5 else -days
                )
                return replace(facts, issued=new), key, f"{facts.issued} -> {new}"
            address, detail = other_address(rng, facts.address)
            return replace(facts, address=address), key, detail
        case Ownership():
            owners = list(facts.owners)
            op = pick(
                rng,
                ("percentage", "percentage", "extra", "missing")
                if len(owners) > 1
                else ("percentage", "extra"),
            )
            if op == "missing":
                gone = owners.pop(rng.randrange(len(owners)))
                detail = f"missing owner {gone.name(False)}"
            elif op == "extra":
                person = make_person(rng, pick(rng, ("GB", "US", "IE", "DE", "FR", "IN")), as_of)
                psc = facts.extra["layout"] == "psc_register"
                pct = float(pick(rng, (30, 35, 40) if psc else (10, 15, 20, 30)))
                owners.append(Owner(person, None, 0, pct, owners[0].role, facts.as_at))
                detail = f"extra owner {person.full} {pct:g}%"
            else:
                i = rng.randrange(len(owners))
                old = owners[i].percentage
                steps = [round(old + d, 2) for d in (-10.0, -5.0, 5.0, 10.0)]
                changed = pick(rng, [p for p in steps if 0 < p <= 100])
                owners[i] = replace(owners[i], percentage=changed)
                detail = f"percentage of {owners[i].name(False)} {old:g}% -> {changed:g}%"
            return replace(facts, owners=tuple(owners)), "owners", detail


def edit_value(rng: Random, facts: Facts, key: str, as_of: date) -> tuple[Facts, str, str]:
    """What a forger changes on the document itself: (edited facts, span key, detail)."""
    match facts:
        case Incorporation() if key == "registered_name":
            company = other_company(rng, facts.company)
            detail = f"registered_name {facts.company.legal()} -> {company.legal()}"
            return replace(facts, company=company), key, detail
        case Incorporation() if key == "company_number":
            number = other_number(rng, facts.number)
            return replace(facts, number=number), key, f"company_number {facts.number} -> {number}"
        case Incorporation() if key == "incorporation_date":
            years = (
                pick(rng, (-3, -2, -1, 1, 2))
                if facts.incorporated.year + 2 < as_of.year
                else pick(rng, (-3, -2, -1))
            )
            new = facts.incorporated.replace(
                year=facts.incorporated.year + years, day=min(facts.incorporated.day, 28)
            )
            return (
                replace(facts, incorporated=new),
                key,
                f"incorporation_date {facts.incorporated} -> {new}",
            )
        case ProofOfAddress() if key == "issue_date":
            new = as_of - timedelta(days=rng.randint(5, 50))
            return replace(facts, issued=new), key, f"issue_date {facts.issued} -> {new}"
        case Ownership() if key == "owners.percentage":
            i = rng.randrange(len(facts.owners))
            old = facts.owners[i].percentage
            psc = facts.extra.get("layout") == "psc_register"
            steps = [round(old + d, 2) for d in (-4.0, -3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 4.0)]
            pct = pick(
                rng, [p for p in steps if 0 < p <= 100 and (not psc or band(p) == band(old))]
            )
            owners = list(facts.owners)
            owners[i] = replace(owners[i], percentage=pct)
            detail = f"owners.{i}.percentage {old:g} -> {pct:g}"
            return replace(facts, owners=tuple(owners)), f"owners.{i}.percentage", detail
    raise ValueError(f"cannot edit {key!r} of {type(facts).__name__}")


# --------------------------------------------------------------------------- incorporation


@dataclass(frozen=True)
class Plan:
    """What a document is generated for: its variant, tamper kind and the edited field."""

    variant: str
    tamper: str | None
    as_of: date
    edit: str | None = None


def company_number(rng: Random, country: str, incorporated: date, *, scotland: bool = False) -> str:
    match country:
        case "GB" if scotland:
            return f"SC{rng.randint(100000, 799999)}"
        case "GB" if incorporated.year < 2007:
            return f"0{rng.randint(2000000, 5999999)}"
        case "GB" if incorporated.year < 2016:
            return f"0{rng.randint(6000000, 9999999)}"
        case "GB":
            return str(rng.randint(10000000, 15999999))
        case "US":
            return str(rng.randint(2000000, 7999999))
        case "IE":
            return str(rng.randint(100000, 760000))
        case "SG":
            return f"{incorporated.year}{rng.randint(10000, 99999)}{pick(rng, LETTERS)}"
        case "DE":
            return f"HRB {rng.randint(10000, 299999)}"
    raise ValueError(country)


def incorporation_date(rng: Random, plan: Plan) -> date:
    latest = plan.as_of - timedelta(days=500 if plan.tamper == "modified_later" else 60)
    return random_date(rng, date(1998, 1, 1), latest)


def build_uk_certificate(rng: Random, plan: Plan) -> Incorporation:
    scotland = rng.random() < 0.2
    incorporated = incorporation_date(rng, plan)
    region = "Scotland" if scotland else "England and Wales"
    return Incorporation(
        company=make_company(rng, "limited"),
        number=company_number(rng, "GB", incorporated, scotland=scotland),
        incorporated=incorporated,
        jurisdiction="GB",
        office=make_address(rng, "GB", business=True, scotland=scotland),
        authority=f"Registrar of Companies for {region}",
        date_style="ordinal",
        family=pick(rng, ("Helvetica", "Times")),
        name_upper=True,
        extra={
            "region": region,
            "place": "Edinburgh" if scotland else "Cardiff",
            "code": f"N{rng.randint(10**7, 10**8 - 1)}{pick(rng, LETTERS)}",
        },
    )


def draw_uk_certificate(s: Sheet, f: Incorporation, rng: Random) -> None:
    w, h = s.width, s.height
    s.box(30, 30, w - 60, h - 60, stroke="#4b5d6b", width=2.2)
    s.box(37, 37, w - 74, h - 74, stroke="#4b5d6b", width=0.6)
    cx = w / 2 + rng.uniform(-5, 5)
    y = h - 90 + rng.uniform(-10, 6)
    s.c.setStrokeColor(HexColor("#4b5d6b"))
    s.c.circle(cx, y + 4, 17, stroke=1, fill=0)
    s.text(cx, y, ["CH"], size=11, bold=True, align="center", color="#4b5d6b")
    y -= 55
    s.text(cx, y, ["CERTIFICATE OF INCORPORATION"], size=17, bold=True, align="center")
    s.text(cx, y - 22, ["OF A PRIVATE LIMITED COMPANY"], size=13, bold=True, align="center")
    y -= 64
    s.text(
        cx,
        y,
        ["Company Number ", ("company_number", f.number)],
        size=12.5,
        bold=True,
        align="center",
    )
    size = 11.5 + rng.uniform(-0.5, 0.5)
    y = s.paragraph(
        80,
        y - 42,
        w - 160,
        [
            "The ",
            ("issuing_authority", f.authority),
            ", hereby certifies that",
        ],
        size=size,
        leading=size * 1.5,
        align="center",
    )
    s.text(cx, y - 12, [("registered_name", f.name)], size=15, bold=True, align="center")
    y = s.paragraph(
        80,
        y - 46,
        w - 160,
        [
            "is this day incorporated under the Companies Act 2006 as a private company, that the "
            "company is limited by shares, and the situation of its registered office is in "
            f"{f.extra['region']}.",
        ],
        size=size,
        leading=size * 1.5,
        align="center",
    )
    s.text(
        cx,
        y - 16,
        [
            f"Given at Companies House, {f.extra['place']}, on ",
            ("incorporation_date", fmt_date(f.incorporated, f.date_style)),
        ],
        size=size,
        align="center",
    )
    x = 80 + rng.uniform(-6, 10)
    y -= 80 + rng.uniform(0, 20)
    s.text(x, y, ["Registered office address:"], size=10.5, bold=True)
    s.block(x, y - 17, "registered_office", f.office.lines(), size=10.5, leading=14)
    sx, sy = w - 140, 150
    s.c.setStrokeColor(HexColor("#7a1f2b"))
    s.c.setLineWidth(1.4)
    s.c.circle(sx, sy, 42)
    s.c.circle(sx, sy, 36)
    for i, word in enumerate(("THE OFFICIAL", "SEAL OF THE", "REGISTRAR")):
        s.text(sx, sy + 8 - i * 10, [word], size=6.5, bold=True, align="center", color="#7a1f2b")
    s.paragraph(
        60,
        100,
        w - 240,
        [
            "The above information was communicated by electronic means and authenticated by the "
            "Registrar of Companies under section 1115 of the Companies Act 2006",
        ],
        size=7.5,
        italic=True,
    )
    s.text(60, 58, [f"*{f.extra['code']}*"], size=9, font="Courier")


def build_delaware_certificate(rng: Random, plan: Plan) -> Incorporation:
    form = pick(rng, ("inc", "inc", "corp", "llc"))
    incorporated = incorporation_date(rng, plan)
    agent, (number, street, city, zipcode, building, unit) = pick(rng, DELAWARE_AGENTS)
    office = Address("US", number, street, city, zipcode, unit, building, region="DE")
    certified = incorporated + timedelta(days=rng.randint(0, 4))
    secretary = [name for start, name in DELAWARE_SECRETARIES if start <= certified][-1]
    return Incorporation(
        company=make_company(rng, form),
        number=company_number(rng, "US", incorporated),
        incorporated=incorporated,
        jurisdiction="US-DE",
        office=office,
        authority="SECRETARY OF STATE OF THE STATE OF DELAWARE",
        date_style="words",
        family="Times",
        name_upper=True,
        extra={
            "agent": agent,
            "secretary": secretary,
            "certified": certified,
            "sr": f"{incorporated.year}{rng.randint(1000000, 9999999)}",
            "auth": str(rng.randint(200000000, 209999999)),
            "time": f"{rng.randint(9, 11)}:{pick(rng, ('00', '07', '15', '30', '45', '52'))}",
            "shares": pick(rng, (1500, 5000, 10000000, 15000000)),
            "incorporator": make_person(rng, "US", plan.as_of).full,
        },
    )


def draw_delaware_certificate(s: Sheet, f: Incorporation, rng: Random) -> None:
    w, h = s.width, s.height
    llc = f.company.form == "llc"
    x0 = 72 + rng.uniform(-6, 6)
    y = h - 78 + rng.uniform(-6, 6)
    s.text(x0, y, ["Delaware"], size=30, font="Times-BoldItalic", color="#1d3557")
    s.text(x0 + 4, y - 18, ["The First State"], size=12, italic=True, color="#1d3557")
    s.text(w - 72, y + 8, ["Page 1"], size=10, align="right")
    for i, line in enumerate(
        ("State of Delaware", "Secretary of State", "Division of Corporations")
    ):
        s.text(w - 72, y - 14 - i * 12, [line], size=9, align="right")
    kind = "CERTIFICATE OF FORMATION" if llc else "CERTIFICATE OF INCORPORATION"
    y = s.paragraph(
        x0,
        y - 80,
        w - 2 * x0,
        [
            f"I, {f.extra['secretary']}, ",
            ("issuing_authority", f.authority),
            f', DO HEREBY CERTIFY THE ATTACHED IS A TRUE AND CORRECT COPY OF THE {kind} OF "',
            ("registered_name", f.name),
            '", FILED IN THIS OFFICE ON ',
            ("incorporation_date", fmt_date(f.incorporated, "words")),
            f", AT {f.extra['time']} O'CLOCK A.M.",
        ],
        size=11.5,
        leading=19,
    )
    y = s.paragraph(
        x0,
        y - 10,
        w - 2 * x0,
        [
            "A FILED COPY OF THIS CERTIFICATE HAS BEEN FORWARDED TO THE NEW CASTLE COUNTY RECORDER "
            "OF DEEDS.",
        ],
        size=11.5,
        leading=19,
    )
    y -= 24
    s.text(x0, y, [("company_number", f.number), " 8100"], size=11)
    s.text(x0, y - 15, [f"SR# {f.extra['sr']}"], size=11)
    s.text(
        x0,
        y - 40,
        ["You may verify this certificate online at corp.delaware.gov/authver.shtml"],
        size=8,
        italic=True,
    )
    s.text(w - 220, y, [f"Authentication: {f.extra['auth']}"], size=11)
    s.text(w - 220, y - 15, [f"Date: {f.extra['certified']:%m-%d-%y}"], size=11)
    y -= 62
    s.rule(x0, w - x0, y, width=1, color="#1d3557")
    y -= 30
    s.text(w / 2, y, [kind], size=12.5, bold=True, align="center")
    s.text(w / 2, y - 16, [f"OF {f.company.legal().upper()}"], size=12.5, bold=True, align="center")
    y -= 44
    entity = "limited liability company" if llc else "corporation"
    y = s.paragraph(
        x0,
        y,
        w - 2 * x0,
        [f"FIRST: The name of the {entity} is {full_stop(f.company.legal())}"],
        size=11,
        leading=15,
    )
    y = s.paragraph(
        x0,
        y - 6,
        w - 2 * x0,
        [
            f"SECOND: The address of the registered office of the {entity} in the State of "
            "Delaware is:"
        ],
        size=11,
        leading=15,
    )
    y = s.block(x0 + 36, y - 2, "registered_office", f.office.lines(), size=11, leading=14)
    y = s.paragraph(
        x0,
        y - 6,
        w - 2 * x0,
        [f"The name of its registered agent at such address is {full_stop(f.extra['agent'])}"],
        size=11,
        leading=15,
    )
    y = s.paragraph(
        x0,
        y - 6,
        w - 2 * x0,
        [
            f"THIRD: The purpose of the {entity} is to engage in any lawful act or activity for "
            + (
                "which limited liability companies may be formed under the Delaware Limited "
                "Liability Company Act."
                if llc
                else "which corporations may be organized under the General Corporation Law of "
                "the State of Delaware."
            )
        ],
        size=11,
        leading=15,
    )
    if not llc:
        y = s.paragraph(
            x0,
            y - 6,
            w - 2 * x0,
            [
                "FOURTH: The total number of shares of stock which the corporation shall have "
                f"authority to issue is {f.extra['shares']:,} shares of Common Stock, par value "
                "$0.0001 per share."
            ],
            size=11,
            leading=15,
        )
    s.text(w - 72, y - 40, [f"/s/ {f.extra['incorporator']}"], size=11, italic=True, align="right")
    s.text(
        w - 72, y - 54, ["Incorporator" if not llc else "Authorized Person"], size=10, align="right"
    )


def build_registry_extract(rng: Random, plan: Plan) -> Incorporation:
    printed_days = (400, 700) if plan.tamper == "modified_later" else (1, 20)
    country = pick(rng, ("IE", "SG", "DE"))
    spec = REGISTRIES[country]
    form = {"IE": pick(rng, ("limited", "limited", "dac")), "SG": "pte", "DE": "gmbh"}[country]
    incorporated = incorporation_date(rng, plan)
    office = make_address(rng, country, business=True)
    authority = spec["header"][0]
    if country == "DE":
        authority = "Amtsgericht " + next(c for city, _, c in DE_CITIES if city == office.city)
    labels = {key: pick(rng, spec[key]) for key in ("title", "name", "number", "date", "office")}
    order = (
        ["name", "number", "date", "office"]
        if rng.random() < 0.5
        else ["number", "name", "date", "office"]
    )
    return Incorporation(
        company=make_company(rng, form),
        number=company_number(rng, country, incorporated),
        incorporated=incorporated,
        jurisdiction=country,
        office=office,
        authority=authority,
        date_style=pick(rng, COUNTRY_DATE_STYLES[country]),
        family=pick(rng, ("Helvetica", "Helvetica", "Times")),
        name_upper=country == "SG",
        extra={
            "labels": labels,
            "order": order,
            "activity": pick(rng, ACTIVITIES),
            "printed": plan.as_of - timedelta(days=rng.randint(*printed_days)),
            "reference": f"{rng.randint(10**8, 10**9 - 1)}",
        },
    )


def draw_registry_extract(s: Sheet, f: Incorporation, rng: Random) -> None:
    w, h = s.width, s.height
    spec = REGISTRIES[f.jurisdiction]
    labels = f.extra["labels"]
    s.box(0, h - 92, w, 92, fill=spec["color"], stroke=None)
    x0 = 50 + rng.uniform(-6, 6)
    header = spec["header"][0]
    if f.jurisdiction == "DE":
        s.text(x0, h - 48, [header], size=15, bold=True, color="#1f2a44")
    else:
        s.text(x0, h - 48, [("issuing_authority", header)], size=15, bold=True, color="#1f2a44")
    s.text(x0, h - 68, [spec["header"][1]], size=10.5, color="#1f2a44")
    y = h - 135 + rng.uniform(-6, 6)
    s.text(x0, y, [labels["title"]], size=15, bold=True)
    printed = fmt_date(f.extra["printed"], f.date_style)
    s.text(w - 50, y, [f"Date of extract: {printed}"], size=9, align="right")
    s.text(w - 50, y - 13, [f"Reference: {f.extra['reference']}"], size=9, align="right")
    y -= 40
    s.rule(x0, w - 50, y + 16, width=1.2, color="#1f2a44")
    size = 10.5 + rng.uniform(-0.4, 0.4)
    widest = max(stringWidth(labels[key], s.font(bold=True), size) for key in f.extra["order"])
    lx, vx = x0, x0 + max(185 + rng.uniform(-10, 10), widest + 18)
    values: dict[str, list[Part]] = {
        "name": [("registered_name", f.name)],
        "number": [("company_number", f.number)],
        "date": [("incorporation_date", fmt_date(f.incorporated, f.date_style))],
    }
    rows: list[tuple[str, Sequence[Part] | list[str]]] = []
    for key in f.extra["order"]:
        rows.append((labels[key], f.office.lines() if key == "office" else values[key]))
    if f.jurisdiction == "DE":
        rows.append(("Register court", [("issuing_authority", f.authority)]))
    rows += [(label, [value.format(activity=f.extra["activity"])]) for label, value in spec["rows"]]
    for label, value in rows:
        s.text(lx, y, [label], size=size, bold=True)
        if label == labels["office"]:
            end = s.block(vx, y, "registered_office", value, size=size, leading=size * 1.35)  # type: ignore[arg-type]
            y = end + size * 1.35
        else:
            s.text(vx, y, value, size=size)
        s.rule(lx, w - 50, y - 8, width=0.4, color="#b0b0b0")
        y -= 26
    s.paragraph(
        x0,
        70,
        w - 2 * x0,
        [
            "This extract reflects the entries in the register at the date shown above. It is not "
            "a certificate of good standing."
        ],
        size=7.5,
        italic=True,
    )


# --------------------------------------------------------------------------- proof of address


def issue_date(rng: Random, plan: Plan) -> date:
    """Within 3 months of as_of, except for stale documents and the originals of edited ones."""
    if plan.variant == "stale":
        lo, hi = 100, 400
    elif plan.edit == "issue_date":
        lo, hi = 100, 300
    elif plan.tamper == "modified_later":
        lo, hi = 45, 85
    else:
        lo, hi = 3, 80
    return plan.as_of - timedelta(days=rng.randint(lo, hi))


def base_proof(rng: Random, plan: Plan, issuer: str, country: str, **extra: Any) -> ProofOfAddress:
    person: Person | None = None
    company: Company | None = None
    if rng.random() < 0.7:
        person = make_person(rng, country, plan.as_of)
    else:
        form = {"GB": "limited", "US": pick(rng, ("inc", "llc")), "IE": "limited", "DE": "gmbh"}
        company = make_company(rng, form[country])
    address = replace(make_address(rng, country, business=company is not None), show_country=False)
    return ProofOfAddress(
        person=person,
        company=company,
        address=address,
        issued=issue_date(rng, plan),
        issuer=issuer,
        upper=rng.random() < 0.4,
        date_style=pick(rng, COUNTRY_DATE_STYLES[country]),
        family=pick(rng, ("Helvetica", "Helvetica", "Times")),
        extra={"currency": CURRENCY[country], "color": pick(rng, BRAND_COLORS), **extra},
    )


def digits(rng: Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def iban(country: str, bban: str) -> str:
    """An IBAN with valid check digits, printed in groups of four."""
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    raw = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def phone_number(rng: Random, country: str) -> str:
    match country:
        case "GB":
            return f"07700 900{digits(rng, 3)}"
        case "US":
            return f"({rng.randint(201, 989)}) 555-01{digits(rng, 2)}"
        case "IE":
            return f"08{rng.randint(3, 9)} {digits(rng, 3)} {digits(rng, 4)}"
        case _:
            return f"015{rng.randint(1, 9)} {digits(rng, 8)}"


def return_address(rng: Random, country: str, issuer: str) -> str:
    city = {
        "GB": "Leeds LS98 1XX",
        "US": "Dallas, TX 75303",
        "IE": "Dublin 24",
        "DE": "80287 München",
    }[country]
    return f"{issuer}, PO Box {rng.randint(100, 9999)}, {city}"


def build_utility_bill(rng: Random, plan: Plan) -> ProofOfAddress:
    country = rng.choices(("GB", "US", "IE", "DE"), weights=(5, 2, 1.5, 1.5))[0]
    issuer, kind = pick(rng, UTILITIES[country])
    f = base_proof(
        rng,
        plan,
        issuer,
        country,
        kind=kind,
        account=f"{digits(rng, 4)} {digits(rng, 4)} {digits(rng, 4)}",
        bill_number=digits(rng, 9),
        tagline=pick(
            rng, ("Powering everyday life", "Clean energy, fair prices", "Here when you need us")
        ),
        return_address=return_address(rng, country, issuer),
        months=pick(rng, (1, 3)),
        usage=rng.randint(180, 1400),
        rate=rng.uniform(0.14, 0.32),
        standing=rng.uniform(0.25, 0.6),
        previous=rng.uniform(40, 400),
        meter=f"{pick(rng, LETTERS)}{digits(rng, 2)}{pick(rng, LETTERS)}{digits(rng, 5)}",
    )
    return f


def addressee(s: Sheet, f: ProofOfAddress, x: float, y: float) -> float:
    """The account holder's name and address, as in an envelope window; the y below."""
    s.text(
        x, y, [f.salutation, ("name", f.name)] if f.salutation else [("name", f.name)], size=10.5
    )
    return s.block(x, y - 14, "address", address_lines(f), size=10.5, leading=14)


def draw_utility_bill(s: Sheet, f: ProofOfAddress, rng: Random) -> None:
    w, h = s.width, s.height
    e = f.extra
    cur = e["currency"]
    lx, ly = w - 55 + rng.uniform(-6, 4), h - 66 + rng.uniform(-6, 4)
    width = s.text(
        lx, ly, [("issuer", f.issuer)], size=19, bold=True, align="right", color=e["color"]
    )
    s.c.setFillColor(HexColor(e["color"]))
    s.c.circle(lx - width - 18, ly + 6, 10, stroke=0, fill=1)
    s.text(lx, ly - 16, [e["tagline"]], size=8.5, italic=True, align="right", color="#555555")
    x = 62 + rng.uniform(-5, 5)
    y = h - 132 + rng.uniform(-6, 6)
    s.text(x, y + 16, [e["return_address"]], size=6.5, color="#555555")
    addressee(s, f, x, y)
    end = f.issued - timedelta(days=rng.randint(1, 5))
    start = end - timedelta(days=30 * e["months"])
    bx, by = 330 + rng.uniform(-8, 8), h - 132
    s.box(bx - 10, by - 62, w - bx - 40, 80, fill="#f2f4f6", stroke=None)
    rows: list[tuple[str, list[Part]]] = [
        ("Bill date", [("issue_date", fmt_date(f.issued, f.date_style))]),
        ("Account number", [e["account"]]),
        ("Bill number", [e["bill_number"]]),
        ("Billing period", [f"{start:%d %b %Y} - {end:%d %b %Y}"]),
    ]
    for i, (label, value) in enumerate(rows):
        s.text(bx, by - i * 16, [f"{label}:"], size=9.5, bold=True)
        s.text(bx + 92, by - i * 16, value, size=9.5)
    y = h - 290 + rng.uniform(-8, 8)
    noun = "water" if e["kind"] == "water" else "energy"
    s.text(x, y, [f"Your {noun} bill"], size=16, bold=True, color=e["color"])
    s.text(x, y - 18, [f"Supply address: {', '.join(f.address.lines())}"], size=9)
    unit = "m3" if noun == "water" else "kWh"
    usage = e["usage"] if noun == "energy" else e["usage"] // 20
    charge = round(usage * e["rate"] * (1 if noun == "energy" else 9), 2)
    days = (end - start).days
    standing = round(days * e["standing"], 2)
    label, rate = TAX[f.country]
    tax = round((charge + standing) * rate, 2)
    previous = round(e["previous"], 2)
    lines = [
        ("Balance from your last bill", previous),
        ("Payment received - thank you", -previous),
        (
            f"{'Electricity' if noun == 'energy' else 'Water supply'} used ({usage:,} {unit})",
            charge,
        ),
        (f"Standing charge ({days} days)", standing),
        (label, tax),
    ]
    y -= 50
    s.rule(x, w - 60, y + 14, width=1, color=e["color"])
    for text, amount in lines:
        s.text(x, y, [text], size=10)
        s.text(w - 62, y, [money(amount, cur)], size=10, align="right")
        y -= 17
    s.rule(x, w - 60, y + 10, width=0.8)
    total = round(charge + standing + tax, 2)
    s.text(x, y - 4, ["Total amount due"], size=11.5, bold=True)
    s.text(w - 62, y - 4, [money(total, cur)], size=11.5, bold=True, align="right")
    due = f.issued + timedelta(days=14)
    s.text(
        x,
        y - 26,
        [f"We will collect this amount by Direct Debit on or after {fmt_date(due, f.date_style)}."],
        size=9.5,
    )
    y -= 70
    s.box(x - 6, y - 50, w - x - 54, 66, stroke="#c0c0c0")
    s.text(x, y, ["Meter readings"], size=10, bold=True)
    s.text(x, y - 16, [f"Meter serial number: {e['meter']}"], size=9)
    reading = rng.randint(10000, 90000)
    s.text(
        x,
        y - 30,
        [
            f"Previous reading: {reading:,} (estimated)   "
            f"Latest reading: {reading + usage:,} (actual)"
        ],
        size=9,
    )
    s.paragraph(
        x,
        80,
        w - 2 * x,
        [
            f"{f.issuer} is a trading name of {f.issuer} Supply Limited. Registered office as "
            "shown above. Calls may be recorded for training and quality purposes. If you have a "
            "complaint, please contact us first; you can also refer it to the independent "
            "ombudsman."
        ],
        size=7,
        italic=True,
    )


def build_bank_statement(rng: Random, plan: Plan) -> ProofOfAddress:
    country = rng.choices(("GB", "US", "IE", "DE"), weights=(5, 2, 1.5, 1.5))[0]
    issuer = pick(rng, BANKS[country])
    sort_code = f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    account = digits(rng, 8)
    match country:
        case "GB":
            ident = [("Sort code", sort_code), ("Account number", account)]
        case "US":
            ident = [
                ("Routing number", f"0{digits(rng, 8)}"),
                ("Account number", f"{digits(rng, 4)}{account}"),
            ]
        case "IE":
            ident = [
                ("IBAN", iban("IE", "NGTB" + sort_code.replace("-", "") + account)),
                ("BIC", "NGTBIE2D"),
            ]
        case _:
            ident = [("IBAN", iban("DE", digits(rng, 8) + "00" + account)), ("BIC", "HOCHDEM1XXX")]
    utility = pick(rng, UTILITIES[country])[0].upper()
    rows = []
    for _ in range(rng.randint(8, 13)):
        text, sign = pick(rng, (*TRANSACTIONS, (f"DIRECT DEBIT {utility}", -1)))
        rows.append((text, round(sign * rng.uniform(3, 900 if sign > 0 else 250), 2)))
    return base_proof(
        rng,
        plan,
        issuer,
        country,
        ident=ident,
        period_only=rng.random() < 0.5,
        opening=rng.uniform(300, 9000),
        rows=rows,
        offsets=sorted(rng.randint(0, 29) for _ in rows),
    )


def draw_bank_statement(s: Sheet, f: ProofOfAddress, rng: Random) -> None:
    w, h = s.width, s.height
    e = f.extra
    cur = e["currency"]
    x = 50 + rng.uniform(-5, 5)
    top = h - 62 + rng.uniform(-6, 4)
    s.c.setFillColor(HexColor(e["color"]))
    s.c.rect(x, top - 4, 22, 22, stroke=0, fill=1)
    s.text(x + 30, top, [("issuer", f.issuer)], size=18, bold=True, color=e["color"])
    s.text(w - 50, top + 2, ["Statement"], size=20, bold=True, align="right")
    start = f.issued - timedelta(days=30)
    sx = 340 + rng.uniform(-6, 6)
    if e["period_only"]:
        s.text(sx, top - 40, ["Statement period:"], size=9.5, bold=True)
        s.text(
            sx,
            top - 54,
            [
                f"{fmt_date(start, f.date_style)} to ",
                ("issue_date", fmt_date(f.issued, f.date_style)),
            ],
            size=9.5,
        )
    else:
        s.text(
            sx,
            top - 40,
            ["Statement date: ", ("issue_date", fmt_date(f.issued, f.date_style))],
            size=9.5,
        )
        s.text(sx, top - 54, [f"Sheet number {rng.randint(12, 240)}"], size=9.5)
    y = h - 140 + rng.uniform(-6, 6)
    addressee(s, f, x, y)
    by = y - 10
    s.box(sx - 8, by - 60, w - sx - 42, 78, fill="#f4f4f4", stroke=None)
    s.text(sx, by, ["Account details"], size=9.5, bold=True)
    vx = sx + 10 + max(stringWidth(f"{label}:", s.font(), 9) for label, _ in e["ident"])
    for i, (label, value) in enumerate(e["ident"]):
        s.text(sx, by - 15 - 14 * i, [f"{label}:"], size=9)
        s.text(vx, by - 15 - 14 * i, [value], size=9)
    balance = round(e["opening"], 2)
    money_in = sum(a for _, a in e["rows"] if a > 0)
    money_out = -sum(a for _, a in e["rows"] if a < 0)
    s.text(
        sx,
        by - 50,
        [f"Money in {money(money_in, cur)}   Money out {money(money_out, cur)}"],
        size=9,
    )
    y = h - 300 + rng.uniform(-6, 6)
    cols = (x, x + 70, w - 230, w - 150, w - 52)
    s.box(x - 4, y - 5, w - x - 44, 18, fill="#e4e8ec", stroke=None)
    for col, label, align in zip(
        cols,
        ("Date", "Description", "Paid out", "Paid in", "Balance"),
        ("left", "left", "right", "right", "right"),
        strict=True,
    ):
        s.text(
            col + (40 if align == "right" and col != cols[-1] else 0),
            y,
            [label],
            size=9,
            bold=True,
            align=align,
        )
    y -= 20
    s.text(cols[0], y, [f"{start:%d %b}"], size=9)
    s.text(cols[1], y, ["BALANCE BROUGHT FORWARD"], size=9)
    s.text(cols[4], y, [money(balance, cur)], size=9, align="right")
    for (text, amount), offset in zip(e["rows"], e["offsets"], strict=True):
        y -= 16
        balance = round(balance + amount, 2)
        s.text(cols[0], y, [f"{start + timedelta(days=offset):%d %b}"], size=9)
        s.text(cols[1], y, [text], size=9)
        s.text(cols[2 if amount < 0 else 3] + 40, y, [f"{abs(amount):,.2f}"], size=9, align="right")
        s.text(cols[4], y, [money(balance, cur)], size=9, align="right")
        s.rule(x, w - 48, y - 5, width=0.3, color="#cccccc")
    y -= 20
    s.text(cols[1], y, ["BALANCE CARRIED FORWARD"], size=9, bold=True)
    s.text(cols[4], y, [money(balance, cur)], size=9, bold=True, align="right")
    s.paragraph(
        x,
        78,
        w - 2 * x,
        [
            f"{f.issuer} is authorised and regulated by the financial services regulator. Please "
            "check this statement carefully and tell us at once about any entry you do not "
            "recognise. Deposits are protected by the national deposit guarantee scheme."
        ],
        size=7,
        italic=True,
    )


def build_telecom_bill(rng: Random, plan: Plan) -> ProofOfAddress:
    country = rng.choices(("GB", "US", "IE", "DE"), weights=(5, 2, 1.5, 1.5))[0]
    issuer = pick(rng, TELECOMS[country])
    return base_proof(
        rng,
        plan,
        issuer,
        country,
        account=f"{pick(rng, LETTERS)}{digits(rng, 9)}",
        plan_name=pick(
            rng,
            (
                "Fibre 500 + Phone",
                "Unlimited 5G SIM",
                "Fibre 150 Essentials",
                "Home & Mobile Bundle",
            ),
        ),
        monthly=rng.uniform(18, 75),
        extras=rng.uniform(0, 14),
        phone=phone_number(rng, country),
    )


def draw_telecom_bill(s: Sheet, f: ProofOfAddress, rng: Random) -> None:
    w, h = s.width, s.height
    e = f.extra
    cur = e["currency"]
    x = 54 + rng.uniform(-5, 5)
    top = h - 60 + rng.uniform(-6, 4)
    s.box(0, h - 12, w, 12, fill=e["color"], stroke=None)
    s.text(x, top, [("issuer", f.issuer)], size=20, bold=True, color=e["color"])
    s.text(w - 54, top, ["Your bill"], size=18, bold=True, align="right")
    y = top - 34
    rows: list[tuple[str, list[Part]]] = [
        ("Date of bill", [("issue_date", fmt_date(f.issued, f.date_style))]),
        ("Account number", [e["account"]]),
        ("Phone number", [e["phone"]]),
    ]
    rx = w - 250 + rng.uniform(-6, 6)
    for i, (label, value) in enumerate(rows):
        s.text(rx, y - i * 15, [label], size=9.5)
        s.text(rx + 100, y - i * 15, value, size=9.5, bold=True)
    y = h - 170 + rng.uniform(-6, 6)
    addressee(s, f, x, y)
    y = h - 320 + rng.uniform(-6, 6)
    s.text(x, y, ["Summary of charges"], size=14, bold=True, color=e["color"])
    label, rate = TAX[f.country]
    monthly, extras = round(e["monthly"], 2), round(e["extras"], 2)
    tax = round((monthly + extras) * rate, 2)
    start = f.issued.replace(day=1)
    lines = [
        (f"{e['plan_name']} - monthly charge from {start:%d %b}", monthly),
        ("Calls and data outside your allowance", extras),
        (label, tax),
    ]
    y -= 28
    for text, amount in lines:
        s.text(x, y, [text], size=10)
        s.text(w - 60, y, [money(amount, cur)], size=10, align="right")
        s.rule(x, w - 56, y - 6, width=0.3, color="#c8c8c8")
        y -= 19
    s.text(x, y - 6, ["Total to pay"], size=12, bold=True)
    s.text(w - 60, y - 6, [money(monthly + extras + tax, cur)], size=12, bold=True, align="right")
    s.text(
        x,
        y - 30,
        [
            "Payment will be taken from your account on "
            f"{fmt_date(f.issued + timedelta(days=10), f.date_style)}."
        ],
        size=9.5,
    )
    s.paragraph(
        x,
        84,
        w - 2 * x,
        [
            f"Thank you for being a {f.issuer} customer. Manage your account, see itemised calls "
            "and download previous bills in the app. Prices include tax where applicable."
        ],
        size=7.5,
        italic=True,
    )


# --------------------------------------------------------------------------- ownership


def make_owners(
    rng: Random, country: str, as_at: date, incorporated: date, *, psc: bool
) -> tuple[tuple[Owner, ...], int]:
    total = pick(
        rng, (100, 1000, 10000, 1000000) if country != "US" else (1000000, 8500000, 10000000)
    )
    while True:
        if rng.random() < 0.5:
            weights: Sequence[float] = pick(rng, SPLITS)
        else:
            weights = [rng.uniform(0.5, 4) for _ in range(rng.randint(1, 5))]
        shares = [int(total * x / sum(weights)) for x in weights]
        shares[0] += total - sum(shares)
        shares.sort(reverse=True)
        pcts = [round(n / total * 100, 2) for n in shares]
        if min(shares) > 0 and (not psc or any(p > 25 for p in pcts)):
            break
    owners: list[Owner] = []
    used: set[str] = set()  # no two owners of the same name
    for n, pct in zip(shares, pcts, strict=True):
        notified = random_date(rng, incorporated, as_at)
        if psc and pct <= 25:
            continue
        if rng.random() < 0.15:
            form = {"GB": "limited", "US": "llc", "IE": "limited", "SG": "pte"}[country]
            while (company := make_company(rng, form)).legal() in used:
                pass
            used.add(company.legal())
            owners.append(Owner(None, company, n, pct, "shareholder", notified))
            continue
        nationality = (
            country
            if rng.random() < 0.7
            else pick(rng, ("GB", "US", "IE", "DE", "FR", "ES", "IN", "PL"))
        )
        while (person := make_person(rng, nationality, as_at)).full in used:
            pass
        used.add(person.full)
        role = "director" if rng.random() < 0.4 else "shareholder"
        owners.append(Owner(person, None, n, pct, role, notified))
    if psc:
        owners = [replace(o, role="person with significant control") for o in owners]
    return tuple(owners), total


def register_date(rng: Random, plan: Plan) -> date:
    """The register's "as at" date; long before as_of when the PDF was modified later."""
    days = (400, 900) if plan.tamper == "modified_later" else (10, 200)
    return plan.as_of - timedelta(days=rng.randint(*days))


def build_share_register(rng: Random, plan: Plan) -> Ownership:
    country = pick(rng, ("GB", "GB", "US", "IE", "SG"))
    form = {"GB": "limited", "US": pick(rng, ("inc", "corp")), "IE": "limited", "SG": "pte"}[
        country
    ]
    as_at = register_date(rng, plan)
    incorporated = random_date(rng, date(2000, 1, 1), as_at - timedelta(days=60))
    owners, total = make_owners(rng, country, as_at, incorporated, psc=False)
    us = country == "US"
    title = pick(
        rng,
        ("Capitalization Table", "Stockholder Ledger Summary")
        if us
        else ("Register of Members", "Shareholder Register", "Register of Shareholders"),
    )
    return Ownership(
        company=make_company(rng, form),
        number=company_number(rng, country, incorporated),
        country=country,
        as_at=as_at,
        owners=owners,
        total_shares=total,
        upper=rng.random() < 0.3,
        date_style=pick(rng, COUNTRY_DATE_STYLES[country]),
        family=pick(rng, ("Helvetica", "Times", "Courier")),
        extra={
            "layout": "share_register",
            "title": title,
            "decimals": rng.random() < 0.6,
            "share_class": "Common Stock" if us else "Ordinary",
            "signatory": make_person(rng, country if country in FIRST else "GB", plan.as_of).full,
        },
    )


def draw_share_register(s: Sheet, f: Ownership, rng: Random) -> None:
    w, h = s.width, s.height
    e = f.extra
    us = f.country == "US"
    x = 50 + rng.uniform(-6, 6)
    y = h - 70 + rng.uniform(-8, 6)
    s.text(x, y, [f.company.legal().upper()], size=15, bold=True)
    label = "Delaware file number" if us else "Company number"
    s.text(x, y - 18, [f"{label}: {f.number}"], size=10)
    s.rule(x, w - 50, y - 28, width=1.2, color="#333333")
    y -= 60
    s.text(x, y, [e["title"]], size=14, bold=True)
    s.text(x, y - 17, [f"As at {fmt_date(f.as_at, f.date_style)}"], size=10)
    y -= 52
    role_word = {"director": "Director", "shareholder": "Stockholder" if us else "Shareholder"}
    cols = (x, x + 22, x + 215, x + 315, w - 130, w - 52)
    heads = ("#", "Name of holder", "Role", "Class", "Shares", "% held")
    s.box(x - 4, y - 5, w - x - 44, 18, fill="#e9e9e9", stroke=None)
    size = 8.8 if s.fonts[0] == "Courier" else 9.5
    for i, (col, head) in enumerate(zip(cols, heads, strict=True)):
        s.text(col, y, [head], size=size, bold=True, align="right" if i >= 4 else "left")
    for i, owner in enumerate(f.owners):
        y -= 20
        s.text(cols[0], y, [str(i + 1)], size=size)
        s.text(cols[1], y, [(f"owners.{i}.name", owner.name(f.upper))], size=size)
        s.text(cols[2], y, [(f"owners.{i}.role", role_word[owner.role])], size=size)
        s.text(cols[3], y, [e["share_class"]], size=size)
        s.text(cols[4], y, [f"{owner.shares:,}"], size=size, align="right")
        s.text(
            cols[5],
            y,
            [(f"owners.{i}.percentage", fmt_pct(owner.percentage, e["decimals"]))],
            size=size,
            align="right",
        )
        s.rule(x, w - 48, y - 6, width=0.3, color="#bbbbbb")
    y -= 22
    s.text(cols[1], y, ["Total issued"], size=size, bold=True)
    s.text(cols[4], y, [f"{f.total_shares:,}"], size=size, bold=True, align="right")
    s.text(cols[5], y, [fmt_pct(100.0, e["decimals"])], size=size, bold=True, align="right")
    y -= 60
    s.text(x, y, ["Certified a true and complete extract of the register."], size=10)
    s.rule(x, x + 200, y - 40, width=0.6)
    s.text(x, y - 54, [e["signatory"]], size=10)
    s.text(x, y - 67, ["Secretary" if us else "Company Secretary"], size=9, italic=True)
    s.text(x, y - 80, [f"Date: {fmt_date(f.as_at, f.date_style)}"], size=9)


def build_psc_register(rng: Random, plan: Plan) -> Ownership:
    as_at = register_date(rng, plan)
    incorporated = random_date(rng, date(2000, 1, 1), as_at - timedelta(days=60))
    owners, total = make_owners(rng, "GB", as_at, incorporated, psc=True)
    return Ownership(
        company=make_company(rng, "limited"),
        number=company_number(rng, "GB", incorporated),
        country="GB",
        as_at=as_at,
        owners=owners,
        total_shares=total,
        upper=rng.random() < 0.5,
        date_style=pick(rng, COUNTRY_DATE_STYLES["GB"]),
        family=pick(rng, ("Helvetica", "Times")),
        extra={
            "layout": "psc_register",
            "voting": [rng.random() < 0.8 for _ in owners],
            "appoint": [rng.random() < 0.4 for _ in owners],
        },
    )


def draw_psc_register(s: Sheet, f: Ownership, rng: Random) -> None:
    w, h = s.width, s.height
    x = 56 + rng.uniform(-6, 6)
    y = h - 66 + rng.uniform(-6, 6)
    s.text(x, y, [f.company.legal().upper()], size=14, bold=True)
    s.text(x, y - 17, [f"Company number {f.number}"], size=10)
    s.text(x, y - 48, ["Register of people with significant control"], size=15, bold=True)
    s.text(x, y - 66, [f"As at {fmt_date(f.as_at, f.date_style)}"], size=10)
    y -= 100
    vx = x + 170
    for i, owner in enumerate(f.owners):
        s.box(x - 6, y - 5, w - x - 44, 19, fill="#eef1f4", stroke=None)
        s.text(x, y, [f"{i + 1}.  ", (f"owners.{i}.name", owner.name(f.upper))], size=11, bold=True)
        nature = [f"Ownership of shares \u2013 {band(owner.percentage)}"]
        if f.extra["voting"][i]:
            nature.append(f"Ownership of voting rights \u2013 {band(owner.percentage)}")
        if f.extra["appoint"][i]:
            nature.append("Right to appoint and remove directors")
        rows: list[tuple[str, list[str]]]
        if owner.person:
            p = owner.person
            rows = [
                ("Date of birth", [f"{p.born:%B %Y}"]),
                ("Nationality", [NATIONALITY[p.nationality]]),
                ("Country of residence", [RESIDENCE[p.nationality]]),
                ("Correspondence address", ["c/o the registered office of the company"]),
            ]
        else:
            rows = [
                ("Legal form", ["Private limited company"]),
                ("Governing law", ["Companies Act 2006"]),
                ("Place registered", ["Registrar of Companies for England and Wales"]),
            ]
        rows += [
            ("Date of notification", [fmt_date(owner.notified, f.date_style)]),
            ("Nature of control", nature),
        ]
        y -= 20
        for label, values in rows:
            s.text(x + 12, y, [label], size=9.5)
            for value in values:
                s.text(vx, y, [value], size=9.5)
                y -= 13.5
        s.text(x + 12, y, ["Percentage of shares held"], size=9.5)
        s.text(
            vx,
            y,
            [(f"owners.{i}.percentage", fmt_pct(owner.percentage, decimals=False))],
            size=9.5,
            bold=True,
        )
        y -= 34
    s.paragraph(
        x,
        70,
        w - 2 * x,
        [
            "This register is kept in accordance with Part 21A of the Companies Act 2006. "
            "Percentages are of the issued share capital as recorded in the register of members."
        ],
        size=7.5,
        italic=True,
    )


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Layout:
    name: str
    kind: str  # the document type
    build: Callable[[Random, Plan], Any]
    draw: Callable[[Sheet, Any, Random], None]
    edits: tuple[str, ...]  # what a forger edits on this layout (overprinting it in place)
    title: str
    inline_edits: tuple[str, ...] = ()  # more values a re-typed (mixed_fonts) edit may target


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "uk_certificate",
        "incorporation",
        build_uk_certificate,
        draw_uk_certificate,
        ("company_number", "incorporation_date"),
        "Certificate of Incorporation",
    ),
    Layout(
        "delaware_certificate",
        "incorporation",
        build_delaware_certificate,
        draw_delaware_certificate,
        ("company_number",),
        "Certified copy",
        inline_edits=("incorporation_date", "registered_name"),
    ),
    Layout(
        "registry_extract",
        "incorporation",
        build_registry_extract,
        draw_registry_extract,
        ("company_number", "incorporation_date"),
        "Company extract",
    ),
    Layout(
        "utility_bill",
        "proof_of_address",
        build_utility_bill,
        draw_utility_bill,
        ("issue_date",),
        "Your bill",
    ),
    Layout(
        "bank_statement",
        "proof_of_address",
        build_bank_statement,
        draw_bank_statement,
        ("issue_date",),
        "Statement",
    ),
    Layout(
        "telecom_bill",
        "proof_of_address",
        build_telecom_bill,
        draw_telecom_bill,
        ("issue_date",),
        "Your bill",
    ),
    Layout(
        "share_register",
        "ownership",
        build_share_register,
        draw_share_register,
        ("owners.percentage",),
        "Register of members",
    ),
    Layout(
        "psc_register",
        "ownership",
        build_psc_register,
        draw_psc_register,
        ("owners.percentage",),
        "Register of people with significant control",
    ),
)
LAYOUT_BY_NAME = {layout.name: layout for layout in LAYOUTS}


def document_date(facts: Facts) -> date:
    match facts:
        case Incorporation():
            return facts.extra.get("printed") or facts.extra.get("certified") or facts.incorporated
        case ProofOfAddress():
            return facts.issued
        case Ownership():
            return facts.as_at


def author_of(facts: Facts) -> str:
    match facts:
        case Incorporation():
            return {"GB": "Companies House", "US-DE": "Delaware Division of Corporations"}.get(
                facts.jurisdiction, facts.authority
            )
        case ProofOfAddress():
            return facts.issuer
        case Ownership():
            return facts.company.legal()


# --------------------------------------------------------------------------- renderings


@dataclass(frozen=True)
class Meta:
    """The PDF's document information dictionary."""

    title: str
    author: str
    creator: str
    producer: str
    created: datetime
    modified: datetime


class _Info(PDFInfo):  # type: ignore[misc]
    """reportlab's Info dictionary with our own dates (it writes one date twice)."""

    def __init__(self, meta: Meta) -> None:
        super().__init__()
        self.meta = meta

    def format(self, document: Any) -> bytes:
        m = self.meta
        stamp = "D:%Y%m%d%H%M%S+00'00'"
        info = PDFDictionary(
            {
                "Title": PDFString(m.title),
                "Author": PDFString(m.author),
                "Creator": PDFString(m.creator),
                "Producer": PDFString(m.producer),
                "CreationDate": PDFString(m.created.strftime(stamp)),
                "ModDate": PDFString(m.modified.strftime(stamp)),
            }
        )
        formatted: bytes = info.format(document)
        return formatted


def page_size(facts: Facts) -> tuple[float, float]:
    size: tuple[float, float] = LETTER if facts.country == "US" else A4
    return size


def new_canvas(buffer: io.BytesIO, size: tuple[float, float], meta: Meta) -> Canvas:
    canvas = Canvas(buffer, pagesize=size, invariant=True, pageCompression=1)
    canvas._doc.info = _Info(meta)
    return canvas


def render_pdf(
    layout: Layout, facts: Facts, seed: int, meta: Meta, odd_field: str | None = None
) -> tuple[bytes, Sheet]:
    buffer = io.BytesIO()
    size = page_size(facts)
    canvas = new_canvas(buffer, size, meta)
    sheet = Sheet(canvas, size, facts.family, odd_field)
    layout.draw(sheet, facts, Random(seed))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue(), sheet


def incremental_edit(pdf: bytes, size: tuple[float, float], old: Span, new_text: str) -> bytes:
    """Append a revision that covers the old value with a white box and prints the new one."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size, invariant=True)
    width = max(old.width, stringWidth(new_text, old.font, old.size)) + 3
    canvas.setFillColor(white)
    canvas.rect(old.x - 1.5, old.y - old.size * 0.28, width, old.size * 1.2, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(old.font, old.size)
    canvas.drawString(old.x, old.y, new_text)
    canvas.showPage()
    canvas.save()
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.pages[0].merge_page(PdfReader(buffer).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scan(pdf: bytes, rng: np.random.Generator, *, dpi: int, color: bool) -> Image.Image:
    """The page as a scanner sees it: slightly rotated, blurred, greyer, noisy and speckled."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=dpi / 72, grayscale=not color).to_pil()
        page.close()
    finally:
        document.close()
    image = image.convert("RGB" if color else "L")
    angle = float(rng.uniform(0.3, 1.5)) * (1 if rng.random() < 0.5 else -1)
    image = image.rotate(
        angle, resample=Image.Resampling.BILINEAR, fillcolor=(255, 255, 255) if color else 255
    )
    image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.4, 0.9))))
    pixels = np.asarray(image, dtype=np.float32)
    low, high = float(rng.uniform(15, 45)), float(rng.uniform(212, 238))
    pixels = low + pixels * ((high - low) / 255.0)
    h, w = pixels.shape[:2]
    across = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    down = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    if rng.random() < 0.5:
        across = across[:, ::-1]
    light = 1 - float(rng.uniform(0, 0.05)) * across - float(rng.uniform(0, 0.04)) * down
    if color:
        tint = np.array(
            [1.0, float(rng.uniform(0.975, 1)), float(rng.uniform(0.93, 0.98))], dtype=np.float32
        )
        pixels *= light[..., None] * tint
    else:
        pixels *= light
    pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * float(rng.uniform(4, 8))
    count = int(rng.integers(30, 150))
    ys, xs = rng.integers(0, h, count), rng.integers(0, w, count)
    pixels[ys, xs] = rng.uniform(40, 150, count)[:, None] if color else rng.uniform(40, 150, count)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def write_rendering(
    document: Document, rendering: str, path: Path, rng: np.random.Generator
) -> None:
    pdf, size = document.pdf, document.size
    match rendering:
        case "pdf":
            path.write_bytes(pdf)
        case "png":
            dpi = int(rng.choice([150, 200]))
            image = scan(pdf, rng, dpi=dpi, color=False)
            image.save(path, "PNG", dpi=(dpi, dpi), compress_level=1)
        case "jpeg":
            dpi = int(rng.choice([150, 175, 200]))
            image = scan(pdf, rng, dpi=dpi, color=rng.random() < 0.7)
            image.save(path, "JPEG", quality=int(rng.integers(45, 75)), dpi=(dpi, dpi))
        case "tiff":
            dpi = int(rng.choice([150, 200]))
            image = scan(pdf, rng, dpi=dpi, color=False)
            image.save(path, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
        case "scan_pdf":
            dpi = int(rng.choice([150, 175, 200]))
            image = scan(pdf, rng, dpi=dpi, color=rng.random() < 0.4)
            jpeg = io.BytesIO()
            image.save(jpeg, "JPEG", quality=int(rng.integers(65, 85)), dpi=(dpi, dpi))
            buffer = io.BytesIO()
            canvas = new_canvas(buffer, size, document.scan_meta)
            canvas.drawImage(ImageReader(io.BytesIO(jpeg.getvalue())), 0, 0, *size)
            canvas.showPage()
            canvas.save()
            path.write_bytes(buffer.getvalue())
        case _:
            raise ValueError(f"unknown rendering {rendering!r}")


# --------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Job:
    """One document, in one or more renderings."""

    layout: str
    index: int
    variant: str
    tamper: str | None
    renderings: tuple[str, ...]
    seed: int


def at(day: date, rng: Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59))


@dataclass(frozen=True)
class Document:
    """One generated document: its text PDF and what the manifest says about it."""

    pdf: bytes
    size: tuple[float, float]
    scan_meta: Meta  # the Info of its scanned rendering
    truth: dict[str, Any]
    attested: dict[str, Any]
    planted: str | None
    detail: str | None


def make_document(job: Job, as_of: date) -> Document:
    layout = LAYOUT_BY_NAME[job.layout]
    rng = Random(job.seed)
    edit = None
    if job.tamper == "incremental_update":
        edit = pick(rng, layout.edits)
    elif job.tamper == "mixed_fonts":
        edit = pick(rng, layout.edits + layout.inline_edits)
    facts = layout.build(rng, Plan(job.variant, job.tamper, as_of, edit))
    draw_seed = rng.getrandbits(32)
    claimed: Facts = facts
    planted: str | None = None
    detail: str | None = None
    if job.variant == "mismatch":
        claimed, planted, detail = plant_mismatch(rng, facts, as_of)
    elif job.variant == "stale":
        planted = "issue_date_stale"
        detail = f"issued {facts.issued}, {(as_of - facts.issued).days} days before as_of"
    created = at(document_date(facts), rng)
    meta = Meta(layout.title, author_of(facts), *pick(rng, GENERATORS), created, created)
    if job.tamper is None:
        pdf, shown = render_pdf(layout, facts, draw_seed, meta)[0], facts
    else:
        pdf, shown, detail = tamper(
            job.tamper,
            layout,
            facts,
            draw_seed=draw_seed,
            meta=meta,
            edit=edit,
            rng=rng,
            as_of=as_of,
        )
        claimed = shown  # the forger made the document agree with the case
    scanned = at(max(document_date(facts), as_of - timedelta(days=rng.randint(1, 20))), rng)
    scan_meta = Meta("Scan", "", *pick(rng, SCANNERS), scanned, scanned)
    return Document(
        pdf, page_size(facts), scan_meta, truth_of(shown), attest(rng, claimed), planted, detail
    )


def tamper(
    kind: str,
    layout: Layout,
    facts: Facts,
    *,
    draw_seed: int,
    meta: Meta,
    edit: str | None,
    rng: Random,
    as_of: date,
) -> tuple[bytes, Facts, str]:
    """The tampered PDF, the facts it now shows, and what was planted."""
    if kind == "editing_software":
        creator, producer = pick(rng, EDITORS)
        meta = replace(meta, creator=creator, producer=producer)
        return (
            render_pdf(layout, facts, draw_seed, meta)[0],
            facts,
            f"Creator {creator!r}, Producer {producer!r}",
        )
    if kind == "modified_later":
        meta = replace(meta, modified=at(as_of - timedelta(days=rng.randint(1, 10)), rng))
        detail = f"CreationDate {meta.created:%Y-%m-%d}, ModDate {meta.modified:%Y-%m-%d}"
        return render_pdf(layout, facts, draw_seed, meta)[0], facts, detail
    if edit is None:
        raise ValueError(f"unknown tamper kind {kind!r}")
    shown, key, detail = edit_value(rng, facts, edit, as_of)
    if kind == "mixed_fonts":
        pdf, sheet = render_pdf(layout, shown, draw_seed, meta, odd_field=key)
        if not sheet.shares_line(key):
            raise ValueError(f"{layout.name}: {key} is alone on its line")
        return pdf, shown, f"{detail}; value drawn in {sheet.spans[key].font}"
    pdf, sheet = render_pdf(layout, facts, draw_seed, meta)
    new_text = render_pdf(layout, shown, draw_seed, meta)[1].spans[key].text
    pdf = incremental_edit(pdf, sheet.size, sheet.spans[key], new_text)
    return (
        pdf,
        shown,
        f"{detail}; {sheet.spans[key].text!r} covered and overprinted with {new_text!r}",
    )


def run_job(job: Job, out_dir: Path, as_of: date) -> list[dict[str, Any]]:
    """Build, render and write one document; its manifest entries."""
    layout = LAYOUT_BY_NAME[job.layout]
    document = make_document(job, as_of)
    stem = f"{layout.kind}/{layout.name}-{job.index:02d}-{job.variant}"
    stem += f"-{job.tamper.replace('_', '-')}" if job.tamper else ""
    entries = []
    for rendering in job.renderings:
        relative = stem + SUFFIX[rendering]
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        noise = np.random.default_rng(derive_seed(job.seed, rendering))
        write_rendering(document, rendering, path, noise)
        entries.append(
            {
                "file": relative,
                "type": layout.kind,
                "layout": layout.name,
                "rendering": rendering,
                "variant": job.variant,
                "truth": document.truth,
                "attested": document.attested,
                "planted_mismatch": document.planted,
                "tamper": job.tamper,
                "detail": document.detail,
                "as_of": as_of.isoformat(),
            }
        )
    return entries


def plan_jobs(
    seed: int,
    per_layout: int,
    renderings: Sequence[str],
    variants: Sequence[str],
    layouts: Sequence[str],
) -> list[Job]:
    jobs = []
    for layout in (LAYOUT_BY_NAME[name] for name in layouts):
        for index in range(1, per_layout + 1):
            for variant in variants:
                if variant == "stale" and layout.kind != "proof_of_address":
                    continue
                if variant != "tampered":
                    job_seed = derive_seed(seed, layout.name, index, variant)
                    jobs.append(Job(layout.name, index, variant, None, tuple(renderings), job_seed))
                elif "pdf" in renderings:  # tampering is a property of the PDF file itself
                    for tamper in TAMPERS:
                        job_seed = derive_seed(seed, layout.name, index, variant, tamper)
                        jobs.append(Job(layout.name, index, variant, tamper, ("pdf",), job_seed))
    return jobs


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    per_layout: int = 3,
    renderings: Sequence[str] = RENDERINGS,
    variants: Sequence[str] = VARIANTS,
    as_of: date = AS_OF,
    layouts: Sequence[str] | None = None,
    workers: int = 1,
) -> list[dict[str, Any]]:
    """Write the corpus and `manifest.json` under out_dir; the manifest entries.

    Tampered variants are PDF-only and made only when "pdf" is among the renderings; stale
    ones only for proofs of address. `layouts` picks some of LAYOUTS by name (default: all).
    A document depends only on the seed, its layout, index and variant, and `as_of`: the same
    arguments give the same bytes, and a subset of layouts gives a subset of the corpus.
    """
    layouts = [layout.name for layout in LAYOUTS] if layouts is None else list(layouts)
    if unknown := set(layouts) - set(LAYOUT_BY_NAME):
        raise ValueError(f"unknown layouts: {sorted(unknown)}")
    if unknown := set(renderings) - set(RENDERINGS):
        raise ValueError(f"unknown renderings: {sorted(unknown)}")
    if unknown := set(variants) - set(VARIANTS):
        raise ValueError(f"unknown variants: {sorted(unknown)}")
    jobs = plan_jobs(seed, per_layout, renderings, variants, layouts)
    return write_corpus(out_dir, run_job, jobs, as_of, workers)


def write_corpus(
    out_dir: Path,
    run: Callable[[Any, Path, date], list[dict[str, Any]]],
    jobs: Sequence[Any],
    as_of: date,
    workers: int,
) -> list[dict[str, Any]]:
    """Run every job (in `workers` processes), write `manifest.json`; the manifest entries."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(
                pool.map(run, jobs, [out_dir] * len(jobs), [as_of] * len(jobs), chunksize=2)
            )
    else:
        results = [run(job, out_dir, as_of) for job in jobs]
    entries = [entry for result in results for entry in result]
    manifest = json.dumps(entries, indent=1, ensure_ascii=False)
    (out_dir / "manifest.json").write_text(manifest + "\n", encoding="utf-8")
    return entries


def summary(entries: Sequence[dict[str, Any]]) -> str:
    lines = [f"{len(entries)} files"]
    for key in ("type", "layout", "rendering", "variant", "tamper", "planted_mismatch"):
        counts = Counter(str(e[key]) for e in entries if e[key] is not None)
        lines.append(f"  {key:17} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--per-layout", type=int, default=3, help="documents per layout and variant"
    )
    parser.add_argument("--renderings", default=",".join(RENDERINGS), help="comma-separated")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument("--layouts", default="", help="comma-separated (default: all)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    parser.add_argument("--workers", type=int, default=2, help="processes (1 = in-process)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    entries = generate(
        args.out,
        seed=args.seed,
        per_layout=args.per_layout,
        renderings=[r for r in args.renderings.split(",") if r],
        variants=[v for v in args.variants.split(",") if v],
        as_of=args.as_of,
        layouts=[name for name in args.layouts.split(",") if name] or None,
        workers=args.workers,
    )
    print(summary(entries))
    print(f"wrote {args.out / 'manifest.json'} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
