"""List management against a real local HTTP server: conditional updates, snapshots, loading."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from caseworker.checks.screening import _sources, lists
from caseworker.checks.screening.entity import (
    EntityType,
    ListedEntity,
    ListedName,
    ListInfo,
    NameQuality,
)
from caseworker.checks.screening.errors import ListInvalid, ListsUnavailable
from caseworker.checks.screening.lists import ListDownloadFailed, Outcome
from caseworker.exceptions import ConfigurationError
from caseworker.settings import Settings
from tests.checks.screening.list_files import EU_XML, FTM_JSONL, UK_CSV

MINE = ["eu", "uk", "opensanctions"]


@dataclass
class Published:
    body: bytes
    modified: dt.datetime
    status: int = 200
    conditional: bool = True  # False: a server that ignores If-None-Match / If-Modified-Since

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class ListServer:
    """Serves `/<source>/<file>` with ETag and Last-Modified, honouring conditional GETs."""

    files: dict[str, Published] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def publish(self, path: str, text: str, *, day: int = 1, status: int = 200) -> None:
        when = dt.datetime(2026, 2, day, 6, 0, tzinfo=dt.UTC)
        self.files[path] = Published(text.encode("utf-8"), when, status)

    def base_urls(self) -> dict[str, str]:
        return {s: f"{self.base}/{s}" for s in _sources.SOURCES}

    def seen(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]


@pytest.fixture
def server() -> Iterator[ListServer]:
    state = ListServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append((self.path, headers))
            item = state.files.get(self.path)
            if item is None or item.status != 200:
                self.send_response(item.status if item else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            since = headers.get("if-modified-since")
            if "if-none-match" in headers:
                fresh = headers["if-none-match"] == item.etag
            else:
                fresh = (
                    since is not None and email.utils.parsedate_to_datetime(since) >= item.modified
                )
            if item.conditional and fresh:
                self.send_response(304)
                self.send_header("ETag", item.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(item.body)))
            self.send_header("ETag", item.etag)
            self.send_header("Last-Modified", email.utils.format_datetime(item.modified, True))
            self.end_headers()
            self.wfile.write(item.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        httpd.server_close()


def publish_mine(server: ListServer) -> None:
    server.publish("/eu/xmlFullSanctionsList_1_1.xml", EU_XML)
    server.publish("/uk/UK-Sanctions-List.csv", UK_CSV)
    server.publish("/opensanctions/entities.ftm.json", FTM_JSONL)


def snapshots(source_dir: Path) -> list[str]:
    return sorted(p.name for p in source_dir.iterdir() if p.is_dir())


def pointer(source_dir: Path) -> str:
    return (source_dir / "current").read_text().strip()


def test_first_update_downloads_verifies_and_switches(server: ListServer, tmp_path: Path) -> None:
    publish_mine(server)
    report = lists.update(MINE, directory=tmp_path, base_urls=server.base_urls())

    assert report.ok, report
    assert [(s.source, s.outcome) for s in report.sources] == [(s, Outcome.updated) for s in MINE]
    eu = report.sources[0]
    assert eu.list_date == dt.date(2026, 2, 27) and eu.entities == 3
    assert pointer(tmp_path / "eu") == eu.snapshot == snapshots(tmp_path / "eu")[0]

    manifest = lists.current_manifests(tmp_path)["eu"]
    (record,) = manifest.files
    assert record.sha256 == hashlib.sha256(EU_XML.encode()).hexdigest()
    assert record.size == len(EU_XML.encode()) and record.etag and record.last_modified
    assert record.url == f"{server.base}/eu/xmlFullSanctionsList_1_1.xml"
    assert manifest.list_date == dt.date(2026, 2, 27) and manifest.downloaded_at.tzinfo

    loaded = lists.load_lists(tmp_path)
    assert [(info.source, info.entities, info.list_date) for _, info in loaded] == [
        ("eu", 3, dt.date(2026, 2, 27)),
        ("uk", 3, dt.date(2026, 2, 27)),
        ("opensanctions", 3, dt.date(2026, 2, 27)),
    ]
    assert not any(p.name.startswith(".") for p in (tmp_path / "eu").iterdir())


def test_second_update_is_conditional_and_keeps_the_snapshot(
    server: ListServer, tmp_path: Path
) -> None:
    publish_mine(server)
    first = lists.update(MINE, directory=tmp_path, base_urls=server.base_urls())
    second = lists.update(MINE, directory=tmp_path, base_urls=server.base_urls())

    assert [s.outcome for s in second.sources] == [Outcome.unchanged] * 3
    assert [s.snapshot for s in second.sources] == [s.snapshot for s in first.sources]
    conditional = server.seen("/uk/UK-Sanctions-List.csv")[-1]
    assert conditional["if-none-match"] == server.files["/uk/UK-Sanctions-List.csv"].etag
    assert "if-modified-since" in conditional
    assert "if-none-match" not in server.seen("/uk/UK-Sanctions-List.csv")[0]
    assert len(snapshots(tmp_path / "uk")) == 1


def test_a_changed_file_makes_a_new_snapshot(server: ListServer, tmp_path: Path) -> None:
    publish_mine(server)
    first = lists.update(["uk"], directory=tmp_path, base_urls=server.base_urls())
    server.publish("/uk/UK-Sanctions-List.csv", UK_CSV.replace("OCEAN MIST", "OCEAN DAWN"), day=2)
    second = lists.update(["uk"], directory=tmp_path, base_urls=server.base_urls())

    assert second.sources[0].outcome is Outcome.updated
    assert second.sources[0].snapshot != first.sources[0].snapshot
    assert pointer(tmp_path / "uk") == second.sources[0].snapshot
    assert len(snapshots(tmp_path / "uk")) == 2  # the previous one is kept for audit
    ((entities, _info),) = lists.load_lists(tmp_path)
    assert entities[-1].primary_name == "OCEAN DAWN"


def test_same_bytes_without_conditional_support_are_unchanged(
    server: ListServer, tmp_path: Path
) -> None:
    publish_mine(server)
    lists.update(["eu"], directory=tmp_path, base_urls=server.base_urls())
    server.files["/eu/xmlFullSanctionsList_1_1.xml"].conditional = False
    manifest = lists.current_manifests(tmp_path)["eu"]
    report = lists.update(["eu"], directory=tmp_path, base_urls=server.base_urls())
    assert report.sources[0].outcome is Outcome.unchanged
    assert report.sources[0].snapshot == manifest.snapshot
    assert snapshots(tmp_path / "eu") == [manifest.snapshot]


def test_a_malformed_download_never_replaces_the_good_list(
    server: ListServer, tmp_path: Path
) -> None:
    publish_mine(server)
    good = lists.update(["eu"], directory=tmp_path, base_urls=server.base_urls())
    server.publish("/eu/xmlFullSanctionsList_1_1.xml", EU_XML[:900], day=3)  # truncated
    bad = lists.update(["eu"], directory=tmp_path, base_urls=server.base_urls())

    (result,) = bad.sources
    assert result.outcome is Outcome.invalid and not bad.ok
    assert "xmlFullSanctionsList_1_1.xml line" in (result.error or "")
    assert result.snapshot == good.sources[0].snapshot == pointer(tmp_path / "eu")
    assert snapshots(tmp_path / "eu") == [good.sources[0].snapshot]  # nothing half-written
    with pytest.raises(ListInvalid):
        bad.raise_for_errors()
    ((entities, info),) = lists.load_lists(tmp_path)
    assert info.entities == 3 and len(entities) == 3


def test_a_malformed_first_download_leaves_no_list(server: ListServer, tmp_path: Path) -> None:
    server.publish("/opensanctions/entities.ftm.json", FTM_JSONL + "{not json\n")
    report = lists.update(["opensanctions"], directory=tmp_path, base_urls=server.base_urls())
    assert report.sources[0].outcome is Outcome.invalid
    assert "entities.ftm.json line 7" in (report.sources[0].error or "")
    with pytest.raises(ListsUnavailable):
        lists.load_lists(tmp_path)


def test_server_errors_fail_the_source_and_keep_its_snapshot(
    server: ListServer, tmp_path: Path
) -> None:
    publish_mine(server)
    good = lists.update(MINE, directory=tmp_path, base_urls=server.base_urls())
    server.publish("/uk/UK-Sanctions-List.csv", UK_CSV, status=503)
    del server.files["/opensanctions/entities.ftm.json"]
    report = lists.update(MINE, directory=tmp_path, base_urls=server.base_urls())

    assert [s.outcome for s in report.sources] == [
        Outcome.unchanged,
        Outcome.failed,
        Outcome.failed,
    ]
    assert "503" in (report.sources[1].error or "") and "404" in (report.sources[2].error or "")
    assert [s.snapshot for s in report.sources] == [s.snapshot for s in good.sources]
    with pytest.raises(ListDownloadFailed):
        report.raise_for_errors()
    assert len(lists.load_lists(tmp_path)) == 3


def _load_pair(main: Path, extra: Path | None) -> tuple[list[ListedEntity], ListInfo]:
    """A two-file test list: one name per line in `main`; `extra` must exist."""
    assert extra is not None and extra.is_file()
    names = main.read_text().split()
    entities = [
        ListedEntity(
            id=f"pair:{i}",
            source="pair",
            source_id=str(i),
            type=EntityType.unknown,
            names=[ListedName(full=n, quality=NameQuality.primary)],
        )
        for i, n in enumerate(names)
    ]
    if not entities:
        raise ListInvalid.at(main.name, "no names")
    info = ListInfo(source="pair", publisher="test", entities=len(entities), names=len(names))
    return entities, info


def test_a_multi_file_list_reuses_unchanged_files(
    server: ListServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = _sources.ListSource(
        "pair",
        "test",
        (
            _sources.ListFile("MAIN.TXT", "https://example.invalid/MAIN.TXT", "main.txt"),
            _sources.ListFile("EXTRA.TXT", "https://example.invalid/EXTRA.TXT", "extra.txt"),
        ),
        f"{__name__}:_load_pair",
    )
    monkeypatch.setitem(_sources.SOURCES, "pair", pair)
    server.publish("/pair/MAIN.TXT", "alpha beta\n", day=4)
    server.publish("/pair/EXTRA.TXT", "unchanged\n", day=4)
    urls = {"pair": f"{server.base}/pair"}
    first = lists.update(["pair"], directory=tmp_path, base_urls=urls)
    assert first.sources[0].list_date == dt.date(2026, 2, 4)  # from Last-Modified

    server.publish("/pair/MAIN.TXT", "alpha beta gamma\n", day=5)
    second = lists.update(["pair"], directory=tmp_path, base_urls=urls)

    assert second.sources[0].outcome is Outcome.updated and second.sources[0].entities == 3
    extra = tmp_path / "pair" / pointer(tmp_path / "pair") / "EXTRA.TXT"
    assert extra.read_text() == "unchanged\n"
    assert "if-none-match" in server.seen("/pair/EXTRA.TXT")[-1]
    manifest = lists.current_manifests(tmp_path)["pair"]
    assert [f.name for f in manifest.files] == ["MAIN.TXT", "EXTRA.TXT"]


def test_no_lists_raises_lists_unavailable(tmp_path: Path) -> None:
    for directory in (tmp_path, tmp_path / "missing"):
        with pytest.raises(ListsUnavailable, match="caseworker lists update") as caught:
            lists.load_lists(directory)
        assert str(directory) in str(caught.value) and caught.value.retryable
    (tmp_path / "README.md").write_text("not a list")
    (tmp_path / "eu").mkdir()  # a source directory with no current snapshot
    with pytest.raises(ListsUnavailable):
        lists.load_lists(tmp_path)


def test_flat_directory_of_offline_files(tmp_path: Path) -> None:
    (tmp_path / "eu_fsf.xml").write_text(EU_XML, encoding="utf-8")
    (tmp_path / "uk_2026_sanctions_list.csv").write_text(UK_CSV, encoding="utf-8")
    (tmp_path / "uk_2025_sanctions_list.csv").write_text("stale", encoding="utf-8")
    (tmp_path / "opensanctions_entities.ftm.json").write_text(FTM_JSONL, encoding="utf-8")
    (tmp_path / "cross_script_pairs.csv").write_text("unrelated", encoding="utf-8")

    found = lists.find_lists(tmp_path)
    assert [(f.source.id, [p.name for p in f.paths if p]) for f in found] == [
        ("eu", ["eu_fsf.xml"]),
        ("uk", ["uk_2026_sanctions_list.csv"]),
        ("opensanctions", ["opensanctions_entities.ftm.json"]),
    ]
    assert [info.entities for _, info in lists.load_lists(tmp_path, sources=MINE)] == [3, 3, 3]


def test_flat_multi_file_list_needs_its_companions(tmp_path: Path) -> None:
    (tmp_path / "ofac_sdn_2021_sdn.csv").write_text("", encoding="utf-8")
    (tmp_path / "ofac_sdn_2021_alt.csv").write_text("", encoding="utf-8")
    with pytest.raises(ListInvalid, match=r"ofac_sdn_2021_add\.csv"):
        lists.find_lists(tmp_path, ["ofac_sdn"])
    (tmp_path / "ofac_sdn_2021_add.csv").write_text("", encoding="utf-8")
    (found,) = lists.find_lists(tmp_path, ["ofac_sdn"])
    assert [p.name if p else None for p in found.paths] == [
        "ofac_sdn_2021_sdn.csv",
        "ofac_sdn_2021_alt.csv",
        "ofac_sdn_2021_add.csv",
        None,  # the optional comments file
    ]


def test_sources_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert list(lists.SOURCES) == ["ofac_sdn", "ofac_cons", "un", "eu", "uk", "opensanctions"]
    assert all(f.url.startswith("https://") for s in lists.SOURCES.values() for f in s.files)
    assert Settings(data_dir=tmp_path).lists_path == tmp_path / "lists"
    assert Settings(data_dir=tmp_path, lists_dir=tmp_path / "x").lists_path == tmp_path / "x"
    monkeypatch.setenv("CASEWORKER_LISTS_DIR", str(tmp_path / "env"))
    assert Settings().lists_path == tmp_path / "env"
    with pytest.raises(ConfigurationError, match="unknown list sources"):
        lists.update(["nope"], directory=tmp_path)


def test_the_shared_offline_folder_is_detected(sanctions_dir: Path) -> None:
    found = {
        f.source.id: [p.name if p else None for p in f.paths]
        for f in lists.find_lists(sanctions_dir)
    }
    assert found["ofac_sdn"] == [
        "ofac_sdn_2021_sdn.csv",
        "ofac_sdn_2021_alt.csv",
        "ofac_sdn_2021_add.csv",
        "ofac_sdn_2021_sdn_comments.csv",
    ]
    assert found["ofac_cons"] == [
        "ofac_cons_prim.csv",
        "ofac_cons_alt.csv",
        "ofac_cons_add.csv",
        None,
    ]
    assert found["un"] == ["un_consolidated.xml"]
