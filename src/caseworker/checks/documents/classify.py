"""Tell a document's type from its words, for files that arrive without one."""

from __future__ import annotations

import re

from caseworker.checks.documents.schemas import DocumentKind
from caseworker.checks.documents.text import DocumentText

_CUES: dict[DocumentKind, tuple[str, ...]] = {
    "incorporation": (
        r"certificate of (?:incorporation|formation)",
        r"registrar of companies",
        r"hereby certif",
        r"date of (?:incorporation|registration)",
        r"register extract",
        r"business profile",
        r"company printout",
        r"handelsregister",
    ),
    "proof_of_address": (
        r"\bbill\b",
        r"statement",
        r"account number",
        r"supply address",
        r"amount due",
        r"direct debit",
        r"balance",
        r"total to pay",
    ),
    "ownership": (
        r"register of (?:members|shareholders)",
        r"significant control",
        r"% held",
        r"shareholder",
        r"cap(?:italisation)? table",
        r"shares held",
    ),
}


def classify(doc: DocumentText) -> DocumentKind | None:
    """Return the type whose cues the text shows most (at least two), or None."""
    text = doc.text.casefold()
    scores = {kind: sum(bool(re.search(c, text)) for c in cues) for kind, cues in _CUES.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None
