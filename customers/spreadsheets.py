"""Export cells that spreadsheets show but never run.

Excel and LibreOffice treat a text cell that starts with =, +, -, @, a tab or a carriage
return as a formula ("CSV injection"): a customer named =HYPERLINK("http://…", "点我")
would become a live link in a manager's export. Such text is written with a leading
apostrophe, the spreadsheet convention for "this is text". Numbers, and text that is just
a number (-12, +86, 45%), are written as they are."""

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d+)?%?")


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
