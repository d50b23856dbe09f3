"""The process-wide screener: lists found, loaded and indexed once, cached on disk between runs."""

from __future__ import annotations

import hashlib
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import overload

from caseworker.checks.screening.commonness import table_digest
from caseworker.checks.screening.engine import Screener
from caseworker.checks.screening.entity import ListedEntity, ListInfo
from caseworker.checks.screening.errors import ListsUnavailable
from caseworker.checks.screening.index import INDEX_VERSION
from caseworker.checks.screening.lists import find_lists, lists_dir, load_found
from caseworker.logs import get_logger
from caseworker.settings import get_settings

log = get_logger(__name__)
CACHE_VERSION = 3
COMMON_TOPICS = (frozenset({"sanction"}), frozenset({"pep"}))
# A development checkout keeps the real list files beside the project (read-only test data).
SHARED_LISTS = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "sanctions"


class LazyEntities(Sequence[ListedEntity]):
    """Listed entities kept as JSON and parsed on first access: a cache loads in milliseconds.

    Matching needs the index, not the entities; only the few entities a query hits are read.
    """

    def __init__(self, entities: Sequence[ListedEntity]) -> None:
        self._raw = [e.model_dump_json().encode() for e in entities]
        self._parsed: dict[int, ListedEntity] = {}

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> ListedEntity: ...
    @overload
    def __getitem__(self, index: slice) -> list[ListedEntity]: ...
    def __getitem__(self, index: int | slice) -> ListedEntity | list[ListedEntity]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self._raw)
        entity = self._parsed.get(index)
        if entity is None:
            entity = self._parsed[index] = ListedEntity.model_validate_json(self._raw[index])
        return entity

    def __getstate__(self) -> list[bytes]:
        return self._raw

    def __setstate__(self, state: list[bytes]) -> None:
        self._raw, self._parsed = state, {}


@dataclass(frozen=True)
class _Cached:
    version: int
    key: str
    screener: Screener


def lists_location() -> Path:
    """Find the lists: CASEWORKER_LISTS_DIR or `<data_dir>/lists`, else a checkout's shared files.

    A development checkout keeps real list files beside the project; they serve offline runs
    when nothing else is configured.
    """
    configured = lists_dir()
    if get_settings().lists_dir is not None or find_lists(configured):
        return configured
    return SHARED_LISTS.resolve() if SHARED_LISTS.is_dir() else configured


def _key(directory: Path) -> str:
    """Fingerprint the list files in use, so a changed list rebuilds the cache."""
    digest = hashlib.sha256(f"v{CACHE_VERSION}.{INDEX_VERSION}.{table_digest()}".encode())
    for found in find_lists(directory):
        for path in found.paths:
            if path is not None:
                stat = path.stat()
                digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def build_screener(directory: Path, cache: Path | None) -> Screener:
    """Load every list under `directory` and index it, reusing the cache when it is current."""
    key = _key(directory)
    if cache is not None and cache.is_file():
        try:
            with cache.open("rb") as handle:
                cached: _Cached = pickle.load(handle)  # our own file, written below
            if cached.version == CACHE_VERSION and cached.key == key:
                return cached.screener
        except (OSError, pickle.UnpicklingError, AttributeError, EOFError) as exc:
            log.warning("screening cache unreadable, rebuilding path=%s error=%s", cache, exc)
    found = find_lists(directory)
    if not found:
        raise ListsUnavailable(
            f"no sanctions lists in {directory}; run `caseworker lists update` "
            "or set CASEWORKER_LISTS_DIR"
        )
    entities: list[ListedEntity] = []
    infos: list[ListInfo] = []
    for item in found:
        loaded, info = load_found(item)
        entities.extend(loaded)
        infos.append(info)
    screener = Screener(entities, infos)
    if cache is not None:
        for topics in COMMON_TOPICS:  # computed now, so a loaded cache never reads every entity
            screener.prepare_topics(topics)
        screener.entities = LazyEntities(entities)
        cache.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file of this process's own: workers starting together on one data
        # directory each write theirs, and the last atomic rename wins.
        with tempfile.NamedTemporaryFile("wb", dir=cache.parent, prefix=f"{cache.stem}.",
                                         suffix=".tmp", delete=False) as partial:
            pickle.dump(_Cached(CACHE_VERSION, key, screener), partial,
                        protocol=pickle.HIGHEST_PROTOCOL)
        Path(partial.name).replace(cache)
    return screener


@lru_cache(maxsize=1)
def screener() -> Screener:
    """Return this process's screener (built on first use; workers build it before forking)."""
    directory = lists_location()
    return build_screener(directory, get_settings().data_dir / "screening" / "screener.pickle")
