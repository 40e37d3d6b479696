"""Archive documents on disk: where they are kept and what may be uploaded.

Files live in a private storage under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT and
STATIC_ROOT, under a server-generated name; they have no URL and are only ever served by
the download view, which checks visibility and writes an audit entry. What a file is
is decided by its first bytes, never by its name.
"""

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SNIFF_BYTES = 8

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OOXML_OTHER = "application/vnd.openxmlformats-officedocument"
LEGACY_OFFICE = "application/vnd.ms-office"

# The main part of an OOXML package tells which application made it.
OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage on settings.PRIVATE_MEDIA_ROOT with no base URL (so `.url()`
    raises). The root is read when first used, so tests can point it at a temporary
    folder with `settings.PRIVATE_MEDIA_ROOT = ...`."""

    def __init__(self):
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self):
        return os.fspath(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self):
        return None


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    # A callable, so migrations record a reference rather than a path on this machine.
    return private_storage


def document_upload_to(instance, filename: str) -> str:
    """A server-generated name: the uploader's filename is kept only in the database."""
    name = uuid.uuid4().hex
    return f"documents/{name[:2]}/{name}"


def max_upload_bytes() -> int:
    return getattr(settings, "ARCHIVE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def _ooxml_type(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()  # reads the central directory only; nothing unpacked
    except (zipfile.BadZipFile, OSError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for prefix, content_type in OOXML_PARTS:
        if any(name.startswith(prefix) for name in names):
            return content_type
    return OOXML_OTHER


def detect_content_type(upload) -> str | None:
    """The content type by magic bytes, or None when the file is not on the allow-list."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return LEGACY_OFFICE
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_type(upload)
    return None


@dataclass(frozen=True)
class CheckedUpload:
    original_filename: str
    size: int
    content_type: str
    sha256: str


def check_upload(upload) -> CheckedUpload:
    """Refuse what may not be kept (too big, empty, not an allowed kind of document);
    describe what may. Reads the file once for the checksum."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; documents may be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type = detect_content_type(upload)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF, JPEG or PNG image, or Word, Excel or PowerPoint "
                "document (whatever its name says). Scan or save it as one of those."
            ),
            code="type_not_allowed",
            params={"name": os.path.basename(upload.name or "")},
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():  # a Django File: chunks() starts from the beginning
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        original_filename=os.path.basename(upload.name or "")[:255] or "document",
        size=upload.size,
        content_type=content_type,
        sha256=digest.hexdigest(),
    )
