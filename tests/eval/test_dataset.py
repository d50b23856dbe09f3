"""The labelled dataset format: dataset.jsonl with a header, documents relative to it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from caseworker.domain.case import parse_case
from caseworker.domain.plan import Recommendation
from caseworker.domain.results import CheckStatus
from caseworker.eval.dataset import (
    DATASET_FILE,
    Dataset,
    Expected,
    LabelledCase,
    load_dataset,
    write_dataset,
)


def case_json(case_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "subject": {
            "legal_name": "Acme Widgets Ltd",
            "registration_number": "12345678",
            "jurisdiction": "GB",
            "addresses": [{"line1": "1 High St", "city": "London", "country": "GB"}],
        },
        **extra,
    }


def row(case_id: str, **case_extra: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "family": "clean",
        "split": "dev",
        "case": case_json(case_id, **case_extra),
        "expected": {"decision": "approve", "checks": {"business_profile": "pass"}},
        "facts": ["Acme Widgets Ltd is a British company with nothing against it"],
    }


def write_lines(directory: Path, *items: dict[str, Any] | str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [item if isinstance(item, str) else json.dumps(item) for item in items]
    (directory / DATASET_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def test_round_trip_keeps_header_cases_and_documents(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "documents").mkdir(parents=True)
    (source / "documents" / "cert.pdf").write_bytes(b"%PDF-1.4 certificate")
    document = {"type": "incorporation", "path": str(source / "documents" / "cert.pdf")}
    labelled = LabelledCase(
        id="c-1",
        family="documents",
        variant="stale_bill",
        split="holdout",
        case=parse_case(case_json("c-1", documents=[document])),
        expected=Expected(decision=Recommendation.review,
                          checks={"proof_of_address": CheckStatus.review}),
        facts=["the bill is dated 2026-01-02, over three months before the case"],
    )
    dataset = Dataset(name="pear", version="1", seed=7, as_of=dt.date(2026, 12, 6),
                      meta={"generator": "test"}, cases=[labelled], base_dir=source)

    file = write_dataset(dataset, tmp_path / "copy")
    assert json.loads(file.read_text().splitlines()[0])["dataset"] == "pear"
    written = json.loads(file.read_text().splitlines()[1])
    assert written["case"]["documents"][0]["path"] == "documents/cert.pdf"

    loaded, errors = load_dataset(tmp_path / "copy")
    assert errors == []
    assert (loaded.name, loaded.version, loaded.seed) == ("pear", "1", 7)
    assert loaded.as_of == dt.date(2026, 12, 6)
    assert loaded.meta == {"generator": "test"}
    assert loaded.base_dir == (tmp_path / "copy").resolve()
    [back] = loaded.cases
    assert back.model_dump(exclude={"case"}) == labelled.model_dump(exclude={"case"})
    path = Path(back.case.documents[0].path or "")
    assert path == (tmp_path / "copy" / "documents" / "cert.pdf").resolve()
    assert path.read_bytes() == b"%PDF-1.4 certificate"


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    dataset, _ = load_dataset(write_lines(tmp_path / "a", {"dataset": "x"}, row("c-1")))
    first = write_dataset(dataset, tmp_path / "b").read_bytes()
    assert write_dataset(dataset, tmp_path / "c").read_bytes() == first


def test_bad_lines_are_reported_by_number_and_the_rest_load(tmp_path: Path) -> None:
    broken = row("c-3")
    del broken["case"]["subject"]["legal_name"]
    directory = write_lines(
        tmp_path, {"dataset": "pear", "version": "1"}, row("c-1"), "{not json", broken, "",
        row("c-5"),
    )
    loaded, errors = load_dataset(directory)
    assert [c.id for c in loaded.cases] == ["c-1", "c-5"]
    assert [(e.line, e.case_id) for e in errors] == [(3, None), (4, "c-3")]
    assert "not valid JSON" in errors[0].message
    assert "case.subject.legal_name" in errors[1].message
    assert str(errors[1]).startswith("line 4 (c-3): ")


def test_a_duplicate_id_is_an_error_and_the_first_stays(tmp_path: Path) -> None:
    second = row("c-1")
    second["family"] = "other"
    loaded, errors = load_dataset(write_lines(tmp_path, row("c-1"), second, row("c-2")))
    assert [(c.id, c.family) for c in loaded.cases] == [("c-1", "clean"), ("c-2", "clean")]
    assert [(e.line, e.case_id) for e in errors] == [(2, "c-1")]
    assert "duplicate id 'c-1' (first on line 1)" in errors[0].message


def test_an_unknown_check_status_is_named(tmp_path: Path) -> None:
    bad = row("c-1")
    bad["expected"]["checks"]["sanctions_screening"] = "passed"
    loaded, errors = load_dataset(write_lines(tmp_path, bad))
    assert loaded.cases == []
    [error] = errors
    assert "expected.checks.sanctions_screening" in error.message
    assert "'pass'" in error.message


def test_labelled_id_must_be_the_case_id(tmp_path: Path) -> None:
    bad = row("c-1")
    bad["id"] = "c-2"
    _, errors = load_dataset(write_lines(tmp_path, bad))
    assert [e.case_id for e in errors] == ["c-2"]
    assert "differs from id" in errors[0].message


def test_relative_document_paths_resolve_against_the_directory(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bill.pdf").write_bytes(b"%PDF")
    good = row("c-1", documents=[{"type": "proof_of_address", "path": "docs/bill.pdf"}])
    escape = row("c-2", documents=[{"type": "other", "path": "../outside.pdf"}])
    absolute = row("c-3", documents=[{"type": "other", "path": str(tmp_path / "docs/bill.pdf")}])
    missing = row("c-4", documents=[{"type": "other", "path": "docs/none.pdf"}])
    loaded, errors = load_dataset(write_lines(tmp_path, good, escape, absolute, missing))
    [case] = loaded.cases
    assert case.case.documents[0].path == str((tmp_path / "docs" / "bill.pdf").resolve())
    assert {e.case_id: e.message.split(": ", 1)[1] for e in errors} == {
        "c-2": "'../outside.pdf' leaves the dataset directory",
        "c-3": f"'{tmp_path / 'docs/bill.pdf'}' must be relative to the dataset directory",
        "c-4": "no file 'docs/none.pdf' in the dataset directory",
    }
    assert all("case.documents.0.path" in e.message for e in errors)


def test_without_a_header_the_dataset_is_named_after_its_directory(tmp_path: Path) -> None:
    loaded, errors = load_dataset(write_lines(tmp_path / "mine", row("c-1")))
    assert errors == []
    assert (loaded.name, loaded.version, loaded.seed, loaded.as_of) == ("mine", "", None, None)


def test_a_bad_header_is_reported_and_the_cases_still_load(tmp_path: Path) -> None:
    loaded, errors = load_dataset(write_lines(tmp_path, {"dataset": "x", "seed": "abc"}, row("c")))
    assert [c.id for c in loaded.cases] == ["c"]
    assert [(e.line, e.case_id) for e in errors] == [(1, None)]
    assert "seed" in errors[0].message


def test_a_document_outside_base_dir_cannot_be_written(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"%PDF")
    case = parse_case(case_json("c-1", documents=[{"type": "other", "path": str(outside)}]))
    labelled = LabelledCase(id="c-1", family="f", split="dev", case=case,
                            expected=Expected(decision=Recommendation.review), facts=["f"])
    dataset = Dataset(name="x", cases=[labelled], base_dir=tmp_path / "base")
    with pytest.raises(ValueError, match="outside the dataset's base_dir"):
        write_dataset(dataset, tmp_path / "out")
