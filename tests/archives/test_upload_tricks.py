"""One test per trick a file can play on the upload check: each is refused with a message
that says what is wrong with the file, nothing is stored, and the page answers 400 (never
500). The documents are built in tests/archives/documents.py."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.models import ArchiveDocument, DocumentKind
from archives.uploads import DOCX, check_upload
from tests.archives.conftest import stored_files
from tests.archives.documents import (
    FILES,
    compound_file,
    doc_bytes,
    docx_bytes,
    image_bytes,
    ole_package_native,
    pdf_bytes,
    xls_bytes,
    xlsx_bytes,
    zip_bytes,
)
from tests.archives.factories import archive_for

pytestmark = pytest.mark.django_db

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, content))
    return caught.value


def macro_docx() -> bytes:
    return docx_bytes({"word/vbaProject.bin": doc_bytes({"VBA/dir": b"\x01"})})


def bomb_docx() -> bytes:
    # 8 MB of zeros deflate to about 8 KB: a thousand times, where documents stay under 20.
    return docx_bytes({"word/media/image1.png": b"\x00" * (8 * 1024 * 1024)})


TRICKS = [
    # (id, file name, content, code, words the message must contain)
    ("exe-renamed-docx", "行程.docx", WINDOWS_PROGRAM, "type_not_allowed",
     "whatever its name says"),
    ("text-renamed-doc", "合同.doc", "这是一份合同。\r\n".encode() * 40, "type_not_allowed",
     "whatever its name says"),
    ("html-renamed-pdf", "invoice.pdf", b"<html><script>alert(1)</script></html>",
     "type_not_allowed", "whatever its name says"),
    ("zip-with-html-renamed-xlsx", "结算单.xlsx",
     zip_bytes({"index.html": b"<html><script>alert(1)</script></html>"}), "executable",
     "index.html"),
    ("plain-zip-renamed-docx", "bundle.docx", zip_bytes({"notes.txt": b"hello"}), "not_office",
     "is a ZIP archive"),
    ("docx-with-vbaproject", "行程.docx", macro_docx(), "macros", "contains macros"),
    ("docx-declaring-macros", "行程.docx", docx_bytes(content_types_extra=(
        '<Override PartName="/word/x.xml" ContentType="application/vnd.ms-word.'
        'document.macroEnabled.main+xml"/>')), "macros", "contains macros"),
    ("docx-with-exe-inside", "行程.docx", docx_bytes({"word/media/setup.exe": b"x"}),
     "executable", "word/media/setup.exe"),
    ("docx-with-unnamed-program", "行程.docx", docx_bytes({"word/media/image2.png":
                                                            WINDOWS_PROGRAM}),
     "executable", "word/media/image2.png"),
    ("docx-with-packaged-program", "行程.docx", docx_bytes({
        "word/embeddings/oleObject1.bin": doc_bytes({
            "\x01Ole10Native": ole_package_native("invoice.exe", WINDOWS_PROGRAM)})}),
     "executable", "invoice.exe"),
    ("docx-with-svg-script", "行程.docx", docx_bytes({"word/media/image1.svg":
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("//x")</script></svg>'}),
     "executable", "image1.svg"),
    ("docx-with-activex", "行程.docx", docx_bytes({"word/activeX/activeX1.xml": b"<x/>"}),
     "executable", "activeX1.xml"),
    ("docx-path-traversal", "行程.docx", docx_bytes({"../../config/settings.py": b"x"}),
     "path_traversal", "../../config/settings.py"),
    ("zip-bomb-ratio", "行程.docx", bomb_docx(), "zip_bomb", "zip bomb"),
    ("xlsx-named-docx", "行程.docx", xlsx_bytes(), "name_mismatch",
     "is an Excel workbook (.xlsx) inside, not a Word document (.docx)"),
    ("xls-named-doc", "合同.doc", xls_bytes(), "name_mismatch",
     "is an Excel 97-2003 workbook (.xls) inside, not a Word 97-2003 document (.doc)"),
    ("ole-of-another-kind", "合同.doc", compound_file({"Contents": b"\x00"}),
     "name_mismatch", "of another kind"),
    ("doc-with-macros", "合同.doc", doc_bytes({"Macros/VBA/dir": b"\x01"}), "macros",
     "contains macros"),
    ("doc-packaging-a-program", "合同.doc", doc_bytes({
        "ObjectPool/_1234/\x01Ole10Native": ole_package_native("run.bat", b"@echo off")}),
     "executable", "run.bat"),
    ("encrypted-docx", "行程.docx", compound_file({
        "EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00" * 16}),
     "office_password", "protected by a password"),
    ("truncated-pdf", "合同.pdf", pdf_bytes()[:300], "pdf_damaged", "damaged or incomplete"),
    ("pdf-cut-before-its-objects", "合同.pdf", pdf_bytes()[:120] + b"\n%%EOF\n",
     "pdf_damaged", "damaged or incomplete"),
    ("pdf-with-javascript", "合同.pdf", pdf_bytes(javascript="app.launchURL('http://x')"),
     "pdf_script", "JavaScript"),
    ("pdf-with-attachment", "合同.pdf", pdf_bytes(attachment=WINDOWS_PROGRAM),
     "pdf_attachments", "attached inside it"),
    ("pdf-with-password", "合同.pdf", pdf_bytes(password="secret"), "pdf_password",
     "protected by a password"),
    ("png-renamed-pdf", "合同.pdf", image_bytes("PNG"), "name_mismatch",
     "is a PNG image inside, not a PDF"),
    ("truncated-jpeg", "scan.jpg", image_bytes("JPEG", size=(400, 300))[:600],
     "image_damaged", "cannot be decoded"),
    ("unknown-extension", "合同.html", pdf_bytes(), "type_not_allowed",
     "not a kind of document the archive keeps"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [pytest.param(*trick[1:], id=trick[0]) for trick in TRICKS],
)
def test_each_trick_is_refused_with_a_message_saying_what_is_wrong(name, content, code, words):
    error = refusal(name, content)
    assert error.code == code
    message = " ".join(error.messages)
    assert name in message
    assert words in message


def test_embedded_documents_are_checked_too():
    embedded = {
        "word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_bytes(),
        "word/embeddings/Microsoft_Word_97-2003_Document.doc": doc_bytes(),
    }
    assert check_upload(upload("行程.docx", docx_bytes(embedded))).content_type == DOCX.content_type
    hidden_macros = docx_bytes({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "xl/vbaProject.bin": b"\x00"})})  # fmt: skip
    assert refusal("行程.docx", hidden_macros).code == "macros"


def test_the_whole_package_is_capped_when_unpacked(settings):
    settings.ARCHIVE_MAX_UNPACKED_BYTES = 64 * 1024
    error = refusal("行程.docx", docx_bytes({"word/media/big.png": bytes(range(256)) * 512}))
    assert error.code == "zip_too_big"
    assert "more than the 64.0\xa0KB a document may unpack to" in " ".join(error.messages)


def test_a_damaged_member_is_refused_not_a_500():
    content = bytearray(docx_bytes())
    offset = content.index(b"word/document.xml") + len("word/document.xml") + 10
    content[offset : offset + 8] = b"\xff" * 8  # corrupt the compressed text
    error = refusal("行程.docx", bytes(content))
    assert error.code in {"ooxml_damaged", "not_office"}


def test_shipped_legacy_fixtures_are_real_compound_files():
    import olefile

    with olefile.OleFileIO(str(FILES / "minimal.doc")) as doc:
        assert doc.exists("WordDocument")
        assert doc.openstream("WordDocument").read(2) == b"\xec\xa5"
    with olefile.OleFileIO(str(FILES / "minimal.xls")) as xls:
        assert xls.exists("Workbook")


def test_a_zip_of_path_traversal_names_is_refused_even_without_office_parts():
    content = zip_bytes({"[Content_Types].xml": b"<Types/>", "/etc/cron.d/x": b"x"})
    assert refusal("结算单.xlsx", content).code == "path_traversal"


def test_a_refused_upload_through_the_page_is_a_400_with_the_reason(
    customer_of_sales1, sales1, client_as, private_media
):
    archive = archive_for(customer_of_sales1)
    response = client_as(sales1).post(
        reverse("archives:document_add", args=[archive.pk]),
        {"kind": DocumentKind.SETTLEMENT_SHEET, "file": upload("结算单.xlsx", zip_bytes({
            "[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
            "xl/vbaProject.bin": b"\x00"}))},
    )  # fmt: skip
    assert response.status_code == 400
    assert "contains macros" in response.text
    assert ArchiveDocument.objects.count() == 0
    assert stored_files(private_media) == []


def test_the_check_parses_once_for_the_form_and_the_service(monkeypatch):
    from archives.uploads import formats

    calls = []
    real = formats.inspect_content
    monkeypatch.setattr(formats, "inspect_content", lambda *a, **k: calls.append(1) or real(
        *a, **k))  # fmt: skip
    file = upload("合同.pdf", pdf_bytes())
    assert check_upload(file) == check_upload(file)
    assert len(calls) == 1
