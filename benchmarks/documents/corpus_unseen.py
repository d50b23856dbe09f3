"""A second corpus of KYB documents, in layouts the extractor was never written against.

Same facts, truth and attested data as corpus.py (its people, companies, addresses, the way a
customer types them, its planted mismatches and its scan simulation), drawn by the layouts of
layouts_unseen.py: other wording and labels, field order, fonts, quoted and broken names,
sentence-style certificates, address blocks elsewhere, registers with other column orders.
Where a kind of document does not show a field (a Companies House certificate and the office
address), the truth is None and the attested value stays: verification must call it not
applicable, not missing. Variants: clean, mismatch, stale (proofs of address); no tampering.

    python benchmarks/documents/corpus_unseen.py --out /tmp/kyb-unseen [--seed 21]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

import corpus as base
import numpy as np
from corpus import (
    AS_OF,
    BANKS,
    COUNTRY_DATE_STYLES,
    COUNTRY_NAME,
    DE_CITIES,
    DELAWARE_SECRETARIES,
    LETTERS,
    ORDINAL_WORDS,
    SUFFIX,
    Incorporation,
    Meta,
    Ownership,
    Plan,
    at,
    attest,
    company_number,
    derive_seed,
    digits,
    incorporation_date,
    make_address,
    make_company,
    make_owners,
    pick,
    plant_mismatch,
    random_date,
    register_date,
    truth_of,
)
from layouts_unseen import DRAWERS

RENDERINGS = base.RENDERINGS
VARIANTS: tuple[str, ...] = ("clean", "mismatch", "stale")
FONTS = (
    ("Times-Roman", "Times-Bold"),
    ("Courier", "Courier-Bold"),
    ("Helvetica-Oblique", "Helvetica-BoldOblique"),
    ("Times-Italic", "Times-BoldItalic"),
)
INSURERS = {
    "GB": ("Wyvern Mutual Insurance", "Cairngorm Home Cover", "Solent Assurance"),
    "US": ("Granite State Insurance Co.", "Prairie Mutual"),
    "IE": ("Wicklow Assurance",),
    "DE": ("Alpenland Versicherung AG",),
}


@dataclass(frozen=True)
class Layout:
    name: str
    kind: str
    build: Callable[[Random, Plan], Any]
    hides: tuple[str, ...] = ()  # fields this kind of document never shows

    def draw(self, sheet: base.Sheet, facts: Any, rng: Random) -> None:
        DRAWERS[self.name](sheet, facts, rng)


def _fonts(rng: Random) -> tuple[str, str]:
    return pick(rng, FONTS)


def build_uk_plain(rng: Random, plan: Plan) -> Incorporation:
    scotland = rng.random() < 0.25
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
        family="Times",
        name_upper=True,
        extra={
            "region": region,
            "place": "Edinburgh" if scotland else "Cardiff",
            "code": f"{pick(rng, LETTERS)}{rng.randint(10**6, 10**7 - 1)}",
            "fonts": pick(rng, FONTS[:1] + FONTS[3:]),
            "number_label": pick(rng, ("Company No.", "Company Registration No.", "No.")),
            "opening": pick(rng, ("registrar", "i_certify")),
            "quoted": rng.random() < 0.7,
            "when": pick(rng, ("this_day", "on", "the_day")),
        },
    )


def build_delaware_sentence(rng: Random, plan: Plan) -> Incorporation:
    form = pick(rng, ("inc", "corp", "llc"))
    incorporated = incorporation_date(rng, plan)
    certified = incorporated + timedelta(days=rng.randint(0, 400))
    secretary = [name for start, name in DELAWARE_SECRETARIES if start <= certified][-1]
    office = make_address(rng, "US", business=True)
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
            "secretary": secretary,
            "certified": certified,
            "auth": str(rng.randint(200000000, 209999999)),
            "time": f"{rng.randint(9, 11)}:{pick(rng, ('00', '05', '21', '30', '48'))}",
            "fonts": pick(rng, FONTS[:2]),
            "style": pick(rng, ("good_standing", "true_copy")),
            "digits": rng.random() < 0.6,
            "word_day": ORDINAL_WORDS[incorporated.day - 1].lower(),
            "caps": rng.random() < 0.4,
            "file_label": pick(rng, ("File Number:", "State File No.", "Delaware File #")),
        },
    )


_REGISTRY_LABELS = {
    "name": ("Registered Company Name", "Name of Company", "Company Legal Name", "Entity Name"),
    "number": (
        "Company Registration Number",
        "Company Reg. No.",
        "Registration Code",
        "Unique Entity Number",
    ),
    "date": ("Date Registered", "Date of Formation", "Registered On", "Incorporated"),
    "office": (
        "Address of Registered Office",
        "Registered Address (Office)",
        "Office Address",
        "Principal Registered Address",
    ),
}
_REGISTRY_HEADS = {
    "GB": ("Companies House", "Company overview", "gb"),
    "IE": ("Companies Registration Office", "CORE - company details", "ie"),
    "SG": ("Accounting and Corporate Regulatory Authority", "BizFile+ entity profile", "sg"),
    "DE": ("Handelsregister", "Registerauszug (Übersetzung)", "de"),
}
_REGISTRY_ROWS = {
    "GB": (("Company status", "Active"), ("Company type", "Private limited Company")),
    "IE": (("Company status", "Normal"), ("Type", "Private Company Limited by Shares")),
    "SG": (("Entity status", "Live"), ("Entity type", "Local Company")),
    "DE": (("Rechtsform", "GmbH"), ("Status", "aktiv")),
}


def _build_registry(rng: Random, plan: Plan, countries: Sequence[str]) -> Incorporation:
    country = pick(rng, countries)
    form = {"GB": "limited", "IE": pick(rng, ("limited", "dac")), "SG": "pte", "DE": "gmbh"}[
        country
    ]
    incorporated = incorporation_date(rng, plan)
    office = make_address(rng, country, business=True)
    header, subheader, _ = _REGISTRY_HEADS[country]
    authority = header
    rows: list[tuple[str, str]] = list(_REGISTRY_ROWS[country])
    if country == "DE":
        authority = "Amtsgericht " + next(c for city, _, c in DE_CITIES if city == office.city)
        rows.append(("Registergericht", authority))
    order = ["name", "number", "date", "office"]
    rng.shuffle(order)
    styles = COUNTRY_DATE_STYLES[country] + ("us_long", "ordinal")
    return Incorporation(
        company=make_company(rng, form),
        number=company_number(rng, country, incorporated),
        incorporated=incorporated,
        jurisdiction=country,
        office=office,
        authority=authority,
        date_style=pick(rng, styles if country != "GB" else ("long", "ordinal", "short")),
        family="Helvetica",
        name_upper=country in ("SG", "GB") and rng.random() < 0.7,
        extra={
            "header": header,
            "subheader": subheader,
            "title": pick(rng, ("Entity details", "Summary of the register entry", "Overview")),
            "labels": {k: pick(rng, v) for k, v in _REGISTRY_LABELS.items()},
            "order": order,
            "rows": rows,
            "printed": plan.as_of - timedelta(days=rng.randint(1, 30)),
            "fonts": pick(
                rng,
                (
                    ("Helvetica", "Helvetica-Oblique"),
                    ("Times-Roman", "Times-Bold"),
                    ("Courier", "Courier-Bold"),
                ),
            ),
            "label_width": rng.uniform(12, 40),  # beyond the widest label
            "caps": rng.random() < 0.5,
        },
    )


def build_registry_table(rng: Random, plan: Plan) -> Incorporation:
    return _build_registry(rng, plan, ("IE", "SG", "DE"))


def build_registry_stacked(rng: Random, plan: Plan) -> Incorporation:
    return _build_registry(rng, plan, ("GB", "SG", "IE"))


def _proof(rng: Random, plan: Plan, issuer: str, country: str, **extra: Any) -> Any:
    f = base.base_proof(rng, plan, issuer, country, **extra)
    return replace(f, date_style=pick(rng, (*COUNTRY_DATE_STYLES[country], "ordinal")))


def build_letter_right(rng: Random, plan: Plan) -> Any:
    country = rng.choices(("GB", "US", "IE", "DE"), weights=(5, 2, 1.5, 1.5))[0]
    f = _proof(
        rng,
        plan,
        pick(rng, INSURERS[country]),
        country,
        fonts=_fonts(rng),
        tagline=pick(rng, ("Cover you can count on", "Insurance since 1921", "Home and motor")),
        ref=f"{pick(rng, LETTERS)}{pick(rng, LETTERS)}/{digits(rng, 6)}",
        account=f"{digits(rng, 3)}-{digits(rng, 7)}",
        product=pick(rng, ("home insurance", "contents insurance", "buildings cover")),
        salute=rng.random() < 0.6,
        bare_date=rng.random() < 0.6,
        country_name=COUNTRY_NAME[country],
    )
    return f


def build_statement_labelled(rng: Random, plan: Plan) -> Any:
    country = rng.choices(("GB", "US", "IE", "DE"), weights=(5, 2, 1.5, 1.5))[0]
    rows = [
        (
            pick(rng, ("Card purchase", "Direct debit", "Transfer in", "Cash")),
            round(rng.uniform(-400, 900), 2),
        )
        for _ in range(rng.randint(3, 7))
    ]
    return _proof(
        rng,
        plan,
        pick(rng, BANKS[country]),
        country,
        fonts=_fonts(rng),
        title=pick(rng, ("Account summary", "Current account statement", "Monthly statement")),
        date_label=pick(rng, ("Produced on", "Statement produced:", "Issued on", "Date issued:")),
        holder_label=pick(rng, ("Name on account", "Account holder(s)", "Customer")),
        address_label=pick(rng, ("Correspondence address", "Mailing address", "Address on file")),
        label_width=rng.uniform(130, 160),
        rows=rows,
    )


def build_members_table(rng: Random, plan: Plan) -> Ownership:
    country = pick(rng, ("GB", "GB", "US", "IE", "SG"))
    form = {"GB": "limited", "US": pick(rng, ("inc", "llc")), "IE": "limited", "SG": "pte"}[country]
    as_at = register_date(rng, plan)
    incorporated = random_date(rng, date(2001, 1, 1), as_at - timedelta(days=60))
    owners, total = make_owners(rng, country, as_at, incorporated, psc=False)
    columns = ["name", "shares", "pct", "class"]
    rng.shuffle(columns)
    if rng.random() < 0.5:
        columns.insert(0, "no")
    headers = {
        "no": "No.",
        "name": pick(rng, ("Name of member", "Holder", "Shareholder name", "Registered holder")),
        "shares": pick(rng, ("Shares held", "No. of shares", "Number held")),
        "pct": pick(rng, ("% of issued", "Percentage", "Holding %", "% held")),
        "class": pick(rng, ("Class", "Share class")),
    }
    return Ownership(
        company=make_company(rng, form),
        number=company_number(rng, country, incorporated),
        country=country,
        as_at=as_at,
        owners=owners,
        total_shares=total,
        upper=rng.random() < 0.4,
        date_style=pick(rng, COUNTRY_DATE_STYLES[country]),
        family="Times",
        extra={
            "layout": "share_register",
            "title": pick(rng, ("Schedule of Shareholders", "Members' Register", "Shareholdings")),
            "columns": columns,
            "headers": headers,
            "decimals": rng.random() < 0.5,
            "pct_sign": rng.random() < 0.6,
            "share_class": pick(rng, ("Ordinary", "Ordinary A", "Common")),
            "fonts": _fonts(rng),
        },
    )


def build_psc_sentences(rng: Random, plan: Plan) -> Ownership:
    as_at = register_date(rng, plan)
    incorporated = random_date(rng, date(2001, 1, 1), as_at - timedelta(days=60))
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
        family="Times",
        extra={"layout": "psc_register", "decimals": rng.random() < 0.4, "fonts": _fonts(rng)},
    )


LAYOUTS: tuple[Layout, ...] = (
    Layout("uk_plain", "incorporation", build_uk_plain, hides=("registered_office",)),
    Layout(
        "delaware_sentence", "incorporation", build_delaware_sentence, hides=("registered_office",)
    ),
    Layout("registry_table", "incorporation", build_registry_table),
    Layout("registry_stacked", "incorporation", build_registry_stacked),
    Layout("letter_right", "proof_of_address", build_letter_right),
    Layout("statement_labelled", "proof_of_address", build_statement_labelled),
    Layout("members_table", "ownership", build_members_table),
    Layout("psc_sentences", "ownership", build_psc_sentences),
)
LAYOUT_BY_NAME = {layout.name: layout for layout in LAYOUTS}


def make_document(layout: Layout, seed: int, variant: str, as_of: date) -> base.Document:
    rng = Random(seed)
    facts = layout.build(rng, Plan(variant, None, as_of))
    draw_seed = rng.getrandbits(32)
    claimed, planted, detail = facts, None, None
    if variant == "mismatch":
        while True:  # a planted difference must be in a field the document shows
            claimed, planted, detail = plant_mismatch(rng, facts, as_of)
            if planted not in layout.hides:
                break
    elif variant == "stale":
        planted = "issue_date_stale"
        detail = f"issued {facts.issued}, {(as_of - facts.issued).days} days before as_of"
    truth = truth_of(facts)
    truth.update(dict.fromkeys(layout.hides))
    created = at(base.document_date(facts), rng)
    meta = Meta(layout.name, base.author_of(facts), *pick(rng, base.GENERATORS), created, created)
    pdf = base.render_pdf(layout, facts, draw_seed, meta)[0]  # type: ignore[arg-type]
    scanned = at(max(base.document_date(facts), as_of - timedelta(days=rng.randint(1, 20))), rng)
    scan_meta = Meta("Scan", "", *pick(rng, base.SCANNERS), scanned, scanned)
    return base.Document(
        pdf, base.page_size(facts), scan_meta, truth, attest(rng, claimed), planted, detail
    )


Job = tuple[str, int, str, tuple[str, ...], int]  # layout, index, variant, renderings, seed


def run_job(job: Job, out_dir: Path, as_of: date) -> list[dict[str, Any]]:
    name, index, variant, renderings, seed = job
    layout = LAYOUT_BY_NAME[name]
    document = make_document(layout, seed, variant, as_of)
    entries = []
    for rendering in renderings:
        relative = f"{layout.kind}/{name}-{index:02d}-{variant}{SUFFIX[rendering]}"
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        base.write_rendering(
            document, rendering, path, np.random.default_rng(derive_seed(seed, rendering))
        )
        entries.append(
            {
                "file": relative,
                "type": layout.kind,
                "layout": name,
                "rendering": rendering,
                "variant": variant,
                "truth": document.truth,
                "attested": document.attested,
                "planted_mismatch": document.planted,
                "tamper": None,
                "detail": document.detail,
                "as_of": as_of.isoformat(),
            }
        )
    return entries


def generate(
    out_dir: Path,
    *,
    seed: int = 21,
    per_layout: int = 3,
    renderings: Sequence[str] = RENDERINGS,
    variants: Sequence[str] = VARIANTS,
    as_of: date = AS_OF,
    layouts: Sequence[str] | None = None,
    workers: int = 1,
) -> list[dict[str, Any]]:
    """Write the corpus and `manifest.json` under out_dir; the manifest entries."""
    names = [layout.name for layout in LAYOUTS] if layouts is None else list(layouts)
    if unknown := set(names) - set(LAYOUT_BY_NAME):
        raise ValueError(f"unknown layouts: {sorted(unknown)}")
    jobs = [
        (name, index, variant, tuple(renderings), derive_seed("unseen", seed, name, index, variant))
        for name in names
        for index in range(1, per_layout + 1)
        for variant in variants
        if variant in VARIANTS
        and (variant != "stale" or LAYOUT_BY_NAME[name].kind == "proof_of_address")
    ]
    return base.write_corpus(out_dir, run_job, jobs, as_of, workers)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--per-layout", type=int, default=3)
    parser.add_argument("--renderings", default=",".join(RENDERINGS))
    parser.add_argument("--layouts", default="")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    entries = generate(
        args.out,
        seed=args.seed,
        per_layout=args.per_layout,
        renderings=[r for r in args.renderings.split(",") if r],
        layouts=[n for n in args.layouts.split(",") if n] or None,
        workers=args.workers,
    )
    print(base.summary(entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
