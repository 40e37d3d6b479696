"""The spreadsheets the import pages hand out: the template of a kind, and the refused
rows of a job with an error column, to fix and import again."""

import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from imports.engine import table_of
from imports.fields import choice_labels, fields_for
from imports.models import ImportJob
from imports.reading import iter_rows

TEXT_FIELDS = {
    "id_number",
    "customer_id_number",
    "mobile",
    "customer_mobile",
    "postal_code",
    "source_number",
    "phone",
}


def import_template_xlsx(*, kind: str) -> bytes:
    """Headers (in Chinese, required ones marked *), drop-downs for choice fields, an
    example row, and a sheet explaining every column in Chinese."""
    specs = fields_for(kind)
    workbook = Workbook()
    with translation.override(settings.LANGUAGE_CODE):
        sheet = workbook.active
        sheet.title = _("Data")
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="FFF2CC")
        for index, spec in enumerate(specs, start=1):
            header = str(spec.label) + ("*" if spec.required else "")
            cell = sheet.cell(row=1, column=index, value=header)
            cell.font = bold
            if spec.required:
                cell.fill = fill
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
            example = spec.example
            if spec.choices is not None and example:
                example = str(dict(spec.choices.choices).get(example, example))
            sample = sheet.cell(row=2, column=index, value=str(example) if example != "" else None)
            if spec.name in TEXT_FIELDS:
                # Text, so Excel keeps every digit of ID numbers and mobiles.
                for row in range(2, 1002):
                    sheet.cell(row=row, column=index).number_format = "@"
                sample.number_format = "@"
            if spec.choices is not None:
                options = ",".join(choice_labels(spec.choices))
                validation = DataValidation(
                    type="list", formula1=f'"{options}"', allow_blank=True, showDropDown=False
                )
                validation.error = _("Choose one of the list.")
                validation.errorTitle = str(spec.label)
                sheet.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}1001")
        sheet.freeze_panes = "A2"

        notes = workbook.create_sheet(_("Column notes"))
        heads = [_("Column"), _("Required"), _("What to write"), _("Choices")]
        notes.append(heads)
        for cell in notes[1]:
            cell.font = bold
        for spec in specs:
            choices = "、".join(choice_labels(spec.choices)) if spec.choices is not None else ""
            notes.append(
                [
                    str(spec.label),
                    _("yes") if spec.required else "",
                    str(spec.help) if spec.help else "",
                    choices,
                ]
            )
        for letter, width in zip("ABCD", (24, 8, 70, 50), strict=True):
            notes.column_dimensions[letter].width = width
        for row in notes.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        general = [
            "",
            _("Dates: 2024-03-05, 2024/3/5, 2024年3月5日 or 20240305; date cells too."),
            _("Amounts: 1234.50, ¥1,234.50 or 1234.5元."),
            _(
                "ID numbers and mobiles: format the columns as Text before typing, or Excel "
                "turns them into numbers and loses digits."
            ),
            _(
                "Importing the same file again changes nothing; a changed row updates the "
                "record, and its change history shows it. An import never deletes anything."
            ),
        ]
        for line in general:
            notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row_errors(job: ImportJob, language: str) -> dict[int, list[str]]:
    errors: dict[int, list[str]] = {}
    for problem in job.report.get("problems", []):
        message = problem["message"].get(language) or next(iter(problem["message"].values()), "")
        text = f"{problem['column']}: {message}" if problem.get("column") else message
        errors.setdefault(problem["row"], []).append(text)
    return errors


def import_refused_rows_xlsx(*, job: ImportJob) -> bytes:
    """The refused rows of the job's last check or commit, with their original columns
    and an error column (in the active language), and the row number in the original."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    refused = set(job.report.get("refused_rows", []))
    errors = _row_errors(job, language)
    table = table_of(job)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Refused rows"))
    width = len(job.headers)
    header = [*job.headers, _("Error"), _("Row in the original file")]
    sheet.append(header)
    for number, cells in iter_rows(job.file.path, table):
        if number not in refused:
            continue
        cells = list(cells)[:width] + [None] * max(0, width - len(cells))
        out = []
        for value in cells:
            cell = WriteOnlyCell(sheet, value=None if value == "" else value)
            if isinstance(value, str):
                cell.number_format = "@"
            out.append(cell)
        message = "；".join(errors.get(number, [])) or _("See the import's report.")
        out.append(WriteOnlyCell(sheet, value=message))
        out.append(WriteOnlyCell(sheet, value=number))
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
