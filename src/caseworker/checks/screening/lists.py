"""Sanctions list management: find and load local lists, and update them from the publishers."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import cast

import httpx2
from pydantic import BaseModel, PrivateAttr

from caseworker.checks.screening import _snapshots as snap
from caseworker.checks.screening._sources import SOURCES, ListFile, ListSource, chosen
from caseworker.checks.screening.entity import ListedEntity, ListInfo
from caseworker.checks.screening.errors import ListInvalid, ListsUnavailable
from caseworker.exceptions import CaseworkerError, ConfigurationError, RuntimeFailure
from caseworker.logs import get_logger
from caseworker.settings import get_settings

__all__ = [
    "SOURCES",
    "FoundList",
    "ListDownloadFailed",
    "ListFile",
    "ListSource",
    "Outcome",
    "SourceUpdate",
    "UpdateReport",
    "current_manifests",
    "find_lists",
    "lists_dir",
    "load_found",
    "load_lists",
    "update",
]

log = get_logger(__name__)

Loaded = tuple[list[ListedEntity], ListInfo]
USER_AGENT = "caseworker-lists/0.1 (sanctions screening list updater)"


class ListDownloadFailed(RuntimeFailure):
    """A publisher could not be reached or answered an error; the previous snapshot stays."""

    code = "list_download_failed"
    status = 502
    retryable = True


# --- finding and loading ------------------------------------------------------------------


@dataclass(frozen=True)
class FoundList:
    """A list on disk: its files in loader order (None for a missing optional one)."""

    source: ListSource
    paths: tuple[Path | None, ...]
    manifest: snap.Manifest | None = None  # None for flat files


def lists_dir() -> Path:
    """Return the configured list directory: CASEWORKER_LISTS_DIR, else `<data_dir>/lists`."""
    return get_settings().lists_path


def _flat(source: ListSource, directory: Path) -> FoundList | None:
    names = sorted(p.name for p in directory.iterdir() if p.is_file())
    first = source.flat_pattern(source.files[0])
    tags = [m["tag"] or "" for n in names if (m := first.fullmatch(n))]
    if not tags:
        return None
    tag = max(tags)  # several editions side by side: the highest tag (e.g. year) wins
    paths: list[Path | None] = []
    for item in source.files:
        wanted = f"{source.id}_{tag + '_' if tag else ''}{item.flat}"
        path = next((directory / n for n in names if n.casefold() == wanted.casefold()), None)
        if path is None and item.required:
            raise ListInvalid.at(wanted, f"missing from {directory}, needed for list {source.id}")
        paths.append(path)
    return FoundList(source, tuple(paths))


def find_lists(
    directory: Path | None = None, sources: Iterable[str] | None = None
) -> list[FoundList]:
    """Return every list present: a source's `current` snapshot, else its flat files."""
    directory = Path(directory) if directory is not None else lists_dir()
    if not directory.is_dir():
        return []
    found: list[FoundList] = []
    for source in chosen(sources):
        current = snap.current_snapshot(directory / source.id)
        if current is not None:
            paths = tuple(p if (p := current / f.name).is_file() else None for f in source.files)
            found.append(FoundList(source, paths, snap.read_manifest(current)))
        elif (flat := _flat(source, directory)) is not None:
            found.append(flat)
    return found


def _loader(source: ListSource) -> Callable[..., Loaded]:
    module_name, _, function = source.loader.partition(":")
    try:
        return cast(
            "Callable[..., Loaded]", getattr(importlib.import_module(module_name), function)
        )
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"no loader {source.loader} for list {source.id}: {exc}") from exc


def load_found(found: FoundList) -> Loaded:
    """Parse one list with its loader; the manifest supplies a list date the files lack."""
    entities, info = _loader(found.source)(*found.paths, **found.source.loader_kwargs)
    if info.list_date is None and found.manifest is not None:
        info = info.model_copy(update={"list_date": found.manifest.list_date})
    return entities, info


def load_lists(
    directory: Path | None = None, *, sources: Iterable[str] | None = None
) -> list[Loaded]:
    """Load every available list; raise `ListsUnavailable` when there is none to screen against."""
    directory = Path(directory) if directory is not None else lists_dir()
    found = find_lists(directory, sources)
    if not found:
        raise ListsUnavailable(
            f"no sanctions lists in {directory}; run `caseworker lists update` "
            "or set CASEWORKER_LISTS_DIR"
        )
    return [load_found(f) for f in found]


def current_manifests(directory: Path | None = None) -> dict[str, snap.Manifest]:
    """Return the manifest of each source's current snapshot (flat files have none)."""
    return {f.source.id: f.manifest for f in find_lists(directory) if f.manifest is not None}


# --- updating -----------------------------------------------------------------------------


class Outcome(StrEnum):
    updated = "updated"  # a new snapshot is current
    unchanged = "unchanged"  # 304, or the same bytes again: the current snapshot stays
    invalid = "invalid"  # the download does not parse: discarded, the current snapshot stays
    failed = "failed"  # network or HTTP error: the current snapshot stays


class SourceUpdate(BaseModel):
    """What `update` did for one source."""

    source: str
    outcome: Outcome
    snapshot: str | None = None  # current after the update
    list_date: dt.date | None = None
    entities: int | None = None
    error: str | None = None


class UpdateReport(BaseModel):
    """What `update` did for every source asked for."""

    lists_dir: Path
    sources: list[SourceUpdate]
    _errors: list[CaseworkerError] = PrivateAttr(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.outcome in (Outcome.updated, Outcome.unchanged) for s in self.sources)

    def add(self, result: SourceUpdate, error: CaseworkerError | None = None) -> None:
        self.sources.append(result)
        if error is not None:
            self._errors.append(error)

    def raise_for_errors(self) -> None:
        """Raise the first error (`ListInvalid` or `ListDownloadFailed`), if any."""
        if self._errors:
            raise self._errors[0]


def _url(source: ListSource, item: ListFile, base_urls: Mapping[str, str] | None) -> str:
    base = (base_urls or {}).get(source.id)
    return f"{base.rstrip('/')}/{item.name}" if base else item.url


def _update_source(
    client: httpx2.Client,
    source: ListSource,
    source_dir: Path,
    base_urls: Mapping[str, str] | None,
    keep: int,
) -> SourceUpdate:
    source_dir.mkdir(parents=True, exist_ok=True)
    current = snap.current_snapshot(source_dir)
    manifest = snap.read_manifest(current) if current is not None else None
    staging = snap.staging_dir(source_dir)
    try:
        records: list[snap.FileRecord] = []
        changed = False
        for item in source.files:
            url = _url(source, item, base_urls)
            previous = manifest.file(item.name) if manifest is not None else None
            if previous is not None and current is not None and not (current / item.name).is_file():
                previous = None  # the old file is gone: ask unconditionally
            got = snap.fetch(client, item.name, url, staging / item.name, previous)
            if got.status == "missing" and item.required:
                raise ListDownloadFailed(f"{url} answered 404 Not Found")
            if got.status == "not_modified" and previous is not None and current is not None:
                snap.copy_into(current / item.name, staging / item.name)
                records.append(snap.record_for(item.name, url, staging / item.name, previous))
            elif got.record is not None:
                records.append(got.record)
                changed = changed or previous is None or got.record.sha256 != previous.sha256
        if manifest is not None and current is not None and not changed:
            return _result(source, Outcome.unchanged, manifest)
        paths = tuple(p if (p := staging / f.name).is_file() else None for f in source.files)
        entities, info = load_found(FoundList(source, paths))  # ListInvalid: never switched in
        new = snap.Manifest(
            source=source.id,
            snapshot=snap.new_snapshot_id(records),
            downloaded_at=dt.datetime.now(dt.UTC),
            list_date=info.list_date or _http_date(records[0].last_modified),
            entities=len(entities),
            names=info.names,
            files=records,
        )
        snap.write_manifest(staging, new)
        staging.rename(source_dir / new.snapshot)
        snap.switch_current(source_dir, new.snapshot)
        snap.prune(source_dir, keep)
        log.info("list updated source=%s snapshot=%s", source.id, new.snapshot)
        return _result(source, Outcome.updated, new)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _http_date(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%a, %d %b %Y %H:%M:%S GMT").date()
    except ValueError:
        return None


def _result(source: ListSource, outcome: Outcome, manifest: snap.Manifest | None) -> SourceUpdate:
    return SourceUpdate(
        source=source.id,
        outcome=outcome,
        snapshot=manifest.snapshot if manifest else None,
        list_date=manifest.list_date if manifest else None,
        entities=manifest.entities if manifest else None,
    )


def update(
    sources: Iterable[str] | None = None,
    *,
    client: httpx2.Client | None = None,
    directory: Path | None = None,
    base_urls: Mapping[str, str] | None = None,
    keep: int = 3,
) -> UpdateReport:
    """Download the official lists into new snapshots and switch each `current` atomically.

    Each file is asked for conditionally (If-None-Match / If-Modified-Since from the current
    manifest). A new download becomes current only after its loader parsed it; a malformed
    download (`invalid`) or a network failure (`failed`) leaves the current snapshot in place.
    `base_urls` maps a source id to a base URL serving its files by name (mirrors, tests).
    """
    directory = Path(directory) if directory is not None else lists_dir()
    own_client = client is None
    http = client or httpx2.Client(
        timeout=httpx2.Timeout(120.0, connect=20.0), headers={"User-Agent": USER_AGENT}
    )
    report = UpdateReport(lists_dir=directory, sources=[])
    try:
        for source in chosen(sources):
            try:
                report.add(_update_source(http, source, directory / source.id, base_urls, keep))
            except ListInvalid as exc:
                report.add(_failure(directory, source, Outcome.invalid, exc), exc)
            except (httpx2.HTTPError, ListDownloadFailed, OSError) as exc:
                error = (
                    exc
                    if isinstance(exc, ListDownloadFailed)
                    else ListDownloadFailed(f"downloading list {source.id} failed: {exc}")
                )
                report.add(_failure(directory, source, Outcome.failed, error), error)
    finally:
        if own_client:
            http.close()
    return report


def _failure(
    directory: Path, source: ListSource, outcome: Outcome, error: Exception
) -> SourceUpdate:
    log.warning("list update %s source=%s error=%s", outcome.value, source.id, error)
    current = snap.current_snapshot(directory / source.id)
    result = _result(source, outcome, snap.read_manifest(current) if current else None)
    return result.model_copy(update={"error": str(error)})
