"""`caseworker screen` as a user runs it: a real process against the shared, real lists."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

CLEAN_PEOPLE = ["Amelia Hartwell", "Tobias Lindgren", "Priya Raman", "Olumide Adeyemi",
                "Chen Wei Ming", "María José Castillo", "Sofia Bianchi", "Kwame Mensah"]
LISTED = ["Banco Nacional de Cuba", "Callixte Mbarushimana"]
GOOD_DOBS = ["", "1969", "1969-7", "1969-07", "1969-7-16", "1983-12-01", "2000-02-29"]
GOOD_COUNTRIES = ["", "GB", "gb", "FR;DE", "UK", "NG;GH"]
GOOD_TYPES = ["", "person", "entity", "unknown", "Person"]

# (field, value) of each kind of malformed row; "full_name" means the row cannot be screened.
MALFORMED: list[tuple[str, str]] = [
    ("date_of_birth", "1974-01-32"), ("date_of_birth", "1969-13"),
    ("date_of_birth", "2999-01-01"), ("date_of_birth", "31/12/1970"),
    ("date_of_birth", "1975-02-29"), ("date_of_birth", "19xx"),
    ("nationality", "XX"), ("nationality", "United Kingdom"), ("nationality", "GB;ZZ"),
    ("type", "persn"), ("type", "company"),
    ("full_name", ""), ("full_name", "   "),
]


def caseworker(*args: str, cwd: Path, lists: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CASEWORKER_PLUGINS": "", "CASEWORKER_LISTS_DIR": str(lists),
           "CASEWORKER_DATA_DIR": str(cwd / "data")}
    return subprocess.run([sys.executable, "-m", "caseworker", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=300, env=env)


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["full_name", "date_of_birth", "nationality",
                                                    "type"])
        writer.writeheader()
        writer.writerows(rows)


def plain(text: str) -> str:
    """Rich's error box without its frame and line wrapping."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def json_rows(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in done.stdout.splitlines()]


def make_batch(count: int, bad: int) -> tuple[list[dict[str, str]], dict[int, tuple[str, str]]]:
    """`count` rows, `bad` of them malformed; returns the rows and row -> (column, bad value)."""
    rng = random.Random(20261203)
    malformed = set(rng.sample(range(count), bad))
    rows: list[dict[str, str]] = []
    expected: dict[int, tuple[str, str]] = {}
    for i in range(count):
        name = rng.choice(LISTED) if i % 97 == 0 else f"{rng.choice(CLEAN_PEOPLE)} {i}"
        if i % 111 == 5:
            name = f"{name}, Jr\nof Leeds"  # quoted, with a comma and a line break
        row = {"full_name": name, "date_of_birth": rng.choice(GOOD_DOBS),
               "nationality": rng.choice(GOOD_COUNTRIES), "type": rng.choice(GOOD_TYPES)}
        if i in malformed:
            column, value = MALFORMED[len(expected) % len(MALFORMED)]
            row[column] = value
            expected[i] = (column, value)
        rows.append(row)
    return rows, expected


def start_lines(rows: list[dict[str, str]]) -> list[int]:
    """The CSV line each row starts on (the header is line 1)."""
    starts, line = [], 2
    for row in rows:
        starts.append(line)
        buffer = io.StringIO()
        csv.writer(buffer).writerow(row.values())
        line += buffer.getvalue().count("\n")
    return starts


def check_malformed(result: dict[str, Any], given: dict[str, str], column: str,
                    value: str) -> None:
    if column == "full_name":
        assert result["status"] == "error"
        assert result["error"] == "full_name is empty: nothing to screen"
        assert result["input"]["full_name"] == value and result["hits"] == []
        return
    assert result["status"] in {"clear", "possible", "hit"}
    query = result["query"]
    assert query["name"] == given["full_name"]
    bad = value.rsplit(";", 1)[-1]
    assert [(w["field"], w["value"]) for w in result["warnings"]] == [(column, bad)]
    assert f"'{bad}'" in result["warnings"][0]["reason"]
    if column == "date_of_birth":
        assert "date_of_birth" not in query
    elif column == "nationality":
        assert bad not in query["countries"]
        assert ("GB" in query["countries"]) == value.startswith("GB")
    else:
        assert query["type"] == "unknown"


def check_clean(result: dict[str, Any], given: dict[str, str]) -> None:
    assert result["status"] in {"clear", "possible", "hit"} and result["warnings"] == []
    assert result["query"]["name"] == given["full_name"]
    if dob := given["date_of_birth"]:  # read leniently, written padded
        parts = [int(p) for p in dob.split("-")]
        padded = "-".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])])
        assert result["query"]["date_of_birth"] == padded


def test_a_thousand_rows_with_five_percent_malformed(tmp_path: Path, sanctions_dir: Path) -> None:
    rows, expected = make_batch(1000, 50)
    batch = tmp_path / "batch.csv"
    write_csv(batch, rows)

    done = caseworker("screen", "--batch", str(batch), "--json", cwd=tmp_path,
                      lists=sanctions_dir)
    out = json_rows(done)
    assert len(out) == 1000, done.stderr
    assert [r["row"] for r in out] == list(range(1000))
    assert [r["line"] for r in out] == start_lines(rows)
    errors = {r["row"] for r in out if r["status"] == "error"}
    warned = {r["row"] for r in out if r["warnings"]}
    assert errors == {i for i, (column, _) in expected.items() if column == "full_name"}
    assert warned == {i for i, (column, _) in expected.items() if column != "full_name"}
    assert len(errors) + len(warned) == 50
    for i, result in enumerate(out):
        if i in expected:
            check_malformed(result, rows[i], *expected[i])
        else:
            check_clean(result, rows[i])
    hits = [r for r in out if r["status"] == "hit"]
    assert hits and all(r["query"]["name"] in LISTED for r in hits)
    assert done.returncode == 1  # at least one hit wins over row errors


def test_text_output_has_one_line_per_row_and_exit_codes(
    tmp_path: Path, sanctions_dir: Path
) -> None:
    clean = [{"full_name": "Zebulon Quartermaine-Fotheringay", "date_of_birth": "1969-7",
              "nationality": "GB", "type": "person"},
             {"full_name": "Ottoline Brackenbury", "date_of_birth": "1974-01-32",
              "nationality": "", "type": "person"}]
    batch = tmp_path / "clean.csv"
    write_csv(batch, clean)
    done = caseworker("screen", "--batch", str(batch), cwd=tmp_path, lists=sanctions_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    heads = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert heads == ["row 0 (line 2) Zebulon Quartermaine-Fotheringay: clear",
                     "row 1 (line 3) Ottoline Brackenbury: clear"]
    assert "  warning: date_of_birth '1974-01-32' ignored: " in done.stdout

    write_csv(batch, [*clean, {"full_name": "", "date_of_birth": "", "nationality": "",
                               "type": ""}])
    errored = caseworker("screen", "--batch", str(batch), cwd=tmp_path, lists=sanctions_dir)
    assert errored.returncode == 3
    assert errored.stdout.splitlines()[-1] == (
        "row 2 (line 4) (no name): error: full_name is empty: nothing to screen")
    as_json = caseworker("screen", "--batch", str(batch), "--json", cwd=tmp_path,
                         lists=sanctions_dir)
    assert as_json.returncode == 3
    assert [r["status"] for r in json_rows(as_json)] == ["clear", "clear", "error"]

    write_csv(batch, [*clean, {"full_name": "Banco Nacional de Cuba", "date_of_birth": "",
                               "nationality": "CU", "type": "entity"}])
    hit = caseworker("screen", "--batch", str(batch), "--json", cwd=tmp_path,
                     lists=sanctions_dir)
    assert hit.returncode == 1
    assert json_rows(hit)[2]["status"] == "hit"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "needs a header row with at least full_name"),
        (b"name,dob\nJane Smith,1970\n", "needs a header row with at least full_name"),
        (b"full_name\nJos\xe9 Garc\xeda\n", "is not UTF-8 text"),
    ],
)
def test_an_unusable_file_is_exit_2(
    content: bytes, message: str, tmp_path: Path, sanctions_dir: Path
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_bytes(content)
    done = caseworker("screen", "--batch", str(batch), "--json", cwd=tmp_path,
                      lists=sanctions_dir)
    assert done.returncode == 2 and done.stdout == ""
    assert message in plain(done.stderr)


def test_a_missing_file_is_exit_2(tmp_path: Path, sanctions_dir: Path) -> None:
    done = caseworker("screen", "--batch", str(tmp_path / "nope.csv"), cwd=tmp_path,
                      lists=sanctions_dir)
    assert done.returncode == 2 and "cannot read" in plain(done.stderr)


def test_single_name_partial_dob_and_subdivision(tmp_path: Path, sanctions_dir: Path) -> None:
    done = caseworker("screen", "--name", "Callixte Mbarushimana", "--dob", "1963-7",
                      "--type", "person", "--country", "us-de", "--json", cwd=tmp_path,
                      lists=sanctions_dir)
    assert done.returncode == 1, done.stderr
    (result,) = json_rows(done)
    assert result["query"]["date_of_birth"] == "1963-07"
    assert result["query"]["countries"] == ["US-DE"]
    assert "un:6908001" in [h["entity_id"] for h in result["hits"]]
    for dob in ("1963-07-32", "1963-13"):
        bad = caseworker("screen", "--name", "Jane Smith", "--dob", dob, cwd=tmp_path,
                         lists=sanctions_dir)
        assert bad.returncode == 2 and f"'{dob}'" in plain(bad.stderr)
    unknown = caseworker("screen", "--name", "Jane Smith", "--country", "US-XX", cwd=tmp_path,
                         lists=sanctions_dir)
    assert unknown.returncode == 2 and "no ISO 3166-2 code US-XX" in plain(unknown.stderr)
