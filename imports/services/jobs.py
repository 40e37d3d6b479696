"""Import jobs: upload, map, check (nothing written), commit. Every check and every
commit is an audit event with the file name and its row count."""

import datetime
import hashlib
import os
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import FINANCE, has_role, is_manager
from customers.audit import audit_record
from customers.models import AuditAction
from customers.selectors import customer_can_create, owner_choices
from imports.engine import run
from imports.fields import field_map, known_header_keys, suggest_mapping
from imports.kinds import importer_class
from imports.models import ImportJob, ImportKind, ImportMapping, ImportStatus
from imports.reading import open_table

Progress = Callable[[int, int], None]
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

MAY_NOT_IMPORT = _("You may not import these.")
OWNER_NOT_ALLOWED = _("You may not give customers to %(owner)s.")
TOO_BIG = _("The file is %(size)s MB; at most %(max)s MB can be imported at once.")
UNKNOWN_KIND = _("Choose what the file holds: customers, contact people, bookings or records.")
UNKNOWN_COLUMN = _("The file has no column %(header)s.")
UNKNOWN_FIELD = _("%(field)s is not something that can be imported here.")
MAPPED_TWICE = _("%(field)s is filled from two columns: %(columns)s. Keep one.")
RUNNING = _("This import is running; wait until it has finished.")


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)


def import_allowed(*, user, kind: str) -> bool:
    """Reps, team leads and managers import into the customers they work on; finance
    imports bookings (it confirms amounts and payment on any booking)."""
    if kind == ImportKind.BOOKINGS and has_role(user, FINANCE):
        return True
    return customer_can_create(user=user)


def _require(user, kind: str) -> None:
    if kind not in ImportKind.values:
        raise ValidationError(UNKNOWN_KIND, code="kind")
    if not import_allowed(user=user, kind=kind):
        raise PermissionDenied(MAY_NOT_IMPORT)


def _check_owner(actor, owner) -> None:
    if owner is not None and not owner_choices(user=actor).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": ValidationError(OWNER_NOT_ALLOWED, params={"owner": owner.display_name})}
        )


def _may_use(actor, job: ImportJob) -> None:
    if job.created_by_id != actor.pk and not is_manager(actor):
        raise PermissionDenied(MAY_NOT_IMPORT)


def import_job_create(*, actor, upload, kind: str, owner=None, sheet=None) -> ImportJob:
    """Keep the uploaded file (private storage) and look at it: sheets, encoding, header
    row and headers; suggest the mapping from the header spellings."""
    _require(actor, kind)
    _check_owner(actor, owner)
    size = getattr(upload, "size", None) or 0
    if size > max_upload_bytes():
        raise ValidationError(
            TOO_BIG,
            code="too_big",
            params={"size": size // (1024 * 1024), "max": max_upload_bytes() // (1024 * 1024)},
        )
    digest = hashlib.sha256()
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
    ):
        digest.update(chunk)
    upload.seek(0)
    name = os.path.basename(getattr(upload, "name", "") or "import")[:255]
    job = ImportJob(created_by=actor, kind=kind, original_name=name, owner=owner)
    job.sha256 = digest.hexdigest()
    job.file.save(name, upload, save=False)
    try:
        job.size = job.file.size
        table = open_table(job.file.path, known=known_header_keys(kind), sheet=sheet or None)
    except BaseException:
        job.file.storage.delete(job.file.name)
        raise
    _take_table(job, table)
    job.mapping = suggest_mapping(kind, table.headers)
    job.save()
    return job


def _take_table(job: ImportJob, table) -> None:
    job.sheets = table.sheets
    job.sheet = table.sheet
    job.encoding = table.encoding
    job.header_row = table.header_row
    job.headers = table.headers
    job.progress_total = table.total_rows
    job.progress_done = 0


def import_job_map(*, actor, job: ImportJob, mapping: dict, sheet=None, owner=None) -> ImportJob:
    """Set the mapping (header → field name or ""), and optionally another sheet or the
    owner of new customers. A field may be filled from one column only."""
    _may_use(actor, job)
    if job.is_running:
        raise ValidationError(RUNNING, code="running")
    _check_owner(actor, owner)
    if sheet and sheet != job.sheet:
        table = open_table(job.file.path, known=known_header_keys(job.kind), sheet=sheet)
        _take_table(job, table)
        mapping = {**suggest_mapping(job.kind, table.headers), **(mapping or {})}
    fields = field_map(job.kind)
    errors = []
    cleaned: dict[str, str] = {}
    for header, name in (mapping or {}).items():
        name = name or ""
        if header not in job.headers:
            if sheet:
                continue  # a column of the sheet that was there before
            errors.append(ValidationError(UNKNOWN_COLUMN, params={"header": header}))
        elif name and name not in fields:
            errors.append(ValidationError(UNKNOWN_FIELD, params={"field": name}))
        else:
            cleaned[header] = name
    used: dict[str, list[str]] = {}
    for header, name in cleaned.items():
        if name:
            used.setdefault(name, []).append(header)
    for name, headers in used.items():
        if len(headers) > 1:
            errors.append(
                ValidationError(
                    MAPPED_TWICE,
                    params={"field": str(fields[name].label), "columns": "、".join(headers)},
                )
            )
    if errors:
        raise ValidationError(errors)
    job.mapping = {header: cleaned.get(header, "") for header in job.headers}
    job.owner = owner if owner is not None else job.owner
    job.status = ImportStatus.UPLOADED
    job.report = {}
    job.error = ""
    job.save()
    return job


def _run(*, actor, job: ImportJob, commit: bool, valid_only: bool, progress, today) -> dict:
    _may_use(actor, job)
    importer = importer_class(job.kind)(
        actor=actor, job=job, commit=commit, today=today or timezone.localdate()
    )
    return run(importer=importer, path=job.file.path, progress=progress, valid_only=valid_only)


def _start(job: ImportJob, status: str) -> None:
    job.status = status
    job.progress_done = 0
    job.error = ""
    job.save(update_fields=["status", "progress_done", "error"])


def _finish(job: ImportJob, status: str, report: dict, valid_only: bool) -> None:
    job.status = status
    job.report = report
    job.valid_only = valid_only
    job.finished_at = timezone.now()
    job.progress_done = report.get("rows", 0)
    job.progress_total = max(job.progress_total, job.progress_done)
    job.save(
        update_fields=[
            "status",
            "report",
            "valid_only",
            "finished_at",
            "progress_done",
            "progress_total",
        ]
    )


def _audit(actor, job: ImportJob, action, report: dict) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=job,
        object_type="import",
        detail={
            "file": job.original_name,
            "kind": job.kind,
            "rows": report.get("rows", 0),
            "counts": report.get("counts", {}),
            "committed": report.get("committed", False),
            "sha256": job.sha256,
        },
    )


def import_job_check(
    *, actor, job: ImportJob, progress: Progress | None = None, today: datetime.date | None = None
) -> dict:
    """Validate every row against the archive; write nothing but the job's report."""
    _may_use(actor, job)
    _start(job, ImportStatus.CHECKING)
    report = _run(
        actor=actor, job=job, commit=False, valid_only=False, progress=progress, today=today
    )
    _finish(job, ImportStatus.CHECKED, report, valid_only=False)
    _audit(actor, job, AuditAction.IMPORT_CHECK, report)
    return report


def import_job_commit(
    *,
    actor,
    job: ImportJob,
    valid_only: bool = False,
    progress: Progress | None = None,
    today: datetime.date | None = None,
) -> dict:
    """Check and write in one transaction: all rows or none (a refused row commits
    nothing), or with `valid_only` the valid rows. Never deletes anything."""
    _may_use(actor, job)
    _start(job, ImportStatus.COMMITTING)
    report = _run(
        actor=actor, job=job, commit=True, valid_only=valid_only, progress=progress, today=today
    )
    status = ImportStatus.COMMITTED if report["committed"] else ImportStatus.CHECKED
    _finish(job, status, report, valid_only=valid_only)
    _audit(actor, job, AuditAction.IMPORT, report)
    return report


def import_job_fail(*, job: ImportJob, message: str) -> None:
    """A run that broke off: the job says so instead of 'checking' for ever."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def import_job_progress(job: ImportJob) -> Progress:
    """A progress callable that a page polling the job can see while the commit's
    transaction is still open: the update goes through a connection of its own."""

    def write(done: int, total: int) -> None:
        values = {"progress_done": done, "progress_total": max(total, done)}
        seen = []

        def update():
            try:
                seen.append(ImportJob.objects.filter(pk=job.pk).update(**values))
            except Exception:  # noqa: S110 - progress is a courtesy, never a failure
                pass
            finally:
                connections.close_all()

        if connection.in_atomic_block and connection.vendor != "sqlite":
            # (SQLite has one writer at a time: there the bar moves with the transaction.)
            thread = threading.Thread(target=update)
            thread.start()
            thread.join()
            if seen and seen[0]:
                return
        # Outside a transaction, or the job itself is not committed yet (a test's).
        ImportJob.objects.filter(pk=job.pk).update(**values)

    return write


@transaction.atomic
def import_mapping_save(*, actor, kind: str, name: str, mapping: dict) -> ImportMapping:
    """Save (or replace) a mapping template by name."""
    _require(actor, kind)
    fields = field_map(kind)
    cleaned = {str(header): (value if value in fields else "") for header, value in mapping.items()}
    saved, _created = ImportMapping.objects.update_or_create(
        kind=kind,
        name=name.strip()[:100],
        defaults={"mapping": cleaned, "created_by": actor},
    )
    return saved


def import_mapping_apply(*, job: ImportJob, template: ImportMapping) -> dict:
    """The job's headers mapped by a saved template (headers it does not know keep the
    suggestion)."""
    suggested = suggest_mapping(job.kind, job.headers)
    return {
        header: template.mapping.get(header, suggested.get(header, "")) for header in job.headers
    }
