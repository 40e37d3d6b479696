"""Real documents (and tricks dressed as documents) built in the tests, byte for byte:
Word/PowerPoint packages by hand, Excel workbooks by openpyxl, PDFs by pypdf, images by
Pillow, and legacy .doc/.xls compound files by a small CFB writer (olefile only reads).

The compound-file writer follows [MS-CFB] version 3: a 512-byte header, one FAT sector,
the directory, then each stream in 512-byte sectors. Every stream is padded to 4096
bytes, the mini-stream cutoff, so no mini stream is needed. tests/archives/files/ holds
a .doc and an .xls made by it (`python -m tests.archives.documents` rewrites them)."""

import io
import itertools
import struct
import zipfile
from pathlib import Path

FILES = Path(__file__).parent / "files"

SECTOR = 512
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
MINI_CUTOFF = 4096


def _dir_entry(name: str, kind: int, *, child=NO_STREAM, right=NO_STREAM, start=END, size=0):
    encoded = (name + "\x00").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)  # 1: black
        + struct.pack("<III", NO_STREAM, right, child)
        + b"\x00" * 16  # CLSID
        + struct.pack("<I", 0)  # state bits
        + b"\x00" * 16  # created, modified
        + struct.pack("<IQ", start, size)
    )


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams`, keyed by path ("WordDocument", "Macros/VBA/dir");
    storages are made for the folders in the paths."""
    # Nodes: (path, is_storage); the root is "".
    storages = {""}
    for path in streams:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            storages.add("/".join(parts[:depth]))
    nodes = ["", *sorted(storages - {""}), *sorted(streams)]
    index = {path: number for number, path in enumerate(nodes)}
    children: dict[str, list[str]] = {path: [] for path in storages}
    for path in nodes[1:]:
        children[path.rpartition("/")[0]].append(path)

    def order(path):  # CFB compares names by length, then upper-cased
        name = path.rpartition("/")[2]
        return (len(name), name.upper())

    right_of, first_child = {}, {}
    for parent, kids in children.items():
        kids.sort(key=order)
        first_child[parent] = index[kids[0]] if kids else NO_STREAM
        for left, right in itertools.pairwise(kids):
            right_of[left] = index[right]

    dir_sectors = -(-len(nodes) * 128 // SECTOR)
    next_sector = 1 + dir_sectors
    fat = [FAT_SECTOR] + [s + 1 for s in range(1, dir_sectors)] + [END]
    data = bytearray()
    placed = {}
    for path in sorted(streams):
        content = streams[path].ljust(MINI_CUTOFF, b"\x00")
        count = -(-len(content) // SECTOR)
        placed[path] = (next_sector, len(content))
        fat += [next_sector + n + 1 for n in range(count - 1)] + [END]
        data += content.ljust(count * SECTOR, b"\x00")
        next_sector += count
    assert len(fat) <= SECTOR // 4, "one FAT sector holds 128 sectors"
    fat += [FREE] * (SECTOR // 4 - len(fat))

    directory = bytearray()
    for path in nodes:
        name = path.rpartition("/")[2] or "Root Entry"
        right = right_of.get(path, NO_STREAM)
        if path == "":
            directory += _dir_entry(name, 5, child=first_child[""])
        elif path in storages:
            directory += _dir_entry(name, 1, child=first_child[path], right=right)
        else:
            start, size = placed[path]
            directory += _dir_entry(name, 2, right=right, start=start, size=size)
    while len(directory) < dir_sectors * SECTOR:  # unused slots: empty entries, no siblings
        directory += _dir_entry("", 0, start=0)[:64] + b"\x00" * 4 + _dir_entry("", 0)[68:]
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, MINI_CUTOFF, END, 0, END, 0)
        + struct.pack("<I", 0)  # DIFAT[0]: the FAT is sector 0
        + struct.pack("<I", FREE) * 108
    )
    assert len(header) == SECTOR
    fat_bytes = struct.pack(f"<{SECTOR // 4}I", *fat)
    return header + fat_bytes + directory + bytes(data)


# A Word binary file starts its WordDocument stream with the FIB: wIdent 0xA5EC, nFib 0xC1.
WORD_FIB = struct.pack("<HH", 0xA5EC, 0x00C1) + b"\x00" * 28
# An Excel BIFF8 workbook stream starts with a BOF record (0x0809) for the workbook globals.
EXCEL_BOF = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 1996, 0, 0x0006)


def doc_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    return compound_file({"WordDocument": WORD_FIB, "1Table": b"\x00", **(extra or {})})


def xls_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    return compound_file({"Workbook": EXCEL_BOF, **(extra or {})})


def ole_package_native(label: str, payload: bytes) -> bytes:
    """An Ole10Native stream: what Office writes for a file packaged into a document."""
    body = (
        struct.pack("<H", 2)
        + label.encode() + b"\x00"
        + f"C:\\Temp\\{label}".encode() + b"\x00"
        + struct.pack("<HH", 0, 3)
        + struct.pack("<I", len(label) + 9) + f"C:\\Temp\\{label}".encode() + b"\x00"
        + struct.pack("<I", len(payload)) + payload
    )  # fmt: skip
    return struct.pack("<I", len(body)) + body


# --- Office Open XML ------------------------------------------------------------------------

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PRESENTATION_MAIN = (
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
)
RELS = "application/vnd.openxmlformats-package.relationships+xml"
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)


def _content_types(main_part: str, main_type: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{RELS}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>{extra}</Types>'
    )


def _root_rels(main_part: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="{main_part}"/>'
        "</Relationships>"
    )


DOCUMENT_BODY = "<w:p><w:r><w:t>旅游合同 HT-2026-001</w:t></w:r></w:p>"
WORD_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bytes(
    extra_parts: dict[str, bytes] | None = None,
    *,
    content_types_extra="",
    body: str = DOCUMENT_BODY,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            _content_types("word/document.xml", WORD_MAIN, content_types_extra),
        )
        package.writestr("_rels/.rels", _root_rels("word/document.xml"))
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f"<w:document {WORD_NS}><w:body>{body}</w:body></w:document>",
        )
        for name, content in (extra_parts or {}).items():
            package.writestr(name, content)
    return buffer.getvalue()


def relationships(*relations: tuple[str, str, str]) -> str:
    """A .rels part: (type, target, target mode) each; the type's last word is enough
    ("hyperlink", "attachedTemplate"), the rest is the Transitional namespace."""
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{base}{kind}" Target="{target}"'
            + (f' TargetMode="{mode}"/>' if mode else "/>")
            for n, (kind, target, mode) in enumerate(relations, start=1)
        )
        + "</Relationships>"
    )


def field_runs(*code_pieces: str) -> str:
    """A complex field whose code is split over several runs, as Word writes it."""
    runs = "".join(f"<w:r><w:instrText>{piece}</w:instrText></w:r>" for piece in code_pieces)
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'{runs}<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def pptx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _content_types("ppt/presentation.xml",
                                                               PRESENTATION_MAIN))  # fmt: skip
        package.writestr("_rels/.rels", _root_rels("ppt/presentation.xml"))
        package.writestr(
            "ppt/presentation.xml",
            '<?xml version="1.0"?><p:presentation '
            'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
        )
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["团号", "人数", "毛利"])
    sheet.append(["SH2026-0001", 12, 3456.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in entries.items():
            package.writestr(name, content)
    return buffer.getvalue()


# --- PDF and images -------------------------------------------------------------------------


def pdf_bytes(
    *, javascript: str = "", attachment: bytes = b"", password: str = "", owner_password: str = ""
) -> bytes:
    """A one-page PDF; with `password` it opens only with it, with `owner_password` alone it
    opens without one (printing and copying are merely restricted)."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if javascript:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(javascript),
        })  # fmt: skip
    if attachment:
        writer.add_attachment("payload.bin", attachment)
    if password or owner_password:
        writer.encrypt(user_password=password, owner_password=owner_password or password + "!",
                       algorithm="AES-128")  # fmt: skip
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_action(
    action: dict, *, where: str = "/OpenAction", indirect_type: bool = True
) -> bytes:
    """A one-page PDF whose action (`{"/S": "/Launch", "/F": "calc.exe"}`) hangs at
    `where`: the catalog's /OpenAction, the page's additional actions ("/AA"), a link
    annotation ("/Annots") or the /Next of a harmless /GoTo ("/Next"). With
    `indirect_type` the action's /S is an object of its own (12 0 R), as tricks store it."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)

    def value(text):
        return NameObject(text) if text.startswith("/") else TextStringObject(text)

    entries = {NameObject(key): value(text) for key, text in action.items()}
    if indirect_type:
        entries[NameObject("/S")] = writer._add_object(entries[NameObject("/S")])
    made = writer._add_object(DictionaryObject(entries))
    if where == "/OpenAction":
        writer._root_object[NameObject("/OpenAction")] = made
    elif where == "/AA":
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): made})
    elif where == "/Next":
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/GoTo"),
            NameObject("/D"): ArrayObject([NumberObject(0), NameObject("/Fit")]),
            NameObject("/Next"): made,
        })  # fmt: skip
    else:
        link = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(n) for n in (50, 50, 200, 80)]),
            NameObject("/A"): made,
        })  # fmt: skip
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG", size=(40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


if __name__ == "__main__":
    FILES.mkdir(exist_ok=True)
    (FILES / "minimal.doc").write_bytes(doc_bytes())
    (FILES / "minimal.xls").write_bytes(xls_bytes())
