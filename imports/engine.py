"""The one engine behind the import pages, the command and the task.

A file is read row by row (never held as Python rows) in chunks of CHUNK rows; each
chunk's cells are parsed, then the kind's importer looks up what is on file for the whole
chunk in one query per lookup, classifies each row (new, updated, unchanged, refused) and,
when committing, writes the chunk with bulk statements and their change history.

Commit is one transaction. All-or-nothing (the default): from the first refused row on
nothing more is written and the transaction is rolled back at the end, after the rest of
the file has been checked so that the report lists every problem. Valid-only: the valid
rows are written, the refused ones listed (and downloadable to fix and import again).
"""

import contextlib
import datetime
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imports.fields import field_map
from imports.reading import Table, is_blank, iter_rows

CHUNK = 1000
# The report keeps this many problems in full (the refused rows are all listed by
# number); a file where every row fails does not make a report bigger than the file.
MAX_PROBLEMS = 5000
NEW, UPDATED, UNCHANGED, REFUSED = "new", "updated", "unchanged", "refused"

REQUIRED = _("This column is required.")
REQUIRED_UNMAPPED = _("No column is mapped to %(field)s, which is required.")


@dataclass
class Message:
    """A message kept unrendered, so the report can hold it in every language."""

    text: Any  # a lazy translation, or a plain string rendered in English
    params: dict | None = None

    def render(self) -> dict[str, str]:
        rendered = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                if isinstance(self.text, Promise):
                    text = str(self.text)
                else:
                    text = gettext(self.text) if self.text else ""
                if self.params:
                    with contextlib.suppress(KeyError, TypeError, ValueError):
                        text = text % self.params
                rendered[language] = text
        return rendered


def messages_of(error: ValidationError) -> list[tuple[str | None, Message]]:
    """(field or None, message) for each message of a ValidationError; messages the
    services rendered with gettext were rendered in English (the engine runs in English)
    and are translated again from their msgid."""
    found = []
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                found.append((None if name == "__all__" else name, _message(item)))
    else:
        for item in error.error_list:
            found.append((None, _message(item)))
    return found


def _message(item: ValidationError) -> Message:
    return Message(item.message, item.params)


@dataclass
class Row:
    number: int
    cells: list
    raw: dict[str, Any] = field(default_factory=dict)  # field name → cell
    values: dict[str, Any] = field(default_factory=dict)  # field name → parsed, non-empty
    problems: list[tuple[str, Any, Message]] = field(default_factory=list)
    outcome: str = ""
    obj: Any = None
    changed: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return bool(self.problems)


class Importer:
    """One kind's rules. Subclasses implement `check_chunk` and `write_chunk`."""

    kind = ""

    def __init__(self, *, actor, job, commit: bool, today: datetime.date):
        self.actor = actor
        self.job = job
        self.commit = commit
        self.today = today
        self.fields = field_map(self.kind)
        self.columns: dict[str, str] = {}  # field name → header

    def column(self, name: str) -> str:
        return self.columns.get(name) or str(
            self.fields[name].label if name in self.fields else name
        )

    def refuse(self, row: Row, name: str | None, text, params=None, value=None) -> None:
        column = self.column(name) if name else ""
        if value is None and name:
            value = row.raw.get(name, "")
        row.problems.append((column, value, Message(text, params)))
        row.outcome = REFUSED

    def refuse_error(self, row: Row, error: ValidationError, *, names: dict | None = None):
        for name, message in messages_of(error):
            name = (names or {}).get(name, name)
            if name is not None and name not in self.fields:
                name = None
            column = self.column(name) if name else ""
            value = row.raw.get(name, "") if name else ""
            row.problems.append((column, value, message))
        row.outcome = REFUSED

    def check_chunk(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def check_the_rest(self, row: Row) -> None:
        """A row refused while its cells were read (an ID number Excel turned into a
        number, a date that is no date): a kind checks its other cells here with the
        same field rules, so every problem of the row is said at once, as a form shows
        every field's error, not one problem per import. Nothing by default."""

    def write_chunk(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """After the last chunk is written (inside the transaction)."""

    def after_commit(self) -> None:
        """After the transaction committed: the downstream work, once, set-based."""


class _Rollback(Exception):
    pass


# Allocations between two collections of the youngest generation while a file is read.
FEWER_COLLECTIONS = 50_000


@contextlib.contextmanager
def fewer_collections():
    """Python's cyclic garbage collector run less often while a file is imported: a
    chunk makes tens of thousands of objects (cells, values, model instances) that its
    end frees by reference counting, but by the default threshold (700 allocations)
    the collector ran every few rows, and its older generations walked every object
    alive, the chunk's and the process's: a fifth of a 20,000-booking commit's CPU
    (0.92 s of 4.4 s; 0.01 s with this). Nothing is kept longer but what only a cycle
    holds, collected a little later; the thresholds are put back afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], FEWER_COLLECTIONS), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def table_of(job) -> Table:
    from imports.reading import CSV, XLSX

    return Table(
        fmt=CSV if job.encoding else XLSX,
        sheets=job.sheets,
        sheet=job.sheet or (job.sheets[0] if job.sheets else ""),
        encoding=job.encoding,
        header_row=job.header_row,
        headers=list(job.headers),
    )


def parse_row(row: Row, columns: list[tuple[int, str, Callable, bool]], importer: Importer):
    """Each mapped cell of the row read into row.values (non-empty ones) and row.raw.
    `columns`: (cell index, field name, the field's reader, required)."""
    cells = row.cells
    width = len(cells)
    raw, values = row.raw, row.values
    for index, name, read, required in columns:
        cell = cells[index] if index < width else None
        if cell.__class__ is str:
            cell = cell.strip()
        raw[name] = cell
        try:
            value = read(cell)
        except ValidationError as error:
            importer.refuse_error(row, error, names={None: name})
            continue
        # Empty: None, "" or [] (asked by type: a Decimal compared with "" and [] asks
        # isinstance(…, Rational) of each, an ABC check).
        if value is None or (isinstance(value, str | list) and not value):
            if required:
                importer.refuse(row, name, REQUIRED)
        else:
            values[name] = value


def run(
    *,
    importer: Importer,
    path: str,
    progress: Callable[[int, int], None] | None = None,
    valid_only: bool = False,
) -> dict:
    """Read, check and (when the importer commits) write the whole file; the report."""
    job = importer.job
    table = table_of(job)
    specs = field_map(importer.kind)
    mapping = job.mapping or {}
    columns = []
    for index, header in enumerate(table.headers):
        name = mapping.get(header) or ""
        if name in specs:
            spec = specs[name]
            columns.append((index, name, spec.reader, spec.required))
            importer.columns[name] = header
    counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0, REFUSED: 0}
    problems: list[dict] = []
    refused_rows: list[int] = []
    state = {"rows": 0, "writing": importer.commit, "written": 0, "problems": 0}
    total = getattr(job, "progress_total", 0) or 0

    missing = [
        spec for spec in specs.values() if spec.required and spec.name not in importer.columns
    ]
    if missing:
        raise ValidationError(
            [
                ValidationError(REQUIRED_UNMAPPED, params={"field": str(spec.label)})
                for spec in missing
            ]
        )

    def handle(chunk: list[Row]) -> None:
        for row in chunk:
            parse_row(row, columns, importer)
            if row.problems and row.values:
                importer.check_the_rest(row)
        importer.check_chunk(chunk)
        for row in chunk:
            if row.problems:
                row.outcome = REFUSED
                refused_rows.append(row.number)
                for column, value, message in row.problems:
                    state["problems"] += 1
                    if len(problems) < MAX_PROBLEMS:
                        problems.append(
                            {
                                "row": row.number,
                                "column": column,
                                "value": _cell_text(value),
                                "message": message.render(),
                            }
                        )
            counts[row.outcome or UNCHANGED] += 1
        if state["writing"] and counts[REFUSED] and not valid_only:
            state["writing"] = False  # all-or-nothing: nothing more is written
        if state["writing"]:
            good = [row for row in chunk if row.outcome in (NEW, UPDATED)]
            if good:
                importer.write_chunk(good)
                state["written"] += len(good)
        state["rows"] += len(chunk)
        if progress:
            progress(state["rows"], max(total, state["rows"]))

    def read_all() -> None:
        chunk: list[Row] = []
        for number, cells in iter_rows(path, table):
            if number <= table.header_row or is_blank(cells):
                continue
            chunk.append(Row(number=number, cells=list(cells)))
            if len(chunk) >= CHUNK:
                handle(chunk)
                chunk = []
        if chunk:
            handle(chunk)

    committed = False
    # The engine's own words are lazy; the services' gettext calls render in English
    # and are translated again per language by Message.render.
    with translation.override("en"), fewer_collections():
        if importer.commit:
            try:
                with transaction.atomic():
                    read_all()
                    if counts[REFUSED] and not valid_only:
                        raise _Rollback
                    importer.finish()
                    committed = True
            except _Rollback:
                committed = False
            if committed:
                importer.after_commit()
        else:
            read_all()
    return {
        "rows": state["rows"],
        "counts": counts,
        "problems": problems,
        "problems_total": state["problems"],
        "refused_rows": refused_rows,
        "encoding": job.encoding,
        "sheet": table.sheet,
        "committed": committed,
        "committed_rows": state["written"] if committed else 0,
        "valid_only": valid_only,
        "finished_at": timezone.now().isoformat(),
    }
