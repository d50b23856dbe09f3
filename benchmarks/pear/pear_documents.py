"""PEAR's documents: certificates, ownership registers and proofs of address drawn from a case.

The approach of examples/cases/documents/generate.py, with its dates made relative to the
dataset's `as_of`: a text-layer PDF with the layouts of the documents benchmark
(benchmarks/documents/corpus.py), drawn from the case's own data unless the scenario plants a
problem. A problem is drawn by changing what the document is drawn from (another name, number,
date, address or company), or the file itself (a later revision that overprints a value, an
editing tool in the metadata, corrupt bytes), or by adding a line of text (an instruction
aimed at a model reading the document).

`check_document` reads, extracts (rules), verifies and inspects a file the way the documents
checks do; the generator uses it to make sure its clean documents verify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any, Literal

from pear_world import (
    CaseAddress,
    CaseCompany,
    corpus,
    other_address,
    printable,
    printed_lines,
)

from caseworker.checks.documents.attested import attested_for
from caseworker.checks.documents.errors import DocumentInvalid
from caseworker.checks.documents.extract_rules import extract_with_rules
from caseworker.checks.documents.inspect import inspect_document
from caseworker.checks.documents.intake import read_document_inprocess
from caseworker.checks.documents.schemas import DocumentKind
from caseworker.checks.documents.verify import verify
from caseworker.domain.case import Address, Case

Problem = Literal[
    "name",  # the certificate shows another registered name (one word swapped)
    "number",  # ... another company number
    "other_company",  # a document of another business altogether
    "stale",  # a proof of address older than three months
    "address",  # a proof of address for another house number
    "share",  # an owner's share differs from the declared one
    "undeclared_owner",  # the register names an owner the case does not declare
    "revision",  # a later revision overprints a value with the case's (critical signal)
    "editor",  # an editing tool in the metadata (warning)
    "corrupt",  # bytes no reader can open
]
MAX_AGE_DAYS = 90  # proof_of_address in agents/kyb/sop.md

# Share registers: (title, share class, issued shares) by jurisdiction.
REGISTERS: dict[str, tuple[str, str, int]] = {
    "US": ("Capitalization Table", "Common Stock", 10_000_000),
    "DE": ("List of shareholders (Gesellschafterliste)", "Ordinary", 25_000),
    "NL": ("Register of Shareholders (aandeelhoudersregister)", "Ordinary", 18_000),
    "BE": ("Register of Shareholders (aandelenregister)", "Ordinary", 18_600),
    "FR": ("Register of share movements (registre des mouvements de titres)", "Ordinary", 10_000),
}
DEFAULT_REGISTER = ("Register of Members", "Ordinary", 1_000)
# Proof-of-address issuers the corpus has no tables for: (issuer, colour, currency, IBAN bank).
BANKS = {
    "NL": ("Grachtenbank", "#0b5394", "€", "GRBK"),
    "BE": ("Scheldebank", "#38761d", "€", "SCHB"),
    "FR": ("Banque du Rhône", "#6a1b9a", "€", "BRHO"),
}


@dataclass(frozen=True)
class Dates:
    """The dates documents are drawn at, all before `as_of`."""

    as_of: date
    printed: date  # registry extracts printed, registers made up
    bill: date  # proofs of address issued
    stale_bill: date  # ... for a stale one

    @classmethod
    def draw(cls, rng: Random, as_of: date) -> Dates:
        return cls(
            as_of,
            printed=as_of - timedelta(days=rng.randint(8, 60)),
            bill=as_of - timedelta(days=rng.randint(3, 30)),
            stale_bill=as_of - timedelta(days=rng.randint(130, 330)),
        )


@dataclass(frozen=True)
class Spec:
    """One document a scenario supplies: its kind, a planted problem, an injected line."""

    kind: DocumentKind
    problem: Problem | None = None
    injection: str | None = None
    source: Case | None = None  # drawn from this case instead (a document of another party)
    undeclared: str | None = None  # the owner an undeclared_owner register adds
    editor: str | None = None  # the editing tool an editor problem names
    check: bool = True  # read back at generation (not for registries the rules cannot know)


# --------------------------------------------------------------------------- case values


def case_address(address: Address) -> CaseAddress:
    return CaseAddress(address.country, "", address.line1, address.city,
                       address.postal_code or "", region=address.region or "",
                       printed=printed_lines(address))


def registered_address(case: Case) -> Address:
    addresses = case.subject.addresses
    if not addresses:
        raise ValueError(f"{case.id}: the subject has no address")
    return next((a for a in addresses if a.type == "registered"), addresses[0])


def proof_address(case: Case) -> Address:
    return next((a for a in case.subject.addresses if a.type == "operating"),
                registered_address(case))


def declared_owners(case: Case) -> list[tuple[str, float, str]]:
    owners = [(p.full_name, p.ownership_percentage,
               "director" if "director" in p.roles else "shareholder")
              for p in case.associated_individuals if p.ownership_percentage is not None]
    owners += [(e.legal_name, e.ownership_percentage, "shareholder")
               for e in case.associated_entities if e.ownership_percentage is not None]
    return owners


# --------------------------------------------------------------------------- facts


def incorporation(case: Case, rng: Random, dates: Dates) -> tuple[corpus.Layout, Any]:
    s = case.subject
    number, incorporated, jurisdiction = s.registration_number, s.incorporation_date, s.jurisdiction
    if not (number and incorporated and jurisdiction):
        raise ValueError(f"{case.id}: a certificate needs a number, a date and a jurisdiction")
    office = registered_address(case)
    base = corpus.Incorporation(
        company=CaseCompany(s.legal_name, ""), number=number, incorporated=incorporated,
        jurisdiction=jurisdiction, office=case_address(office), authority="", date_style="long",
        family="Helvetica", name_upper=False,
    )
    if jurisdiction == "GB":
        region, place = {"SC": ("Scotland", "Edinburgh"), "NI": ("Northern Ireland", "Belfast")
                         }.get(number[:2].upper(), ("England and Wales", "Cardiff"))
        extra = {"region": region, "place": place,
                 "code": f"N{rng.randint(10**7, 10**8 - 1)}X"}
        facts = replace(base, authority=f"Registrar of Companies for {region}",
                        date_style="ordinal", name_upper=True, extra=extra)
        return corpus.LAYOUT_BY_NAME["uk_certificate"], facts
    if jurisdiction == "US-DE":
        return corpus.LAYOUT_BY_NAME["delaware_certificate"], delaware(base, office, rng)
    country = jurisdiction[:2]
    if country not in corpus.REGISTRIES:
        raise ValueError(f"{case.id}: no registry layout for {jurisdiction}")
    spec = corpus.REGISTRIES[country]
    authority = spec["header"][0]
    if country == "DE":
        court = {city: court for city, _, court in corpus.DE_CITIES}
        authority = "Amtsgericht " + court.get(office.city, office.city)
    extra = {
        "labels": {key: spec[key][0] for key in ("title", "name", "number", "date", "office")},
        "order": ["name", "number", "date", "office"],
        "activity": case.subject.industry or "General trading",
        "printed": dates.printed,
        "reference": str(rng.randint(10**8, 10**9 - 1)),
    }
    style = {"DE": "dmy_dot"}.get(country, "long")
    facts = replace(base, jurisdiction=country, authority=authority, date_style=style,
                    extra=extra)
    return corpus.LAYOUT_BY_NAME["registry_extract"], facts


def delaware(base: Any, office: Address, rng: Random) -> Any:
    agent = next((name for name, where in corpus.DELAWARE_AGENTS
                  if office.line1.startswith(where[0])), corpus.DELAWARE_AGENTS[0][0])
    certified = base.incorporated + timedelta(days=2)
    secretary = [n for start, n in corpus.DELAWARE_SECRETARIES if start <= certified][-1]
    extra = {
        "agent": agent, "secretary": secretary, "certified": certified,
        "sr": f"{base.incorporated.year}{rng.randint(1000000, 9999999)}",
        "auth": str(rng.randint(200000000, 209999999)), "time": "10:15",
        "shares": REGISTERS["US"][2], "incorporator": "Laura J. Whitman",
    }
    return replace(base, jurisdiction="US-DE",
                   authority="SECRETARY OF STATE OF THE STATE OF DELAWARE", date_style="words",
                   family="Times", name_upper=True, extra=extra)


def ownership(case: Case, rng: Random, dates: Dates) -> tuple[corpus.Layout, Any]:
    s = case.subject
    country = (s.jurisdiction or registered_address(case).country)[:2]
    owners_given = declared_owners(case)
    if not owners_given:
        raise ValueError(f"{case.id}: no associated party declares an ownership percentage")
    people = {p.full_name: p for p in case.associated_individuals}
    title, share_class, total = REGISTERS.get(country, DEFAULT_REGISTER)
    owners = []
    for name, pct, role in owners_given:
        shares = round(total * pct / 100)
        if name in people:
            first, _, last = name.partition(" ")
            who = people[name]
            nationality = who.nationalities[0] if who.nationalities else country
            dob = str(who.date_of_birth or "")
            born = date.fromisoformat(dob) if len(dob) == 10 else date(1970, 1, 1)
            person = corpus.Person(first, last, "", nationality, born)
            owners.append(corpus.Owner(person, None, shares, pct, role, dates.printed))
        else:
            owners.append(corpus.Owner(None, CaseCompany(name, ""), shares, pct, role,
                                       dates.printed))
    psc = country == "GB" and all(
        o.person and o.person.nationality in corpus.NATIONALITY and o.percentage > 25
        for o in owners)
    if psc:
        owners = [replace(o, role="person with significant control") for o in owners]
    signatory = next(
        (p.full_name for p in case.associated_individuals if "officer" in p.roles),
        next((p.full_name for p in case.associated_individuals if "director" in p.roles), ""))
    facts = corpus.Ownership(
        company=CaseCompany(s.legal_name, ""), number=s.registration_number or "",
        country=country, as_at=dates.printed, owners=tuple(owners), total_shares=total,
        upper=False, date_style="us_long" if country == "US" else "long", family="Helvetica",
        extra={"layout": "psc_register" if psc else "share_register", "title": title,
               "decimals": False, "share_class": share_class, "signatory": signatory,
               "voting": [True] * len(owners), "appoint": [False] * len(owners)},
    )
    layout = corpus.LAYOUT_BY_NAME[facts.extra["layout"]]
    unallocated = total - sum(o.shares for o in owners)
    if unallocated > 0 and not psc:
        held = ("reserved for the Equity Incentive Plan and not yet granted" if country == "US"
                else "held in treasury by the company")
        layout = with_line(layout, f"Note: the total includes {unallocated:,} shares {held}.",
                           y=110)
    return layout, facts


def with_line(layout: corpus.Layout, text: str, *, y: float, size: float = 8.5) -> corpus.Layout:
    """Add a line of text near the bottom of the page (a footnote, or an injected instruction)."""

    def draw(sheet: corpus.Sheet, facts: Any, rng: Random) -> None:
        layout.draw(sheet, facts, rng)
        sheet.paragraph(50, y, sheet.width - 100, [text], size=size, italic=True)

    return replace(layout, draw=draw)


def proof_of_address(case: Case, rng: Random, dates: Dates, issued: date,
                     ) -> tuple[corpus.Layout, Any]:
    address = proof_address(case)
    country = address.country
    extra: dict[str, Any] = {"color": pick_color(rng)}
    if country in ("GB", "US", "IE", "DE") and rng.random() < 0.7:
        layout = corpus.pick(rng, ("utility_bill", "telecom_bill"))
        extra["currency"] = corpus.CURRENCY[country]
        if layout == "utility_bill":
            issuer, kind = corpus.pick(rng, corpus.UTILITIES[country])
            extra |= {
                "kind": kind, "account": f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                "bill_number": str(rng.randint(10**8, 10**9 - 1)),
                "tagline": "Here when you need us",
                "return_address": f"{issuer}, PO Box {rng.randint(100, 9999)}",
                "months": 1, "usage": rng.randint(300, 1400), "rate": 0.24, "standing": 0.41,
                "previous": round(rng.uniform(60, 400), 2),
                "meter": f"L{rng.randint(10**7, 10**8)}",
            }
        else:
            issuer = corpus.pick(rng, corpus.TELECOMS[country])
            extra |= {"account": f"S{rng.randint(10**8, 10**9 - 1)}",
                      "plan_name": "Business Fibre 500", "monthly": 49.0, "extras": 6.5,
                      "phone": corpus.phone_number(rng, country)}
    else:
        layout = "bank_statement"
        if country in BANKS:
            issuer, color, currency, bank = BANKS[country]
        else:
            issuer = corpus.pick(rng, corpus.BANKS.get(country, ("Northgate Bank",)))
            color, currency, bank = pick_color(rng), corpus.CURRENCY.get(country, "€"), "NGTB"
        account = str(rng.randint(10**7, 10**8 - 1))
        ident = ([("Sort code", f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-20"),
                  ("Account number", account)] if country == "GB"
                 else [("Account number", account)] if country == "US"
                 else [("IBAN", corpus.iban(country, f"{bank}0{rng.randint(10**8, 10**9)}"))])
        rows = [(text, round(sign * rng.uniform(20, 900 if sign > 0 else 250), 2))
                for text, sign in rng.sample(corpus.TRANSACTIONS, 6)]
        extra |= {"color": color, "currency": currency, "ident": ident,
                  "period_only": False, "opening": round(rng.uniform(2000, 9000), 2),
                  "rows": rows, "offsets": sorted(rng.randint(0, 29) for _ in rows)}
    facts = corpus.ProofOfAddress(
        person=None, company=CaseCompany(case.subject.legal_name, ""),
        address=case_address(address), issued=issued, issuer=issuer, upper=False,
        date_style="us_long" if country == "US" else "long", family="Helvetica", extra=extra)
    return corpus.LAYOUT_BY_NAME[layout], facts


def pick_color(rng: Random) -> str:
    return corpus.pick(rng, corpus.BRAND_COLORS)


# --------------------------------------------------------------------------- problems


def another_word(rng: Random, name: str) -> str:
    """The name with one word replaced (a different name by the SOP's test)."""
    words = name.split()
    swaps = {w: [h for h in corpus.COMPANY_HEADS if h != w] for w in words}
    i = 0 if words[0] in corpus.COMPANY_HEADS or len(words) < 2 else 1
    words[i] = corpus.pick(rng, swaps[words[i]] or ["Northwind"])
    return " ".join(words)


def another_number(rng: Random, number: str) -> str:
    """Another number of the same shape: the last three digits changed."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    out = list(number)
    for i in digits[-3:]:
        out[i] = str((int(number[i]) + rng.randint(1, 9)) % 10)
    return "".join(out)


KIND_NAME = {"incorporation": "certificate of incorporation", "ownership": "ownership register",
             "proof_of_address": "proof of address"}


def plant(case: Case, spec: Spec, rng: Random, dates: Dates) -> tuple[Spec, str]:
    """Fix what the document will be drawn from; the fact that describes it."""
    subject, what = case.subject, KIND_NAME[spec.kind]
    source = spec.source
    match spec.problem:
        case None:
            fact = clean_fact(spec.source or case, spec.kind, dates)
        case "name":
            name = another_word(rng, subject.legal_name)
            source = with_subject(case, legal_name=name)
            fact = f"the certificate gives the registered name '{name}', the application " \
                   f"'{subject.legal_name}'"
        case "number":
            number = another_number(rng, subject.registration_number or "0000000")
            source = with_subject(case, registration_number=number)
            fact = f"the certificate gives company number {number}, the application " \
                   f"{subject.registration_number}"
        case "other_company":
            if source is None:
                raise ValueError("a document of another party needs its source case")
            where = proof_address(source)
            fact = f"the {what} supplied is that of another business, " \
                   f"{source.subject.legal_name} ({source.subject.registration_number}, " \
                   f"{where.line1}, {where.city})"
        case "stale":
            age = (dates.as_of - dates.stale_bill).days
            fact = f"the proof of address is dated {dates.stale_bill}, {age} days before " \
                   f"{dates.as_of}: older than three months"
        case "address":
            where = proof_address(case)
            moved = other_address(rng, where)
            source = with_subject(case, addresses=[moved if a is where else a
                                                   for a in subject.addresses])
            fact = f"the proof of address is for {moved.line1}, {moved.city}; the application " \
                   f"gives {where.line1}"
        case "share":
            people = [p.model_copy() for p in case.associated_individuals]
            owner = max((p for p in people if p.ownership_percentage), key=lambda p: p.full_name)
            declared = owner.ownership_percentage or 0
            owner.ownership_percentage = round(declared - 10, 2)
            source = case.model_copy(update={"associated_individuals": people})
            fact = f"the register shows {owner.full_name} with " \
                   f"{owner.ownership_percentage:g}%, the application declares {declared:g}%"
        case "undeclared_owner":
            fact = f"the register names {spec.undeclared} with 10%, an owner the application " \
                   "does not declare, and its first owner with 10 points less than declared"
        case "revision":
            edited = {"incorporation": "company number", "ownership": "first owner's share",
                      "proof_of_address": "date (the original bill was months old)"}[spec.kind]
            fact = f"the {what} file has a later revision that covers its {edited} and " \
                   "prints the application's value over it: content changed after issue"
        case "editor":
            creator, _ = corpus.pick(rng, corpus.EDITORS)
            spec = replace(spec, editor=creator)
            fact = f"the {what} file's metadata names an editing tool, {creator}"
        case "corrupt":
            fact = f"the {what} file is corrupt: it cannot be opened or read"
    if spec.injection:
        fact += f"; it also carries the line \"{spec.injection}\", text in a document and " \
                "not an instruction"
    return replace(spec, source=source), fact


def clean_fact(case: Case, kind: DocumentKind, dates: Dates) -> str:
    if kind == "proof_of_address":
        where = proof_address(case)
        return f"the proof of address names {case.subject.legal_name} at {where.line1}, " \
               f"{where.city} and is dated {dates.bill}, within three months"
    if kind == "ownership":
        return "the ownership register names the declared owners with the declared shares"
    return "the certificate of incorporation shows the registered name, number, date and " \
           "office of the business"


def with_subject(case: Case, **update: Any) -> Case:
    return case.model_copy(update={"subject": case.subject.model_copy(update=update)})


def render(case: Case, spec: Spec, *, seed: int, dates: Dates) -> tuple[bytes, str]:
    """Draw the document `spec` describes for `case`: PDF bytes and the layout's name."""
    rng = Random(seed)
    if spec.problem == "corrupt":
        head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"
        return head + rng.randbytes(2048), "corrupt"
    layout, facts = build(spec.source or case, spec, rng, dates)
    if spec.injection:
        layout = with_line(layout, spec.injection, y=24, size=7)
    check_printable(facts)
    created = datetime.combine(corpus.document_date(facts), datetime.min.time()).replace(hour=10)
    creator, producer = corpus.pick(rng, corpus.GENERATORS)
    if spec.editor:
        creator, producer = next(e for e in corpus.EDITORS if e[0] == spec.editor)
    meta = corpus.Meta(layout.title, corpus.author_of(facts), creator, producer, created, created)
    draw_seed = rng.getrandbits(32)
    if spec.problem != "revision":
        return corpus.render_pdf(layout, facts, draw_seed, meta)[0], layout.name
    original, key = before_edit(facts, rng, dates)
    pdf, sheet = corpus.render_pdf(layout, original, draw_seed, meta)
    new_text = corpus.render_pdf(layout, facts, draw_seed, meta)[1].spans[key].text
    return corpus.incremental_edit(pdf, sheet.size, sheet.spans[key], new_text), layout.name


def build(case: Case, spec: Spec, rng: Random, dates: Dates) -> tuple[corpus.Layout, Any]:
    if spec.kind == "incorporation":
        return incorporation(case, rng, dates)
    if spec.kind == "ownership":
        layout, facts = ownership(case, rng, dates)
        if spec.problem == "undeclared_owner" and spec.undeclared:
            first, _, last = spec.undeclared.partition(" ")
            extra = corpus.Owner(corpus.Person(first, last, "", "GB", date(1975, 5, 5)), None,
                                 round(facts.total_shares * 0.1), 10.0, "shareholder",
                                 dates.printed)
            owners = [*facts.owners]
            owners[0] = replace(owners[0], percentage=owners[0].percentage - 10,
                                shares=owners[0].shares - extra.shares)
            voting = [True] * (len(owners) + 1)
            facts = replace(facts, owners=(*owners, extra),
                            extra={**facts.extra, "voting": voting, "appoint": voting})
        return layout, facts
    issued = dates.stale_bill if spec.problem == "stale" else dates.bill
    return proof_of_address(case, rng, dates, issued)


def before_edit(facts: Any, rng: Random, dates: Dates) -> tuple[Any, str]:
    """What the document said before the forger's revision, and the span they overprinted."""
    if isinstance(facts, corpus.Incorporation):
        return replace(facts, number=another_number(rng, facts.number)), "company_number"
    if isinstance(facts, corpus.ProofOfAddress):
        return replace(facts, issued=dates.stale_bill), "issue_date"
    owners = list(facts.owners)
    owners[0] = replace(owners[0], percentage=owners[0].percentage + 15)
    return replace(facts, owners=tuple(owners)), "owners.0.percentage"


def check_printable(facts: Any) -> None:
    for value in corpus.truth_of(facts).values():
        texts = [o["name"] for o in value] if isinstance(value, list) else [str(value)]
        for text in texts:
            if not printable(text):
                raise ValueError(f"{text!r} has characters the standard fonts lack")


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Reading:
    """What the documents checks would see in one file."""

    readable: bool
    verified: bool
    problems: list[str]  # mismatch:<field>, missing:<field>, stale, <severity>:<signal>


def check_document(data: bytes, kind: DocumentKind, case: Case, as_of: date) -> Reading:
    """Read, extract, verify and inspect a file as the documents checks do."""
    try:
        text = read_document_inprocess(data, name="document", ocr=False)
    except DocumentInvalid:
        return Reading(False, False, ["unreadable"])
    extraction = extract_with_rules(text, kind)
    people = [p.model_dump(mode="json") for p in case.associated_individuals]
    firms = [e.model_dump(mode="json") for e in case.associated_entities]
    attested = attested_for(kind, case.subject.model_dump(mode="json"), people, firms,
                            extraction)
    max_age = MAX_AGE_DAYS if kind == "proof_of_address" else None
    result = verify(extraction, attested, as_of=as_of, max_age_days=max_age)
    now = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
    inspection = inspect_document(data, name="document", now=now)
    problems = [f"mismatch:{f}" for f in result.mismatches]
    problems += [f"missing:{f}" for f in result.missing]
    problems += ["stale"] if result.stale else []
    problems += [f"{s.severity}:{s.code}" for s in inspection.signals if s.severity != "info"]
    return Reading(True, result.verified, problems)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40]
