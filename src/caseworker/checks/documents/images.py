"""Read PNG, JPEG and TIFF files with Pillow: dimensions checked before decoding, then OCR."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.ocr import ocr_lines
from caseworker.checks.documents.text import Page

# Pillow's decoder for each media type intake accepts; no other decoder is tried.
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/tiff": "TIFF"}
# Formats whose extra frames are pages; in the others only the first frame is read.
PAGED_FORMATS = frozenset({"TIFF"})


@contextmanager
def open_image(data: bytes, name: str, media_type: str, max_pixels: int) -> Iterator[Image.Image]:
    """Open the image lazily: only its header is read here."""
    try:
        with warnings.catch_warnings():
            # Pillow warns, then raises, past its own pixel limit; intake applies its own.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=[PILLOW_FORMATS[media_type]])
    except Image.DecompressionBombError as exc:
        raise DocumentTooLarge(
            f"{name}: image is over the limit of {max_pixels / 1e6:g} megapixels ({exc})"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DocumentInvalid(f"{name}: not a readable {media_type} image ({exc})") from None
    with image:
        yield image


def frame_count(image: Image.Image, name: str, max_pages: int) -> int:
    """Count the pages: a TIFF's frames, one for other formats; refuse more than `max_pages`.

    Frames are counted by seeking one by one, so at most `max_pages` + 1 frame headers are
    read however many the file chains together.
    """
    if image.format not in PAGED_FORMATS:
        return 1
    frames = 0
    try:
        while frames <= max_pages:
            image.seek(frames)
            frames += 1
    except EOFError:
        pass
    except (OSError, SyntaxError, ValueError) as exc:
        raise DocumentInvalid(f"{name}: the TIFF's page list is corrupt ({exc})") from None
    if frames > max_pages:
        raise DocumentTooLarge(f"{name}: TIFF has more than {max_pages} pages, the limit")
    return frames


def check_pixels(image: Image.Image, name: str, number: int, max_pixels: int) -> None:
    """Refuse a frame whose declared dimensions exceed `max_pixels`, before decoding it."""
    width, height = image.size
    if width * height > max_pixels:
        raise DocumentTooLarge(
            f"{name}: page {number} is {width}x{height} pixels "
            f"({width * height / 1e6:.0f} megapixels), the limit is {max_pixels / 1e6:g} megapixels"
        )


def decode_rgb(image: Image.Image, name: str, number: int) -> Image.Image:
    """Decode the current frame as RGB: upright by its EXIF orientation, on white."""
    try:
        image.load()
        upright = image
        if image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            upright = ImageOps.exif_transpose(image) or image
        if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return upright.convert("RGB")
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DocumentInvalid(f"{name}: page {number} is truncated or corrupt ({exc})") from None


def image_page(image: Image.Image, number: int, *, ocr: bool) -> Page:
    """Make the page for an RGB image: size in pixels, lines by OCR (none when OCR is off)."""
    lines = ocr_lines(image) if ocr else []
    return Page(number=number, width=image.width, height=image.height, source="ocr", lines=lines)


def read_image(
    data: bytes, *, name: str, media_type: str, max_pages: int, max_pixels: int, ocr: bool
) -> list[Page]:
    """Read every page of the PNG, JPEG or TIFF in `data`, in order."""
    pages: list[Page] = []
    with open_image(data, name, media_type, max_pixels) as image:
        for index in range(frame_count(image, name, max_pages)):
            number = index + 1
            try:
                image.seek(index)
            except (OSError, EOFError, ValueError) as exc:
                raise DocumentInvalid(f"{name}: page {number} cannot be read ({exc})") from None
            check_pixels(image, name, number, max_pixels)
            pages.append(image_page(decode_rgb(image, name, number), number, ocr=ocr))
    return pages
