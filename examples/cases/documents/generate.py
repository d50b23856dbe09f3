"""Write the example cases' documents from their data, then check the rules read them back."""

# python examples/cases/documents/generate.py
#
# For every document of type incorporation, ownership or proof_of_address that a case in
# examples/cases/ names, draw a text-layer PDF with the layouts of the documents benchmark
# (benchmarks/documents/corpus.py) from the case's own data, at the path the case gives
# (relative to the case file, so here). Other types (identity, other) are listed, not drawn:
# the documents checks do not read them. Then read, extract (rules) and verify each file
# against its case as those checks do, print a table, and exit 1 unless every document
# verifies with no tampering signal. The output is byte-for-byte deterministic.
#
# The examples are judged as of late 2026 (JUDGED_AS_OF): proofs of address are dated
# 2026-11-10 (BILL_DATE), fresh for 90 days, until 2027-02-08; after that the proof_of_address
# check also sends their two cases (both expected "review" anyway) to review as stale.

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

from caseworker.checks.documents.extract_rules import extract_with_rules
from caseworker.checks.documents.inspect import inspect_document
from caseworker.checks.documents.intake import read_document_inprocess
from caseworker.checks.documents.schemas import DocumentKind
from caseworker.checks.documents.verify import Verification, verify
from caseworker.domain.case import Address, Case, load_case

HERE = Path(__file__).resolve().parent
CASES = HERE.parent
sys.path.insert(0, str(HERE.parents[2] / "benchmarks" / "documents"))

import corpus  # noqa: E402
from case_documents import CaseAddress, CaseCompany, printed_lines  # noqa: E402

KINDS: tuple[DocumentKind, ...] = ("incorporation", "ownership", "proof_of_address")
JUDGED_AS_OF = date(2026, 12, 1)  # when the examples are judged (proof-of-address freshness)
BILL_DATE = date(2026, 11, 10)  # proofs of address: issued within three months of that
EXTRACT_DATE = date(2026, 10, 20)  # registry extracts printed and share registers made up
SEED = 2026

# Proofs of address per country: (layout, issuer, brand colour, currency, return address).
# Fictional issuers, like the benchmark's: a French energy invoice, a Nairobi office's fibre bill.
BILLS: dict[str, tuple[str, str, str, str, str]] = {
    "FR": ("utility_bill", "Rhône Énergie", "#0b5394", "€", "Service Clients, TSA 20012, Lyon"),
    "KE": ("telecom_bill", "Savannah Fibre", "#38761d", "KSh ", ""),
}
# Share registers: (title, share class, issued shares) by jurisdiction.
REGISTERS: dict[str, tuple[str, str, int]] = {
    "US": ("Capitalization Table", "Common Stock", 10_000_000),
    "DE": ("List of shareholders (Gesellschafterliste)", "Ordinary", 25_000),
    "NL": ("Register of Shareholders (aandeelhoudersregister)", "Ordinary", 18_000),
    "AE": ("Memorandum of Association - Schedule of Partners", "Ordinary", 300),
}
DEFAULT_REGISTER = ("Register of Members", "Ordinary", 1_000)


# --------------------------------------------------------------------------- case values


def case_address(address: Address) -> CaseAddress:
    return CaseAddress(
        address.country,
        "",
        address.line1,
        address.city,
        address.postal_code or "",
        region=address.region or "",
        printed=printed_lines(address),
    )


def one_line(address: Address) -> str:
    """Return the case's address on one line: "line1, line2, city, postcode, country"."""
    parts = (address.line1, address.line2, address.city, address.postal_code, address.country)
    return ", ".join(part for part in parts if part)


def registered_address(case: Case) -> Address:
    addresses = case.subject.addresses
    if not addresses:
        raise ValueError(f"{case.id}: the subject has no address")
    return next((a for a in addresses if a.type == "registered"), addresses[0])


def proof_address(case: Case) -> Address:
    """Where a proof of address is for: the business's operating premises, else its office."""
    addresses = case.subject.addresses
    return next((a for a in addresses if a.type == "operating"), registered_address(case))


def declared_owners(case: Case) -> list[tuple[str, float, str]]:
    """(name, percentage, role) of every individual and entity with a declared share."""
    owners = [
        (
            p.full_name,
            p.ownership_percentage,
            "director" if "director" in p.roles else "shareholder",
        )
        for p in case.associated_individuals
        if p.ownership_percentage is not None
    ]
    owners += [
        (e.legal_name, e.ownership_percentage, "shareholder")
        for e in case.associated_entities
        if e.ownership_percentage is not None
    ]
    return owners


def attested(case: Case, kind: DocumentKind) -> dict[str, Any]:
    """Return what the case says, under the field names of the document type's schema."""
    subject = case.subject
    if kind == "incorporation":
        return {
            "registered_name": subject.legal_name,
            "company_number": subject.registration_number,
            "incorporation_date": subject.incorporation_date.isoformat()
            if subject.incorporation_date
            else None,
            "jurisdiction": subject.jurisdiction,
            "registered_office": one_line(registered_address(case)),
        }
    if kind == "ownership":
        return {
            "owners": [
                {"name": name, "percentage": pct, "role": role}
                for name, pct, role in declared_owners(case)
            ]
        }
    return {
        "name": subject.legal_name,
        "address": one_line(proof_address(case)),
        "issue_date": BILL_DATE.isoformat(),
    }


# --------------------------------------------------------------------------- facts


def is_delaware(case: Case) -> bool:
    subject = case.subject
    office = registered_address(case)
    form = (subject.legal_form or "").casefold()
    return subject.jurisdiction == "US" and ("delaware" in form or office.region == "DE")


def incorporation(case: Case, rng: Random) -> tuple[corpus.Layout, corpus.Incorporation]:
    s = case.subject
    number, incorporated, jurisdiction = s.registration_number, s.incorporation_date, s.jurisdiction
    if not (number and incorporated and jurisdiction):
        raise ValueError(f"{case.id}: a certificate needs a number, a date and a jurisdiction")
    office = registered_address(case)
    base = corpus.Incorporation(
        company=CaseCompany(s.legal_name, ""),
        number=number,
        incorporated=incorporated,
        jurisdiction=jurisdiction,
        office=case_address(office),
        authority="",
        date_style="long",
        family="Helvetica",
        name_upper=False,
    )
    if jurisdiction == "GB":
        region, place = {
            "SC": ("Scotland", "Edinburgh"),
            "NI": ("Northern Ireland", "Belfast"),
        }.get(number[:2].upper(), ("England and Wales", "Cardiff"))
        extra = {"region": region, "place": place, "code": f"N{rng.randint(10**7, 10**8 - 1)}X"}
        facts = replace(
            base,
            authority=f"Registrar of Companies for {region}",
            date_style="ordinal",
            name_upper=True,
            extra=extra,
        )
        return corpus.LAYOUT_BY_NAME["uk_certificate"], facts
    if is_delaware(case):
        return corpus.LAYOUT_BY_NAME["delaware_certificate"], delaware(base, office, rng)
    if jurisdiction not in corpus.REGISTRIES:
        raise ValueError(f"{case.id}: no registry layout for {jurisdiction}")
    return corpus.LAYOUT_BY_NAME["registry_extract"], registry_extract(case, base, rng)


def delaware(base: corpus.Incorporation, office: Address, rng: Random) -> corpus.Incorporation:
    agent = next(
        (name for name, where in corpus.DELAWARE_AGENTS if office.line1.startswith(where[0])),
        corpus.DELAWARE_AGENTS[0][0],
    )
    certified = base.incorporated + timedelta(days=2)
    secretary = [n for start, n in corpus.DELAWARE_SECRETARIES if start <= certified][-1]
    extra = {
        "agent": agent,
        "secretary": secretary,
        "certified": certified,
        "sr": f"{base.incorporated.year}{rng.randint(1000000, 9999999)}",
        "auth": str(rng.randint(200000000, 209999999)),
        "time": "10:15",
        "shares": REGISTERS["US"][2],
        "incorporator": "Laura J. Whitman",
    }
    return replace(
        base,
        jurisdiction="US-DE",
        authority="SECRETARY OF STATE OF THE STATE OF DELAWARE",
        date_style="words",
        family="Times",
        name_upper=True,
        extra=extra,
    )


def registry_extract(case: Case, base: corpus.Incorporation, rng: Random) -> corpus.Incorporation:
    country = base.jurisdiction
    spec = corpus.REGISTRIES[country]
    authority = spec["header"][0]
    if country == "DE":
        court = {city: court for city, _, court in corpus.DE_CITIES}
        authority = "Amtsgericht " + court.get(base.office.city, base.office.city)
    extra = {
        "labels": {key: spec[key][0] for key in ("title", "name", "number", "date", "office")},
        "order": ["name", "number", "date", "office"],
        "activity": case.subject.industry or "General trading",
        "printed": EXTRACT_DATE,
        "reference": str(rng.randint(10**8, 10**9 - 1)),
    }
    style = {"DE": "dmy_dot"}.get(country, "long")
    return replace(base, authority=authority, date_style=style, extra=extra)


def ownership(case: Case, rng: Random) -> tuple[corpus.Layout, corpus.Ownership]:
    s = case.subject
    country = s.jurisdiction or registered_address(case).country
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
            born = who.date_of_birth or date(1970, 1, 1)
            person = corpus.Person(first, last, "", nationality, born)
            owners.append(corpus.Owner(person, None, shares, pct, role, EXTRACT_DATE))
        else:
            company = CaseCompany(name, "")
            owners.append(corpus.Owner(None, company, shares, pct, role, EXTRACT_DATE))
    psc = country == "GB" and all(
        o.person and o.person.nationality in corpus.NATIONALITY and o.percentage > 25
        for o in owners
    )
    if psc:
        owners = [replace(o, role="person with significant control") for o in owners]
    signatory = next(
        (p.full_name for p in case.associated_individuals if "officer" in p.roles),
        next((p.full_name for p in case.associated_individuals if "director" in p.roles), ""),
    )
    facts = corpus.Ownership(
        company=CaseCompany(s.legal_name, ""),
        number=s.registration_number or "",
        country=country,
        as_at=EXTRACT_DATE,
        owners=tuple(owners),
        total_shares=total,
        upper=False,
        date_style="us_long" if country == "US" else "long",
        family="Helvetica",
        extra={
            "layout": "psc_register" if psc else "share_register",
            "title": title,
            "decimals": False,
            "share_class": share_class,
            "signatory": signatory,
            "voting": [True] * len(owners),
            "appoint": [False] * len(owners),
        },
    )
    layout = corpus.LAYOUT_BY_NAME[facts.extra["layout"]]
    unallocated = total - sum(o.shares for o in owners)
    if unallocated > 0 and not psc:
        held = (
            "reserved for the Equity Incentive Plan and not yet granted"
            if country == "US"
            else "held in treasury by the company"
        )
        note = f"Note: the total includes {unallocated:,} shares {held}."
        layout = with_note(layout, note)
    return layout, facts


def with_note(layout: corpus.Layout, note: str) -> corpus.Layout:
    """Add a footnote to the layout (the shares no declared owner holds: the table adds up)."""

    def draw(sheet: corpus.Sheet, facts: Any, rng: Random) -> None:
        layout.draw(sheet, facts, rng)
        sheet.paragraph(50, 110, sheet.width - 100, [note], size=8.5, italic=True)

    return replace(layout, draw=draw)


def proof_of_address(case: Case, rng: Random) -> tuple[corpus.Layout, corpus.ProofOfAddress]:
    address = proof_address(case)
    if address.country not in BILLS:
        raise ValueError(f"{case.id}: no bill issuer for {address.country}")
    layout, issuer, color, currency, sender = BILLS[address.country]
    extra: dict[str, Any] = {"currency": currency, "color": color}
    if layout == "utility_bill":
        extra |= {
            "kind": "energy",
            "account": "4417 2093 5581",
            "bill_number": "730118264",
            "tagline": "Clean energy, fair prices",
            "return_address": f"{issuer}, {sender}",
            "months": 1,
            "usage": 642,
            "rate": 0.2516,
            "standing": 0.41,
            "previous": 187.34,
            "meter": "L14K20931",
        }
    else:
        extra |= {
            "account": "S204718836",
            "plan_name": "Business Fibre 500",
            "monthly": 9_850.0,
            "extras": 420.0,
            "phone": "+254 20 765 0142",
        }
    facts = corpus.ProofOfAddress(
        person=None,
        company=CaseCompany(case.subject.legal_name, ""),
        address=case_address(address),
        issued=BILL_DATE,
        issuer=issuer,
        upper=False,
        date_style="long",
        family="Helvetica",
        extra=extra,
    )
    return corpus.LAYOUT_BY_NAME[layout], facts


Builder = Callable[[Case, Random], tuple[corpus.Layout, Any]]
BUILDERS: dict[DocumentKind, Builder] = {
    "incorporation": incorporation,
    "ownership": ownership,
    "proof_of_address": proof_of_address,
}


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class Generated:
    """One document written for a case."""

    case: Case
    kind: DocumentKind
    path: Path
    layout: str


def render(case: Case, kind: DocumentKind, path: Path) -> tuple[bytes, str]:
    """Draw the document from the case alone (seeded by its path): PDF bytes, layout name."""
    rng = Random(corpus.derive_seed(SEED, case.id, path.name))
    layout, facts = BUILDERS[kind](case, rng)
    check_printable(facts)
    created = datetime.combine(corpus.document_date(facts), datetime.min.time()).replace(hour=10)
    creator, producer = corpus.pick(rng, corpus.GENERATORS)
    meta = corpus.Meta(layout.title, corpus.author_of(facts), creator, producer, created, created)
    pdf, _ = corpus.render_pdf(layout, facts, rng.getrandbits(32), meta)
    return pdf, layout.name


def check_printable(facts: corpus.Facts) -> None:
    """Refuse a value the standard PDF fonts would garble (they draw WinAnsi, cp1252, only)."""
    for value in corpus.truth_of(facts).values():
        texts = [o["name"] for o in value] if isinstance(value, list) else [str(value)]
        for text in texts:
            try:
                text.encode("cp1252")
            except UnicodeEncodeError as exc:
                raise ValueError(f"{text!r} has characters the standard fonts lack") from exc


def cases() -> list[Case]:
    paths = sorted(p for p in CASES.glob("*.json") if not p.name.endswith(".expected.json"))
    return [load_case(p) for p in paths]


def write_all() -> tuple[list[Generated], list[str]]:
    """Write every document; the documents written and notes on those left out."""
    written: list[Generated] = []
    skipped: list[str] = []
    for case in cases():
        for document in case.documents:
            if not document.path:
                skipped.append(f"{case.id}: {document.type} (no path)")
                continue
            path = Path(document.path)
            kind = next((k for k in KINDS if k == document.type.value), None)
            if kind is None:
                skipped.append(f"{case.id}: {path.name} ({document.type.value})")
                continue
            pdf, layout = render(case, kind, path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pdf)
            written.append(Generated(case, kind, path, layout))
    return written, skipped


# --------------------------------------------------------------------------- verification


def check(document: Generated) -> tuple[Verification, list[str]]:
    """Read, extract and verify one file as the documents checks do; also its tamper signals."""
    data = document.path.read_bytes()
    text = read_document_inprocess(data, name=document.path.name, ocr=False)
    extraction = extract_with_rules(text, document.kind)
    result = verify(extraction, attested(document.case, document.kind), as_of=JUDGED_AS_OF)
    now = datetime.combine(JUDGED_AS_OF, datetime.min.time(), tzinfo=UTC)
    inspection = inspect_document(data, name=document.path.name, now=now)
    signals = [f"{s.severity}:{s.code}" for s in inspection.signals if s.severity != "info"]
    return result, signals


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def main() -> int:
    written, skipped = write_all()
    rows = [["case", "document", "layout", "KB", "verified", "matched", "problems"]]
    failed = 0
    for document in written:
        result, signals = check(document)
        matched = sum(c.status == "match" for c in result.checks)
        problems = [f"mismatch:{f}" for f in result.mismatches]
        problems += [f"missing:{f}" for f in result.missing] + signals
        problems += ["stale"] if result.stale else []
        failed += bool(problems) or not result.verified
        rows.append(
            [
                document.case.id,
                document.path.name,
                document.layout,
                f"{document.path.stat().st_size / 1024:.1f}",
                "yes" if result.verified else "NO",
                f"{matched}/{len(result.checks)}",
                ", ".join(problems) or "-",
            ]
        )
    print(table(rows))
    print(f"\n{len(written)} documents written to {HERE}, verified as of {JUDGED_AS_OF}")
    if skipped:
        print("Not generated (the documents checks read incorporation, ownership and")
        print("proof_of_address only):")
        print("\n".join(f"  {note}" for note in skipped))
    if failed:
        print(f"\n{failed} document(s) did not verify", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
