import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from archives.models import ArchiveDocument, DocumentKind
from archives.services import archive_document_add
from archives.uploads import DOC, DOCX, JPEG, PDF, PNG, PPTX, XLS, XLSX
from tests.archives.conftest import stored_files
from tests.archives.documents import (
    FILES,
    docx_bytes,
    image_bytes,
    pdf_bytes,
    pptx_bytes,
    xlsx_bytes,
    zip_bytes,
)
from tests.archives.factories import MINIMAL_PDF, archive_for, pdf_upload

pytestmark = pytest.mark.django_db


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def archive(customer_of_sales1):
    return archive_for(customer_of_sales1)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("合同.pdf", MINIMAL_PDF, PDF.content_type),
        ("scan.png", image_bytes("PNG"), PNG.content_type),
        ("photo.JPG", image_bytes("JPEG"), JPEG.content_type),
        ("行程.docx", docx_bytes(), DOCX.content_type),
        ("结算单.xlsx", xlsx_bytes(), XLSX.content_type),
        ("说明会.pptx", pptx_bytes(), PPTX.content_type),
        ("old.doc", (FILES / "minimal.doc").read_bytes(), DOC.content_type),
        ("old.xls", (FILES / "minimal.xls").read_bytes(), XLS.content_type),
        ("restricted.pdf", pdf_bytes(owner_password="owner"), PDF.content_type),
    ],
    ids=["pdf", "png", "jpeg", "docx", "xlsx", "pptx", "doc", "xls", "pdf-owner-password-only"],
)
def test_allowed_documents_are_stored_privately_under_a_generated_name(
    archive, sales1, private_media, name, content, content_type
):
    document = archive_document_add(
        actor=sales1, archive=archive, kind=DocumentKind.ITINERARY, upload=upload(name, content)
    )
    assert document.content_type == content_type
    assert document.original_filename == name
    assert document.size == len(content)
    assert len(document.sha256) == 64
    [stored] = stored_files(private_media)
    assert stored.read_bytes() == content
    assert name not in str(stored) and "." not in stored.name
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 - private files have no URL


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 40),  # not even a readable ZIP
        ("bundle.docx", zip_bytes({"payload.txt": b"hello"})),  # no [Content_Types].xml
        ("empty.pdf", b""),
    ],
    ids=["html-named-pdf", "broken-zip", "plain-zip", "empty"],
)
def test_files_that_are_not_documents_are_refused_and_not_stored(
    archive, sales1, private_media, name, content
):
    with pytest.raises(ValidationError):
        archive_document_add(
            actor=sales1, archive=archive, kind=DocumentKind.ITINERARY, upload=upload(name, content)
        )
    assert ArchiveDocument.objects.count() == 0
    assert stored_files(private_media) == []


def test_the_page_explains_why_an_html_file_named_pdf_is_refused(
    archive, sales1, client_as, private_media
):
    response = client_as(sales1).post(
        reverse("archives:document_add", args=[archive.pk]),
        {"kind": DocumentKind.TRAVEL_CONTRACT,
         "file": upload("contract.pdf", b"<html><body>not a pdf</body></html>")},
    )  # fmt: skip
    assert response.status_code == 400
    assert "is not a PDF, JPEG or PNG image" in response.text
    assert "whatever its name says" in response.text
    assert ArchiveDocument.objects.count() == 0
    assert stored_files(private_media) == []


def test_oversize_files_are_refused(archive, sales1, client_as, settings, private_media):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 1024
    big = MINIMAL_PDF + b"%" * 2048
    response = client_as(sales1).post(
        reverse("archives:document_add", args=[archive.pk]),
        {"kind": DocumentKind.TRAVEL_CONTRACT, "file": upload("big.pdf", big)},
    )
    assert response.status_code == 400
    assert "documents may be at most 1.0\xa0KB" in response.text
    assert ArchiveDocument.objects.count() == 0
    assert stored_files(private_media) == []


def test_the_default_limit_is_20_mb(settings):
    from archives.uploads import max_upload_bytes

    assert max_upload_bytes() == settings.ARCHIVE_MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_a_rep_uploads_through_the_page(archive, sales1, client_as):
    response = client_as(sales1).post(
        reverse("archives:document_add", args=[archive.pk]),
        {"kind": DocumentKind.TRAVEL_CONTRACT, "file": pdf_upload("合同 HT-001.pdf"),
         "reference": "HT-001"},
    )  # fmt: skip
    assert response.status_code == 302
    document = ArchiveDocument.objects.get()
    assert (document.kind, document.reference, document.uploaded_by) == (
        DocumentKind.TRAVEL_CONTRACT, "HT-001", sales1,
    )  # fmt: skip


def test_a_paper_original_is_recorded_with_its_location(archive, custodian1, client_as):
    response = client_as(custodian1).post(
        reverse("archives:document_add", args=[archive.pk]),
        {"kind": DocumentKind.INSURANCE, "paper_location": "档案室 3号柜 B层"},
    )
    assert response.status_code == 302
    document = ArchiveDocument.objects.get()
    assert document.is_paper and document.paper_location == "档案室 3号柜 B层"


def test_a_document_is_a_file_or_a_paper_original_never_both_nor_neither(
    archive, sales1, client_as
):
    client = client_as(sales1)
    url = reverse("archives:document_add", args=[archive.pk])
    both = client.post(url, {"kind": DocumentKind.INSURANCE, "file": pdf_upload(),
                             "paper_location": "柜子"})  # fmt: skip
    neither = client.post(url, {"kind": DocumentKind.INSURANCE})
    assert both.status_code == neither.status_code == 400
    assert "not both" in both.text
    assert ArchiveDocument.objects.count() == 0


def test_the_database_refuses_a_document_with_both(archive, sales1):
    with pytest.raises(IntegrityError):
        ArchiveDocument.objects.create(
            archive=archive, kind=DocumentKind.INSURANCE, file="documents/x", paper_location="柜子",
            uploaded_by=sales1,
        )  # fmt: skip


def test_a_rep_of_another_team_cannot_upload(archive, sales3, client_as):
    response = client_as(sales3).post(
        reverse("archives:document_add", args=[archive.pk]),
        {"kind": DocumentKind.TRAVEL_CONTRACT, "file": pdf_upload()},
    )
    assert response.status_code == 404
    assert ArchiveDocument.objects.count() == 0
