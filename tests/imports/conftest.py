"""Spreadsheets built in the test, as Chinese Excel would save them."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    return settings.PRIVATE_MEDIA_ROOT


def xlsx(rows, *, title_rows=(), sheet="Sheet1", extra_sheets=None, name="客户.xlsx"):
    """An XLSX upload: optional merged title rows above the header, more sheets."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    width = max(len(row) for row in rows)
    for title in title_rows:
        ws.append([title])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    for row in rows:
        ws.append(list(row))
    for other, other_rows in (extra_sheets or {}).items():
        extra = workbook.create_sheet(other)
        for row in other_rows:
            extra.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, *, encoding="utf-8-sig", name="客户.csv"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode(encoding))
