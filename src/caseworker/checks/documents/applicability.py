"""Which fields each kind of document shows, by document type and issuing registry.

A Companies House certificate of incorporation never prints the registered office address; a
Delaware certificate states the filing, not the office; a PSC register lists only people with
more than 25%. Verification asks this table whether a field the document does not show is
*missing* (the document should show it: review) or *not applicable* (this kind of document
never carries it: nothing to review). A field a document does show is always compared.

The table is data: one `Profile` per kind of document, each naming its document type, the
fields it is expected to show and the clues (regexes over the document's text, or over the
extracted issuer, authority and jurisdiction when no text is at hand) that identify it. The
first profile whose clues all match wins, so specific profiles come before general ones; a
document matching no profile expects every field of its type (the cautious default).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from caseworker.checks.documents.schemas import DocumentKind, ExtractedField, field_names


@dataclass(frozen=True)
class Profile:
    """One kind of document: its type, the fields it shows and how to recognise it."""

    key: str
    kind: DocumentKind
    title: str
    clues: tuple[str, ...]  # every one must match (case-insensitive)
    not_shown: frozenset[str] = frozenset()  # fields of the type this document never shows
    min_owner_share: float | None = None  # owners at or below this share are never listed

    def expects(self, name: str) -> bool:
        """Whether a document of this kind normally shows the field `name`."""
        return name not in self.not_shown


_CH = r"companies house|registrar of companies for (?:england and wales|scotland|northern ireland)"
_REGISTRY_EXTRACT = "Registry extract"

PROFILES: tuple[Profile, ...] = (
    Profile(
        "gb_companies_house_certificate",
        "incorporation",
        "Companies House certificate of incorporation",
        (_CH, r"certificate of incorporation|\bcertif(?:y|ies)\b"),
        # It states only the situation of the office ("in England and Wales"), not its address.
        not_shown=frozenset({"registered_office"}),
    ),
    Profile(
        "us_state_certificate",
        "incorporation",
        "US Secretary of State certificate",
        (r"secretary of state", r"certif"),
        # The certificate states the filing; the office is in the charter, often not attached.
        not_shown=frozenset({"registered_office"}),
    ),
    Profile("gb_registry_extract", "incorporation", _REGISTRY_EXTRACT, (_CH,)),
    Profile(
        "ie_cro_extract", "incorporation", _REGISTRY_EXTRACT, (r"companies registration office",)
    ),
    Profile(
        "sg_acra_profile",
        "incorporation",
        "ACRA business profile",
        (r"accounting and corporate regulatory authority|\bacra\b",),
    ),
    Profile(
        "de_handelsregister_extract",
        "incorporation",
        "Handelsregister extract",
        (r"handelsregister|amtsgericht|registergericht",),
    ),
    Profile(
        "nl_kvk_extract",
        "incorporation",
        "KvK Business Register extract",
        (r"kamer van koophandel|chamber of commerce|\bkvk\b",),
    ),
    Profile("be_kbo_extract", "incorporation", _REGISTRY_EXTRACT, (r"crossroads bank|\bkbo\b",)),
    Profile(
        "fr_kbis_extract", "incorporation", "Kbis extract", (r"registre du commerce|\bkbis\b",)
    ),
    Profile(
        "cy_registrar_extract",
        "incorporation",
        _REGISTRY_EXTRACT,
        (r"registrar of companies and intellectual property",),
    ),
    Profile(
        "ca_corporations_extract", "incorporation", _REGISTRY_EXTRACT, (r"corporations canada",)
    ),
    Profile("letter", "proof_of_address", "Bill, statement or letter", ()),
    Profile(
        "psc_register",
        "ownership",
        "Register of people with significant control",
        (r"significant control|\bpsc\b",),
        min_owner_share=25.0,
    ),
    Profile("share_register", "ownership", "Register of members or shareholders", ()),
)
PROFILE_BY_KEY = {p.key: p for p in PROFILES}


def _clue_text(fields: Mapping[str, ExtractedField]) -> str:
    """Join what the extracted fields say about the issuer, for when the text is not at hand."""
    parts: list[str] = []
    for f in fields.values():
        if isinstance(f.value, str):
            parts.append(f.value)
        if f.source_text:
            parts.append(f.source_text)
    return "\n".join(parts)


def identify(
    kind: DocumentKind, fields: Mapping[str, ExtractedField], text: str | None = None
) -> Profile | None:
    """Return the profile of a document of `kind`, from its text or else its fields."""
    haystack = text if text is not None else _clue_text(fields)
    for profile in PROFILES:
        if profile.kind != kind:
            continue
        if all(re.search(clue, haystack, re.I) for clue in profile.clues):
            return profile
    return None


def profile_of(key: str | None) -> Profile | None:
    """Return the profile named `key` (as an extraction records it), if known."""
    return PROFILE_BY_KEY.get(key) if key else None


def expected_fields(profile: Profile | None, kind: DocumentKind) -> list[str]:
    """Return the fields of `kind` a document of `profile` normally shows (all when unknown)."""
    return [n for n in field_names(kind) if profile is None or profile.expects(n)]
