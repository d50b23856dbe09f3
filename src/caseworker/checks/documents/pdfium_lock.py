"""The one lock around PDFium calls: the library is not thread-safe, not even across documents."""

from __future__ import annotations

import threading

#: Held by every caller while it opens, reads, renders or closes a PDFium document or page.
PDFIUM_LOCK = threading.Lock()
