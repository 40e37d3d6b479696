"""What an uploaded file really is: sniff its first bytes, then parse it as that kind
(PDF, image, Office Open XML package, legacy Office compound file) and refuse anything
that does not parse, does not match its name, or carries something that runs.

Every refusal is a ValidationError whose message says what is wrong with the file and
what to do; a parser's own exception never reaches the user (untrusted input can make
any parser raise anything, so each parse is wrapped)."""

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archives.uploads.kinds import ALLOWED_EXTENSIONS, JPEG, PDF, PNG, Kind

logger = logging.getLogger(__name__)

SNIFF_BYTES = 8
PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# A scan of an A4 page at 600 dpi is 35 megapixels.
DEFAULT_MAX_IMAGE_PIXELS = 60_000_000
# The PDF specification puts %%EOF on the last line; allow trailing bytes as readers do.
PDF_EOF_WINDOW = 1024
# Objects visited when looking for scripts: far above a real 20 MB document.
PDF_MAX_OBJECTS = 500_000

# Anything that starts a program or a script, in a name inside a package or attachment.
# fmt: off
EXECUTABLE_SUFFIXES = frozenset({
    ".exe", ".dll", ".com", ".scr", ".pif", ".msi", ".msp", ".cpl", ".sys", ".ocx", ".drv",
    ".jar", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".wsc", ".hta", ".bat", ".cmd",
    ".ps1", ".psm1", ".psd1", ".sh", ".lnk", ".url", ".reg", ".inf", ".chm",
    ".html", ".htm", ".xhtml", ".mht", ".mhtml", ".shtml",
    ".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb", ".pptm", ".potm", ".ppam", ".ppsm",
    ".sldm",
})
# fmt: on
# Links a document may carry: to web pages, e-mail addresses and phone numbers. Not file:,
# UNC paths (\\server\share: they hand the reader's Windows password hash to that
# server), javascript: or anything else.
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.I)
SVG_SCRIPT = re.compile(rb"<\s*script|<\s*foreignObject|\son[a-z]+\s*=|javascript:", re.I)

UNKNOWN_EXTENSION = _(
    "“%(name)s” is not a kind of document the archive keeps. Upload a PDF, a JPEG or PNG "
    "image, or a Word, Excel or PowerPoint document (%(extensions)s)."
)
NOT_A_DOCUMENT = _(
    "“%(name)s” is not a PDF, JPEG or PNG image, or Word, Excel or PowerPoint document "
    "(whatever its name says). Scan or save it as one of those."
)
NAME_MISMATCH = _(
    "“%(name)s” is %(found)s inside, not %(named)s as its name says. Save it again in the "
    "right format, or correct its name."
)
PDF_DAMAGED = _(
    "“%(name)s” is damaged or incomplete: it cannot be read as a PDF. Save or scan it again "
    "and upload the new file."
)
PDF_NO_PAGES = _("“%(name)s” is a PDF without any page.")
PDF_PASSWORD = _(
    "“%(name)s” is protected by a password. Upload a copy without a password: the archive "
    "must be readable at an inspection."
)
PDF_SCRIPT = _(
    "“%(name)s” contains JavaScript or an action that starts a program. Print it to a new "
    "PDF (or scan the paper) and upload that."
)
PDF_ACTION = _(
    "“%(name)s” contains an action that opens another file, starts a program or sends data "
    "(%(action)s); only links to its own pages and to web or e-mail addresses are allowed. "
    "Print it to a new PDF (or scan the paper) and upload that."
)
PDF_ATTACHMENTS = _(
    "“%(name)s” has other files attached inside it. Upload each document on its own, as a "
    "PDF without attachments."
)
IMAGE_DAMAGED = _("“%(name)s” is damaged: the image cannot be decoded. Scan or save it again.")
IMAGE_TOO_LARGE = _(
    "“%(name)s” is %(pixels)s megapixels; images may have at most %(limit)s megapixels. "
    "Scan it at a lower resolution."
)


def refuse(message, *, code: str, name: str, **params):
    raise ValidationError(message, code=code, params={"name": name, **params})


def expect(*, name: str, named: Kind, found: Kind) -> Kind:
    if found is not named:
        refuse(NAME_MISMATCH, code="name_mismatch", name=name, found=found.label,
               named=named.label)  # fmt: skip
    return found


def inspect_content(upload, *, name: str, named: Kind | None) -> Kind:
    """The kind of document `upload` is, after parsing it; a ValidationError saying
    what is wrong otherwise. `named` is the kind its extension claims."""
    if named is None:
        refuse(UNKNOWN_EXTENSION, code="type_not_allowed", name=name,
               extensions=ALLOWED_EXTENSIONS)  # fmt: skip
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    try:
        if head.startswith(PDF_MAGIC):
            expect(name=name, named=named, found=PDF)
            inspect_pdf(upload, name=name)
            return PDF
        if head.startswith(JPEG_MAGIC) or head.startswith(PNG_MAGIC):
            found = JPEG if head.startswith(JPEG_MAGIC) else PNG
            expect(name=name, named=named, found=found)
            inspect_image(upload, name=name, kind=found)
            return found
        if head.startswith(ZIP_MAGIC):
            from archives.uploads.office import inspect_ooxml

            return expect(name=name, named=named, found=inspect_ooxml(upload, name=name))
        if head.startswith(OLE_MAGIC):
            from archives.uploads.office import inspect_ole

            return expect(name=name, named=named, found=inspect_ole(upload, name=name))
    finally:
        upload.seek(0)
    refuse(NOT_A_DOCUMENT, code="type_not_allowed", name=name)
    raise AssertionError  # unreachable: refuse() raises


def link_scheme(target: str) -> str:
    """The scheme of a link target in lower case ("https"), "" for one without."""
    match = LINK_SCHEME.match(target)
    return match.group(1).lower() if match else ""


def has_executable_name(text: str) -> bool:
    text = text.strip().strip("\x00").lower()
    return any(text.endswith(suffix) for suffix in EXECUTABLE_SUFFIXES)


# --- images -----------------------------------------------------------------------------


def inspect_image(upload, *, name: str, kind: Kind) -> None:
    """The image decodes completely (a truncated or corrupt scan does not) and is not a
    decompression bomb. A JPEG is decoded at 1/8 scale: every block is still read."""
    from PIL import Image

    limit = getattr(settings, "ARCHIVE_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    try:
        with Image.open(upload, formats=["JPEG" if kind == JPEG else "PNG"]) as image:
            width, height = image.size
            if width * height > limit:
                refuse(IMAGE_TOO_LARGE, code="image_too_large", name=name,
                       pixels=round(width * height / 1e6), limit=round(limit / 1e6))  # fmt: skip
            if kind == JPEG:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except ValidationError:
        raise
    except Exception:  # any decoder error means the image is not usable
        logger.info("Refused image %r: it does not decode", name, exc_info=True)
        refuse(IMAGE_DAMAGED, code="image_damaged", name=name)


# --- PDF --------------------------------------------------------------------------------


def _pdf_has_end(upload) -> bool:
    upload.seek(max(0, upload.size - PDF_EOF_WINDOW))
    tail = upload.read(PDF_EOF_WINDOW)
    upload.seek(0)
    return b"%%EOF" in tail


def inspect_pdf(upload, *, name: str) -> None:
    """A complete PDF (it ends with %%EOF and its page tree loads), readable without a
    password (an owner password that only restricts printing is fine), with no
    JavaScript, launch action or attached file anywhere in its object graph."""
    from pypdf import PdfReader

    if not _pdf_has_end(upload):
        refuse(PDF_DAMAGED, code="pdf_damaged", name=name)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            refuse(PDF_PASSWORD, code="pdf_password", name=name)
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 - loads each page: a broken tree raises here
        problem = _pdf_active_content(reader)
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds on malformed input
        logger.info("Refused PDF %r: it does not parse", name, exc_info=True)
        refuse(PDF_DAMAGED, code="pdf_damaged", name=name)
    if pages == 0:
        refuse(PDF_NO_PAGES, code="pdf_no_pages", name=name)
    kind, what = problem or (None, "")
    if kind == "script":
        refuse(PDF_SCRIPT, code="pdf_script", name=name)
    if kind == "action":
        refuse(PDF_ACTION, code="pdf_action", name=name, action=what)
    if kind == "attachment":
        refuse(PDF_ATTACHMENTS, code="pdf_attachments", name=name)


SCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})
# The actions a reader may run: go to a page of this document, open a web or mail address,
# clear a form. Everything else (/Launch, /GoToR, /GoToE, /SubmitForm, /ImportData,
# /JavaScript, /Rendition, /Sound, /Movie, /RichMediaExecute, unknown ones) is refused.
ALLOWED_ACTIONS = frozenset({"/GoTo", "/URI", "/ResetForm"})
# Where actions hang: a link's or outline item's /A, the document's /OpenAction, the
# additional actions (/AA: a dictionary of triggers), and the chain of an action (/Next).
ACTION_KEYS = frozenset({"/A", "/OpenAction", "/Next"})


def _pdf_resolve(value):
    """The object `value` stands for: indirect references followed (a name or dictionary
    may be stored as an object of its own, to hide it from a check of direct values)."""
    from pypdf.generic import IndirectObject

    for _hop in range(32):
        if not isinstance(value, IndirectObject):
            return value
        value = value.get_object()
    raise ValueError("reference loop")


def _pdf_actions(value, *, key: str = "/A") -> list:
    """The action dictionaries in a value of /A, /OpenAction or /Next (a dictionary, or
    an array of them for /Next; an /OpenAction array is a destination, not an action)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    value = _pdf_resolve(value)
    if isinstance(value, DictionaryObject):
        return [value]
    if isinstance(value, ArrayObject) and key == "/Next":
        return [item for item in map(_pdf_resolve, value) if isinstance(item, DictionaryObject)]
    return []


def _pdf_action_problem(action) -> tuple[str, str] | None:
    kind = _pdf_resolve(action.get("/S"))
    if kind is None:
        return None  # not an action a reader runs
    if kind == "/JavaScript":
        return "script", str(kind)
    if kind not in ALLOWED_ACTIONS:
        return "action", str(kind)
    if kind == "/URI":
        uri = _pdf_resolve(action.get("/URI"))
        text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri or "")
        if link_scheme(text) not in SAFE_LINK_SCHEMES:
            return "action", f"/URI {text[:120]}"
    return None


def _pdf_active_content(reader) -> tuple[str, str] | None:
    """("script" | "action" | "attachment", what) or None, from a walk of every object
    reachable from the trailer. Names are compared decoded (/J#61vaScript is
    /JavaScript) and after following references (/S 12 0 R is the name in object 12).
    Stream data is not decoded: page content cannot run anything."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    attachment = None
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(obj, DictionaryObject):
            actions = []
            if _pdf_resolve(obj.get("/Type")) == "/Action":
                actions.append(obj)
            for key, value in dict.items(obj):  # raw values: references stay unresolved
                if key in SCRIPT_KEYS:
                    return "script", str(key)
                if key in ACTION_KEYS:
                    actions += _pdf_actions(value, key=key)
                elif key == "/AA":
                    triggers = _pdf_resolve(value)
                    if isinstance(triggers, DictionaryObject):
                        for trigger in dict.values(triggers):
                            actions += _pdf_actions(trigger)
                resolved = _pdf_resolve(value) if key in ("/Type", "/Subtype") else value
                if key == "/EmbeddedFiles" or (
                    key in ("/Type", "/Subtype")
                    and resolved in ("/EmbeddedFile", "/FileAttachment", "/RichMedia")
                ):
                    attachment = ("attachment", str(key))
                if isinstance(value, IndirectObject | DictionaryObject | ArrayObject):
                    stack.append(value)
            for action in actions:
                if problem := _pdf_action_problem(action):
                    return problem
        elif isinstance(obj, ArrayObject):
            stack.extend(
                item
                for item in list.__iter__(obj)
                if isinstance(item, IndirectObject | DictionaryObject | ArrayObject)
            )
    return attachment
