"""List snapshots on disk: manifests, the atomic `current` pointer, conditional downloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx2
from pydantic import BaseModel, Field

MANIFEST = "manifest.json"
CURRENT = "current"
_CHUNK = 1 << 16


class FileRecord(BaseModel):
    """One downloaded file of a snapshot, with what the server said about it."""

    name: str
    url: str
    sha256: str
    size: int
    etag: str | None = None
    last_modified: str | None = None


class Manifest(BaseModel):
    """`manifest.json` of a snapshot: where each file came from and what the list holds."""

    source: str
    snapshot: str
    downloaded_at: dt.datetime
    list_date: dt.date | None = None
    entities: int = 0
    names: int = 0
    files: list[FileRecord] = Field(default_factory=list)

    def file(self, name: str) -> FileRecord | None:
        return next((f for f in self.files if f.name == name), None)


def read_manifest(snapshot_dir: Path) -> Manifest:
    return Manifest.model_validate_json((snapshot_dir / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(snapshot_dir: Path, manifest: Manifest) -> None:
    _write_atomically(snapshot_dir / MANIFEST, manifest.model_dump_json(indent=2))


def current_snapshot(source_dir: Path) -> Path | None:
    """Return the snapshot `current` points at (pointer file or symlink), if it is complete."""
    pointer = source_dir / CURRENT
    if pointer.is_symlink() or pointer.is_dir():
        target = pointer.resolve()
    elif pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        if not name or "/" in name or name.startswith("."):
            return None
        target = source_dir / name
    else:
        return None
    return target if (target / MANIFEST).is_file() else None


def switch_current(source_dir: Path, snapshot_id: str) -> None:
    """Point `current` at a snapshot in one atomic `os.replace`."""
    _write_atomically(source_dir / CURRENT, snapshot_id + "\n")


def new_snapshot_id(records: list[FileRecord]) -> str:
    """Return a sortable, unique id: UTC time to the microsecond and a short content digest."""
    digest = hashlib.sha256("".join(sorted(r.sha256 for r in records)).encode()).hexdigest()
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{digest[:8]}"


def staging_dir(source_dir: Path) -> Path:
    """Create a hidden directory to download into; it becomes a snapshot by a rename."""
    path = source_dir / f".staging-{uuid.uuid4().hex}"
    path.mkdir(parents=True)
    return path


def prune(source_dir: Path, keep: int) -> list[str]:
    """Remove all but the newest `keep` snapshots, never the current one; return their ids."""
    current = current_snapshot(source_dir)
    snapshots = sorted(
        (p for p in source_dir.iterdir() if p.is_dir() and (p / MANIFEST).is_file()),
        key=lambda p: p.name,
        reverse=True,
    )
    removed: list[str] = []
    for old in snapshots[max(keep, 1) :]:
        if current is None or old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old.name)
    return removed


def copy_into(source: Path, dest: Path) -> None:
    """Reuse an unchanged file from the previous snapshot (hard link, else copy)."""
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


@dataclass(frozen=True)
class Fetched:
    """What one conditional GET gave: a new file, `not_modified`, or `missing` (404)."""

    status: Literal["downloaded", "not_modified", "missing"]
    record: FileRecord | None = None


def fetch(
    client: httpx2.Client, name: str, url: str, dest: Path, previous: FileRecord | None
) -> Fetched:
    """GET `url` into `dest` (If-None-Match / If-Modified-Since from `previous`), hashing it."""
    headers: dict[str, str] = {}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous is not None and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    with client.stream("GET", url, headers=headers, follow_redirects=True) as response:
        if response.status_code == 304 and previous is not None:
            return Fetched("not_modified")
        if response.status_code == 404:
            return Fetched("missing")
        response.raise_for_status()
        digest, size = hashlib.sha256(), 0
        with dest.open("wb") as out:
            for chunk in response.iter_bytes(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        record = FileRecord(
            name=name,
            url=url,
            sha256=digest.hexdigest(),
            size=size,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )
    return Fetched("downloaded", record)


def record_for(name: str, url: str, path: Path, previous: FileRecord) -> FileRecord:
    """Carry a not-modified file's record over to the new snapshot."""
    return previous.model_copy(update={"name": name, "url": url, "size": path.stat().st_size})


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}-{uuid.uuid4().hex}")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
