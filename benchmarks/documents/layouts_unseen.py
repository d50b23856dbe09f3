"""Drawing of the unseen corpus's layouts (corpus_unseen.py), written apart from corpus.py's.

Other wording and labels, other field order, other fonts (Times, Courier, the obliques),
names in curly quotes, long names and addresses broken over lines, sentence-style
certificates, address blocks in other places, registers with other column orders. Values are
drawn as plain text: this corpus measures extraction, not tampering, so no span is recorded.
"""

from __future__ import annotations

from random import Random
from typing import Any

from corpus import (
    Incorporation,
    Ownership,
    ProofOfAddress,
    Sheet,
    address_lines,
    fmt_date,
    fmt_pct,
    money,
    ordinal,
    pick,
)
from reportlab.pdfbase.pdfmetrics import stringWidth


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break `text` at spaces into lines no wider than `width` (a word longer stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def lines_at(
    s: Sheet,
    x: float,
    y: float,
    lines: list[str],
    *,
    font: str,
    size: float,
    lead: float,
    align: str = "left",
    color: str = "#000000",
) -> float:
    for line in lines:
        s.text(x, y, [line], size=size, font=font, align=align, color=color)
        y -= lead
    return y


def long_name_lines(name: str, rng: Random, font: str, size: float, width: float) -> list[str]:
    """A name on one line, or broken in two when long (as registries print narrow columns)."""
    lines = wrap(name, font, size, width)
    if len(lines) == 1 and len(name.split()) >= 3 and rng.random() < 0.5:
        words = name.split()
        cut = max(1, len(words) - pick(rng, (1, 2)))
        lines = [" ".join(words[:cut]), " ".join(words[cut:])]
    return lines


# --------------------------------------------------------------------------- incorporation


def draw_uk_plain(s: Sheet, f: Incorporation, rng: Random) -> None:
    """Companies House certificate: no office address, the name quoted, the date in a sentence."""
    w, h = s.width, s.height
    e = f.extra
    roman, bold = e["fonts"]
    cx = w / 2 + rng.uniform(-4, 4)
    y = h - 80 + rng.uniform(-8, 8)
    s.text(cx, y, ["Companies House"], size=12, font=bold, align="center", color="#2f4f4f")
    y -= 60
    s.text(cx, y, ["CERTIFICATE OF INCORPORATION"], size=19, font=bold, align="center")
    s.text(cx, y - 24, ["OF A PRIVATE LIMITED COMPANY"], size=12, font=roman, align="center")
    y -= 70
    s.text(cx, y, [f"{e['number_label']} {f.number}"], size=12, font=bold, align="center")
    size = 12 + rng.uniform(-0.6, 0.4)
    region = e["region"]
    if e["opening"] == "registrar":
        opening = f"The {f.authority} hereby certifies that"
    else:
        opening = "I hereby certify that"
    y = lines_at(
        s,
        cx,
        y - 44,
        wrap(opening, roman, size, w - 200),
        font=roman,
        size=size,
        lead=size * 1.5,
        align="center",
    )
    name = f"\u201c{f.name}\u201d" if e["quoted"] else f.name
    for line in long_name_lines(name, rng, bold, 15, w - 240):
        s.text(cx, y - 8, [line], size=15, font=bold, align="center")
        y -= 21
    body = (
        "is this day incorporated under the Companies Act 2006 as a private company, that the "
        "company is limited by shares, and that the situation of its registered office is in "
        f"{region}."
    )
    y = lines_at(
        s,
        cx,
        y - 22,
        wrap(body, roman, size, w - 180),
        font=roman,
        size=size,
        lead=size * 1.5,
        align="center",
    )
    d = f.incorporated
    when = {
        "this_day": f"this {ordinal(d.day)} day of {d:%B} {d.year}",
        "on": f"on {ordinal(d.day)} {d:%B} {d.year}",
        "the_day": f"on the {ordinal(d.day)} day of {d:%B} {d.year}",
    }[e["when"]]
    given = f"Given under my hand at {e['place']}, {when}."
    y = lines_at(
        s,
        cx,
        y - 18,
        wrap(given, roman, size, w - 180),
        font=roman,
        size=size,
        lead=size * 1.5,
        align="center",
    )
    if e["opening"] != "registrar":
        s.text(w - 90, y - 60, ["(signed) Registrar"], size=10, font=roman, align="right")
        s.text(w - 90, y - 74, [f.authority], size=10, font=roman, align="right")
    s.text(
        60,
        70,
        ["Companies House does not verify the accuracy of the information filed"],
        size=7,
        font=roman,
    )
    s.text(60, 58, [f"Ref: {e['code']}"], size=8, font="Courier")


def draw_delaware_sentence(s: Sheet, f: Incorporation, rng: Random) -> None:
    """A Delaware Secretary of State certificate written as one sentence; no office."""
    w, h = s.width, s.height
    e = f.extra
    font, bold = e["fonts"]
    x0 = 66 + rng.uniform(-6, 6)
    y = h - 76 + rng.uniform(-6, 6)
    s.text(w / 2, y, ["State of Delaware"], size=24, font="Times-BoldItalic", align="center")
    s.text(w / 2, y - 22, ["Secretary of State"], size=12, font=font, align="center")
    s.text(w / 2, y - 36, ["Division of Corporations"], size=12, font=font, align="center")
    y -= 90
    kind = "FORMATION" if f.company.form == "llc" else "INCORPORATION"
    d = f.incorporated
    day = ordinal(d.day) if e["digits"] else e["word_day"]
    when = f"the {day} day of {d:%B}, A.D. {d.year}"
    if e["caps"]:
        when = when.upper()
    if e["style"] == "good_standing":
        sentence = (
            f"I, {e['secretary']}, Secretary of State of the State of Delaware, do hereby certify "
            f"that \u201c{f.name}\u201d is duly incorporated under the laws of the State of "
            "Delaware and is in good standing, and that its certificate of "
            f"{kind.lower()} was filed in this office on {when}, at {e['time']} o'clock A.M."
        )
    else:
        sentence = (
            f"I, {e['secretary']}, SECRETARY OF STATE OF THE STATE OF DELAWARE, DO HEREBY CERTIFY "
            f"THAT THE ATTACHED IS A TRUE AND CORRECT COPY OF THE CERTIFICATE OF {kind} OF "
            f"\u201c{f.name}\u201d AS RECEIVED AND FILED IN THIS OFFICE ON {when}."
        )
    size = 11.5 if font != "Courier" else 10.5
    y = lines_at(
        s, x0, y, wrap(sentence, font, size, w - 2 * x0), font=font, size=size, lead=size * 1.6
    )
    y -= 30
    s.text(x0, y, [f"{e['file_label']} {f.number}"], size=11, font=bold)
    s.text(w - x0, y, [f"Authentication: {e['auth']}"], size=10, font=font, align="right")
    s.text(w - x0, y - 14, [f"Date: {e['certified']:%m-%d-%y}"], size=10, font=font, align="right")
    s.text(w - x0, y - 64, [e["secretary"].title()], size=11, font="Times-Italic", align="right")
    s.text(w - x0, y - 78, ["Secretary of State"], size=10, font=font, align="right")


def _registry_rows(f: Incorporation) -> list[tuple[str, str]]:
    e = f.extra
    values = {
        "name": f.name,
        "number": f.number,
        "date": fmt_date(f.incorporated, f.date_style),
        "office": ", ".join(f.office.lines()),
    }
    rows = [(e["labels"][k], values[k]) for k in e["order"]]
    return rows + [(label, value) for label, value in e["rows"]]


def draw_registry_table(s: Sheet, f: Incorporation, rng: Random) -> None:
    """A registry extract as a ruled table: labels left (no colon), values right, any order."""
    w, h = s.width, s.height
    e = f.extra
    font, label_font = e["fonts"]
    x0 = 56 + rng.uniform(-6, 6)
    y = h - 70 + rng.uniform(-6, 6)
    s.text(x0, y, [e["header"]], size=14, font=label_font if "Bold" in label_font else font)
    s.text(x0, y - 18, [e["subheader"]], size=10, font=font, color="#444444")
    s.text(
        w - x0,
        y,
        [f"Printed {fmt_date(e['printed'], f.date_style)}"],
        size=8.5,
        font=font,
        align="right",
    )
    y -= 60
    s.text(x0, y, [e["title"]], size=13, font=label_font)
    y -= 30
    size = 10 + rng.uniform(-0.3, 0.3)
    widest = max(stringWidth(label, label_font, size) for label, _ in _registry_rows(f))
    vx = x0 + 4 + widest + e["label_width"]
    width = w - x0 - vx - 10
    s.rule(x0, w - x0, y + 14, width=0.8)
    for label, value in _registry_rows(f):
        s.text(x0 + 4, y, [label], size=size, font=label_font)
        parts = wrap(value, font, size, width) if len(value) > 20 else [value]
        end = lines_at(s, vx, y, parts, font=font, size=size, lead=size * 1.3)
        y = end + size * 1.3 - 10
        s.rule(x0, w - x0, y, width=0.4, color="#999999")
        y -= size * 1.6
    s.text(
        x0, 60, ["Information supplied by the registry at the time of printing."], size=7, font=font
    )


def draw_registry_stacked(s: Sheet, f: Incorporation, rng: Random) -> None:
    """A company overview: small labels above values, two fields to a row, order shuffled."""
    w, h = s.width, s.height
    e = f.extra
    font, label_font = e["fonts"]
    x0 = 52 + rng.uniform(-5, 5)
    y = h - 64 + rng.uniform(-6, 6)
    s.box(0, h - 100, w, 100, fill="#eef2f0", stroke=None)
    s.text(x0, y, [e["header"]], size=16, font="Helvetica-Bold", color="#0b3d2e")
    s.text(x0, y - 20, [e["subheader"]], size=10, font=font, color="#0b3d2e")
    y = h - 140
    name_lines = long_name_lines(f.name, rng, "Helvetica-Bold", 17, w - 2 * x0)
    y = lines_at(s, x0, y, name_lines, font="Helvetica-Bold", size=17, lead=22)
    s.text(x0, y - 2, [e["title"]], size=10, font=label_font, color="#555555")
    y -= 44
    col = (w - 2 * x0) / 2
    for i, (label, value) in enumerate(_registry_rows(f)):
        x = x0 + (i % 2) * col
        if i % 2 == 0 and i:
            y -= 52
        s.text(
            x, y, [label.upper() if e["caps"] else label], size=8, font=label_font, color="#555555"
        )
        parts = wrap(value, font, 10.5, col - 20)
        lines_at(s, x, y - 15, parts, font=font, size=10.5, lead=13.5)
    s.text(
        x0,
        56,
        ["This overview shows the register as at the date it was produced."],
        size=7,
        font=font,
    )


# --------------------------------------------------------------------------- proof of address


def draw_letter_right(s: Sheet, f: ProofOfAddress, rng: Random) -> None:
    """A letter: letterhead left, the date alone on a line, the address block on the right."""
    w, h = s.width, s.height
    e = f.extra
    font, bold = e["fonts"]
    x0 = 56 + rng.uniform(-5, 5)
    top = h - 60 + rng.uniform(-5, 5)
    s.text(x0, top, [f.issuer], size=19, font=bold, color=e["color"])
    s.text(x0, top - 16, [e["tagline"]], size=9, font="Helvetica-Oblique", color="#555555")
    rx = w / 2 + 40 + rng.uniform(-10, 10)
    y = h - 150 + rng.uniform(-8, 8)
    holder = f"{f.salutation}{f.name}" if e["salute"] else f.name
    y = lines_at(s, rx, y, [holder, *address_lines(f)], font=font, size=10.5, lead=13.5)
    ly = h - 150
    s.text(x0, ly, [f"Our ref: {e['ref']}"], size=9.5, font=font)
    s.text(x0, ly - 14, [f"Policy number: {e['account']}"], size=9.5, font=font)
    dy = min(y, ly - 14) - 34
    printed = fmt_date(f.issued, f.date_style)
    s.text(
        x0,
        dy,
        [printed if e["bare_date"] else f"Date of this letter: {printed}"],
        size=10.5,
        font=font,
    )
    greeting = f"Dear {f.salutation.strip()} {f.person.last}," if f.person else "Dear Customer,"
    s.text(x0, dy - 36, [greeting], size=10.5, font=font)
    body = (
        f"Thank you for renewing your {e['product']} with us. This letter confirms the cover "
        "and the address we hold for you. Please keep it with your policy documents and tell "
        "us straight away if anything here is not right."
    )
    lines_at(s, x0, dy - 60, wrap(body, font, 10.5, w - 2 * x0), font=font, size=10.5, lead=15)
    s.text(x0, 90, ["Yours sincerely,"], size=10.5, font=font)
    s.text(x0, 60, [f"{f.issuer} - registered in {e['country_name']}"], size=7, font=font)


def draw_statement_labelled(s: Sheet, f: ProofOfAddress, rng: Random) -> None:
    """A statement whose holder and address are labelled values in a details panel, mid-page."""
    w, h = s.width, s.height
    e = f.extra
    font, bold = e["fonts"]
    cur = e["currency"]
    x0 = 48 + rng.uniform(-4, 4)
    top = h - 58 + rng.uniform(-5, 5)
    s.text(w - x0, top, [f.issuer], size=17, font=bold, align="right", color=e["color"])
    s.text(x0, top, [e["title"]], size=15, font=bold)
    s.text(
        x0, top - 30, [f"{e['date_label']} {fmt_date(f.issued, f.date_style)}"], size=9.5, font=font
    )
    y = h - 190 + rng.uniform(-10, 10)
    s.box(x0 - 6, y - 78, w - 2 * x0 + 12, 100, fill="#f2f2f2", stroke=None)
    s.text(x0, y, ["Your details"], size=10, font=bold)
    lx = x0
    vx = x0 + e["label_width"]
    s.text(lx, y - 18, [e["holder_label"]], size=9.5, font=font)
    s.text(vx, y - 18, [f.name], size=9.5, font=font)
    s.text(lx, y - 34, [e["address_label"]], size=9.5, font=font)
    joined = ", ".join(address_lines(f))
    lines_at(
        s, vx, y - 34, wrap(joined, font, 9.5, w - vx - x0 - 20), font=font, size=9.5, lead=12.5
    )
    y -= 130
    s.text(x0, y, ["Date"], size=9, font=bold)
    s.text(x0 + 80, y, ["Details"], size=9, font=bold)
    s.text(w - x0, y, ["Amount"], size=9, font=bold, align="right")
    for text, amount in e["rows"]:
        y -= 15
        s.text(x0, y, [f"{f.issued:%d/%m}"], size=9, font=font)
        s.text(x0 + 80, y, [text], size=9, font=font)
        s.text(w - x0, y, [money(amount, cur)], size=9, font=font, align="right")
    s.text(
        x0, 64, [f"{f.issuer} - please retain this statement for your records."], size=7, font=font
    )


# --------------------------------------------------------------------------- ownership


def draw_members_table(s: Sheet, f: Ownership, rng: Random) -> None:
    """A register of members: columns in another order, long names over two lines."""
    h = s.height
    e = f.extra
    font, bold = e["fonts"]
    x0 = 50 + rng.uniform(-4, 4)
    y = h - 70 + rng.uniform(-5, 5)
    s.text(x0, y, [e["title"]], size=16, font=bold)
    company = f.company.legal().upper() if f.upper else f.company.legal()
    s.text(x0, y - 22, [f"{company} (No. {f.number})"], size=10.5, font=font)
    s.text(x0, y - 36, [f"As at {fmt_date(f.as_at, f.date_style)}"], size=9.5, font=font)
    y -= 80
    columns: list[str] = e["columns"]
    widths = {"name": 190.0, "shares": 90.0, "pct": 80.0, "class": 80.0, "no": 30.0}
    xs: dict[str, float] = {}
    x = x0
    for col in columns:
        xs[col] = x
        x += widths[col] + 8
    s.rule(x0, x, y + 13, width=0.8)
    for col in columns:
        s.text(xs[col], y, [e["headers"][col]], size=9.5, font=bold)
    s.rule(x0, x, y - 5, width=0.8)
    y -= 20
    for i, o in enumerate(f.owners, start=1):
        name_lines = wrap(o.name(f.upper), font, 9.5, widths["name"])
        cells = {
            "no": str(i),
            "shares": f"{o.shares:,}",
            "pct": fmt_pct(o.percentage, e["decimals"]) if e["pct_sign"] else f"{o.percentage:.2f}",
            "class": e["share_class"],
        }
        for col in columns:
            if col == "name":
                lines_at(s, xs[col], y, name_lines, font=font, size=9.5, lead=11.5)
            else:
                s.text(xs[col], y, [cells[col]], size=9.5, font=font)
        y -= 11.5 * len(name_lines) + 8
        s.rule(x0, x, y + 6, width=0.3, color="#bbbbbb")
    s.text(
        x0,
        y - 10,
        [f"Total issued: {f.total_shares:,} {e['share_class']} shares"],
        size=9.5,
        font=bold,
    )


def draw_psc_sentences(s: Sheet, f: Ownership, rng: Random) -> None:
    """A PSC statement: each person in a sentence stating the share they hold."""
    w, h = s.width, s.height
    e = f.extra
    font, bold = e["fonts"]
    x0 = 60 + rng.uniform(-5, 5)
    y = h - 72 + rng.uniform(-5, 5)
    s.text(x0, y, ["Statement of persons with significant control"], size=15, font=bold)
    company = f.company.legal().upper() if f.upper else f.company.legal()
    s.text(x0, y - 20, [f"{company} - company number {f.number}"], size=10, font=font)
    y -= 64
    for i, o in enumerate(f.owners, start=1):
        name = o.name(f.upper)
        pct = fmt_pct(o.percentage, e["decimals"])
        since = fmt_date(o.notified, f.date_style)
        sentence = pick(
            rng,
            (
                f"{name} holds, directly or indirectly, {pct} of the shares in the company.",
                f"{name} has held {pct} of the issued share capital since {since}.",
            ),
        )
        s.text(x0, y, [f"{i}."], size=10.5, font=bold)
        y = lines_at(
            s,
            x0 + 20,
            y,
            wrap(sentence, font, 10.5, w - 2 * x0 - 20),
            font=font,
            size=10.5,
            lead=14,
        )
        y -= 12
    s.text(x0, 70, ["Made under Part 21A of the Companies Act 2006."], size=7.5, font=font)


DRAWERS: dict[str, Any] = {
    "uk_plain": draw_uk_plain,
    "delaware_sentence": draw_delaware_sentence,
    "registry_table": draw_registry_table,
    "registry_stacked": draw_registry_stacked,
    "letter_right": draw_letter_right,
    "statement_labelled": draw_statement_labelled,
    "members_table": draw_members_table,
    "psc_sentences": draw_psc_sentences,
}
