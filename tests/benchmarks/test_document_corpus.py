"""Tests for the synthetic KYB document corpora (benchmarks/documents/corpus*.py)."""

from __future__ import annotations

import hashlib
import re
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "documents"))

import corpus  # noqa: E402

TRUTH_FIELDS = {
    "incorporation": {
        "registered_name",
        "company_number",
        "incorporation_date",
        "jurisdiction",
        "registered_office",
        "issuing_authority",
    },
    "proof_of_address": {"name", "address", "issue_date", "issuer"},
    "ownership": {"owners"},
}
ENTRY_KEYS = {
    "file",
    "type",
    "layout",
    "rendering",
    "variant",
    "truth",
    "attested",
    "planted_mismatch",
    "tamper",
    "detail",
    "as_of",
}

Corpus = tuple[Path, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Every layout and variant once, as text-layer PDFs (fast: no rasterising)."""
    out = tmp_path_factory.mktemp("pdfs")
    return out, corpus.generate(out, seed=3, per_layout=1, renderings=("pdf",))


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    out = tmp_path_factory.mktemp("scans")
    entries = corpus.generate(
        out,
        seed=3,
        per_layout=1,
        renderings=("scan_pdf", "png", "jpeg", "tiff"),
        variants=("clean",),
        layouts=("uk_certificate", "bank_statement"),
    )
    return out, entries


def page_text(path: Path) -> str:
    document = pdfium.PdfDocument(path)
    try:
        page = document[0]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        page.close()
    finally:
        document.close()
    return " ".join(text.split())


def printed_dates(iso: str) -> list[str]:
    day = date.fromisoformat(iso)
    return [style(day) for style in corpus.DATE_STYLES.values()]


def expected_strings(entry: dict[str, Any]) -> list[list[str]]:
    """For each truth value, the strings (any of) that must appear in the text layer."""
    out: list[list[str]] = []
    for key, value in entry["truth"].items():
        if key == "jurisdiction":
            continue
        if key == "owners":
            for owner in value:
                pct = owner["percentage"]
                out += [[owner["name"]], [f"{pct:g}%", f"{pct:.2f}%"]]
        elif key.endswith("_date"):
            out.append(printed_dates(value))
        elif key in ("registered_office", "address"):
            out += [[part] for part in value.split(", ")]
        else:
            out.append([value])
    return out


def family_mix(path: Path) -> set[float]:
    """Baselines on which text is drawn in more than one font family."""
    families: dict[float, set[str]] = defaultdict(set)

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip() and font:
            families[round(tm[5], 1)].add(str(font["/BaseFont"]).lstrip("/").split("-")[0])

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return {y for y, found in families.items() if len(found) > 1}


def test_manifest_entries_are_complete(pdfs: Corpus) -> None:
    out, entries = pdfs
    assert (out / "manifest.json").exists()
    # 8 layouts x (clean, mismatch) + 3 proof-of-address stale + 8 x 4 tamper kinds
    assert len(entries) == 8 * 2 + 3 + 8 * 4
    assert {e["layout"] for e in entries} == {layout.name for layout in corpus.LAYOUTS}
    assert {e["tamper"] for e in entries} == {None, *corpus.TAMPERS}
    for e in entries:
        assert set(e) == ENTRY_KEYS
        assert (out / e["file"]).is_file()
        assert set(e["truth"]) == TRUTH_FIELDS[e["type"]] == set(e["attested"])
        assert e["as_of"] == "2026-11-01"
        assert (e["planted_mismatch"] is not None) == (e["variant"] in ("mismatch", "stale"))
        assert (e["tamper"] is not None) == (e["variant"] == "tampered")
        if e["variant"] == "mismatch":
            assert e["planted_mismatch"] in TRUTH_FIELDS[e["type"]]
            assert e["attested"][e["planted_mismatch"]] != e["truth"][e["planted_mismatch"]]
        for owner in e["truth"].get("owners", []):
            assert set(owner) == {"name", "percentage", "role"}
            assert isinstance(owner["percentage"], float)


def test_issue_dates_are_fresh_unless_stale(pdfs: Corpus) -> None:
    limit = date(2026, 11, 1) - timedelta(days=92)
    for e in pdfs[1]:
        if e["type"] == "proof_of_address":
            issued = date.fromisoformat(e["truth"]["issue_date"])
            stale = e["variant"] == "stale"
            assert (issued < limit) == stale, e["file"]
            assert (e["planted_mismatch"] == "issue_date_stale") == stale


def test_clean_attested_data_differs_only_in_formatting(pdfs: Corpus) -> None:
    def number(text: str) -> str:
        return re.sub(r"\s+", "", text).upper().lstrip("0")

    for e in pdfs[1]:
        if e["variant"] != "clean":
            continue
        truth, attested = e["truth"], e["attested"]
        if e["type"] == "incorporation":
            assert number(attested["company_number"]) == number(truth["company_number"])
            assert attested["incorporation_date"] == truth["incorporation_date"]
        elif e["type"] == "proof_of_address":
            assert attested["issue_date"] == truth["issue_date"]
        else:  # the same owners, in another order, names in another case or "Ltd" form

            def owners(items: list[dict[str, Any]]) -> list[tuple[str, float]]:
                return sorted((o["name"].split()[0].casefold(), o["percentage"]) for o in items)

            assert owners(attested["owners"]) == owners(truth["owners"])


def test_text_layer_holds_the_truth(pdfs: Corpus) -> None:
    out, entries = pdfs
    for e in entries:
        text = page_text(out / e["file"]).casefold()
        for alternatives in expected_strings(e):
            assert any(a.casefold() in text for a in alternatives), (e["file"], alternatives)


def test_tampered_pdfs_carry_the_planted_signal(pdfs: Corpus) -> None:
    out, entries = pdfs
    editors = {name for pair in corpus.EDITORS for name in pair}
    for e in entries:
        if e["rendering"] != "pdf":
            continue
        path = out / e["file"]
        meta = PdfReader(path).metadata
        assert meta is not None
        edited = {meta.creator, meta.producer} & editors
        assert bool(edited) == (e["tamper"] == "editing_software"), e["file"]
        created, modified = meta.creation_date, meta.modification_date
        assert created is not None
        assert modified is not None
        if e["tamper"] == "modified_later":
            assert modified - created > timedelta(days=30), e["file"]
        else:
            assert modified == created, e["file"]
        revisions = path.read_bytes().count(b"%%EOF")
        assert revisions == (2 if e["tamper"] == "incremental_update" else 1), e["file"]
        assert bool(family_mix(path)) == (e["tamper"] == "mixed_fonts"), e["file"]


def test_incremental_update_keeps_the_old_value_under_the_new(pdfs: Corpus) -> None:
    out, entries = pdfs
    for e in entries:
        if e["tamper"] == "incremental_update":
            old, new = re.findall(r"'([^']*)'", e["detail"])[-2:]
            text = page_text(out / e["file"])
            assert old in text
            assert new in text


def test_scans_have_no_text_layer(scans: Corpus) -> None:
    out, entries = scans
    assert {e["rendering"] for e in entries} == {"scan_pdf", "png", "jpeg", "tiff"}
    for e in entries:
        path = out / e["file"]
        if e["rendering"] == "scan_pdf":
            assert page_text(path) == ""
            assert PdfReader(path).pages[0].images, e["file"]
            continue
        with Image.open(path) as image:
            assert image.format == {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}[e["rendering"]]
            dpi = round(float(image.info["dpi"][0]))
            assert 150 <= dpi <= 200
            assert image.width > 8 * dpi  # a full page (A4 or Letter)


def test_deterministic_for_a_seed(tmp_path: Path, pdfs: Corpus) -> None:
    def digest(directory: Path) -> dict[str, str]:
        return {
            str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*"))
            if p.is_file()
        }

    args: dict[str, Any] = {
        "seed": 3,
        "per_layout": 1,
        "renderings": ("pdf", "jpeg"),
        "variants": ("clean", "tampered"),
        "layouts": ("telecom_bill",),
    }
    first = corpus.generate(tmp_path / "a", **args)
    second = corpus.generate(tmp_path / "b", **args)
    assert first == second
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    # A subset of layouts is a subset of the full corpus, byte for byte.
    full = digest(pdfs[0])
    for name, value in digest(tmp_path / "a").items():
        if name.endswith(".pdf"):
            assert full[name] == value
    other = corpus.generate(tmp_path / "c", **{**args, "seed": 4})
    assert [e["truth"] for e in other] != [e["truth"] for e in first]


# --------------------------------------------------------------------------- the unseen corpus

import corpus_unseen  # noqa: E402


@pytest.fixture(scope="module")
def unseen(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    out = tmp_path_factory.mktemp("unseen")
    return out, corpus_unseen.generate(out, seed=5, per_layout=2, renderings=("pdf",))


def test_unseen_manifest_is_complete(unseen: Corpus) -> None:
    out, entries = unseen
    layouts = {layout.name: layout for layout in corpus_unseen.LAYOUTS}
    assert len(layouts) >= 6
    assert {layout.kind for layout in layouts.values()} == set(TRUTH_FIELDS)
    assert {e["layout"] for e in entries} == set(layouts)
    assert not {layout.name for layout in corpus.LAYOUTS} & set(layouts)
    for e in entries:
        assert set(e) == ENTRY_KEYS
        assert (out / e["file"]).is_file()
        assert set(e["truth"]) == TRUTH_FIELDS[e["type"]] == set(e["attested"])
        hidden = set(layouts[e["layout"]].hides)
        assert {k for k, v in e["truth"].items() if v is None} == hidden, e["file"]
        assert all(e["attested"][k] for k in hidden)  # the case still states them
        if e["variant"] == "mismatch":
            assert e["planted_mismatch"] not in hidden
            assert e["attested"][e["planted_mismatch"]] != e["truth"][e["planted_mismatch"]]


def test_unseen_text_layer_holds_the_truth(unseen: Corpus) -> None:
    out, entries = unseen
    for e in entries:
        text = page_text(out / e["file"]).casefold()
        for key, value in e["truth"].items():
            if value is None or key == "jurisdiction":
                continue
            if key.endswith("_date"):
                day = date.fromisoformat(value)
                forms = [*printed_dates(value), f"{corpus.ordinal(day.day)} day of {day:%B}"]
                forms.append(f"{corpus.ORDINAL_WORDS[day.day - 1]} day of {day:%B}")
                assert any(f.casefold() in text for f in forms), (e["file"], key, value)
            elif key == "owners":
                for owner in value:
                    assert owner["name"].casefold() in text, (e["file"], owner)
                    assert (
                        f"{owner['percentage']:.2f}" in text or f"{owner['percentage']:g}%" in text
                    )
            else:
                parts = value.split(", ") if key in ("registered_office", "address") else [value]
                for part in parts:
                    assert part.casefold() in text, (e["file"], key, part)


def test_unseen_deterministic_for_a_seed(tmp_path: Path) -> None:
    args: dict[str, Any] = {"seed": 5, "per_layout": 1, "renderings": ("pdf",)}
    first = corpus_unseen.generate(tmp_path / "a", **args, layouts=("uk_plain", "members_table"))
    second = corpus_unseen.generate(tmp_path / "b", **args, layouts=("uk_plain", "members_table"))
    assert first == second
    for e in first:
        assert (tmp_path / "a" / e["file"]).read_bytes() == (
            tmp_path / "b" / e["file"]
        ).read_bytes()
