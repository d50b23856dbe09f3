"""PDF reports: the HTML report laid out by WeasyPrint (which needs the system Pango library)."""

from __future__ import annotations

import contextlib
import importlib
import io
import warnings
from types import ModuleType
from typing import Any

from caseworker.agents.report_html import render_html
from caseworker.exceptions import ConfigurationError
from caseworker.logs import get_logger

log = get_logger(__name__)


def render_pdf(report: dict[str, Any]) -> bytes:
    """Render a report (from `build_report`) as a PDF document of its HTML rendering."""
    pdf: bytes = _weasyprint().HTML(string=render_html(report)).write_pdf()
    return pdf


def _weasyprint() -> ModuleType:
    """Import WeasyPrint, naming what is missing: the package or a system library it loads.

    Imported on first use: it loads Pango at import, which the rest of caseworker never needs.
    Its import-time notices (e.g. an optional HarfBuzz-Subset missing) are logged, not raised.
    """
    try:
        with (contextlib.redirect_stdout(io.StringIO()),  # its banner when a library fails
              warnings.catch_warnings(record=True) as notices):
            warnings.simplefilter("always")
            module = importlib.import_module("weasyprint")
    except ImportError as exc:
        raise ConfigurationError(
            f"PDF reports need the weasyprint package (pip install 'weasyprint>=62'): {exc}"
        ) from exc
    except OSError as exc:
        raise ConfigurationError(
            "PDF reports need WeasyPrint's system libraries (Pango, GObject, HarfBuzz; e.g. "
            f"apt-get install libpango-1.0-0 libpangoft2-1.0-0): {exc}"
        ) from exc
    for notice in notices:
        log.warning("weasyprint: %s", notice.message)
    return module
