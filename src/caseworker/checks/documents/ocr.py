"""Optical character recognition of page images with RapidOCR (PP-OCR models, offline on CPU)."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from caseworker.checks.documents.layout import Fragment, assemble_lines
from caseworker.checks.documents.text import Line
from caseworker.exceptions import ConfigurationError
from caseworker.logs import get_logger

if TYPE_CHECKING:
    from rapidocr import RapidOCR

log = get_logger(__name__)

# The models that ship inside the rapidocr wheel. Naming them makes RapidOCR load these files
# and never reach for its model hub (it downloads any default model that is missing).
DETECTION_MODEL = "PP-OCRv6_det_small.onnx"
RECOGNITION_MODEL = "PP-OCRv6_rec_small.onnx"

# Longest side, in pixels, of the image OCR sees (RapidOCR's own default): larger images are
# shrunk first, which keeps memory bounded and costs nothing RapidOCR would not throw away.
MAX_SIDE = 2000
# Detection runs at most this size: it finds lines as well at ~110 dpi as at 200 and needs
# ~40% less memory; recognition still reads the crops from the MAX_SIDE image.
DETECTION_MAX_SIDE = 1280
# Text crops recognised per batch: wider batches need more memory without being faster here.
RECOGNITION_BATCH = 2

ENGINE_PARAMS: dict[str, Any] = {
    "Global.log_level": "error",
    "Global.max_side_len": MAX_SIDE,
    # Document pages are upright; the 0/180° classifier flips some long lines wrongly.
    "Global.use_cls": False,
    "Det.limit_type": "max",
    "Det.limit_side_len": DETECTION_MAX_SIDE,
    "Rec.rec_batch_num": RECOGNITION_BATCH,
}


@functools.cache
def ocr_engine() -> RapidOCR:
    """Return the process's OCR engine, loaded on first use and kept."""
    started = time.perf_counter()
    try:
        import rapidocr  # noqa: PLC0415 - an optional extra, loaded only when a page needs OCR
    except ImportError as exc:
        raise ConfigurationError(
            "reading scanned documents needs OCR: pip install 'caseworker[ocr]'"
        ) from exc
    models = Path(rapidocr.__file__).parent / "models"
    detection, recognition = models / DETECTION_MODEL, models / RECOGNITION_MODEL
    missing = [path.name for path in (detection, recognition) if not path.is_file()]
    if missing:
        raise ConfigurationError(
            f"the installed rapidocr does not ship {', '.join(missing)}; "
            "install the version caseworker[ocr] pins"
        )
    params = {
        **ENGINE_PARAMS,
        "Det.model_path": str(detection),
        "Rec.model_path": str(recognition),
    }
    engine = rapidocr.RapidOCR(params=params)
    log.debug("ocr.engine_loaded seconds=%.2f", time.perf_counter() - started)
    return engine


def shrink_for_ocr(image: Image.Image) -> Image.Image:
    """`image` scaled down so its longest side is at most MAX_SIDE (unchanged if it fits)."""
    scale = MAX_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def quad_fragments(
    quads: Sequence[Sequence[Sequence[float]]],
    texts: Sequence[str],
    scores: Sequence[float],
    size: tuple[int, int],
) -> Iterator[Fragment]:
    """Fragments from OCR quadrilaterals in pixels; the bottom edge stands in for the baseline."""
    width, height = size
    for quad, text, score in zip(quads, texts, scores, strict=True):
        xs = [float(point[0]) / width for point in quad]
        ys = [float(point[1]) / height for point in quad]
        box = (min(xs), min(ys), max(xs), max(ys))
        yield Fragment(text=text, box=box, baseline=box[3], confidence=float(score))


def ocr_lines(image: Image.Image) -> list[Line]:
    """Read the lines of text on an RGB `image` by OCR, top to bottom, with fraction boxes."""
    small = shrink_for_ocr(image)
    result = ocr_engine()(small)
    boxes, texts, scores = (getattr(result, name, None) for name in ("boxes", "txts", "scores"))
    if boxes is None or texts is None or scores is None:
        return []
    return assemble_lines(quad_fragments(boxes.tolist(), texts, scores, small.size))
