"""Page previews: one page of a document as a PNG, for a person to see what was read where."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from caseworker.checks.documents.errors import DocumentInvalid
from caseworker.checks.documents.images import check_pixels, decode_rgb, open_image
from caseworker.checks.documents.pdf import open_pdf, render_page
from caseworker.checks.documents.pdfium_lock import PDFIUM_LOCK
from caseworker.checks.documents.reader import IntakeLimits, check_size, detect_media_type

PREVIEW_DPI = 110  # enough to read a certificate on a laptop screen
PREVIEW_MAX_PIXELS = 4_000_000


def render_preview_inprocess(data: bytes, *, name: str, page: int, limits: IntakeLimits) -> bytes:
    """Render page `page` (from 1) of a PDF or image as PNG bytes, in this process.

    Untrusted files go through `sandbox.preview_in_child`, which calls this in a child.
    """
    check_size(data, name, limits)
    media_type = detect_media_type(data, name=name)
    image = _pdf_page(data, name, page, limits) if media_type == "application/pdf" else \
        _image_frame(data, name, media_type, page, limits)
    image.thumbnail((2000, 2000))
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pdf_page(data: bytes, name: str, page: int, limits: IntakeLimits) -> Image.Image:
    with PDFIUM_LOCK:
        document = open_pdf(data, name, limits.max_pages)
        try:
            if not 1 <= page <= len(document):
                raise DocumentInvalid(f"{name}: has no page {page} (it has {len(document)})")
            pdf_page = document[page - 1]
            try:
                return render_page(pdf_page, PREVIEW_DPI, min(limits.max_pixels,
                                                              PREVIEW_MAX_PIXELS))
            finally:
                pdf_page.close()
        finally:
            document.close()


def _image_frame(
    data: bytes, name: str, media_type: str, page: int, limits: IntakeLimits,
) -> Image.Image:
    with open_image(data, name, media_type, limits.max_pixels) as image:
        frames = getattr(image, "n_frames", 1)
        if not 1 <= page <= frames:
            raise DocumentInvalid(f"{name}: has no page {page} (it has {frames})")
        image.seek(page - 1)
        check_pixels(image, name, page, limits.max_pixels)
        return decode_rgb(image, name, page).copy()
