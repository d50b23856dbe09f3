"""Label families: which field a label names, by its words rather than by an exact spelling.

Registries and issuers word their labels every way ("Company number", "Company Reg. No.",
"Unique Entity Number", "Registration Code", "State File No."); a label is recognised by the
words it is made of: a *subject* (company, registration, entity, file...) and a *kind* of
value (number, name, date, address), less the words that make it another field ("Agent
name", "Due date", "VAT number"). A label is the text before a colon, a whole short cell whose
value is to its right or below, or the words before the first digit ("Company No. 0123").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caseworker.checks.documents.schemas import DocumentKind


@dataclass(frozen=True)
class Family:
    """The words a label of one field has, and the words it must not have."""

    field: str
    has: re.Pattern[str]
    not_has: re.Pattern[str] | None = None

    def names(self, label: str) -> bool:
        """Whether `label` names this family's field."""
        text = label.casefold()
        return bool(self.has.search(text)) and not (self.not_has and self.not_has.search(text))


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_NOT_COMPANY = (
    r"\b(?:agent|secretary|director|officer|auditor|holder|member|trading|former|previous)"
)
FAMILIES: dict[DocumentKind, tuple[Family, ...]] = {
    "incorporation": (
        Family(
            "company_number",
            _re(
                r"^(?:company|registration|registered|register|entity|file|corporate|business|"
                r"state|delaware|crn|cro|uen|unique|handelsregister|kvk|company's)\b.*"
                r"(?:\b(?:number|no|nr|code|num)\b\.?|#)(?:\s*\([a-z]+\))?$|^(?:uen|crn)$|"
                r"^(?:no|number|nr)\.?$"
            ),
            _re(r"\b(?:vat|tax|phone|telephone|fax|account|reference|ref|sheet|page|employees)\b"),
        ),
        Family(
            "registered_office",
            _re(r"\b(?:address|seat|office)\)?$"),
            _re(
                r"\b(?:e-?mail|web|website|postal|agent|director|officer|number|companies|"
                r"registry|registrar|chamber|situation|on|the|this|at|in|is|was|filed)\b|"
                r"registration office"
            ),
        ),
        Family(
            "incorporation_date",
            _re(
                r"\b(?:date|incorporated|formed|incorporation|formation|registered on|"
                r"registration date|date registered)\b"
            ),
            _re(
                r"\b(?:print|printed|extract|issue|issued|filing|last|accounts|return|"
                r"dissolution|dissolved|change|changed|due|birth|document|appointed)\b"
            ),
        ),
        Family(
            "registered_name",
            _re(
                r"(?:\bname|\(?\bfirma\)?)$|^name of (?:the )?(?:company|entity|corporation|"
                r"limited liability company)$"
            ),
            _re(_NOT_COMPANY),
        ),
        Family(
            "issuing_authority",
            _re(
                r"\b(?:register court|registration court|registergericht|issued by|"
                r"issuing authority)\b"
            ),
        ),
    ),
    "proof_of_address": (
        Family(
            "address",
            _re(r"\baddress\b"),
            _re(r"\b(?:e-?mail|web|website|return|our|ip)\b"),
        ),
        Family(
            "issue_date",
            _re(
                r"\b(?:date|dated|issued|produced|printed|prepared|generated|created|bill date|"
                r"statement date)\b"
            ),
            _re(
                r"\b(?:due|payment|pay by|birth|period|from|start|end|opening|next|last|"
                r"reading|move|moved|collection|debit)\b"
            ),
        ),
        Family(
            "name",
            _re(r"\b(?:name|holder|holders|customer|addressee|account holder)\b"),
            _re(r"\b(?:bank|company|branch|number|no|ref|reference|id|sort)\b"),
        ),
    ),
    "ownership": (),
}


MAX_LABEL_CHARS, MAX_LABEL_WORDS = 44, 6  # longer text is a sentence, not a label
# A label starts with a noun or adjective, never with a function word ("The name of ...").
_NOT_A_START = re.compile(
    r"^(?:the|a|an|its|his|her|their|this|that|which|is|was|and|or|of|on|in|at|to|for|by|as)\b",
    re.I,
)


# Labels of registry rows that are no field of ours: they still end the value above them.
OTHER_LABELS: dict[DocumentKind, re.Pattern[str]] = {
    "incorporation": _re(
        r"^(?:(?:company|entity|legal|business) )?(?:status|type|form|rechtsform|activit(?:y|ies)|"
        r"share capital|capital|sic codes?|nature of business|officers|directors|previous names|"
        r"principal activit(?:y|ies)|object of the company|legal type|licence status)$"
    ),
    "proof_of_address": _re(r"^(?:account number|sort code|iban|bic|customer number|meter)$"),
    "ownership": _re(r"^$"),
}


_NOT_AN_END = re.compile(r"\b(?:the|a|an|of|and|or|for|to|in|at|by|with|its)$", re.I)


def field_of_label(kind: DocumentKind, label: str) -> str | None:
    """Return the field `label` names in a document of `kind`, or None."""
    text = " ".join(label.strip(" :;|.-\u2013\u2014").split())
    if not text or len(text) > MAX_LABEL_CHARS or len(text.split()) > MAX_LABEL_WORDS:
        return None
    if sum(c.isdigit() for c in text) > 1 or _NOT_A_START.match(text) or ":" in text:
        return None
    if _NOT_AN_END.search(text):  # "Date of", "Name of the": the label goes on
        return None
    for family in FAMILIES[kind]:
        if family.names(text):
            return family.field
    return None


def is_label(kind: DocumentKind, text: str) -> bool:
    """Whether a whole line reads as a label of `kind` (ends in a colon or names a field)."""
    stripped = text.strip()
    if stripped.endswith(":") and len(stripped) <= MAX_LABEL_CHARS:
        return True
    folded = " ".join(stripped.strip(" :;|.-").split())
    return field_of_label(kind, folded) is not None or bool(OTHER_LABELS[kind].match(folded))
