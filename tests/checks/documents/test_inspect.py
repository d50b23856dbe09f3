"""Tests for `checks.documents.inspect`: tampering signals from a file's own structure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions
from reportlab.pdfgen.canvas import Canvas

from caseworker.checks.documents import inspect, inspect_fonts
from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.inspect import Inspection, Signal, inspect_document

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def pdf(draw: Callable[[Canvas], None] | None = None, *, producer: str | None = None) -> bytes:
    """A one-page reportlab PDF with fixed dates (invariant mode) and a closing-balance line."""
    out = BytesIO()
    canvas = Canvas(out, invariant=True)
    if producer:
        canvas.setProducer(producer)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 700, "Closing balance: 1,234.56 GBP on 31 March 2024")
    if draw:
        draw(canvas)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def runs(canvas: Canvas, y: float, *parts: tuple[str, str]) -> None:
    """Draw (font, text) parts one after another on one baseline."""
    text = canvas.beginText(72, y)
    for font, value in parts:
        text.setFont(font, 12)
        text.textOut(value)
    canvas.drawText(text)


def rewrite(data: bytes, edit: Callable[[PdfWriter], None], *, incremental: bool) -> bytes:
    writer = PdfWriter(BytesIO(data), incremental=True) if incremental else PdfWriter(BytesIO(data))
    edit(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def paint_over(writer: PdfWriter) -> None:
    """What a forger does: a white box over the balance and a new value in another font."""
    overlay = BytesIO()
    canvas = Canvas(overlay)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(165, 696, 50, 14, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont("Times-Roman", 12)
    canvas.drawString(166, 700, "9,999.99")
    canvas.showPage()
    canvas.save()
    writer.pages[0].merge_page(PdfReader(overlay).pages[0])


def linearized_pdf() -> bytes:
    """One blank page laid out as qpdf linearizes: a first-page section with its own xref
    ending in `startxref 0 %%EOF`, then the other objects and the main xref."""

    def layout(at: dict[str, int]) -> bytes:
        out = bytearray(b"%PDF-1.4\n")

        def put(number: int, body: bytes) -> None:
            at[str(number)] = len(out)
            out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

        put(2, b"<< /Linearized 1 /L %010d /O 4 /N 1 >>" % at.get("end", 0))
        at["first_xref"] = len(out)
        out.extend(b"xref\n2 3\n" + b"".join(b"%010d 00000 n \n" % at.get(n, 0) for n in "234"))
        out.extend(b"trailer\n<< /Size 5 /Root 3 0 R /Prev %010d >>\n" % at.get("main_xref", 0))
        out.extend(b"startxref\n0\n%%EOF\n")
        put(3, b"<< /Type /Catalog /Pages 1 0 R >>")
        put(4, b"<< /Type /Page /Parent 1 0 R /MediaBox [0 0 200 200] >>")
        put(1, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
        at["main_xref"] = len(out)
        out.extend(b"xref\n0 2\n0000000000 65535 f \n%010d 00000 n \n" % at["1"])
        out.extend(b"trailer\n<< /Size 5 >>\nstartxref\n%d\n%%%%EOF\n" % at["first_xref"])
        at["end"] = len(out)
        return bytes(out)

    offsets: dict[str, int] = {}
    layout(offsets)  # a first pass finds the offsets, which have fixed widths
    return layout(offsets)


def image(image_format: str, **save: object) -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, image_format, **save)
    return out.getvalue()


def codes(inspection: Inspection) -> list[str]:
    return [signal.code for signal in inspection.signals]


def only(inspection: Inspection, code: str) -> Signal:
    (signal,) = [signal for signal in inspection.signals if signal.code == code]
    return signal


def test_clean_reportlab_pdf_gives_no_warning() -> None:
    result = inspect_document(pdf(), name="statement.pdf", now=NOW)
    assert result.media_type == "application/pdf"
    assert result.revisions == 1
    assert result.metadata["Producer"].startswith("ReportLab")
    assert result.signals == []
    assert not result.suspicious


@pytest.mark.parametrize("producer", ["iLovePDF", "Foxit PhantomPDF 10.1", "Sejda Web"])
def test_editor_producer_is_editing_software(producer: str) -> None:
    result = inspect_document(pdf(producer=producer), now=NOW)
    signal = only(result, "editing_software")
    assert (signal.severity, signal.evidence) == ("warning", producer)
    assert result.suspicious


@pytest.mark.parametrize(
    "producer", ["Microsoft® Word for Microsoft 365", "Adobe Acrobat Pro DC 21.1.20145"]
)
def test_ambiguous_editors_are_info(producer: str) -> None:
    result = inspect_document(pdf(producer=producer), now=NOW)
    assert only(result, "editing_software").severity == "info"
    assert not result.suspicious


@pytest.mark.parametrize("producer", ["Acrobat Distiller 10.1.16", "wkhtmltopdf 0.12.6"])
def test_generators_are_not_editors(producer: str) -> None:
    assert codes(inspect_document(pdf(producer=producer), now=NOW)) == []


def test_xmp_history_naming_photoshop_is_editing_software() -> None:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description>'
        b"<xmp:CreatorTool>Adobe InDesign 18.0</xmp:CreatorTool><xmpMM:History><rdf:Seq>"
        b'<rdf:li stEvt:action="saved" stEvt:softwareAgent="Adobe Photoshop 25.0 (Windows)"/>'
        b"</rdf:Seq></xmpMM:History></rdf:Description></rdf:RDF></x:xmpmeta>"
    )

    def add_xmp(writer: PdfWriter) -> None:
        writer.xmp_metadata = xmp

    result = inspect_document(rewrite(pdf(), add_xmp, incremental=False), now=NOW)
    assert result.metadata["xmp:CreatorTool"] == "Adobe InDesign 18.0"
    assert only(result, "editing_software").evidence == "Adobe Photoshop 25.0 (Windows)"


@pytest.mark.parametrize(
    ("created", "modified"),
    [
        ("D:20210303120000+00'00'", "D:20230303120000+01'00'"),
        ("D:20210303", "D:20230303120000Z"),
        ("20210303120000-05'00", "2023-03-03T12:00:00Z"),
    ],
)
def test_mod_date_long_after_creation_is_modified_later(created: str, modified: str) -> None:
    def dates(writer: PdfWriter) -> None:
        writer.add_metadata({"/CreationDate": created, "/ModDate": modified})

    result = inspect_document(rewrite(pdf(), dates, incremental=False), now=NOW)
    signal = only(result, "modified_later")
    assert signal.message.startswith("ModDate is 7")  # 730 days or so
    assert created in signal.evidence and modified in signal.evidence


def test_future_date_is_modified_later() -> None:
    def dates(writer: PdfWriter) -> None:
        writer.add_metadata({"/CreationDate": "D:20240501", "/ModDate": "D:20240701"})

    result = inspect_document(rewrite(pdf(), dates, incremental=False), now=NOW)
    messages = [signal.message for signal in result.signals if signal.code == "modified_later"]
    assert "ModDate 2024-07-01 is in the future" in messages


def test_unparseable_dates_are_ignored() -> None:
    def dates(writer: PdfWriter) -> None:
        writer.add_metadata({"/CreationDate": "yesterday", "/ModDate": "D:2023-13-45"})

    assert "modified_later" not in codes(
        inspect_document(rewrite(pdf(), dates, incremental=False), now=NOW)
    )


def test_painted_over_value_in_an_update_is_incremental_update_and_mixed_fonts() -> None:
    result = inspect_document(rewrite(pdf(), paint_over, incremental=True), now=NOW)
    assert result.revisions == 2
    update = only(result, "incremental_update")
    assert (update.severity, update.page) == ("critical", 1)
    fonts = only(result, "mixed_fonts")
    assert "'9,999.99' is set in Times-Roman over a line set in Helvetica" in fonts.message
    assert "Closing balance: 1,234.56" in fonts.evidence
    assert result.suspicious


def test_update_that_leaves_pages_alone_is_info() -> None:
    def retitle(writer: PdfWriter) -> None:
        writer.add_metadata({"/Title": "Statement"})

    result = inspect_document(rewrite(pdf(), retitle, incremental=True), now=NOW)
    assert result.revisions == 2
    assert only(result, "incremental_update").severity == "info"
    assert not result.suspicious


def test_linearized_pdf_is_one_revision() -> None:
    data = linearized_pdf()
    assert data.count(b"%%EOF") == 2
    result = inspect_document(data, now=NOW)
    assert result.revisions == 1
    assert "incremental_update" not in codes(result)


def test_update_to_a_linearized_pdf_is_counted() -> None:
    def draw_on_page(writer: PdfWriter) -> None:
        overlay = BytesIO()
        canvas = Canvas(overlay)
        canvas.drawString(20, 20, "APPROVED")
        canvas.save()
        writer.pages[0].merge_page(PdfReader(overlay).pages[0])

    result = inspect_document(rewrite(linearized_pdf(), draw_on_page, incremental=True), now=NOW)
    assert result.revisions == 2
    assert only(result, "incremental_update").page == 1


def test_word_in_another_family_mid_line_is_mixed_fonts() -> None:
    def draw(canvas: Canvas) -> None:
        runs(
            canvas,
            600,
            ("Helvetica", "Pay the sum of "),
            ("Courier", "4321"),
            ("Helvetica", " GBP"),
        )

    signal = only(inspect_document(pdf(draw), now=NOW), "mixed_fonts")
    assert (signal.severity, signal.page) == ("warning", 1)
    assert signal.evidence == "Pay the sum of 4321 GBP"
    assert "'4321' is set in Courier inside a line set in Helvetica" in signal.message


def test_single_digit_in_another_family_is_mixed_fonts() -> None:
    def draw(canvas: Canvas) -> None:
        runs(canvas, 600, ("Helvetica", "Total: 1,2"), ("Times-Roman", "9"), ("Helvetica", "4.56"))

    assert only(inspect_document(pdf(draw), now=NOW), "mixed_fonts").evidence == "Total: 1,294.56"


LABEL_IN_BOLD = [("Helvetica-Bold", "Company Number: "), ("Helvetica", "12345678")]
NAME_IN_ITALIC = [
    ("Helvetica", "Paid to "),
    ("Helvetica-Oblique", "Acme Ltd"),
    ("Helvetica", " on"),
]
VALUE_AFTER_LABEL = [("Times-Bold", "Company Number: "), ("Courier", "12345678")]
SYMBOL_FROM_FALLBACK = [("Helvetica", "Total "), ("Times-Roman", "£"), ("Helvetica", "12.00 paid")]
TABLE_COLUMNS = [
    ("Helvetica", "Reference" + " " * 30),
    ("Courier", "ABC"),
    ("Helvetica", " " * 30 + "Amount"),
]


@pytest.mark.parametrize(
    "parts", [LABEL_IN_BOLD, NAME_IN_ITALIC, VALUE_AFTER_LABEL, SYMBOL_FROM_FALLBACK, TABLE_COLUMNS]
)
def test_layout_font_changes_are_not_mixed_fonts(parts: list[tuple[str, str]]) -> None:
    def draw(canvas: Canvas) -> None:
        runs(canvas, 600, *parts)

    assert "mixed_fonts" not in codes(inspect_document(pdf(draw), now=NOW))


def test_family_used_throughout_the_document_is_layout() -> None:
    def draw(canvas: Canvas) -> None:
        for line in range(5):
            runs(
                canvas,
                600 - 20 * line,
                ("Helvetica", "Run "),
                ("Courier", "make"),
                ("Helvetica", " now"),
            )

    assert "mixed_fonts" not in codes(inspect_document(pdf(draw), now=NOW))


COMPANY_NUMBER_RETYPED = [("Helvetica-Bold", "Company Number "), ("Times-Roman", "02745182")]
NUMBER_RETYPED_BEFORE_TEXT = [("Times-Roman", "3318851"), ("Helvetica", " 8100 Authentication")]


@pytest.mark.parametrize("parts", [COMPANY_NUMBER_RETYPED, NUMBER_RETYPED_BEFORE_TEXT])
def test_value_retyped_at_a_line_end_in_another_family_is_mixed_fonts(
    parts: list[tuple[str, str]],
) -> None:
    def draw(canvas: Canvas) -> None:
        runs(canvas, 600, *parts)

    signal = only(inspect_document(pdf(draw), now=NOW), "mixed_fonts")
    font, value = next(part for part in parts if part[0] == "Times-Roman")
    assert f"'{value}' is set in {font} next to the text of a line set in Helvetica" in (
        signal.message
    )
    assert signal.evidence == "".join(text for _, text in parts)


def table(canvas: Canvas, rows: list[tuple[str, str, str]], fonts: dict[int, str]) -> None:
    """A register: a bold header, then one row per (name, shares, percentage) with the
    percentage right-aligned; `fonts` sets the percentage font of some rows (default
    Helvetica)."""
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(72, 640, "Name")
    canvas.drawRightString(400, 640, "Shares")
    canvas.drawRightString(520, 640, "% held")
    for index, (name, shares, percentage) in enumerate(rows):
        y = 620 - 20 * index
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, y, name)
        canvas.drawRightString(400, y, shares)
        canvas.setFont(fonts.get(index, "Helvetica"), 9)
        canvas.drawRightString(520, y, percentage)


REGISTER = [
    ("Amelia Brown", "2,769", "27.69%"),
    ("Rhys Walker", "2,619", "26.19%"),
    ("Amelia Clarke", "2,617", "26.17%"),
    ("Ananya Banerjee", "1,229", "12.29%"),
    ("William Clarke", "766", "7.66%"),
]


def test_value_alone_in_a_table_cell_in_another_family_is_mixed_fonts() -> None:
    def draw(canvas: Canvas) -> None:
        table(canvas, REGISTER, {4: "Times-Roman"})

    signal = only(inspect_document(pdf(draw), now=NOW), "mixed_fonts")
    assert signal.message.startswith("'7.66%' is set in Times-Roman on a line set in Helvetica")
    assert "only 1 line of the document" in signal.message
    assert signal.evidence == "William Clarke 766 7.66%"


def test_value_column_in_its_own_family_on_every_row_is_layout() -> None:
    def draw(canvas: Canvas) -> None:
        table(canvas, REGISTER, dict.fromkeys(range(len(REGISTER)), "Courier"))

    assert "mixed_fonts" not in codes(inspect_document(pdf(draw), now=NOW))


def test_stray_tiny_space_does_not_split_a_line() -> None:
    """A one-point space drawn on the value's baseline, below the label's line anchor."""

    def draw(canvas: Canvas) -> None:
        canvas.setFont("Helvetica", 10.5)
        canvas.drawString(60, 601.9, "Dr William Davies")
        canvas.setFont("Helvetica-Bold", 9.5)
        canvas.drawString(333, 600, "Bill date:")
        canvas.setFont("Helvetica-Bold", 1)
        canvas.drawString(372, 600, " ")
        canvas.setFont("Times-Roman", 9.9)
        canvas.drawString(425, 600, "13 October 2026")

    signal = only(inspect_document(pdf(draw), now=NOW), "mixed_fonts")
    assert signal.message.startswith("'13 October 2026' is set in Times-Roman on a line")


def test_brand_font_of_a_letterhead_is_layout() -> None:
    """A family that sets a line of its own (the bank's name) is design where it recurs."""

    def draw(canvas: Canvas) -> None:
        canvas.setFont("Times-Bold", 18)
        canvas.drawString(360, 760, "Northgate Bank")
        canvas.setFont("Helvetica", 10)
        canvas.drawString(72, 740, "Mr William Robinson")
        canvas.setFont("Times-Bold", 10)
        canvas.drawString(400, 740, "0800 123 4567")

    assert "mixed_fonts" not in codes(inspect_document(pdf(draw), now=NOW))


@pytest.mark.parametrize(
    "path",
    [
        Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf"),
        Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"),
    ],
)
def test_tex_manuals_with_inline_code_are_not_mixed_fonts(path: Path) -> None:
    """Manuals that pdfTeX made on the system: Computer Modern and Nimbus, code in CMTT."""
    if not path.exists():
        pytest.skip(f"{path} is not installed")
    assert "mixed_fonts" not in codes(inspect_document(path.read_bytes(), now=NOW))


@pytest.mark.parametrize(
    ("fonts", "same"),
    [
        (("ArialMT", "Arial-BoldItalicMT", "Arial,Bold", "ABCDEF+Arial-Black"), True),
        (("TimesNewRomanPSMT", "TimesNewRomanPS-BoldMT", "Times New Roman,Italic"), True),
        (("Calibri", "Calibri-Light", "Calibri-SemiBold"), True),
        (("CMR10", "CMBX12", "CMTI10", "ABCDEF+CMR12", "CMCSC10"), True),
        (("CMTT10", "CMTT12", "CMSLTT10"), True),
        (("LMRoman10-Regular", "LMRoman12-Bold", "LMRomanSlant10-Regular"), True),
        (("Helvetica", "Courier"), False),
        (("Times-Roman", "TimesNewRomanPSMT"), False),
        (("CMR10", "CMTT10"), False),
        (("LMRoman10-Regular", "LMMono10-Regular"), False),
        (("F1", "F2"), False),
    ],
)
def test_weights_and_styles_are_one_family(fonts: tuple[str, ...], same: bool) -> None:
    families = {inspect_fonts.font_family(font) for font in fonts}
    assert (len(families) == 1) == same


def test_pdf_without_producer_or_creator_is_metadata_missing() -> None:
    def strip(writer: PdfWriter) -> None:
        writer.metadata = None

    result = inspect_document(rewrite(pdf(), strip, incremental=False), now=NOW)
    assert only(result, "metadata_missing").severity == "info"


def test_restricted_pdf_is_encrypted_or_restricted() -> None:
    def restrict(writer: PdfWriter) -> None:
        writer.encrypt(
            "", "owner", permissions_flag=UserAccessPermissions.PRINT, algorithm="RC4-128"
        )

    result = inspect_document(rewrite(pdf(), restrict, incremental=False), now=NOW)
    signal = only(result, "encrypted_or_restricted")
    assert signal.severity == "info"
    assert "forbids: modify, copy, annotate, assemble" in signal.message
    assert signal.evidence.startswith("/P -")
    assert result.metadata["Producer"].startswith("ReportLab")


def test_password_protected_pdf_is_invalid() -> None:
    def protect(writer: PdfWriter) -> None:
        writer.encrypt("secret", algorithm="RC4-128")

    with pytest.raises(DocumentInvalid, match=r"^locked\.pdf: .*password"):
        inspect_document(rewrite(pdf(), protect, incremental=False), name="locked.pdf")


def test_jpeg_saved_by_photoshop_is_editing_software() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Software] = "Adobe Photoshop 25.0 (Windows)"
    result = inspect_document(image("JPEG", exif=exif), name="passport.jpg", now=NOW)
    assert (result.media_type, result.revisions) == ("image/jpeg", 1)
    signal = only(result, "editing_software")
    assert (signal.severity, signal.evidence) == ("warning", "Adobe Photoshop 25.0 (Windows)")


def test_png_text_chunk_naming_gimp_is_editing_software() -> None:
    info = PngInfo()
    info.add_text("Software", "GIMP 2.10.34")
    result = inspect_document(image("PNG", pnginfo=info), now=NOW)
    assert result.metadata["Software"] == "GIMP 2.10.34"
    assert only(result, "editing_software").evidence == "GIMP 2.10.34"


def test_photo_edited_years_after_it_was_taken_is_modified_later() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.DateTime] = "2023:05:01 09:00:00"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2020:05:01 09:00:00"
    result = inspect_document(image("JPEG", exif=exif), now=NOW)
    assert only(result, "modified_later").message == "DateTime is 1095 days after DateTimeOriginal"


def test_phone_photo_gives_no_signal() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Software] = "17.4.1"
    exif[ExifTags.Base.Make] = "Apple"
    result = inspect_document(image("JPEG", exif=exif), now=NOW)
    assert result.metadata == {"Software": "17.4.1", "Make": "Apple"}
    assert result.signals == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage bytes",
        b"%PDF-1.7\ngarbage",
        b"\xff\xd8\xff\xe0garbage",
        b"\x89PNG\r\n\x1a\nxx",
    ],
)
def test_corrupt_or_unsupported_input_is_invalid(data: bytes) -> None:
    with pytest.raises(DocumentInvalid, match=r"^statement\.pdf: "):
        inspect_document(data, name="statement.pdf")


def test_oversized_input_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inspect, "MAX_BYTES", 100)
    with pytest.raises(DocumentTooLarge, match="the limit is 100"):
        inspect_document(pdf(), name="big.pdf")
