"""Document intake: type detection, PDF text layers, OCR of scans and images, limits, crashes."""

from __future__ import annotations

import io
import struct
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from caseworker.checks.documents import intake, sandbox
from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.intake import (
    IntakeLimits,
    detect_media_type,
    read_document,
    read_document_inprocess,
)
from caseworker.checks.documents.layout import Fragment, assemble_lines
from caseworker.checks.documents.ocr import quad_fragments
from caseworker.checks.documents.pdf import render_scale

FONT_FILES = sorted(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"))
PAGE_WIDTH, PAGE_HEIGHT = A4

# --- inputs made here ------------------------------------------------------------------


def text_pdf(draw: Callable[[canvas.Canvas], None], pages: int = 1) -> bytes:
    """A PDF with a real text layer, drawn by `draw` on each page."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for _ in range(pages):
        draw(pdf)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def draw_letter(pdf: canvas.Canvas) -> None:
    pdf.setFont("Helvetica", 14)
    pdf.drawString(72, 770, "Certificate of Incorporation")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 740, "Company number")
    pdf.drawString(165, 740, "01234567")  # a separate string, a gap but no space between
    pdf.drawString(400, 740, "Page 1")  # far along the same baseline: another column
    pdf.drawString(72, 722, "ACME Widgets Ltd., 1 High St. (UK) - EUR 1,000.00")


def text_image(lines: list[str], size: tuple[int, int] = (1000, 260)) -> Image.Image:
    """Black text on white, drawn with a TrueType font (or rendered from a PDF without one)."""
    if not FONT_FILES:
        return rendered_pdf_image(lines)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT_FILES[0]), 40)
    for index, line in enumerate(lines):
        draw.text((40, 40 + 80 * index), line, font=font, fill="black")
    return image


def rendered_pdf_image(lines: list[str]) -> Image.Image:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    def draw(pdf: canvas.Canvas) -> None:
        pdf.setFont("Helvetica", 20)
        for index, line in enumerate(lines):
            pdf.drawString(40, 800 - 40 * index, line)

    document = pdfium.PdfDocument(text_pdf(draw))
    image: Image.Image = document[0].render(scale=2).to_pil().convert("RGB")
    document.close()
    return image.crop((0, 0, image.width, 120 + 80 * len(lines)))


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def blank_png(width: int, height: int, rows: int | None = None) -> bytes:
    """A greyscale PNG of `width` x `height`, streamed so a huge one costs little memory.

    `rows` limits how many rows of pixel data are written (fewer than `height` makes a PNG
    whose header declares more than its data holds).
    """
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    data = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows))
    data += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


def handwritten_pdf(objects: list[bytes]) -> bytes:
    """A PDF with a correct cross-reference table around `objects` (numbered from 1)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def words(text: str) -> set[str]:
    return set(text.replace(",", " ").split())


# --- type detection --------------------------------------------------------------------


def test_media_type_comes_from_the_content() -> None:
    assert detect_media_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert detect_media_type(b"\xff\xd8\xff\xe0....") == "image/jpeg"
    assert detect_media_type(b"II*\x00....") == "image/tiff"
    assert detect_media_type(b"MM\x00*....") == "image/tiff"
    assert detect_media_type(b"%PDF-1.7\n") == "application/pdf"
    assert detect_media_type(b"From: mail\n" * 50 + b"%PDF-1.4\n") == "application/pdf"
    with pytest.raises(DocumentInvalid, match="not a PDF"):
        detect_media_type(b" " * 1024 + b"%PDF-1.4\n")


def test_unknown_type_is_named_with_what_it_looks_like() -> None:
    with pytest.raises(DocumentInvalid) as raised:
        read_document(b"PK\x03\x04\x14\x00\x06\x00rest of a docx", name="report.pdf")
    assert str(raised.value) == (
        "report.pdf: not a PDF, PNG, JPEG or TIFF file (starts with 'PK\\x03\\x04', a ZIP archive?)"
    )
    with pytest.raises(DocumentInvalid, match=r"^notes\.txt: not a PDF.*starts with 'hell'\)$"):
        read_document(b"hello world", name="notes.txt")
    with pytest.raises(DocumentInvalid, match=r"^empty\.pdf: empty file$"):
        read_document(b"", name="empty.pdf")


def test_a_file_whose_extension_lies_is_read_by_its_content() -> None:
    png = encoded(Image.new("RGB", (300, 200), "white"), "PNG")
    document = read_document(png, name="statement.pdf", ocr=False)
    assert document.media_type == "image/png"
    assert [(page.width, page.height, page.lines) for page in document.pages] == [(300, 200, [])]


# --- PDF text layer --------------------------------------------------------------------


def test_text_pdf_gives_exact_lines_with_boxes_in_reading_order() -> None:
    data = text_pdf(draw_letter, pages=2)
    document = read_document(data, name="certificate.pdf")

    assert document.media_type == "application/pdf"
    assert document.size_bytes == len(data)
    assert len(document.sha256) == 64
    assert [page.number for page in document.pages] == [1, 2]
    page = document.pages[0]
    assert page.source == "text_layer"
    assert (page.width, page.height) == pytest.approx((PAGE_WIDTH, PAGE_HEIGHT))
    assert [line.text for line in page.lines] == [
        "Certificate of Incorporation",
        "Company number 01234567",  # two strings close on one baseline make one line
        "Page 1",
        "ACME Widgets Ltd., 1 High St. (UK) - EUR 1,000.00",
    ]
    title, company, page_number, _ = page.lines
    assert title.confidence == 1.0
    assert title.bbox[0] == pytest.approx(72 / PAGE_WIDTH, abs=0.002)
    baseline = (PAGE_HEIGHT - 770) / PAGE_HEIGHT  # from the top
    assert title.bbox[1] < baseline < title.bbox[3]
    assert title.bbox[3] - title.bbox[1] < 0.03
    assert company.bbox[2] > 165 / PAGE_WIDTH  # the box spans both pieces
    assert company.bbox[2] < page_number.bbox[0] == pytest.approx(400 / PAGE_WIDTH, abs=0.002)
    assert title.bbox[3] <= company.bbox[1]
    assert "Company number 01234567" in document.text


def test_rotated_and_cropped_pages_are_read_as_displayed() -> None:
    pypdf = pytest.importorskip("pypdf")

    def draw_landscape(pdf: canvas.Canvas) -> None:
        pdf.setFont("Helvetica", 12)
        pdf.translate(0, PAGE_HEIGHT)
        pdf.rotate(-90)  # landscape content on a portrait page, shown upright by /Rotate 270
        pdf.drawString(72, 500, "Landscape line one")
        pdf.drawString(72, 480, "Landscape line two")

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf(draw_landscape))))
    writer.pages[0].rotate(270)
    writer.pages[0].cropbox = pypdf.generic.RectangleObject([0, 0, 300, PAGE_HEIGHT])
    out = io.BytesIO()
    writer.write(out)

    [page] = read_document_inprocess(out.getvalue(), name="landscape.pdf").pages
    assert (page.width, page.height) == pytest.approx((PAGE_HEIGHT, 300))
    assert [line.text for line in page.lines] == ["Landscape line one", "Landscape line two"]
    assert page.lines[0].bbox[0] == pytest.approx(72 / PAGE_HEIGHT, abs=0.002)


def test_read_document_inprocess_does_the_same_work() -> None:
    data = text_pdf(draw_letter)
    assert read_document_inprocess(data, name="a.pdf") == read_document(data, name="a.pdf")


# --- OCR -------------------------------------------------------------------------------


def test_image_only_pdf_is_read_by_ocr() -> None:
    scan = encoded(text_image(["Certificate of Incorporation", "Company 01234567"]), "PDF")
    document = read_document(scan, name="scan.pdf")
    [page] = document.pages
    assert page.source == "ocr"
    assert {"Certificate", "Incorporation", "01234567"} <= words(page.text)
    first, second = page.lines
    assert first.bbox[3] <= second.bbox[1]
    assert 0.5 < first.confidence <= 1.0


def test_png_is_read_by_ocr_with_pixel_sizes_and_fraction_boxes() -> None:
    image = text_image(["Proof of address", "10 Downing Street London"])
    document = read_document(encoded(image, "PNG"), name="bill.png")
    [page] = document.pages
    assert (page.source, page.width, page.height) == ("ocr", image.width, image.height)
    assert [line.text for line in page.lines] == ["Proof of address", "10 Downing Street London"]
    for line in page.lines:
        x0, y0, x1, y1 = line.bbox
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    assert page.lines[0].bbox[0] == pytest.approx(40 / image.width, abs=0.02)


def test_jpeg_is_read_by_ocr() -> None:
    image = text_image(["Bank statement", "Balance 1234.56"])
    document = read_document(encoded(image, "JPEG", quality=90), name="statement.jpg")
    assert document.media_type == "image/jpeg"
    assert {"Bank", "statement", "Balance", "1234.56"} <= words(document.text)


def test_multi_page_tiff_is_read_page_by_page() -> None:
    first, second = text_image(["Page one text"]), text_image(["Second page here"])
    data = encoded(first, "TIFF", save_all=True, append_images=[second], compression="tiff_lzw")
    document = read_document(data, name="fax.tif")
    assert document.media_type == "image/tiff"
    assert [page.number for page in document.pages] == [1, 2]
    assert words(document.pages[0].text) == {"Page", "one", "text"}
    assert words(document.pages[1].text) == {"Second", "page", "here"}


def test_ocr_boxes_map_to_fraction_boxes() -> None:
    quads = [[[100, 50], [300, 52], [300, 90], [100, 88]]]
    [fragment] = quad_fragments(quads, ["Hello"], [0.93], (1000, 500))
    assert fragment.box == (0.1, 0.1, 0.3, 0.18)
    assert fragment.baseline == 0.18
    assert fragment.confidence == 0.93


def test_pieces_on_one_baseline_merge_into_one_line_in_reading_order() -> None:
    lines = assemble_lines(
        [
            Fragment("London EC1A", (0.42, 0.305, 0.6, 0.35), 0.35, 0.9),
            Fragment("Second line", (0.1, 0.41, 0.4, 0.45), 0.45, 0.99),
            Fragment("Invoice 7", (0.8, 0.30, 0.95, 0.345), 0.345),
            Fragment("ACME Ltd", (0.1, 0.30, 0.4, 0.345), 0.345, 0.99),
            Fragment("   ", (0.1, 0.5, 0.4, 0.55), 0.55),
        ]
    )
    # close pieces (an OCR split) join with a space; a far one is another column
    assert [line.text for line in lines] == ["ACME Ltd London EC1A", "Invoice 7", "Second line"]
    assert lines[0].bbox == (0.1, 0.30, 0.6, 0.35)
    assert lines[0].confidence == 0.9


# --- refusals --------------------------------------------------------------------------


def test_truncated_pdf_is_invalid() -> None:
    data = text_pdf(draw_letter)
    with pytest.raises(DocumentInvalid, match=r"^cut\.pdf: not a PDF or corrupted"):
        read_document(data[: len(data) // 2], name="cut.pdf")


def test_encrypted_pdf_is_invalid() -> None:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf(draw_letter))))
    writer.encrypt("secret")  # RC4: needs no cryptography package
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DocumentInvalid, match=r"^locked\.pdf: the PDF is encrypted"):
        read_document(out.getvalue(), name="locked.pdf")


def test_pdf_declaring_a_million_pages_fails_fast() -> None:
    data = handwritten_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1000000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )
    started = time.monotonic()
    with pytest.raises(DocumentTooLarge, match="declares 1000000 pages, the limit is 50"):
        read_document(data, name="bomb.pdf")
    assert time.monotonic() - started < 10


def test_file_over_max_bytes_is_refused_before_a_child_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError("a child was started")

    monkeypatch.setattr(intake, "read_in_child", no_child)
    data = b"%PDF-1.4\n" + bytes(20 * 1024 * 1024)
    with pytest.raises(
        DocumentTooLarge, match=r"^big\.pdf: file is 20\.0 MiB, the limit is 20 MiB"
    ):
        read_document(data, name="big.pdf")


@pytest.mark.parametrize(
    ("width", "height", "rows"),
    [(10_000, 10_000, None), (100_000, 100_000, 1)],
    ids=["10000x10000-png", "header-declares-100000x100000"],
)
def test_huge_image_is_refused_before_decoding(width: int, height: int, rows: int | None) -> None:
    data = blank_png(width, height, rows)
    started = time.monotonic()
    with pytest.raises(DocumentTooLarge, match=r"^huge\.png: .* the limit (is|of) 40 megapixels"):
        read_document(data, name="huge.png")
    assert time.monotonic() - started < 10


def test_truncated_image_is_invalid() -> None:
    data = encoded(text_image(["Truncated"]), "PNG")
    with pytest.raises(DocumentInvalid, match=r"^cut\.png: page 1 is truncated or corrupt"):
        read_document(data[: len(data) // 2], name="cut.png", ocr=False)


def test_tiff_with_too_many_pages_is_refused() -> None:
    frames = [Image.new("L", (50, 50), 255) for _ in range(3)]
    data = encoded(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(
        DocumentTooLarge, match=r"^fax\.tif: TIFF has more than 2 pages, the limit$"
    ):
        read_document(data, name="fax.tif", limits=IntakeLimits(max_pages=2), ocr=False)


def test_render_scale_keeps_a_page_raster_within_max_pixels() -> None:
    assert render_scale(612, 792, 200, 40_000_000) == pytest.approx(200 / 72)
    scale = render_scale(14_400, 14_400, 200, 40_000_000)
    assert (14_400 * scale) ** 2 <= 40_000_000


# --- the child process: time, memory, crashes ------------------------------------------


def test_a_child_over_its_time_limit_is_killed_and_the_caller_goes_on() -> None:
    data = text_pdf(draw_letter)
    started = time.monotonic()
    with pytest.raises(DocumentTooLarge, match=r"^slow\.pdf: reading took longer than 0\.01 s"):
        read_document(data, name="slow.pdf", limits=IntakeLimits(timeout_s=0.01))
    assert time.monotonic() - started < 5
    assert read_document(data, name="slow.pdf").pages[0].lines


def test_a_child_out_of_memory_is_a_clear_error() -> None:
    data = blank_png(6000, 6000)  # 36 megapixels: within the pixel limit, not within 100 MB
    with pytest.raises(
        DocumentTooLarge, match=r"^big\.png: .* more memory than the limit of 100 MB"
    ):
        read_document(data, name="big.png", limits=IntakeLimits(memory_mb=100), ocr=False)
    assert read_document(text_pdf(draw_letter), name="small.pdf").pages[0].lines


def test_a_crashing_child_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    crash = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
    monkeypatch.setattr(sandbox, "child_command", lambda: [sys.executable, "-c", crash])
    with pytest.raises(DocumentInvalid, match=r"^odd\.pdf: the document reader crashed .*SIGSEGV"):
        read_document(text_pdf(draw_letter), name="odd.pdf")


def test_the_child_gets_no_credentials_and_can_import_caseworker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("CASEWORKER_DATA_DIR", "/tmp/data")
    env = sandbox.child_env()
    assert "OPENAI_API_KEY" not in env
    assert env["CASEWORKER_DATA_DIR"] == "/tmp/data"
    assert env["MALLOC_ARENA_MAX"] == "2"
    assert (Path(env["PYTHONPATH"].split(":")[0]) / "caseworker").is_dir()
