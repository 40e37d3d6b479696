"""What an Office Open XML package may hold, by allowlist: the content types of ordinary
Word, Excel and PowerPoint documents (text, tables, pictures, charts, comments, fonts,
themes and properties), relationships that stay inside the package except hyperlinks to
web or mail addresses, and no DDE field. Anything else — macros, Excel 4.0 macro sheets,
ActiveX, web pages, add-ins, external links and data connections, remote templates and
frames, content types nobody lists here — is refused, so a new way of hiding active
content is refused until someone decides it is harmless and adds it here."""

import re
import zipfile

from defusedxml import ElementTree as SafeXML
from django.utils.translation import gettext_lazy as _

from archives.uploads.formats import SAFE_LINK_SCHEMES, link_scheme, refuse

CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
OOXML = "application/vnd.openxmlformats-officedocument."
WORD = OOXML + "wordprocessingml."
EXCEL = OOXML + "spreadsheetml."
POWERPOINT = OOXML + "presentationml."
DRAWING = OOXML + "drawingml."

# fmt: off
ALLOWED_CONTENT_TYPES = frozenset({
    # the package itself (OPC): relationships, properties, signatures, plain XML parts
    "application/vnd.openxmlformats-package.relationships+xml",
    "application/vnd.openxmlformats-package.core-properties+xml",
    "application/vnd.openxmlformats-package.digital-signature-origin",
    "application/vnd.openxmlformats-package.digital-signature-xmlsignature+xml",
    "application/vnd.openxmlformats-package.digital-signature-certificate",
    "application/xml", "text/xml",
    OOXML + "extended-properties+xml", OOXML + "custom-properties+xml",
    OOXML + "customXmlProperties+xml", OOXML + "theme+xml", OOXML + "themeOverride+xml",
    OOXML + "drawing+xml", OOXML + "vmlDrawing", OOXML + "obfuscatedFont",
    # an embedded object: its data is opened and checked like an upload (office.py)
    OOXML + "oleObject", OOXML + "package",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    # Word
    WORD + "document.main+xml", WORD + "document.glossary+xml", WORD + "styles+xml",
    WORD + "settings+xml", WORD + "webSettings+xml", WORD + "fontTable+xml",
    WORD + "numbering+xml", WORD + "footnotes+xml", WORD + "endnotes+xml",
    WORD + "comments+xml", WORD + "header+xml", WORD + "footer+xml",
    WORD + "printerSettings",
    "application/vnd.ms-word.stylesWithEffects+xml", "application/vnd.ms-word.people+xml",
    "application/vnd.ms-word.commentsExtended+xml", "application/vnd.ms-word.commentsIds+xml",
    "application/vnd.ms-word.commentsExtensible+xml",
    # Excel (no externalLink, connections, queryTable or volatileDependencies: those
    # fetch data from elsewhere, DDE included)
    EXCEL + "sheet.main+xml", EXCEL + "worksheet+xml", EXCEL + "chartsheet+xml",
    EXCEL + "styles+xml", EXCEL + "sharedStrings+xml", EXCEL + "calcChain+xml",
    EXCEL + "comments+xml", EXCEL + "table+xml", EXCEL + "tableSingleCells+xml",
    EXCEL + "pivotTable+xml", EXCEL + "pivotCacheDefinition+xml",
    EXCEL + "pivotCacheRecords+xml", EXCEL + "sheetMetadata+xml", EXCEL + "printerSettings",
    EXCEL + "revisionHeaders+xml", EXCEL + "revisionLog+xml", EXCEL + "userNames+xml",
    "application/vnd.ms-excel.person+xml", "application/vnd.ms-excel.threadedcomments+xml",
    # PowerPoint
    POWERPOINT + "presentation.main+xml", POWERPOINT + "slide+xml",
    POWERPOINT + "slideLayout+xml", POWERPOINT + "slideMaster+xml",
    POWERPOINT + "notesSlide+xml", POWERPOINT + "notesMaster+xml",
    POWERPOINT + "handoutMaster+xml", POWERPOINT + "presProps+xml",
    POWERPOINT + "viewProps+xml", POWERPOINT + "tableStyles+xml", POWERPOINT + "comments+xml",
    POWERPOINT + "commentAuthors+xml", POWERPOINT + "tags+xml", POWERPOINT + "printerSettings",
    "application/vnd.ms-powerpoint.comments+xml", "application/vnd.ms-powerpoint.authors+xml",
    # charts and diagrams
    DRAWING + "chart+xml", DRAWING + "chartshapes+xml", DRAWING + "diagramColors+xml",
    DRAWING + "diagramData+xml", DRAWING + "diagramLayout+xml", DRAWING + "diagramStyle+xml",
    "application/vnd.ms-office.drawingml.diagramDrawing+xml",
    "application/vnd.ms-office.chartstyle+xml", "application/vnd.ms-office.chartcolorstyle+xml",
    # pictures (an SVG is searched for scripts in office.py) and fonts
    "image/png", "image/jpeg", "image/jpg", "image/gif", "image/tiff", "image/bmp",
    "image/x-emf", "image/emf", "image/x-wmf", "image/wmf", "image/svg+xml",
    "application/x-fontdata", "application/x-font-ttf", "application/x-font-odttf",
    "application/vnd.ms-opentype", "font/ttf", "font/otf",
})
# fmt: on
MACRO_CONTENT_TYPE = re.compile(r"macroenabled|vbaproject|macrosheet|vbadata|keymapcustom", re.I)

RELATIONSHIPS_NS_SUFFIX = "/package/2006/relationships}"
HYPERLINK_RELATIONSHIP = "/hyperlink"
# A DDE field starts a program (Excel, cmd …) when the document opens or its fields update.
DDE_FIELD = re.compile(r"\bDDE(?:AUTO)?\b", re.I)
FIELD_ELEMENTS = frozenset({"instrText", "fldSimple"})

OFFICE_MACROS = _(
    "“%(name)s” contains macros (program code). Save it as a document without macros (.docx, "
    ".xlsx or .pptx) and upload that."
)
OOXML_CONTENT_TYPE = _(
    "“%(name)s” contains a part of a kind that ordinary documents do not have (%(part)s: "
    "%(content_type)s). Such parts can run programs or fetch data from elsewhere; save the "
    "document again without it (or print it to PDF) and upload that."
)
OOXML_EXTERNAL_LINK = _(
    "“%(name)s” loads something from outside the document when it is opened (%(part)s: "
    "%(target)s). Documents that fetch templates, pictures or objects from elsewhere are not "
    "kept in the archive: remove the link, save the document again and upload it."
)
OOXML_HYPERLINK = _(
    "“%(name)s” has a link to something other than a web or e-mail address (%(target)s). "
    "Remove that link, save the document again and upload it."
)
OOXML_DDE = _(
    "“%(name)s” contains a DDE field (%(part)s), which can start a program when the document "
    "is opened. Remove the field, save the document again and upload it."
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _shown(text: str) -> str:
    return text if len(text) <= 120 else text[:117] + "…"


def declared_content_types(package: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    """[Content_Types].xml as (defaults by extension, overrides by part name), both keyed
    in lower case (part names compare case-insensitively in OPC); empty without one."""
    if "[Content_Types].xml" not in package.namelist():
        return {}, {}
    types = SafeXML.fromstring(package.read("[Content_Types].xml"))
    defaults, overrides = {}, {}
    for element in types:
        content_type = element.get("ContentType", "").strip()
        if element.tag == f"{CONTENT_TYPES_NS}Default":
            defaults[element.get("Extension", "").lower()] = content_type
        elif element.tag == f"{CONTENT_TYPES_NS}Override":
            overrides[element.get("PartName", "").lstrip("/").lower()] = content_type
    return defaults, overrides


def check_content(package: zipfile.ZipFile, *, name: str) -> None:
    """Refuse a package with a content type not on the list, an external relationship
    other than a web or mail hyperlink, or a DDE field."""
    defaults, overrides = declared_content_types(package)
    declared = [(f"*.{ext}", value) for ext, value in defaults.items()]
    declared += list(overrides.items())
    macro_sheet = any("macrosheets/" in entry.lower() for entry in package.namelist())
    if macro_sheet or any(MACRO_CONTENT_TYPE.search(kind) for _part, kind in declared):
        refuse(OFFICE_MACROS, code="macros", name=name)
    for part, content_type in declared:
        if content_type.lower() not in ALLOWED_LOWER:
            refuse(OOXML_CONTENT_TYPE, code="content_type_not_allowed", name=name, part=part,
                   content_type=_shown(content_type or "?"))  # fmt: skip
    for entry in package.infolist():
        if entry.is_dir():
            continue
        lower = entry.filename.lower()
        if lower.endswith(".rels"):
            _check_relationships(package, entry.filename, name=name)
        elif lower.endswith(".xml") and lower != "[content_types].xml":
            _check_fields(package, entry.filename, name=name)


ALLOWED_LOWER = frozenset(content_type.lower() for content_type in ALLOWED_CONTENT_TYPES)


def _check_relationships(package: zipfile.ZipFile, part: str, *, name: str) -> None:
    with package.open(part) as stream:
        root = SafeXML.parse(stream).getroot()
    for element in root.iter():
        if _local(element.tag) != "Relationship":
            continue
        kind = element.get("Type", "")
        target = element.get("Target", "").strip()
        mode = element.get("TargetMode", "Internal").strip()
        if mode == "Internal" and not link_scheme(target) and not target.startswith("\\\\"):
            continue  # a part of this package (office.py refuses names that climb out)
        if not kind.endswith(HYPERLINK_RELATIONSHIP):
            refuse(OOXML_EXTERNAL_LINK, code="external_link", name=name,
                   part=kind.rsplit("/", 1)[-1] or part, target=_shown(target))  # fmt: skip
        if link_scheme(target) not in SAFE_LINK_SCHEMES and not target.startswith("#"):
            refuse(OOXML_HYPERLINK, code="external_link", name=name, target=_shown(target))


def _check_fields(package: zipfile.ZipFile, part: str, *, name: str) -> None:
    """Field codes are read the way Word runs them: the text of every w:instrText of the
    part joined (Word joins a field code split over several runs) and each
    w:fldSimple's instr, in any namespace (Transitional or Strict)."""
    codes: list[str] = []
    with package.open(part) as stream:
        for _event, element in SafeXML.iterparse(stream, events=("end",)):
            local = _local(element.tag)
            if local == "instrText":
                codes.append(element.text or "")
            elif local == "fldSimple":
                codes.append(" ")
                codes.extend(v for k, v in element.attrib.items() if _local(k) == "instr")
                codes.append(" ")
            element.clear()  # a long document is read part by part, not kept whole
    if codes and DDE_FIELD.search("".join(codes)):
        refuse(OOXML_DDE, code="dde", name=name, part=part)
