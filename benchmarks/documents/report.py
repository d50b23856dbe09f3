"""Documents benchmark: measure one corpus file (evaluate) and tabulate a corpus (summarise)."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from caseworker.checks.documents.extract_rules import extract_with_rules
from caseworker.checks.documents.inspect import inspect_document
from caseworker.checks.documents.intake import read_document_inprocess
from caseworker.checks.documents.text import DocumentText
from caseworker.checks.documents.verify import verify

TEXT_RENDERINGS = ("pdf",)
SCAN_RENDERINGS = ("scan_pdf", "png", "jpeg", "tiff")
KINDS = ("incorporation", "proof_of_address", "ownership")


def norm(value: Any) -> Any:
    """Comparable form of a field value: dates as ISO, text folded, owners as a sorted set."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return sorted(
            (
                norm(o["name"] if isinstance(o, dict) else o.name),
                round(float((o["percentage"] if isinstance(o, dict) else o.percentage) or 0), 2),
            )
            for o in value
        )
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    text = unicodedata.normalize("NFKC", str(value)).casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def evaluate(entry: dict[str, Any], directory: str) -> dict[str, Any]:
    """Read, extract, verify (and inspect, for PDFs) one corpus file."""
    path = Path(directory) / entry["file"]
    data = path.read_bytes()
    started = time.perf_counter()
    cache = Path(directory) / ".text" / (entry["file"].replace("/", "__") + ".json")
    read_s: float | None = None
    if cache.exists():  # reading (OCR) dominates; extraction and verification are re-run
        doc = DocumentText.model_validate_json(cache.read_text(encoding="utf-8"))
    else:
        doc = read_document_inprocess(data, name=path.name)
        read_s = time.perf_counter() - started
        cache.parent.mkdir(exist_ok=True)
        cache.write_text(doc.model_dump_json(), encoding="utf-8")
    extraction = extract_with_rules(doc, entry["type"])
    fields = {
        name: norm(f.value) == norm(entry["truth"].get(name))
        for name, f in extraction.fields.items()
    }
    result = verify(extraction, entry["attested"], as_of=dt.date.fromisoformat(entry["as_of"]))
    inspection = None
    if entry["rendering"] == "pdf" and entry["variant"] in ("clean", "tampered"):
        found = inspect_document(data, name=path.name)
        inspection = sorted({s.code for s in found.signals if s.severity != "info"})
    return {
        "file": entry["file"],
        "fields": fields,
        "got": {k: _show(f.value) for k, f in extraction.fields.items()},
        "mismatches": result.mismatches,
        "missing": result.missing,
        "stale": result.stale,
        "inspection": inspection,
        "read_s": read_s,
    }


def _show(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [o.model_dump() for o in value]
    return value


def _pct(values: Sequence[bool]) -> float:
    return 100 * sum(values) / len(values) if values else float("nan")


def summarise(  # noqa: PLR0915 (one report, read top to bottom)
    entries: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]], *, show_errors: int
) -> dict[str, Any]:
    """Print a corpus's tables; the figures as a dict for the results file."""
    by_file = {r["file"]: r for r in results}
    crashes = sorted(r["file"] for r in results if "crash" in r)
    for r in results:
        if "crash" in r:
            print(f"CRASH {r['file']}\n{r['crash']}")
    ok_entries = [e for e in entries if "crash" not in by_file[e["file"]]]

    # Field accuracy: clean + mismatch + stale documents (the document side is the truth).
    acc: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    errors: list[str] = []
    for e in ok_entries:
        if e["variant"] == "tampered":
            continue
        r = by_file[e["file"]]
        group = "text_pdf" if e["rendering"] in TEXT_RENDERINGS else "scan"
        for name, ok in r["fields"].items():
            acc[(e["type"], group, name)].append(ok)
            acc[(e["type"], e["rendering"], name)].append(ok)
            acc[("layout:" + e["layout"], group, "*")].append(ok)
            if not ok:
                errors.append(
                    f"  {e['file']} {name}: got {r['got'][name]!r}, truth {e['truth'].get(name)!r}"
                )
    print("\n== Field accuracy (deterministic extractor) ==")
    print(f"{'type':18s} {'field':20s} {'text PDF':>10s} {'scan-like':>10s}   per scan rendering")
    summary: dict[str, Any] = {}
    lowest: tuple[float, str] = (101.0, "")
    for kind in KINDS:
        for name in sorted({k[2] for k in acc if k[0] == kind}):
            text, scan = acc[(kind, "text_pdf", name)], acc[(kind, "scan", name)]
            per = "  ".join(
                f"{r} {_pct(acc[(kind, r, name)]):.0f}%"
                for r in SCAN_RENDERINGS
                if acc[(kind, r, name)]
            )
            t, s = _pct(text), _pct(scan)
            print(f"{kind:18s} {name:20s} {t:9.1f}% {s:9.1f}%   {per}")
            summary[f"{kind}.{name}"] = {
                "text_pdf": round(t, 2),
                "scan": round(s, 2),
                "n_text": len(text),
                "n_scan": len(scan),
            }
            for value, group in ((t, "text"), (s, "scan")):
                if not math.isnan(value) and value < lowest[0]:
                    lowest = (value, f"{kind}.{name} ({group}) {value:.1f}%")
    print("per layout:")
    for key in sorted({k for k in acc if k[0].startswith("layout:")}):
        print(f"  {key[0][7:]:28s} {key[1]:9s} {_pct(acc[key]):6.1f}% of {len(acc[key])}")
    for group in ("text_pdf", "scan"):
        all_ok = [ok for k, v in acc.items() if k[1] == group and k[2] != "*" for ok in v]
        print(f"overall {group}: {_pct(all_ok):.2f}% of {len(all_ok)} fields")
        summary[f"overall.{group}"] = round(_pct(all_ok), 2) if all_ok else None

    # Verification: misses and false alarms.
    misses, alarms, clean_n, planted_n = [], [], 0, 0
    for e in ok_entries:
        if e["variant"] == "tampered":
            continue
        r = by_file[e["file"]]
        reported = (
            set(r["mismatches"])
            | set(r["missing"])
            | ({"issue_date_stale"} if r["stale"] else set())
        )
        if e["variant"] == "clean":
            clean_n += 1
            if reported:
                alarms.append(f"  {e['file']}: {sorted(reported)}")
        else:
            planted_n += 1
            planted = e["planted_mismatch"]
            if not (planted in reported or any(x.startswith(planted) for x in reported)):
                misses.append(f"  {e['file']}: planted {planted}, reported {sorted(reported)}")
    print("\n== Verification ==")
    print(f"planted mismatches missed: {len(misses)} of {planted_n}")
    print(
        f"clean documents with a false mismatch or missing field: {len(alarms)} of {clean_n} "
        f"({100 * len(alarms) / max(clean_n, 1):.1f}%)"
    )
    for line in misses[:show_errors] + alarms[:show_errors]:
        print(line)

    # Inspection of tampered PDFs and false signals on clean PDFs.
    caught, tampered_n, clean_flags, clean_pdfs = 0, 0, [], 0
    for e in ok_entries:
        r = by_file[e["file"]]
        if r["inspection"] is None:
            continue
        if e["variant"] == "tampered":
            tampered_n += 1
            if e["tamper"] in r["inspection"]:
                caught += 1
            else:
                print(f"  tamper missed: {e['file']} ({e['tamper']}) -> {r['inspection']}")
        elif e["variant"] == "clean":
            clean_pdfs += 1
            if r["inspection"]:
                clean_flags.append(f"  {e['file']}: {r['inspection']}")
    if tampered_n or clean_pdfs:
        print("\n== Inspection ==")
        print(f"tampered PDFs flagged with the planted signal: {caught} of {tampered_n}")
        print(f"clean PDFs with a warning: {len(clean_flags)} of {clean_pdfs}")
        for line in clean_flags[:show_errors]:
            print(line)

    print(f"\n== Field errors (first {show_errors} of {len(errors)}) ==")
    for line in errors[:show_errors]:
        print(line)
    reads = sorted(r["read_s"] for r in results if r.get("read_s") is not None)  # not cached
    return {
        "files": len(entries),
        "field_accuracy": summary,
        "lowest_field": lowest[1],
        "verification": {
            "planted": planted_n,
            "missed": len(misses),
            "clean": clean_n,
            "false_alarms": len(alarms),
        },
        "inspection": {
            "tampered": tampered_n,
            "caught": caught,
            "clean_pdfs": clean_pdfs,
            "clean_flagged": len(clean_flags),
        },
        "read_seconds_p50": round(reads[len(reads) // 2], 3) if reads else None,
        "texts_from_cache": sum(r.get("read_s") is None for r in results if "crash" not in r),
        "crashes": crashes,
        "errors": errors[:200],
    }
