"""Uploaded import files expire: a file holds many people (names, mobiles, ID numbers)
and cannot be cleaned for one of them, so it is deleted from the private storage
IMPORT_FILE_RETENTION_DAYS after its upload (default 30) by a daily job. The import's
record stays: who imported what file name when, its counts and its report. An import
not finished by then is closed as failed: its file is gone, it must be uploaded again."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from imports.models import ImportJob, ImportStatus

log = logging.getLogger(__name__)

EXPIRED = _("The uploaded file was deleted %(days)s days after its upload; upload it again.")


def import_file_retention_days() -> int:
    """The one place the retention of uploaded import files is read."""
    return max(1, int(getattr(settings, "IMPORT_FILE_RETENTION_DAYS", 30)))


def import_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the stored files of imports uploaded more than the retention ago (not
    while one runs); returns how many files were deleted. Set-based on the rows; the
    storage is asked once per file."""
    now = now or timezone.now()
    days = import_file_retention_days()
    expired = (
        ImportJob.objects.filter(created_at__lt=now - datetime.timedelta(days=days))
        .exclude(file="")
        .exclude(status__in=[ImportStatus.CHECKING, ImportStatus.COMMITTING])
    )
    found = list(expired.values_list("pk", "file"))
    if not found:
        return 0
    storage = ImportJob._meta.get_field("file").storage
    for _pk, name in found:
        try:
            storage.delete(name)
        except OSError:  # a missing file is already what we want; log the rest
            log.warning("Import file %s could not be deleted", name, exc_info=True)
    ids = [pk for pk, _name in found]
    unfinished = [ImportStatus.UPLOADED, ImportStatus.CHECKED]
    with translation.override(settings.LANGUAGE_CODE):
        error = str(EXPIRED) % {"days": days}
    ImportJob.objects.filter(pk__in=ids, status__in=unfinished).update(
        status=ImportStatus.FAILED, error=error, finished_at=now
    )
    ImportJob.objects.filter(pk__in=ids).update(file="")
    return len(ids)
