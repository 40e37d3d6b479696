"""Archive documents on disk: where they are kept and what may be uploaded.

Files live in a private storage under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT and
STATIC_ROOT, under a server-generated name; they have no URL and are only ever served by
the download view, which checks visibility and writes an audit entry.

What a file is is decided by parsing it, not by its name nor by its first bytes alone:
the name's extension must agree with what the content is, and the content must parse as
that kind of document (`archives.uploads.formats`), with nothing that runs inside it
(macros, programs, scripts) and nothing that would unpack into more than it should.
`check_upload` is the one gate: the upload form and `archive_document_add` both call it.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from archives.uploads.kinds import (
    DOC,
    DOCX,
    JPEG,
    KIND_BY_EXTENSION,
    PDF,
    PNG,
    PPT,
    PPTX,
    XLS,
    XLSX,
    Kind,
)

__all__ = [
    "DOC",
    "DOCX",
    "JPEG",
    "PDF",
    "PNG",
    "PPT",
    "PPTX",
    "XLS",
    "XLSX",
    "CheckedUpload",
    "Kind",
    "check_upload",
    "document_upload_to",
    "get_private_storage",
    "max_upload_bytes",
    "private_storage",
]

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


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


@dataclass(frozen=True)
class CheckedUpload:
    original_filename: str
    size: int
    content_type: str
    sha256: str


def _display_name(upload) -> str:
    return os.path.basename(upload.name or "")[:255] or "document"


def check_upload(upload) -> CheckedUpload:
    """Refuse what may not be kept, with a message that says what is wrong with the file;
    describe what may. The result is remembered on the upload object, so the form and the
    service it hands the file to parse it once."""
    checked = getattr(upload, "_archive_checked", None)
    if checked is not None:
        return checked
    from archives.uploads.formats import inspect_content  # the parsers load when first needed

    name = _display_name(upload)
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; documents may be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    extension = os.path.splitext(name)[1].lower()
    named = KIND_BY_EXTENSION.get(extension)
    kind = inspect_content(upload, name=name, named=named)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():  # a Django File: chunks() starts from the beginning
        digest.update(chunk)
    upload.seek(0)
    checked = CheckedUpload(
        original_filename=name,
        size=upload.size,
        content_type=kind.content_type,
        sha256=digest.hexdigest(),
    )
    upload._archive_checked = checked
    return checked
