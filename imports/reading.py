"""Reading spreadsheets: XLSX with python-calamine, CSV with its encoding detected.

Why calamine: it parses the XLSX in Rust and hands Python one row at a time; measured on
this machine (bench/imports.py, 100,000 customer rows × 20 columns) it reads the file
several times faster than openpyxl's read-only mode, which builds a Python cell object per
cell. Its cells arrive typed (str, int, float, bool, date, datetime), so a date cell is a
date and a number is a number: the value parsers (imports/values.py) take both.

CSV as Chinese Excel writes it: "CSV UTF-8" has a byte-order mark, plain "CSV" is GBK
(GB18030 is its superset, so that is what we decode with), and other tools write UTF-8
without a mark. The BOM is checked first, then strict UTF-8, then charset-normalizer
guesses; the name of what was used is kept on the job and shown to the user.
"""

import codecs
import csv
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineError, CalamineWorkbook

XLSX, CSV = "xlsx", "csv"
HEADER_SCAN_ROWS = 30
SAMPLE_BYTES = 256 * 1024
GB_ENCODINGS = {"gb2312", "gbk", "gb18030", "hz", "cp936"}

NOT_A_SPREADSHEET = _(
    "This file is not an Excel workbook (.xlsx) or a CSV file. In Excel, choose "
    "File → Save As → Excel Workbook (*.xlsx) or CSV, and upload that."
)
UNREADABLE = _(
    "This file could not be read as a spreadsheet (%(reason)s). Open it in Excel, save it "
    "again as .xlsx or CSV, and upload that."
)
EMPTY = _("The file has no rows to import.")
TOO_BIG = _(
    "This file holds %(size)s MB of spreadsheet data; one import reads at most %(limit)s MB. "
    "Split it into several files (by year, say) and import each."
)
NO_SUCH_SHEET = _("The workbook has no sheet called %(sheet)s.")


@dataclass
class Table:
    """One sheet (or the CSV): where its header row is, its headers, and how to read the
    rows below it again (the file is read once per pass, never held as Python rows)."""

    fmt: str
    sheets: list[str]
    sheet: str
    encoding: str
    header_row: int  # the row number Excel shows
    headers: list[str] = field(default_factory=list)
    total_rows: int = 0  # rows below the header, blank ones included (for progress)


def clean_header(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def header_key(text: str) -> str:
    """Headers compared without width, case, spaces, marks of required (*) or notes in
    brackets: `手机号*`, `手机号（必填）` and `Mobile ` are matched as `手机号`/`mobile`."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"[(\[（【][^)\]）】]*[)\]）】]", "", text)
    return "".join(ch for ch in text if ch.isalnum())


def sniff_format(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if head.startswith((b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8")):
        raise ValidationError(NOT_A_SPREADSHEET, code="not_spreadsheet")
    if b"\x00" in head[:4096] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ValidationError(NOT_A_SPREADSHEET, code="not_spreadsheet")
    return CSV


def detect_encoding(sample: bytes) -> tuple[str, str]:
    """(Python codec, the name shown to the user)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 with BOM"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16"
    try:
        # A sample may end inside a character: drop a trailing partial sequence.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", "UTF-8"
    best = from_bytes(sample).best()
    name = (best.encoding if best else "gb18030").lower().replace("-", "").replace("_", "")
    if name in GB_ENCODINGS or name.startswith("gb") or best is None:
        return "gb18030", "GB18030"
    return best.encoding, best.encoding.upper()


def _refuse_too_big(size: int) -> None:
    limit = settings.IMPORT_MAX_DATA_BYTES
    if size > limit:
        raise ValidationError(
            TOO_BIG,
            code="too_big",
            params={"size": _megabytes(size), "limit": _megabytes(limit)},
        )


def _megabytes(size: int) -> str:
    megabytes = size / 2**20
    return f"{megabytes:,.1f}" if megabytes < 10 else f"{megabytes:,.0f}"


def _unpacked_size(path: str) -> int:
    """What the workbook's parts take once unpacked: first as the zip's directory says
    (a small file that says it unpacks to gigabytes is refused before anything is
    unpacked), then as they really unpack, a megabyte at a time and never held, stopping
    past the limit: a directory that lies about its sizes fails the parts' checksums or
    the count (about 1 s for the 300 MB a 400,000-booking file unpacks to)."""
    limit = settings.IMPORT_MAX_DATA_BYTES
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            said = sum(member.file_size for member in members)
            if said > limit:
                return said
            unpacked = 0
            for member in members:
                with archive.open(member) as part:
                    while block := part.read(1 << 20):
                        unpacked += len(block)
                        if unpacked > limit:
                            return unpacked
            return unpacked
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ValidationError(
            UNREADABLE, code="unreadable", params={"reason": str(exc)[:200]}
        ) from None


def _open_xlsx(path: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(path)
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(
            UNREADABLE, code="unreadable", params={"reason": str(exc)[:200]}
        ) from None
    except Exception as exc:  # calamine raises its own error types for broken zips/XML
        raise ValidationError(
            UNREADABLE, code="unreadable", params={"reason": type(exc).__name__}
        ) from None


def _csv_dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:20000], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def iter_rows(path: str, table: Table) -> Iterator[tuple[int, list]]:
    """Every row of the chosen sheet with the row number Excel shows, from the first."""
    if table.fmt == XLSX:
        workbook = _open_xlsx(path)
        try:
            sheet = workbook.get_sheet_by_name(table.sheet)
        except Exception:
            raise ValidationError(
                NO_SUCH_SHEET, code="no_sheet", params={"sheet": table.sheet}
            ) from None
        try:
            yield from enumerate(sheet.iter_rows(), start=1)
        except ValidationError:
            raise
        except Exception as exc:
            raise ValidationError(
                UNREADABLE, code="unreadable", params={"reason": str(exc)[:200]}
            ) from None
        return
    codec = {"UTF-8 with BOM": "utf-8-sig", "UTF-8": "utf-8", "GB18030": "gb18030"}.get(
        table.encoding, table.encoding or "utf-8"
    )
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")
        head = text.read(20000)
        text.seek(0)
        reader = csv.reader(text, _csv_dialect(head))
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise ValidationError(
                UNREADABLE, code="unreadable", params={"reason": str(exc)[:200]}
            ) from None


def is_blank(row) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def find_header(rows: list[tuple[int, list]], known: set[str]) -> tuple[int, list[str]]:
    """The header row: among the first rows, the one whose cells name the most known
    columns (merged title rows above it name none); without any known name, the first
    row with the most filled cells."""
    best, best_score = None, (-1, -1)
    for number, row in rows:
        if is_blank(row):
            continue
        texts = [clean_header(cell) for cell in row]
        matches = sum(1 for text in texts if text and header_key(text) in known)
        filled = sum(1 for text in texts if text)
        score = (matches, filled if matches == 0 else 0)
        if score > best_score:
            best, best_score = (number, texts), score
    if best is None:
        raise ValidationError(EMPTY, code="empty")
    number, texts = best
    while texts and not texts[-1]:
        texts.pop()
    return number, unique_headers(texts)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def unique_headers(texts: list[str]) -> list[str]:
    """Headers are the mapping's keys: an empty one is named by its column letter and a
    repeated one gets its column letter, so every column can be mapped."""
    seen: set[str] = set()
    result = []
    for index, text in enumerate(texts):
        name = text or str(_("Column %(letter)s") % {"letter": column_letter(index)})
        if name in seen:
            name = f"{name} ({column_letter(index)})"
        seen.add(name)
        result.append(name)
    return result


def open_table(path: str, *, known: set[str], sheet: str | None = None) -> Table:
    """Look at the file: its format, sheets, encoding, header row and headers."""
    with open(path, "rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    if not sample:
        raise ValidationError(EMPTY, code="empty")
    fmt = sniff_format(sample)
    # Every file is looked at here first (the upload, the command, another sheet chosen):
    # past the limit nothing reads it, then or later.
    if fmt == XLSX:
        _refuse_too_big(_unpacked_size(path))
        workbook = _open_xlsx(path)
        sheets = list(workbook.sheet_names)
        if not sheets:
            raise ValidationError(EMPTY, code="empty")
        chosen = sheet or sheets[0]
        if chosen not in sheets:
            raise ValidationError(NO_SUCH_SHEET, code="no_sheet", params={"sheet": chosen})
        table = Table(fmt=XLSX, sheets=sheets, sheet=chosen, encoding="", header_row=1)
        try:
            table.total_rows = int(workbook.get_sheet_by_name(chosen).height)
        except Exception:
            table.total_rows = 0
    else:
        _refuse_too_big(os.path.getsize(path))
        _codec, shown = detect_encoding(sample)
        if shown == "UTF-16":
            raise ValidationError(NOT_A_SPREADSHEET, code="not_spreadsheet")
        table = Table(fmt=CSV, sheets=[], sheet="", encoding=shown, header_row=1)
        with open(path, "rb") as raw:
            table.total_rows = sum(
                chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b"")
            )
    head = []
    for number, row in iter_rows(path, table):
        head.append((number, row))
        if number >= HEADER_SCAN_ROWS:
            break
    table.header_row, table.headers = find_header(head, known)
    table.total_rows = max(0, table.total_rows - table.header_row)
    return table
