"""The kinds of document an archive keeps, their content types and the extensions a file
of that kind may be named with."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]
    # How a message names it: "“x.pdf” is <label> inside, not <label> as its name says."
    label: Promise


PDF = Kind("application/pdf", (".pdf",), _("a PDF"))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), _("a JPEG image"))
PNG = Kind("image/png", (".png",), _("a PNG image"))
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
    _("a Word document (.docx)"),
)
XLSX = Kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
    _("an Excel workbook (.xlsx)"),
)
PPTX = Kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
    _("a PowerPoint presentation (.pptx)"),
)
DOC = Kind("application/msword", (".doc",), _("a Word 97-2003 document (.doc)"))
XLS = Kind("application/vnd.ms-excel", (".xls",), _("an Excel 97-2003 workbook (.xls)"))
PPT = Kind(
    "application/vnd.ms-powerpoint", (".ppt",), _("a PowerPoint 97-2003 presentation (.ppt)")
)

ALL_KINDS = (PDF, JPEG, PNG, DOCX, XLSX, PPTX, DOC, XLS, PPT)
OOXML_KINDS = (DOCX, XLSX, PPTX)
LEGACY_OFFICE_KINDS = (DOC, XLS, PPT)
KIND_BY_EXTENSION = {extension: kind for kind in ALL_KINDS for extension in kind.extensions}
ALLOWED_EXTENSIONS = " ".join(KIND_BY_EXTENSION)

# What the content turned out to be when it is none of the kinds above.
ZIP_ARCHIVE = _("a ZIP archive")
OTHER_OLE_FILE = _("an Office or Windows file of another kind")
