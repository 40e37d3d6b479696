"""Office files: Office Open XML packages (.docx/.xlsx/.pptx, ZIP inside) and legacy
compound files (.doc/.xls/.ppt, OLE inside).

A package is read entry by entry, never unpacked to disk, and only within limits fixed
before reading (entry count, total unpacked size, compression ratio): Python's zipfile
stops each entry at its declared size and checks its CRC, so the declared sizes bound
what is read. The main part is found as Office finds it (the officeDocument relationship
of _rels/.rels and its content type in [Content_Types].xml) and must parse as XML.
What the parts may be and link to is an allowlist, in `archives.uploads.ooxml_content`."""

import io
import posixpath
import struct
import zipfile
import zlib

import olefile
from defusedxml import ElementTree as SafeXML
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from archives.uploads.formats import (
    OLE_MAGIC,
    SVG_SCRIPT,
    ZIP_MAGIC,
    has_executable_name,
    refuse,
)
from archives.uploads.kinds import DOC, DOCX, OTHER_OLE_FILE, PPT, PPTX, XLS, XLSX, Kind
from archives.uploads.ooxml_content import OFFICE_MACROS, check_content

DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Apache POI refuses entries inflating over 100 times; real documents stay far below.
DEFAULT_MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # small parts may compress well harmlessly
MAX_ENTRIES = 10_000
HEAD_BYTES = 512

CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOCUMENT_REL = "/officeDocument"  # Transitional and Strict relationship types end so
MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        DOCX, "document",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        XLSX, "workbook",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        PPTX, "presentation",
    ),
}  # fmt: skip
MACRO_PART_NAMES = frozenset({"vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin"})
OLE_MACRO_STORAGES = frozenset({"macros", "_vba_project_cur", "vba", "_vba_project"})
OLE_NATIVE = "\x01ole10native"
WORD_FIB_MAGIC = b"\xec\xa5"
WORD_FIB_ENCRYPTED = 0x0100  # fEncrypted in the FIB flags at offset 10
EXCEL_BOF_RECORDS = frozenset({0x0809, 0x0009, 0x0209, 0x0409})

OOXML_DAMAGED = _(
    "“%(name)s” is damaged: it cannot be opened as a Word, Excel or PowerPoint file. Save it "
    "again and upload the new file."
)
OOXML_NOT_OFFICE = _(
    "“%(name)s” is a ZIP archive, not a Word, Excel or PowerPoint document. Upload the "
    "documents themselves, one by one."
)
OFFICE_EXECUTABLE = _(
    "“%(name)s” contains a program, a script or a web page (%(part)s). Documents with such "
    "content are not kept in the archive: remove it, save the document again and upload it."
)
OOXML_BAD_NAME = _(
    "“%(name)s” contains a file with a name that points outside the document (%(part)s); it "
    "is refused."
)
OOXML_TOO_BIG = _(
    "“%(name)s” would unpack to %(size)s, more than the %(limit)s a document may unpack to. "
    "Split it into smaller documents."
)
OOXML_BOMB = _(
    "“%(name)s” is compressed far more tightly than a real document (%(part)s, %(ratio)s "
    "times); it is refused as a possible “zip bomb”."
)
OOXML_TOO_MANY = _(
    "“%(name)s” holds %(count)s files inside, far more than a document; it is refused as a "
    "possible “zip bomb”."
)
OFFICE_PASSWORD = _(
    "“%(name)s” is protected by a password. Upload a copy without a password: the archive "
    "must be readable at an inspection."
)
OLE_DAMAGED = _(
    "“%(name)s” is damaged: it cannot be opened as a Word, Excel or PowerPoint 97-2003 file. "
    "Save it again (preferably as .docx, .xlsx or .pptx) and upload the new file."
)


def _limits() -> tuple[int, int]:
    return (
        getattr(settings, "ARCHIVE_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES),
        getattr(settings, "ARCHIVE_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO),
    )


def _unsafe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or "\x00" in name
        or ".." in parts
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def inspect_ooxml(upload, *, name: str) -> Kind:
    """The kind of Office Open XML document `upload` is; refused if it is not one, or
    carries macros, programs, scripts, names that climb out of it, or a zip bomb."""
    try:
        with zipfile.ZipFile(upload) as package:
            return _inspect_package(package, name=name)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError, KeyError, struct.error, zlib.error,
            SafeXML.ParseError):  # fmt: skip
        refuse(OOXML_DAMAGED, code="ooxml_damaged", name=name)
    except Exception as error:  # defusedxml's refusals (entities, DTDs) and the like
        if error.__class__.__module__.startswith("defusedxml"):
            refuse(OOXML_DAMAGED, code="ooxml_damaged", name=name)
        raise


def _inspect_package(package: zipfile.ZipFile, *, name: str) -> Kind:
    _check_package(package, name=name, depth=0)
    return _main_part_kind(package, name=name)


def _check_package(package: zipfile.ZipFile, *, name: str, depth: int) -> None:
    """The safety checks, for the upload and for a package embedded in it (an .xlsx
    inside a .docx is checked the same way, one level deep)."""
    entries = package.infolist()
    max_unpacked, max_ratio = _limits()
    if len(entries) > MAX_ENTRIES:
        refuse(OOXML_TOO_MANY, code="zip_bomb", name=name, count=len(entries))
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        refuse(OOXML_DAMAGED, code="ooxml_damaged", name=name)
    for entry in entries:
        if _unsafe_name(entry.filename):
            refuse(OOXML_BAD_NAME, code="path_traversal", name=name, part=entry.filename)
    total = sum(entry.file_size for entry in entries)
    if total > max_unpacked:
        refuse(OOXML_TOO_BIG, code="zip_too_big", name=name, size=filesizeformat(total),
               limit=filesizeformat(max_unpacked))  # fmt: skip
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECKED_FROM_BYTES and ratio > max_ratio:
            refuse(OOXML_BOMB, code="zip_bomb", name=name, part=entry.filename,
                   ratio=int(ratio))  # fmt: skip
        if entry.flag_bits & 0x1:
            refuse(OFFICE_PASSWORD, code="office_password", name=name)
    for entry in entries:
        lower = entry.filename.lower()
        if posixpath.basename(lower) in MACRO_PART_NAMES:
            refuse(OFFICE_MACROS, code="macros", name=name)
        if has_executable_name(lower) or "/activex/" in f"/{lower}":
            refuse(OFFICE_EXECUTABLE, code="executable", name=name, part=entry.filename)
    for entry in entries:
        _inspect_entry(package, entry, name=name, depth=depth)
    check_content(package, name=name)


def _inspect_entry(
    package: zipfile.ZipFile, entry: zipfile.ZipInfo, *, name: str, depth: int
) -> None:
    """Read the whole entry (this checks its CRC): no Windows program anywhere, no script
    in an SVG picture, nothing that runs in an embedded OLE object or package."""
    if entry.is_dir():
        return
    lower = entry.filename.lower()
    kept = bytearray()
    keep_all = False
    with package.open(entry) as stream:
        while chunk := stream.read(64 * 1024):
            if not kept:  # what the entry is decides whether the whole of it is needed
                keep_all = lower.endswith(".svg") or chunk.startswith((OLE_MAGIC, ZIP_MAGIC))
            if keep_all or len(kept) < HEAD_BYTES:
                kept += chunk
    head = bytes(kept[:HEAD_BYTES])
    if head.startswith((b"MZ", b"\x7fELF")):
        refuse(OFFICE_EXECUTABLE, code="executable", name=name, part=entry.filename)
    if lower.endswith(".svg") and SVG_SCRIPT.search(kept):
        refuse(OFFICE_EXECUTABLE, code="executable", name=name, part=entry.filename)
    if head.startswith(OLE_MAGIC):
        _inspect_embedded_ole(bytes(kept), name=name, part=entry.filename)
    if head.startswith(ZIP_MAGIC):
        if depth >= 1:  # a package in a package in a package: no real document does that
            refuse(OFFICE_EXECUTABLE, code="executable", name=name, part=entry.filename)
        with zipfile.ZipFile(io.BytesIO(bytes(kept))) as embedded:
            _check_package(embedded, name=name, depth=depth + 1)


def _inspect_embedded_ole(data: bytes, *, name: str, part: str) -> None:
    try:
        ole = olefile.OleFileIO(data)
    except Exception:  # a broken embedded object is refused, not a 500
        refuse(OOXML_DAMAGED, code="ooxml_damaged", name=name)
    with ole:
        _check_ole_contents(ole, name=name, part=part)


def _check_ole_contents(ole: "olefile.OleFileIO", *, name: str, part: str) -> None:
    """No macro storage, and no packaged file (an OLE 'Package' object, the usual way to
    hide a program in a document) whose name is a program or whose data is one."""
    for path in ole.listdir(streams=True, storages=True):
        lowered = [element.lower() for element in path]
        if OLE_MACRO_STORAGES.intersection(lowered):
            refuse(OFFICE_MACROS, code="macros", name=name)
        if lowered[-1] == OLE_NATIVE:
            packaged = _ole_native_names(ole.openstream(path).read())
            if any(has_executable_name(text) for text in packaged.names) or packaged.program:
                shown = next((text for text in packaged.names if text), part)
                refuse(OFFICE_EXECUTABLE, code="executable", name=name, part=shown)


class _Packaged:
    def __init__(self, names: list[str], program: bool):
        self.names = names
        self.program = program


def _ole_native_names(data: bytes) -> _Packaged:
    """The label, file name and command of an Ole10Native 'Package' stream, and whether
    its payload is a Windows program. The layout: size (4), flags (2), label\\0, path\\0,
    flags (4), command length (4), command, payload length (4), payload."""
    stream = io.BytesIO(data)

    def cstring() -> str:
        out = bytearray()
        while (byte := stream.read(1)) not in (b"", b"\x00"):
            out += byte
        return out.decode("latin-1")

    try:
        stream.read(6)
        label, path = cstring(), cstring()
        stream.read(4)
        (command_length,) = struct.unpack("<I", stream.read(4))
        command = stream.read(command_length).split(b"\x00", 1)[0].decode("latin-1")
        (payload_length,) = struct.unpack("<I", stream.read(4))
        payload = stream.read(min(payload_length, 2))
    except struct.error:
        return _Packaged([data[:260].decode("latin-1")], program=b"MZ" in data[:4096])
    return _Packaged([label, path, command], program=payload.startswith(b"MZ"))


def _xml_root(package: zipfile.ZipFile, part: str):
    with package.open(part) as stream:
        for _event, element in SafeXML.iterparse(stream, events=("start",)):
            return element
    return None


def _main_part_kind(package: zipfile.ZipFile, *, name: str) -> Kind:
    names = set(package.namelist())
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        refuse(OOXML_NOT_OFFICE, code="not_office", name=name)
    types = SafeXML.fromstring(package.read("[Content_Types].xml"))
    if _local(types.tag) != "Types":
        refuse(OOXML_NOT_OFFICE, code="not_office", name=name)
    defaults, overrides = {}, {}
    for element in types:
        content_type = element.get("ContentType", "")  # checked by check_content
        if element.tag == f"{CONTENT_TYPES_NS}Default":
            defaults[element.get("Extension", "").lower()] = content_type
        elif element.tag == f"{CONTENT_TYPES_NS}Override":
            overrides[element.get("PartName", "").lstrip("/")] = content_type
    relationships = SafeXML.fromstring(package.read("_rels/.rels"))
    targets = [
        element.get("Target", "")
        for element in relationships
        if element.tag == f"{RELATIONSHIPS_NS}Relationship"
        and element.get("Type", "").endswith(OFFICE_DOCUMENT_REL)
        and element.get("TargetMode", "Internal") == "Internal"
    ]
    if len(targets) != 1:
        refuse(OOXML_NOT_OFFICE, code="not_office", name=name)
    main = posixpath.normpath(targets[0].lstrip("/"))
    if _unsafe_name(main) or main not in names:
        refuse(OOXML_NOT_OFFICE, code="not_office", name=name)
    content_type = overrides.get(main) or defaults.get(posixpath.splitext(main)[1][1:].lower())
    if content_type not in MAIN_PARTS:
        refuse(OOXML_NOT_OFFICE, code="not_office", name=name)
    kind, root_name = MAIN_PARTS[content_type]
    root = _xml_root(package, main)
    if root is None or _local(root.tag) != root_name:
        refuse(OOXML_DAMAGED, code="ooxml_damaged", name=name)
    return kind


def inspect_ole(upload, *, name: str) -> Kind:
    """A legacy Office compound file: which application's main stream it has (Word's
    WordDocument with its FIB mark, Excel's Workbook/Book starting with a BOF record,
    PowerPoint Document), without macros, packaged programs or a password."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        ole = olefile.OleFileIO(data)
    except Exception:  # olefile raises OSError, struct.error, IndexError …
        refuse(OLE_DAMAGED, code="ole_damaged", name=name)
    try:
        with ole:
            if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
                refuse(OFFICE_PASSWORD, code="office_password", name=name)
            _check_ole_contents(ole, name=name, part=name)
            return _ole_kind(ole, name=name)
    except ValidationError:
        raise
    except Exception:  # malformed streams raise whatever olefile raises
        refuse(OLE_DAMAGED, code="ole_damaged", name=name)
    raise AssertionError  # unreachable: refuse() raises


def _ole_kind(ole: "olefile.OleFileIO", *, name: str) -> Kind:
    if ole.exists("WordDocument"):
        fib = ole.openstream("WordDocument").read(12)
        if len(fib) < 12 or not fib.startswith(WORD_FIB_MAGIC):
            refuse(OLE_DAMAGED, code="ole_damaged", name=name)
        if struct.unpack_from("<H", fib, 10)[0] & WORD_FIB_ENCRYPTED:
            refuse(OFFICE_PASSWORD, code="office_password", name=name)
        return DOC
    for stream_name in ("Workbook", "Book"):
        if ole.exists(stream_name):
            bof = ole.openstream(stream_name).read(2)
            if len(bof) < 2 or struct.unpack("<H", bof)[0] not in EXCEL_BOF_RECORDS:
                refuse(OLE_DAMAGED, code="ole_damaged", name=name)
            return XLS
    if ole.exists("PowerPoint Document"):
        return PPT
    return Kind("", (), OTHER_OLE_FILE)
