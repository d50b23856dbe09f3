"""The dashboard over real sockets without a browser: sessions, CSRF, roles, tenants, export."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

import httpx2
import pytest
import redis

from caseworker.api.credentials import ApiKeyStore, Role
from tests.web.conftest import Team, example_case, small_case

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def browser_client(team: Team, who: str) -> Iterator[httpx2.Client]:
    """A client holding a dashboard session cookie for `who`, as a browser would."""
    with httpx2.Client(base_url=team.base_url, timeout=30, follow_redirects=False) as client:
        response = client.post("/ui/login",
                               data={"api_key": team.tokens[who], "next": "/ui/cases"})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/ui/cases"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        yield client


def csrf_of(client: httpx2.Client, path: str) -> str:
    match = CSRF.search(client.get(path).text)
    assert match, f"no form token on {path}"
    return match.group(1)


def finished(team: Team, job_id: str) -> None:
    with team.client("intake") as client:
        for _ in range(300):
            if client.get(f"/v1/jobs/{job_id}").json()["status"] == "complete":
                return
            time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_pages_need_a_session_and_a_wrong_key_is_named(team: Team) -> None:
    with httpx2.Client(base_url=team.base_url, timeout=30) as client:
        response = client.get("/ui/cases")
        assert response.status_code == 303
        assert response.headers["location"] == "/ui/login?next=/ui/cases"
        hx = client.get("/ui/cases", headers={"HX-Request": "true"})
        assert hx.status_code == 204 and hx.headers["hx-redirect"].startswith("/ui/login")
        wrong = client.post("/ui/login", data={"api_key": "cwk_000000000000_" + "x" * 30})
        assert wrong.status_code == 401 and "unknown API key" in wrong.text
        assert "set-cookie" not in wrong.headers
        bad = client.post("/ui/login", data={"api_key": "not a key"})
        assert bad.status_code == 401 and "malformed" in bad.text


def test_login_never_redirects_off_the_dashboard(team: Team) -> None:
    with httpx2.Client(base_url=team.base_url, timeout=30) as client:
        for target in ("https://evil.example/", "//evil.example/ui/", "/v1/jobs"):
            response = client.post("/ui/login", data={"api_key": team.tokens["alice"],
                                                      "next": target})
            assert response.headers["location"] == "/ui/cases"


def test_security_headers_and_scripts_from_the_package_only(team: Team) -> None:
    with browser_client(team, "alice") as client:
        page = client.get("/ui/cases")
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert page.headers["x-frame-options"] == "DENY"
        scripts = re.findall(r"<script[^>]*>", page.text)
        assert scripts and all(re.search(r'src="/ui/static/[^"]+"', s) for s in scripts)
        assert "<script>" not in page.text
        for src in re.findall(r'src="(/ui/static/[^"]+)"', page.text):
            assert client.get(src).status_code == 200
        assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from another host


def test_forms_need_the_session_token_and_the_review_role(team: Team) -> None:
    job_id = team.submit(small_case(f"csrf-{uuid.uuid4().hex[:6]}"))
    finished(team, job_id)
    with browser_client(team, "alice") as client:
        forged = client.post(f"/ui/jobs/{job_id}/review",
                             data={"decision": "approve", "reason": "forged"})
        assert forged.status_code == 403
        assert "did not come from this dashboard" in unescape(forged.text)
        token = csrf_of(client, f"/ui/jobs/{job_id}/report")
        ok = client.post(f"/ui/jobs/{job_id}/review",
                         data={"decision": "approve", "reason": "fine", "csrf": token})
        assert ok.status_code == 303 and "notice=" in ok.headers["location"]
    with browser_client(team, "viewer") as client:
        token = csrf_of(client, "/ui/cases")  # the logout form's
        refused = client.post(f"/ui/jobs/{job_id}/review",
                              data={"decision": "reject", "reason": "no", "csrf": token})
        assert refused.status_code == 403 and "lacks the 'review' role" in unescape(refused.text)
    with team.client("alice") as api:
        reviews = api.get(f"/v1/jobs/{job_id}/review").json()["reviews"]
    assert [r["reason"] for r in reviews] == ["fine"]


def test_a_decision_without_a_reason_is_refused_by_name(team: Team) -> None:
    job_id = team.submit(small_case(f"reason-{uuid.uuid4().hex[:6]}"))
    finished(team, job_id)
    with browser_client(team, "alice") as client:
        token = csrf_of(client, f"/ui/jobs/{job_id}/report")
        response = client.post(f"/ui/jobs/{job_id}/review",
                               data={"decision": "approve", "reason": "  ", "csrf": token})
        assert "error=a+decision+needs+a+reason" in response.headers["location"]
        shown = client.get(response.headers["location"])
        assert "a decision needs a reason" in shown.text


def test_another_tenants_job_does_not_exist(team: Team, web_conn: redis.Redis) -> None:
    job_id = team.submit(small_case(f"mine-{uuid.uuid4().hex[:6]}"))
    other = Team(f"t-{uuid.uuid4().hex[:10]}", {}, team.base_url)
    _, token = ApiKeyStore(web_conn).create(other.name, {Role.read, Role.review}, "mallory")
    other.tokens["mallory"] = token
    with browser_client(other, "mallory") as client:
        for path in (f"/ui/jobs/{job_id}", f"/ui/jobs/{job_id}/report",
                     f"/ui/jobs/{job_id}/events", f"/ui/jobs/{job_id}/report.json",
                     f"/ui/jobs/{job_id}/documents/0/pages/1.png"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert f"no job '{job_id}'" in unescape(response.text)
        assert job_id not in client.get("/ui/cases").text


def test_revoking_the_key_ends_its_sessions_and_logout_ends_one(team: Team,
                                                                web_conn: redis.Redis) -> None:
    with browser_client(team, "alice") as client:
        token = csrf_of(client, "/ui/cases")
        out = client.post("/ui/logout", data={"csrf": token})
        assert out.status_code == 303
        assert client.get("/ui/cases").status_code == 303
    with browser_client(team, "bob") as client:
        ApiKeyStore(web_conn).revoke(team.tokens["bob"].split("_")[1])
        assert client.get("/ui/cases").status_code == 303


def test_export_is_every_match_with_formulas_neutralised(team: Team) -> None:
    tag = uuid.uuid4().hex[:6]
    job_ids = [team.submit(small_case(f"exp-{tag}-{n}", name))
               for n, name in enumerate(["=HYPERLINK(\"http://x\")", "Plain Trading Ltd"])]
    for job_id in job_ids:
        finished(team, job_id)
    with browser_client(team, "alice") as client:
        response = client.get(f"/ui/cases/export?q=exp-{tag}&fmt=csv&per_page=5")
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith("attachment")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert sorted(r["subject"] for r in rows) == ["'=HYPERLINK(\"http://x\")",
                                                      "Plain Trading Ltd"]
        assert {r["recommendation"] for r in rows} == {"approve"}
        lines = client.get(f"/ui/cases/export?q=exp-{tag}&fmt=jsonl").text.splitlines()
        assert len(lines) == 2


def test_bad_filters_get_a_named_error(team: Team) -> None:
    with browser_client(team, "alice") as client:
        response = client.get("/ui/cases?since=yesterday")
        assert response.status_code == 422
        assert "since" in response.text


@pytest.mark.parametrize("page", [0, 2])
def test_a_document_page_that_does_not_exist_is_a_clear_404(team: Team, page: int) -> None:
    job_id = team.submit(example_case("uk-saas-clean"), agent="kyb-standard")
    with browser_client(team, "alice") as client:
        response = client.get(f"/ui/jobs/{job_id}/documents/0/pages/{page}.png")
        assert response.status_code == 404
        assert "has no page" in response.text
        good = client.get(f"/ui/jobs/{job_id}/documents/0/pages/1.png")
        assert good.status_code == 200 and good.content.startswith(b"\x89PNG")
        assert client.get(f"/ui/jobs/{job_id}/documents/7/pages/1.png").status_code == 404
