"""The screening tools on the real shared lists, and what happens with no lists at all."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from caseworker.checks.screening import service
from caseworker.checks.screening.errors import ListInvalid, ListsUnavailable
from caseworker.checks.screening.tools import pep_screening, sanctions_screening
from caseworker.domain.case import load_case
from caseworker.settings import get_settings
from caseworker.tools.base import ToolContext

ROOT = Path(__file__).resolve().parents[3]
CASES = ROOT / "examples" / "cases"


def _args(name: str) -> dict[str, object]:
    case = load_case(CASES / f"{name}.json").memory_view()
    return {"subject": case["subject"], "individuals": case["associated_individuals"],
            "entities": case["associated_entities"]}


def test_a_listed_director_is_a_hit_with_explained_evidence(sanctions_dir: Path) -> None:
    out = asyncio.run(sanctions_screening.invoke(_args("be-minerals-sanctioned-director"),
                                                 ToolContext()))
    assert out.any_hit and out.hit_count >= 1
    director = next(p for p in out.parties if p.name == "Callixte Mbarushimana")
    assert director.status == "hit"
    assert {h.source for h in director.hits} >= {"un"}
    assert all(h.explanation for h in director.hits)
    assert out.list_dates["un"] == "2026-02-27"
    sources = [e.source for e in out.evidence()]
    assert any(s.startswith("list:un#un:") for s in sources)


def test_a_clean_business_is_clear_and_says_what_it_was_screened_against(
    sanctions_dir: Path,
) -> None:
    out = asyncio.run(sanctions_screening.invoke(_args("uk-saas-clean"), ToolContext()))
    assert not out.any_hit and not out.any_possible
    assert [p.role for p in out.parties] == ["subject", "trading_name", "individual", "individual"]
    (evidence,) = out.evidence()
    assert "no match" in evidence.quote and "un (2026-02-27)" in evidence.quote


def test_pep_screening_uses_only_pep_data(sanctions_dir: Path) -> None:
    out = asyncio.run(pep_screening.invoke(_args("be-minerals-sanctioned-director"),
                                           ToolContext()))
    assert not out.any_hit  # the shared lists carry no PEP data


def test_no_lists_means_tool_unavailable_never_a_silent_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "no-lists"
    empty.mkdir()
    monkeypatch.setattr(get_settings(), "lists_dir", empty)
    service.screener.cache_clear()
    try:
        with pytest.raises(ListsUnavailable, match="no sanctions lists"):
            asyncio.run(sanctions_screening.invoke(_args("uk-saas-clean"), ToolContext()))
    finally:
        monkeypatch.undo()
        service.screener.cache_clear()


def test_the_screener_cache_is_reused_and_rebuilt_when_lists_change(
    sanctions_dir: Path, tmp_path: Path,
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    original = (sanctions_dir / "un_consolidated.xml").read_bytes()
    (lists / "un_consolidated.xml").write_bytes(original)
    cache = tmp_path / "screener.pickle"
    first = service.build_screener(lists, cache)
    assert cache.is_file() and len(first.entities) == 1003
    again = service.build_screener(lists, cache)
    assert len(again.entities) == 1003 and isinstance(again.entities, service.LazyEntities)
    text = (lists / "un_consolidated.xml").read_text()
    (lists / "un_consolidated.xml").write_text(text.replace("</CONSOLIDATED_LIST>", "") + "x")
    with pytest.raises(ListInvalid, match=r"un_consolidated\.xml"):
        service.build_screener(lists, cache)  # a changed (here: broken) list is reloaded
    assert json.loads(json.dumps(first.list_infos[0].model_dump(mode="json")))["source"] == "un"


def _build(lists: str, cache: str) -> None:
    service.build_screener(Path(lists), Path(cache))


def test_workers_building_the_cache_at_once_all_succeed(
    sanctions_dir: Path, tmp_path: Path,
) -> None:
    """Several workers starting together on one data directory each build the cache."""
    import multiprocessing

    lists = tmp_path / "lists"
    lists.mkdir()
    source = sanctions_dir / "un_consolidated.xml"
    (lists / "un_consolidated.xml").write_bytes(source.read_bytes())
    cache = tmp_path / "screening" / "screener.pickle"
    context = multiprocessing.get_context("fork")
    builders = [context.Process(target=_build, args=(str(lists), str(cache))) for _ in range(4)]
    for builder in builders:
        builder.start()
    for builder in builders:
        builder.join(60)
    assert [b.exitcode for b in builders] == [0, 0, 0, 0]
    assert sorted(p.name for p in cache.parent.iterdir()) == ["screener.pickle"]
    assert len(service.build_screener(lists, cache).entities) == 1003
