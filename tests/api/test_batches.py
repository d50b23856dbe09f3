"""Batches over HTTP: one job per valid row, one error per bad row, nothing lost; CSV export."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

from tests.api.conftest import Tenant
from tests.api.helpers import case

HEADER = ["case_id", "legal_name", "jurisdiction", "incorporation_date", "mcc",
          "address_line1", "address_city", "address_country", "individual_1_name",
          "individual_1_roles", "individual_1_dob"]
# (column, bad value) for the malformed rows
MALFORMED = [
    ("incorporation_date", "1974-01-32"), ("jurisdiction", "XX"), ("legal_name", ""),
    ("mcc", "12"), ("address_country", "Narnia"), ("individual_1_dob", "1969-13-01"),
    ("individual_1_roles", "emperor"), ("address_city", ""), ("jurisdiction", "GB-ZZZ"),
    ("case_id", "batch-row-3"),  # a duplicate of an earlier row's id
]


def _csv(rows: int) -> tuple[bytes, set[int]]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    bad_at = {20 * n + 7 for n in range(len(MALFORMED))}
    faults = iter(MALFORMED)
    for n in range(1, rows + 1):
        row = {"case_id": f"batch-row-{n}", "legal_name": f"Company {n} Ltd",
               "jurisdiction": "GB", "incorporation_date": "2015-03-01", "mcc": "5734",
               "address_line1": f"{n} High St", "address_city": "London",
               "address_country": "GB", "individual_1_name": f"Director {n}",
               "individual_1_roles": "director", "individual_1_dob": "1975-06"}
        if n in bad_at:
            column, value = next(faults)
            row[column] = value
        writer.writerow([row[c] for c in HEADER])
    return out.getvalue().encode(), bad_at


@pytest.mark.slow
def test_two_hundred_rows_ten_malformed(tenant: Tenant) -> None:
    data, bad_at = _csv(200)
    with tenant.client("submitter") as client:
        response = client.post("/v1/batches", data={"agent": "api-test"},
                               files={"file": ("onboarding.csv", data, "text/csv")})
        assert response.status_code == 202, response.text
        batch = response.json()
        assert (batch["rows"], batch["jobs"], batch["row_errors"]) == (200, 190, 10)
        rows = []
        offset: int | None = 0
        while offset is not None:
            page = client.get(f"/v1/batches/{batch['batch_id']}/rows",
                              params={"offset": offset, "limit": 64}).json()
            rows += page["items"]
            offset = page["next_offset"]
        assert [r["row"] for r in rows] == list(range(1, 201))  # every row, in order
        errors = {r["row"]: r["errors"] for r in rows if r["errors"]}
        assert set(errors) == bad_at
        named = {e["field"] for problems in errors.values() for e in problems}
        assert {"incorporation_date", "jurisdiction", "mcc", "case_id"} <= named
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            view = client.get(f"/v1/batches/{batch['batch_id']}").json()
            if view["job_status"].get("complete", 0) == 190:
                break
            time.sleep(0.5)
        assert view["job_status"] == {"complete": 190}
        assert view["recommendations"] == {"approve": 190}
        export = client.get(f"/v1/batches/{batch['batch_id']}/results.csv")
    assert export.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(export.text)))
    assert len(lines) == 200
    assert [int(line["row"]) for line in lines] == list(range(1, 201))
    assert sum(line["status"] == "error" for line in lines) == 10
    assert sum(line["recommendation"] == "approve" for line in lines) == 190


def test_jsonl_batch_with_a_bad_line(tenant: Tenant) -> None:
    with_path = {**case("jl-4"), "documents": [{"type": "incorporation",
                                                "path": "/etc/passwd"}]}
    lines = [json.dumps(case("jl-1")), "{not json", json.dumps(case("jl-2")),
             json.dumps({"id": "jl-3"}), json.dumps(with_path)]
    with tenant.client() as client:
        response = client.post("/v1/batches", data={"agent": "api-test"},
                               files={"file": ("cases.jsonl", "\n".join(lines).encode(),
                                               "application/x-ndjson")})
        assert response.status_code == 202
        batch = response.json()
        assert (batch["jobs"], batch["row_errors"]) == (2, 3)
        rows = client.get(f"/v1/batches/{batch['batch_id']}/rows").json()["items"]
    assert rows[4]["errors"][0]["field"] == "case.documents.0.path"


def test_an_unreadable_file_is_one_clear_problem(tenant: Tenant) -> None:
    with tenant.client() as client:
        empty = client.post("/v1/batches", data={"agent": "api-test"},
                            files={"file": ("x.csv", b"", "text/csv")})
        header = client.post("/v1/batches", data={"agent": "api-test"},
                             files={"file": ("x.csv", b"case_id,colour\n1,red\n", "text/csv")})
        kind = client.post("/v1/batches", data={"agent": "api-test"},
                           files={"file": ("x.xlsx", b"PK\x03\x04", "application/zip")})
        agent = client.post("/v1/batches", data={"agent": "nope"},
                            files={"file": ("x.csv", b"case_id\n", "text/csv")})
    for response in (empty, header, kind):
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "batch_invalid"
    assert "colour" in header.json()["detail"]
    assert agent.status_code == 404
