"""What a case sent over the API may not ask of the server: reading files on its own disk."""

from __future__ import annotations

from caseworker.domain.case import Case
from caseworker.exceptions import CaseInvalid, Problem
from caseworker.settings import Settings


def path_problems(case: Case, settings: Settings, *, prefix: str = "case") -> list[Problem]:
    """Every document of `case` given as a server-side path, unless the settings allow paths."""
    if settings.api_allow_document_paths:
        return []
    return [
        Problem("a document sent to the API cannot be a path on the server; send "
                "content_base64 or a url", check_id=f"{prefix}.documents.{n}.path")
        for n, document in enumerate(case.documents) if document.path
    ]


def refuse_document_paths(case: Case, settings: Settings) -> None:
    """Raise CaseInvalid naming each document given as a server-side path."""
    problems = path_problems(case, settings, prefix="body.case")
    if problems:
        raise CaseInvalid("documents given as server paths are refused", problems=problems)
