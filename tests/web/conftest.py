"""The dashboard's tests: a real `caseworker serve`, named reviewer keys, Debian's chromium."""

from __future__ import annotations

import base64
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    sync_playwright,
)

from caseworker.api.credentials import ApiKeyStore, Role
from caseworker.runtime.connection import connect
from tests.api.conftest import AGENTS, ROOT, Server, Tenant, start_server, stop_server, with_db

WEB_DB = 4
LOGIN_LIMIT = 200  # per minute from 127.0.0.1: every test logs in, some several times
CHROMIUM_ENV = "CASEWORKER_CHROMIUM"
# As the machine's own probe runs it: no sandbox (root in a container), and none of the
# background traffic Chromium would send to Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps"]
SCREENSHOTS_ENV = "CASEWORKER_SCREENSHOTS"  # a folder: the tests save the docs' screenshots


@pytest.fixture(scope="session")
def web_server(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service with the dashboard test agent and the real KYB agent, two workers."""
    running = start_server(with_db(redis_url, WEB_DB),
                           tmp_path_factory.mktemp("web") / "serve.log",
                           agents=[AGENTS / "dashboard", ROOT / "agents" / "kyb"],
                           CASEWORKER_DASHBOARD_LOGIN_LIMIT=str(LOGIN_LIMIT),
                           CASEWORKER_STREAM_RETRY_MS="300")
    yield running
    stop_server(running)


@pytest.fixture
def web_conn(web_server: Server) -> Iterator[redis.Redis]:
    with connect(web_server.redis_url) as client:
        yield client


class Team(Tenant):
    """A fresh tenant: a submitting system (`intake`) and named people with their own keys."""

    def submit(self, case: dict[str, Any], agent: str = "dashboard-test") -> str:
        with self.client("intake") as client:
            response = client.post("/v1/jobs", json={"agent": agent, "case": case})
        assert response.status_code == 202, response.text
        job_id: str = response.json()["job_id"]
        return job_id


@pytest.fixture
def team(web_conn: redis.Redis, web_server: Server) -> Team:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    store = ApiKeyStore(web_conn)
    people = {
        "intake": {Role.submit, Role.read},
        "alice": {Role.read, Role.review},
        "bob": {Role.read, Role.review},
        "viewer": {Role.read},
    }
    tokens = {name: store.create(tenant, roles, name)[1] for name, roles in people.items()}
    return Team(tenant, tokens, web_server.url)


def example_case(name: str, case_id: str | None = None) -> dict[str, Any]:
    """An example case with its documents inlined as base64 (the API takes no server paths)."""
    path = ROOT / "examples" / "cases" / f"{name}.json"
    case: dict[str, Any] = json.loads(path.read_text())
    for document in case.get("documents", []):
        file = path.parent / document.pop("path")
        document["content_base64"] = base64.b64encode(file.read_bytes()).decode()
        document["filename"] = file.name
    case["id"] = case_id or f"{name}-{uuid.uuid4().hex[:6]}"
    return case


def small_case(case_id: str, name: str = "Acme Widgets Ltd") -> dict[str, Any]:
    return {"id": case_id, "subject": {"type": "business", "legal_name": name,
                                       "jurisdiction": "GB"}}


def chromium_path() -> str:
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail(f"no Chromium at {found}: install Debian's (apt-get install chromium) or "
                    f"set {CHROMIUM_ENV}; Playwright never downloads a browser here")
    return found


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Watched:
    """A page and everything it did: the requests it made, its console errors."""

    page: Page
    requests: list[str]
    problems: list[str]

    def hosts(self) -> set[str]:
        return {urlsplit(url).netloc for url in self.requests if not url.startswith("data:")}


def open_page(browser: Browser, base_url: str) -> tuple[BrowserContext, Watched]:
    """A fresh browser profile (no cookies) on a laptop-sized screen, watched."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 860})
    page = context.new_page()
    watched = Watched(page, [], [])
    page.on("request", lambda request: watched.requests.append(request.url))
    page.on("console", lambda message: watched.problems.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: watched.problems.append(str(error)))
    return context, watched


def open_as(browser: Browser, team: Team, who: str) -> tuple[BrowserContext, Watched]:
    """A fresh browser profile logged in as `who` of the team."""
    context, watched = open_page(browser, team.base_url)
    log_in(watched, team.tokens[who])
    return context, watched


def log_in(watched: Watched, token: str) -> None:
    page = watched.page
    page.goto("/ui/cases")
    page.get_by_label("API key").fill(token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/ui/cases**")


def screenshot(what: Page | Locator, name: str) -> None:
    """Save a screenshot (of a page or one element) for the docs when asked to.

    `CASEWORKER_SCREENSHOTS=docs/images pytest tests/web/test_browser.py` remakes README's.
    """
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        what.screenshot(path=str(Path(folder) / f"{name}.png"))
