"""Export cells that spreadsheets show but never run.

Excel and LibreOffice treat a text cell that starts with =, +, -, @, a tab or a carriage
return as a formula ("CSV injection"): a customer named =HYPERLINK("http://…", "点我")
would become a live link in a manager's export. Such text is written with a leading
apostrophe, the spreadsheet convention for "this is text". Numbers, and text that is just
a number (-12, +86, 45%), are written as they are."""

import csv
import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d+)?%?")
CENTS = Decimal("0.01")


def is_formula_like(value) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    )


def spreadsheet_safe(value):
    return "'" + value if is_formula_like(value) else value


class SafeCsvWriter:
    """csv.writer whose rows pass through `spreadsheet_safe`."""

    def __init__(self, fileobj, **kwargs):
        self._writer = csv.writer(fileobj, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class Money(Decimal):
    """An amount of money in an export: always two decimals (1706983.81, never
    1706983.8100000000 from a database SUM), and in XLSX a number shown with
    thousands separators. Build it with `money()`."""


def money(value) -> Money:
    return Money(Decimal(value or 0).quantize(CENTS, rounding=ROUND_HALF_UP))


def _xlsx_cell(sheet, value):
    """Text that looks like a formula is stored as text (openpyxl would otherwise write a
    cell starting with = as a live formula); money gets its number format."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, Money):
        cell = WriteOnlyCell(sheet, value=Decimal(value))
        cell.number_format = "#,##0.00"
        return cell
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        # A date Excel sorts and filters as a date (the CSV writes it as 2026-12-01).
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def table_response(headers, rows, *, filename: str, fmt: str) -> HttpResponse:
    """A table as a CSV (UTF-8 with BOM, for Excel) or XLSX download; every cell passes
    through the formula rule above; money and dates stay numbers and dates in XLSX."""
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(filename[:31])
        sheet.append([str(h) for h in headers])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        text = io.StringIO()
        writer = SafeCsvWriter(text)
        writer.writerow(headers)
        writer.writerows(rows)
        # The byte-order mark makes Excel read the Chinese text as UTF-8.
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
