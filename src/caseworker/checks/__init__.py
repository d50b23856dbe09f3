"""Built-in compliance tools, registered under their dotted names."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotation: document readers import this package, and start fast
    from caseworker.tools.registry import ToolRegistry


def register(registry: ToolRegistry) -> None:
    """Add every built-in tool to `registry`."""
    from caseworker.checks.documents.tools import (
        extract_documents,
        inspect_documents,
        verify_documents,
    )
    from caseworker.checks.profile.business import business_profile
    from caseworker.checks.risk.country import country_risk
    from caseworker.checks.risk.industry import industry_risk
    from caseworker.checks.screening.tools import pep_screening, sanctions_screening

    for spec in (
        business_profile,
        country_risk,
        industry_risk,
        sanctions_screening,
        pep_screening,
        extract_documents,
        verify_documents,
        inspect_documents,
    ):
        registry.register(spec)
